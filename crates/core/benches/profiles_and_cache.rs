//! Goals: parse + resolve a 2,000-profile config ≤ 5 ms; the cached-session hit path (resolve
//! the profile, look up the cache, check freshness) ≤ 50 µs, keyring I/O excluded (memory store).

use criterion::{criterion_group, criterion_main, Criterion};
use rolebar_core::clock::{Clock, ManualClock};
use rolebar_core::keystore::index::Index;
use rolebar_core::keystore::keys::KeyStore;
use rolebar_core::keystore::store::MemoryStore;
use rolebar_core::profile::resolve::Environment;
use rolebar_core::profile::ProfileSet;
use rolebar_core::session::cache::{CacheKey, SessionCache};
use rolebar_core::session::sts::SdkSts;
use rolebar_core::session::vault::Vault;
use rolebar_core::{Credentials, Session, SessionKind};
use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;
use time::macros::datetime;

fn generated_config(n: usize) -> String {
    let mut text = String::from(
        "[default]\nregion = eu-west-1\n\n[profile base]\nmfa_serial = arn:aws:iam::111111111111:mfa/alice\n\n",
    );
    for i in 0..n {
        text.push_str(&format!(
            "# team {i}\n[profile role-{i}]\nsource_profile = {}\nrole_arn = arn:aws:iam::{:012}:role/Developer\nmfa_serial = arn:aws:iam::111111111111:mfa/alice\nregion = ap-northeast-1\nduration_seconds = 3600\n\n",
            // Most roles come straight from the keys; one in ten is chained from the one before.
            if i % 10 == 9 { format!("role-{}", i - 1) } else { "base".to_string() },
            200_000_000_000u64 + i as u64
        ));
    }
    text
}

fn parse_and_resolve(c: &mut Criterion) {
    let config = generated_config(2000);
    let env = Environment::default();
    c.bench_function("parse + resolve 2000 profiles", |b| {
        b.iter(|| {
            let set = ProfileSet::parse(Path::new("config"), black_box(&config), Path::new("credentials"), "")
                .expect("parses");
            let mut roles = 0;
            for name in set.names() {
                if set.resolve_with(name, &env).expect("resolves").role_arn().is_some() {
                    roles += 1;
                }
            }
            black_box(roles)
        })
    });
    c.bench_function("parse only 2000 profiles", |b| {
        b.iter(|| {
            ProfileSet::parse(Path::new("config"), black_box(&config), Path::new("credentials"), "").expect("parses")
        })
    });
}

fn cached_hit(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(MemoryStore::new());
    let clock = ManualClock::new(datetime!(2026-11-25 12:00 UTC));
    let index = Index::at(dir.path().join("index.json"));
    let cache = SessionCache::new(store.clone(), index.clone(), Arc::new(clock.clone()));
    let vault = Vault::new(
        KeyStore::new(store, index),
        cache.clone(),
        Arc::new(SdkSts::default()),
        Arc::new(clock.clone()),
    );
    let config = generated_config(2000);
    let set = ProfileSet::parse(Path::new("config"), &config, Path::new("credentials"), "").expect("parses");
    let env = Environment::default();
    let session = Session {
        profile: "role-1235".into(),
        kind: SessionKind::AssumeRole,
        credentials: Credentials::temporary("ASIAEXAMPLE000000001", "secret", "token"),
        expires_at: clock.now() + time::Duration::hours(1),
        issued_at: None,
        mfa_serial: None,
        role_arn: Some("arn:aws:iam::200000001235:role/Developer".into()),
        region: None,
    };
    cache
        .put(
            &CacheKey::Role {
                profile: "role-1235".into(),
            },
            &session,
        )
        .expect("put");
    c.bench_function("cached session hit (resolve + lookup, memory store)", |b| {
        b.iter(|| {
            let profile = set.resolve_with(black_box("role-1235"), &env).expect("resolves");
            vault.cached_session(&profile).expect("lookup").expect("hit")
        })
    });
}

criterion_group!(benches, parse_and_resolve, cached_hit);
criterion_main!(benches);

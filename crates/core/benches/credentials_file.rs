//! Writing one profile into a credentials file of 500 profiles, with and without fsync.
//!
//! `cargo bench -p rolebar-core --bench credentials_file`; criterion reports the median.
//! Each iteration rewrites a Rolebar section in the middle of the file, so the file keeps its
//! size: lock, read, edit, write a temporary file, (fsync,) rename, (fsync the folder).

use criterion::{criterion_group, criterion_main, Criterion};
use rolebar_core::outputs::credentials_file::{write_profile, Durability, WriteOptions};
use rolebar_core::{Credentials, Session, SessionKind};
use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;
use time::OffsetDateTime;

const PROFILES: usize = 500;

fn credentials_file() -> String {
    let mut text = String::from("# A large shared credentials file.\n");
    for i in 0..PROFILES {
        if i % 10 == 0 {
            let _ = writeln!(text, "; team {i}");
        }
        let _ = write!(
            text,
            "[profile-{i:03}]\naws_access_key_id = ASIAFAKE{i:012}\naws_secret_access_key = fake/secret/{i:032}\n\
             aws_session_token = FAKETOKEN{i:0100}\nregion = eu-west-1\n\n"
        );
    }
    text
}

fn session(now: OffsetDateTime) -> Session {
    Session {
        profile: "profile-250".into(),
        kind: SessionKind::AssumeRole,
        credentials: Credentials::temporary("ASIABENCH00000000001", "bench/secret+value=", "BENCHTOKEN".repeat(80)),
        expires_at: now + time::Duration::hours(1),
        issued_at: None,
        mfa_serial: None,
        role_arn: None,
        region: None,
    }
}

fn write_one_profile(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("credentials");
    std::fs::write(&path, credentials_file()).expect("seed file");
    let now = OffsetDateTime::now_utc();
    let session = session(now);
    // The section is the user's until a forced write makes it Rolebar's; then every write is
    // the everyday one (rewriting Rolebar's own section).
    let take = WriteOptions {
        force: true,
        durability: Durability::NoFsync,
    };
    write_profile(&path, "profile-250", &session, None, now, take).expect("take the section");
    let mut group = c.benchmark_group("write_profile_500");
    for (name, durability, samples) in [("no_fsync", Durability::NoFsync, 100), ("fsync", Durability::Fsync, 30)] {
        let options = WriteOptions {
            force: false,
            durability,
        };
        group.sample_size(samples).measurement_time(Duration::from_secs(5));
        group.bench_function(name, |b| {
            b.iter(|| write_profile(black_box(&path), "profile-250", &session, None, now, options).expect("write"))
        });
    }
    group.finish();
}

criterion_group!(benches, write_one_profile);
criterion_main!(benches);

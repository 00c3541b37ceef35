//! Goal: the tray menu's model for 2,000 role profiles (grouped, bounded, with Recent,
//! Favourites and a live session) built in ≤ 5 ms, so a refresh never stalls the tray.

use criterion::{criterion_group, criterion_main, Criterion};
use rolebar_tray::activity::{Activity, Shortcuts};
use rolebar_tray::i18n::{Catalog, Language};
use rolebar_tray::menu;
use rolebar_tray::views::{ProfileKind, ProfileView, SessionKindView, SessionView, Snapshot};
use std::hint::black_box;
use time::macros::datetime;
use time::Duration;

fn snapshot(n: usize) -> Snapshot {
    let now = datetime!(2026-11-25 12:00 UTC);
    Snapshot {
        sign_ins: Vec::new(),
        // Roles from 40 source profiles, as a large organisation's config has them.
        profiles: (0..n)
            .map(|i| ProfileView {
                source_profile: Some(format!("team{}", i % 40)),
                role_arn: Some(format!(
                    "arn:aws:iam::{:012}:role/Developer",
                    200_000_000_000u64 + i as u64
                )),
                ..ProfileView::bare(&format!("role-{i:04}"), ProfileKind::Role)
            })
            .collect(),
        load_error: None,
        sessions: vec![SessionView {
            id: "session:AssumeRole:role-0005".into(),
            profile: "role-0005".into(),
            kind: SessionKindView::AssumeRole,
            expires_at: now + Duration::minutes(30),
            mfa_serial: None,
            role_arn: None,
            written_to: vec![],
        }],
        keys: vec![],
        credentials_file: "~/.aws/credentials".into(),
        // Some production roles ask first: their lines carry the mark.
        asks_first: (0..n).step_by(10).map(|i| format!("role-{i:04}")).collect(),
    }
}

fn bench(c: &mut Criterion) {
    let now = datetime!(2026-11-25 12:00 UTC);
    let words = Catalog::get(Language::English);
    let shortcuts = Shortcuts {
        recent: (0..5).map(|i| format!("role-{:04}", i * 7)).collect(),
        favourites: (0..8).map(|i| format!("role-{:04}", i * 11)).collect(),
    };
    for n in [300, 2000] {
        let snap = snapshot(n);
        c.bench_function(&format!("menu model, {n} profiles"), |b| {
            b.iter(|| {
                menu::build(
                    black_box(&snap),
                    &Activity::default(),
                    &shortcuts,
                    now,
                    Duration::minutes(10),
                    words,
                )
            })
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);

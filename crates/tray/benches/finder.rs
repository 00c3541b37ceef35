//! The quick switcher's search over 2,000 profiles: building the finder (when the switcher
//! opens) and answering one keystroke (goal: ≤ 2 ms).
//!
//! `cargo bench -p rolebar-tray --bench finder`; criterion reports the median. The profiles look
//! like a large organisation's: team prefixes, an account id and a role name each, a few regions.

use criterion::{criterion_group, criterion_main, Criterion};
use rolebar_tray::finder::{Candidate, Finder, Standing};
use std::hint::black_box;

const PROFILES: usize = 2_000;
const ROLES: [&str; 4] = ["developer", "ReadOnly", "admin", "deploy/ci"];
const REGIONS: [&str; 4] = ["ap-northeast-1", "us-east-1", "eu-west-1", "us-west-2"];

fn candidates() -> Vec<Candidate> {
    (0..PROFILES)
        .map(|i| {
            let arn = format!("arn:aws:iam::{:012}:role/{}", 100_000_000_000 + i * 7919, ROLES[i % 4]);
            Candidate::new(
                &format!("team{:02}-service{}-{}", i % 50, i / 50, ["dev", "stg", "prod"][i % 3]),
                Some(&arn),
                Some(REGIONS[i / 7 % 4]),
            )
        })
        .collect()
}

fn standing() -> Standing {
    Standing {
        live: vec!["team01-service0-stg".into()],
        recent: (0..5).map(|i| format!("team{i:02}-service{i}-dev")).collect(),
        favourites: vec!["team07-service3-prod".into()],
    }
}

fn bench(c: &mut Criterion) {
    c.bench_function("finder: build for 2,000 profiles", |b| {
        b.iter_batched(
            candidates,
            |list| Finder::new(list, &standing()),
            criterion::BatchSize::SmallInput,
        )
    });
    let mut finder = Finder::new(candidates(), &standing());
    // Each keystroke of typing "t12svprod" is one search of the whole list.
    for query in ["t", "t12sv", "t12svprod", "us-east admin"] {
        c.bench_function(&format!("finder: one keystroke over 2,000 profiles ({query:?})"), |b| {
            b.iter(|| black_box(finder.search(black_box(query), 50)))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);

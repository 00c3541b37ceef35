//! The credentials-file writer across processes: four writers at once while readers (our INI
//! reader, and the AWS CLI when present) parse the file in a loop; and writers killed with
//! SIGKILL at random points leave the old or the new file, never a mix.
//!
//! The writers are this test binary re-run with `ROLEBAR_TEST_WRITER` set (see `writer`).

mod support;

use rolebar_core::outputs::{write_profile, Durability, WriteOptions};
use rolebar_core::profile::ini;
use rolebar_core::{Credentials, Session, SessionKind};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use time::OffsetDateTime;

const WORKER_VAR: &str = "ROLEBAR_TEST_WRITER";
const PROFILES_PER_WRITER: usize = 10;
const BASE: &str = "# the user's own file\r\n[default]\r\naws_access_key_id = AKIA_FAKE_USERS_OWN1\r\naws_secret_access_key = keep/me\r\n";

fn session(n: usize) -> Session {
    Session {
        profile: "p".into(),
        kind: SessionKind::AssumeRole,
        credentials: Credentials::temporary(format!("ASIA{n:016}"), format!("secret/{n}"), format!("token-{n}")),
        expires_at: OffsetDateTime::now_utc() + time::Duration::hours(1),
        issued_at: None,
        mfa_serial: None,
        role_arn: None,
        region: None,
    }
}

/// Not a test on its own: the body of a writer process (`path|prefix|count`, count 0 = forever).
#[test]
fn writer() {
    let Ok(spec) = std::env::var(WORKER_VAR) else { return };
    let mut parts = spec.split('|');
    let (path, prefix, count) = (
        PathBuf::from(parts.next().expect("path")),
        parts.next().expect("prefix").to_string(),
        parts.next().expect("count").parse::<usize>().expect("count"),
    );
    let options = WriteOptions {
        force: false,
        durability: Durability::NoFsync,
    };
    let mut i = 0;
    while count == 0 || i < count {
        let target = format!("{prefix}-{}", i % PROFILES_PER_WRITER);
        write_profile(&path, &target, &session(i), None, OffsetDateTime::now_utc(), options).expect("write");
        i += 1;
    }
}

fn spawn_writer(path: &Path, prefix: &str, count: usize) -> Child {
    Command::new(std::env::current_exe().expect("test binary"))
        .args(["--exact", "writer", "--nocapture"])
        .env(WORKER_VAR, format!("{}|{prefix}|{count}", path.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn writer")
}

/// Parses the file and checks every Rolebar section is whole (all five keys present).
fn check_whole(path: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(text.starts_with(BASE), "the user's section is intact:\n{text}");
    let file = ini::parse(path, &text).unwrap_or_else(|e| panic!("a reader saw a broken file: {e:?}\n{text}"));
    let mut ids = Vec::new();
    for s in file.sections.iter().filter(|s| s.header != "default") {
        for key in support::WRITTEN_KEYS {
            assert!(s.get(key).is_some(), "[{}] lacks {key}: a torn write\n{text}", s.header);
        }
        let id = s.get("aws_access_key_id").map(|p| p.value.clone()).unwrap_or_default();
        let secret = s
            .get("aws_secret_access_key")
            .map(|p| p.value.clone())
            .unwrap_or_default();
        let n: usize = id.trim_start_matches("ASIA").parse().expect("our key id");
        assert_eq!(secret, format!("secret/{n}"), "key id and secret from the same write");
        ids.push((s.header.clone(), id));
    }
    ids
}

#[test]
fn four_writer_processes_and_looping_readers_lose_nothing() {
    four_writers_and_readers(None);
}

/// The same with the real AWS CLI reading the file in a loop as well.
#[test]
#[ignore = "needs the AWS CLI: run bash scripts/test.sh"]
fn four_writer_processes_and_the_aws_cli_reading_lose_nothing() {
    let aws = std::env::var("ROLEBAR_TEST_AWS_CLI").expect("ROLEBAR_TEST_AWS_CLI: run bash scripts/test.sh");
    four_writers_and_readers(Some(aws));
}

fn four_writers_and_readers(aws: Option<String>) {
    if std::env::var_os(WORKER_VAR).is_some() {
        return;
    }
    const WRITES: usize = 500;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("credentials");
    std::fs::write(&path, BASE).expect("base");
    let mut writers: Vec<Child> = (0..4).map(|w| spawn_writer(&path, &format!("w{w}"), WRITES)).collect();

    // Readers: ours in a tight loop, and the real AWS CLI when asked.
    let mut aws_reads = 0;
    let mut reads = 0;
    let mut aws_child: Option<Child> = None;
    while writers.iter_mut().any(|c| c.try_wait().expect("wait").is_none()) {
        check_whole(&path);
        reads += 1;
        if let Some(aws) = &aws {
            let done = match aws_child.as_mut() {
                None => true,
                Some(c) => match c.try_wait().expect("wait") {
                    None => false,
                    Some(status) => {
                        assert!(status.success(), "the AWS CLI failed to parse the file mid-write");
                        aws_reads += 1;
                        true
                    }
                },
            };
            if done {
                aws_child = Some(
                    Command::new(aws)
                        .args(["configure", "list-profiles"])
                        .env("AWS_SHARED_CREDENTIALS_FILE", &path)
                        .env("AWS_CONFIG_FILE", dir.path().join("no-config"))
                        .stdout(Stdio::null())
                        .spawn()
                        .expect("aws"),
                );
            }
        }
    }
    if let Some(mut c) = aws_child {
        assert!(c.wait().expect("aws").success());
    }
    for mut w in writers {
        assert!(w.wait().expect("writer").success(), "a writer failed");
    }
    let ids = check_whole(&path);
    assert_eq!(ids.len(), 4 * PROFILES_PER_WRITER, "no profile lost: {ids:?}");
    // Each profile holds the last write made to it.
    for w in 0..4 {
        for p in 0..PROFILES_PER_WRITER {
            let last = (0..WRITES)
                .filter(|i| i % PROFILES_PER_WRITER == p)
                .max()
                .expect("some");
            let want = format!("ASIA{last:016}");
            let got = ids
                .iter()
                .find(|(h, _)| *h == format!("w{w}-{p}"))
                .map(|(_, id)| id.clone());
            assert_eq!(got.as_deref(), Some(want.as_str()), "w{w}-{p}");
        }
    }
    eprintln!(
        "{reads} reads by our parser, {aws_reads} by the AWS CLI, during {} writes",
        4 * WRITES
    );
    if aws.is_some() {
        assert!(aws_reads > 0, "the AWS CLI never finished a read while the writers ran");
    }
}

#[test]
fn a_writer_killed_at_random_points_leaves_a_whole_file() {
    if std::env::var_os(WORKER_VAR).is_some() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("credentials");
    std::fs::write(&path, BASE).expect("base");
    // A small deterministic generator for the kill times (no dependency needed for this).
    let mut seed: u64 = 0x5eed_1234_abcd_0001;
    for round in 0..20 {
        let mut child = spawn_writer(&path, &format!("r{round}"), 0);
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let wait = Duration::from_millis(20 + (seed >> 33) % 80);
        let start = Instant::now();
        // Not synchronisation: a random point in the writer's life at which to kill it.
        while start.elapsed() < wait {
            std::thread::sleep(Duration::from_millis(2));
        }
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");
        check_whole(&path);
    }
    // A killed writer may leave its temporary file (a whole session in it); the next write
    // removes every one of them under the lock.
    let status = spawn_writer(&path, "after", 1).wait().expect("last writer");
    assert!(status.success());
    assert_eq!(
        support::file_names(dir.path()),
        [".credentials.rolebar.lock", "credentials"],
        "no secrets left behind"
    );
}

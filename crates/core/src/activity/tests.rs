use super::*;
use crate::clock::ManualClock;
use time::macros::datetime;

fn log_in(dir: &tempfile::TempDir) -> ActivityLog {
    ActivityLog::at(dir.path().join("state").join(FILE_NAME))
}

fn entry(at: OffsetDateTime, profile: &str, way: Way, outcome: Outcome) -> Entry {
    Entry::new(at, profile, way, outcome)
}

const T0: OffsetDateTime = datetime!(2026-12-05 03:00:00 UTC);

#[test]
fn entries_are_appended_and_read_back_newest_last() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = log_in(&dir);
    let mut first = entry(T0, "dev", Way::CredentialProcess, Outcome::NewSession);
    first.program = Some("aws sts get-caller-identity (pid 7, /usr/bin/aws)".into());
    first.pid = Some(7);
    let mut second = entry(T0 + Duration::minutes(1), "prod", Way::Exec, Outcome::Failed);
    second.error_code = Some("mfa_required".into());
    log.append(&first).expect("append");
    log.append(&second).expect("append");
    let clock = ManualClock::new(T0 + Duration::hours(1));
    let found = log.read(&Filter::default(), &clock).expect("read");
    assert_eq!(found.entries, [first, second]);
    assert_eq!(found.skipped, 0);
    let text = std::fs::read_to_string(log.path()).expect("text");
    let first_line = text.lines().next().expect("a line");
    assert!(
        first_line.starts_with(r#"{"time":"2026-12-05T03:00:00Z","profile":"dev","#),
        "{first_line}"
    );
    assert!(first_line.contains(r#""way":"credential_process","outcome":"new_session""#));
}

#[test]
fn a_time_in_another_offset_is_written_in_utc() {
    let at = datetime!(2026-12-05 12:00:00 +09:00);
    let json = entry(at, "p", Way::Export, Outcome::Cached).to_json();
    assert!(json.contains(r#""time":"2026-12-05T03:00:00Z""#), "{json}");
}

#[test]
fn filters_by_profile_and_by_time_back_from_the_clock() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = log_in(&dir);
    for (minutes, profile) in [(0, "dev"), (30, "prod"), (50, "dev"), (59, "prod")] {
        log.append(&entry(
            T0 + Duration::minutes(minutes),
            profile,
            Way::Export,
            Outcome::Cached,
        ))
        .expect("append");
    }
    let clock = ManualClock::new(T0 + Duration::hours(1));
    let read = |profile: Option<&str>, since: Option<Duration>| {
        let filter = Filter {
            profile: profile.map(String::from),
            since,
        };
        let found = log.read(&filter, &clock).expect("read");
        found
            .entries
            .iter()
            .map(|e| (e.profile.clone(), (e.time - T0).whole_minutes()))
            .collect::<Vec<_>>()
    };
    assert_eq!(read(Some("dev"), None), [("dev".into(), 0), ("dev".into(), 50)]);
    assert_eq!(
        read(None, Some(Duration::minutes(30))),
        [("prod".into(), 30), ("dev".into(), 50), ("prod".into(), 59)]
    );
    assert_eq!(read(Some("prod"), Some(Duration::minutes(10))), [("prod".into(), 59)]);
    clock.advance(Duration::hours(1));
    assert_eq!(read(None, Some(Duration::minutes(30))), []);
}

#[test]
fn rotation_keeps_two_files_and_the_newest_entries() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bound = 4096;
    let log = log_in(&dir).with_rotate_at(bound);
    let total = 500;
    for i in 0..total {
        log.append(&entry(
            T0 + Duration::seconds(i),
            &format!("p{i}"),
            Way::Agent,
            Outcome::Cached,
        ))
        .expect("append");
    }
    let mut names: Vec<String> = std::fs::read_dir(log.path().parent().expect("dir"))
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    assert_eq!(names, [ROTATED_FILE_NAME, FILE_NAME]);
    for path in [log.path(), log.rotated_path()] {
        let size = std::fs::metadata(path).expect("meta").len();
        assert!(size <= bound, "{} has {size} bytes", path.display());
    }
    let found = log.read(&Filter::default(), &ManualClock::new(T0)).expect("read");
    assert!(
        found.entries.len() > 10 && found.entries.len() < 200,
        "{}",
        found.entries.len()
    );
    // The newest are kept, oldest first, none missing in between.
    let last = found.entries.last().expect("some");
    assert_eq!(last.profile, format!("p{}", total - 1));
    let first = (found.entries[0].time - T0).whole_seconds();
    for (k, e) in found.entries.iter().enumerate() {
        assert_eq!((e.time - T0).whole_seconds(), first + k as i64);
    }
}

#[test]
fn unreadable_lines_are_skipped_and_counted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = log_in(&dir);
    log.append(&entry(T0, "a", Way::Write, Outcome::NewSession))
        .expect("append");
    {
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new().append(true).open(log.path()).expect("open");
        file.write_all(b"{\"time\":\"garbage\nnot json at all\n\xff\xfe\n{\"time\":\"2026-12-05T03:00:00Z\",\"profile\":\"x\",\"way\":\"teleport\",\"outcome\":\"cached\"}\n")
            .expect("write");
    }
    log.append(&entry(T0, "b", Way::Write, Outcome::Cached))
        .expect("append");
    let found = log.read(&Filter::default(), &ManualClock::new(T0)).expect("read");
    assert_eq!(found.skipped, 4);
    let profiles: Vec<&str> = found.entries.iter().map(|e| e.profile.as_str()).collect();
    assert_eq!(profiles, ["a", "b"]);
}

#[test]
fn a_missing_log_reads_as_empty() {
    let dir = tempfile::tempdir().expect("tempdir");
    let found = log_in(&dir)
        .read(&Filter::default(), &ManualClock::new(T0))
        .expect("read");
    assert_eq!(found, Found::default());
}

#[cfg(unix)]
#[test]
fn the_log_is_private_and_a_looser_mode_is_tightened() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let log = log_in(&dir).with_rotate_at(200);
    let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
    log.append(&entry(T0, "a", Way::Exec, Outcome::Cached)).expect("append");
    assert_eq!(mode(log.path()), 0o600);
    assert_eq!(mode(log.path().parent().expect("dir")), 0o700);
    std::fs::set_permissions(log.path(), std::fs::Permissions::from_mode(0o644)).expect("chmod");
    log.append(&entry(T0, "a", Way::Exec, Outcome::Cached)).expect("append");
    assert_eq!(mode(log.path()), 0o600);
    for _ in 0..3 {
        log.append(&entry(T0, "a", Way::Exec, Outcome::Cached)).expect("append");
    }
    assert!(log.rotated_path().exists(), "rotated");
    assert_eq!(mode(log.rotated_path()), 0o600);
    assert_eq!(mode(log.path()), 0o600);
}

#[cfg(unix)]
#[test]
fn a_fifo_is_refused_not_waited_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = log_in(&dir);
    std::fs::create_dir_all(log.path().parent().expect("dir")).expect("mkdir");
    let status = std::process::Command::new("mkfifo")
        .arg(log.path())
        .status()
        .expect("mkfifo");
    assert!(status.success());
    let err = log
        .append(&entry(T0, "a", Way::Exec, Outcome::Cached))
        .expect_err("a FIFO");
    assert!(matches!(err, FileError::NotRegular { .. }), "{err:?}");
}

//! Writing sessions into `~/.aws/credentials`: every other byte kept, guard rails, removal,
//! symlinks, modes and concurrent writers.

mod support;

use rolebar_core::outputs::credentials_file::{
    default_credentials_path, refresh_profile, remove_expired, remove_profile, remove_profile_of, rolebar_sections,
    write_profile, Durability, Placement, RolebarSection, WriteOptions,
};
use rolebar_core::outputs::OutputError;
use rolebar_core::profile::ini::parse;
use rolebar_core::HasCode;
use rolebar_core::{Credentials, Session, SessionKind};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const NOW: OffsetDateTime = datetime!(2026-05-01 10:00:00 UTC);
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYNEWSECRET";
const TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLETOKEN/+==";
const FAST: WriteOptions = WriteOptions {
    force: false,
    durability: Durability::NoFsync,
};

fn session(expires_at: OffsetDateTime) -> Session {
    Session {
        profile: "oppara-dev".into(),
        kind: SessionKind::AssumeRole,
        credentials: Credentials::temporary("ASIANEWKEY0000000001", SECRET, TOKEN),
        expires_at,
        issued_at: None,
        mfa_serial: None,
        role_arn: Some("arn:aws:iam::222222222222:role/developer".into()),
        region: None,
    }
}

fn in_an_hour() -> Session {
    session(NOW + Duration::hours(1))
}

fn block(name: &str) -> String {
    format!(
        "[{name}]\naws_access_key_id = ASIANEWKEY0000000001\naws_secret_access_key = {SECRET}\n\
         aws_session_token = {TOKEN}\nmanager = rolebar\nrolebar_expiration = 2026-05-01T11:00:00Z\n\
         rolebar_source_profile = oppara-dev\n"
    )
}

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/aws")
        .join(name);
    fs::read_to_string(path).expect("fixture exists")
}

/// A folder with a credentials file holding `text` (written fresh: fixtures are read-only).
fn credentials_with(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("credentials");
    fs::write(&path, text).expect("write fixture");
    set_mode(&path, 0o600);
    (dir, path)
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).expect("read back")
}

fn write(path: &Path, name: &str) -> Result<rolebar_core::outputs::WriteReport, OutputError> {
    write_profile(path, name, &in_an_hour(), None, NOW, FAST)
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: u32) {}

#[test]
fn a_new_profile_is_appended_and_the_seed_file_kept_byte_for_byte() {
    let seed = fixture("seed-credentials");
    let (_dir, path) = credentials_with(&seed);
    let report = write(&path, "oppara-dev-creds").expect("writes");
    assert_eq!(read(&path), format!("{seed}\n{}", block("oppara-dev-creds")));
    assert_eq!(report.placement, Placement::Appended);
    assert!(!report.created_file);
    assert!(report.removed_expired.is_empty() && report.duplicate_lines.is_empty());

    let parsed = parse(&path, &read(&path)).expect("still parses");
    let section = parsed
        .sections
        .iter()
        .find(|s| s.header == "oppara-dev-creds")
        .expect("written");
    let value = |key: &str| section.get(key).map(|p| p.value.as_str());
    assert_eq!(value("aws_access_key_id"), Some("ASIANEWKEY0000000001"));
    assert_eq!(value("aws_secret_access_key"), Some(SECRET));
    assert_eq!(value("aws_session_token"), Some(TOKEN));
    assert_eq!(value("manager"), Some("rolebar"));
    assert_eq!(value("rolebar_expiration"), Some("2026-05-01T11:00:00Z"));
}

#[test]
fn the_seed_profile_is_replaced_in_place_when_forced() {
    // [oppara-dev] holds a temporary (ASIA) key id without its token that Rolebar did not write:
    // not long-term keys, but still not Rolebar's, so it takes force.
    let seed = fixture("seed-credentials");
    let (_dir, path) = credentials_with(&seed);
    let err = write(&path, "oppara-dev").expect_err("not ours");
    assert_eq!(err.code(), "section_not_owned");
    assert!(
        err.to_string()
            .contains("(it holds aws_access_key_id, aws_secret_access_key)"),
        "{err}"
    );
    assert_eq!(read(&path), seed);
    let forced = WriteOptions { force: true, ..FAST };
    let report = write_profile(&path, "oppara-dev", &in_an_hour(), None, NOW, forced).expect("writes");
    assert_eq!(report.placement, Placement::Replaced { line: 7 });
    let head = seed.split("[oppara-dev]").next().expect("head");
    assert_eq!(read(&path), format!("{head}{}", block("oppara-dev")));
}

#[test]
fn a_role_profile_in_the_config_is_refused_with_another_name_suggested() {
    let seed = fixture("seed-credentials");
    let (_dir, path) = credentials_with(&seed);
    let config_path = Path::new("/home/oppara/.aws/config");
    let config = parse(config_path, &fixture("seed-config")).expect("config parses");
    let err = write_profile(&path, "oppara-dev", &in_an_hour(), Some(&config), NOW, FAST).expect_err("refused");
    assert_eq!(err.code(), "target_is_configured_profile");
    let message = err.to_string();
    assert!(message.contains("`oppara-dev-creds`"), "{message}");
    assert!(message.contains("/home/oppara/.aws/config (line 11)"), "{message}");
    assert!(message.contains("role_arn"), "{message}");
    assert_eq!(read(&path), seed, "nothing written");

    // The suggested name is free, and so is `default` here (it has no role settings).
    write_profile(&path, "oppara-dev-creds", &in_an_hour(), Some(&config), NOW, FAST).expect("suggestion works");
}

#[test]
fn every_setting_that_routes_credentials_elsewhere_is_refused() {
    for (header, key) in [
        ("profile p", "role_arn = arn:aws:iam::1:role/r"),
        ("profile p", "source_profile = base"),
        ("profile  p", "credential_process = /bin/creds"),
        ("profile p", "sso_session = corp"),
        ("profile p", "sso_start_url = https://x.awsapps.com/start"),
    ] {
        let config = parse(Path::new("config"), &format!("[{header}]\nregion = eu-west-1\n{key}\n")).expect("parses");
        let (_dir, path) = credentials_with("");
        let err = write_profile(&path, "p", &in_an_hour(), Some(&config), NOW, FAST).expect_err(key);
        assert!(matches!(err, OutputError::ConfiguredProfile { line: 3, .. }), "{err}");
    }
    let config = parse(Path::new("config"), "[default]\nrole_arn = arn:aws:iam::1:role/r\n").expect("parses");
    let (_dir, path) = credentials_with("");
    let err = write_profile(&path, "default", &in_an_hour(), Some(&config), NOW, FAST).expect_err("default");
    assert!(err.to_string().contains("`default-creds`"), "{err}");
    // A bare [p] in the config file is not a profile for the AWS CLI; plain settings are fine.
    let config = parse(
        Path::new("config"),
        "[p]\nrole_arn = x\n[profile q]\nregion = eu-west-1\n",
    )
    .expect("parses");
    write_profile(&path, "p", &in_an_hour(), Some(&config), NOW, FAST).expect("p");
    write_profile(&path, "q", &in_an_hour(), Some(&config), NOW, FAST).expect("q");
}

#[test]
fn long_term_keys_are_refused_unless_forced() {
    let original = "# my user\n[default]\naws_access_key_id = AKIA_FAKE_EXAMPLE_01\naws_secret_access_key = longterm/secret\nregion = eu-west-1\n";
    let (_dir, path) = credentials_with(original);
    let err = write(&path, "default").expect_err("refused");
    assert_eq!(err.code(), "long_term_keys_in_target");
    assert!(matches!(err, OutputError::LongTermKeys { line: 2, .. }), "{err}");
    assert!(!err.to_string().contains("longterm/secret"), "{err}");
    assert_eq!(read(&path), original);

    let forced = WriteOptions { force: true, ..FAST };
    let report = write_profile(&path, "default", &in_an_hour(), None, NOW, forced).expect("forced");
    assert!(report.replaced_long_term_keys);
    assert_eq!(
        read(&path),
        format!(
            "# my user\n[default]\naws_access_key_id = ASIANEWKEY0000000001\naws_secret_access_key = {SECRET}\nregion = eu-west-1\n\
             aws_session_token = {TOKEN}\nmanager = rolebar\nrolebar_expiration = 2026-05-01T11:00:00Z\n\
         rolebar_source_profile = oppara-dev\n"
        )
    );
    // Now it is Rolebar's: no force needed any more.
    write(&path, "default").expect("rewrites its own section");
}

#[test]
fn names_the_cli_cannot_address_are_refused_before_anything_is_touched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("sub").join("credentials");
    for name in ["", "a]b", "two\nlines", " padded"] {
        let err = write(&path, name).expect_err(name);
        assert_eq!(err.code(), "invalid_profile_name");
    }
    assert!(!path.parent().expect("parent").exists());
}

#[test]
fn sessions_that_are_expired_or_not_temporary_are_refused() {
    let (_dir, path) = credentials_with("");
    let err = write_profile(&path, "x", &session(NOW), None, NOW, FAST).expect_err("expired");
    assert_eq!(err.code(), "session_expired");
    let mut long_term = in_an_hour();
    long_term.credentials = Credentials::long_term("AKIA_FAKE_EXAMPLE_01", SECRET);
    let err = write_profile(&path, "x", &long_term, None, NOW, FAST).expect_err("no token");
    assert_eq!(err.code(), "session_not_temporary");
    assert_eq!(read(&path), "");
}

#[test]
fn crlf_files_stay_crlf_and_a_missing_final_newline_stays_missing() {
    let original = "; windows\r\n[a]\r\nk = v\r\n\r\n[x]\r\nregion = eu-west-1";
    let (_dir, path) = credentials_with(original);
    let forced = WriteOptions { force: true, ..FAST };
    write_profile(&path, "x", &in_an_hour(), None, NOW, forced).expect("writes");
    let expected = format!(
        "; windows\r\n[a]\r\nk = v\r\n\r\n[x]\r\nregion = eu-west-1\r\n{}",
        block("x")
            .trim_end()
            .split_once('\n')
            .expect("header")
            .1
            .replace('\n', "\r\n")
    );
    assert_eq!(read(&path), expected);

    let (_dir, path) = credentials_with("[a]\r\nk = v");
    write(&path, "y").expect("writes");
    assert_eq!(
        read(&path),
        format!("[a]\r\nk = v\r\n\r\n{}", block("y").trim_end().replace('\n', "\r\n"))
    );
}

#[test]
fn only_the_first_of_duplicate_sections_is_written() {
    let original = "[x]\nmanager = rolebar\n\n[y]\nk = v\n\n[x]\nk = 2\n";
    let (_dir, path) = credentials_with(original);
    let report = write(&path, "x").expect("writes");
    assert_eq!(report.duplicate_lines, vec![7]);
    assert_eq!(report.placement, Placement::Replaced { line: 1 });
    assert!(read(&path).ends_with("\n[y]\nk = v\n\n[x]\nk = 2\n"));
}

#[test]
fn remove_profile_takes_back_exactly_what_was_written() {
    let seed = fixture("seed-credentials");
    let (_dir, path) = credentials_with(&seed);
    write(&path, "oppara-dev-creds").expect("writes");
    remove_profile(&path, "oppara-dev-creds").expect("removes");
    assert_eq!(read(&path), seed);
}

#[test]
fn remove_profile_never_removes_a_section_rolebar_does_not_own() {
    let seed = fixture("seed-credentials");
    let (dir, path) = credentials_with(&seed);
    let err = remove_profile(&path, "other-tool").expect_err("not ours");
    assert_eq!(err.code(), "section_not_managed");
    let message = err.to_string();
    assert!(
        message.contains("[other-tool]") && message.contains("(line 2)"),
        "{message}"
    );
    assert_eq!(read(&path), seed);

    let err = remove_profile(&path, "nobody").expect_err("missing");
    assert_eq!(err.code(), "section_not_found");

    // A missing file is not created (nor its folder, nor a lock file).
    let missing = dir.path().join("nothing").join("credentials");
    assert_eq!(
        remove_profile(&missing, "x").expect_err("missing").code(),
        "section_not_found"
    );
    assert_eq!(
        remove_expired(&missing, NOW).expect("nothing to do"),
        Vec::<String>::new()
    );
    assert!(!missing.parent().expect("parent").exists());
}

#[test]
fn remove_profile_keeps_comments_of_the_next_section() {
    let (_dir, path) = credentials_with("[a]\nk = v\n");
    write(&path, "x").expect("x");
    let mut text = read(&path);
    text.push_str("\n# about b\n[b]\nk = v\n");
    fs::write(&path, &text).expect("append by hand");
    remove_profile(&path, "x").expect("removes");
    assert_eq!(read(&path), "[a]\nk = v\n\n# about b\n[b]\nk = v\n");
}

#[test]
fn expired_rolebar_sections_go_and_nothing_else() {
    let seed = fixture("seed-credentials");
    let (_dir, path) = credentials_with(&seed);
    write_profile(&path, "short", &session(NOW + Duration::minutes(30)), None, NOW, FAST).expect("short");
    write_profile(&path, "long", &session(NOW + Duration::hours(8)), None, NOW, FAST).expect("long");

    let before = read(&path);
    assert!(remove_expired(&path, NOW).expect("nothing expired").is_empty());
    assert_eq!(read(&path), before);

    let later = NOW + Duration::hours(1);
    assert_eq!(
        remove_expired(&path, later).expect("removes"),
        vec!["short".to_string()]
    );
    let after = read(&path);
    assert!(after.starts_with(&seed), "{after}");
    assert!(!after.contains("[short]") && after.contains("[long]"), "{after}");

    // Every write sweeps too.
    write_profile(&path, "short", &session(NOW + Duration::minutes(30)), None, NOW, FAST).expect("short again");
    let report = write_profile(&path, "next", &session(later + Duration::hours(1)), None, later, FAST).expect("next");
    assert_eq!(report.removed_expired, vec!["short".to_string()]);
    let text = read(&path);
    assert!(text.starts_with(&seed) && text.contains("[long]") && text.contains("[next]") && !text.contains("[short]"));
}

#[test]
fn only_the_file_and_its_sidecar_lock_are_left_in_the_folder() {
    let (dir, path) = credentials_with("");
    for name in ["a", "b", "a"] {
        write(&path, name).expect("writes");
    }
    assert_eq!(
        support::file_names(dir.path()),
        [".credentials.rolebar.lock", "credentials"]
    );
}

#[test]
fn a_missing_file_and_folder_are_created_private() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("home").join(".aws").join("credentials");
    let report = write(&path, "x").expect("writes");
    assert!(report.created_file);
    assert_eq!(read(&path), block("x"));
    #[cfg(unix)]
    {
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().expect("folder")), 0o700);
    }
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).expect("stat").permissions().mode() & 0o7777
}

#[cfg(unix)]
#[test]
fn private_modes_are_kept_and_open_ones_tightened() {
    let (_dir, path) = credentials_with("[a]\nk = v\n");
    set_mode(&path, 0o640);
    let report = write(&path, "x").expect("writes");
    assert_eq!((mode(&path), report.mode_tightened_from), (0o600, Some(0o640)));
    write(&path, "z").expect("a private mode is kept");
    assert_eq!(mode(&path), 0o600);

    set_mode(&path, 0o644);
    let report = write(&path, "y").expect("writes");
    assert_eq!((mode(&path), report.mode_tightened_from), (0o600, Some(0o644)));
}

#[cfg(unix)]
#[test]
fn a_symlinked_file_is_written_through_and_the_link_stays() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().expect("tempdir");
    let dotfiles = dir.path().join("dotfiles");
    let aws = dir.path().join(".aws");
    fs::create_dir_all(&dotfiles).expect("dotfiles");
    fs::create_dir_all(&aws).expect(".aws");
    let real = dotfiles.join("aws-credentials");
    fs::write(&real, "[a]\nk = v\n").expect("real");
    set_mode(&real, 0o600);
    let link = aws.join("credentials");
    symlink("../dotfiles/aws-credentials", &link).expect("relative link");

    let report = write(&link, "x").expect("writes");
    assert_eq!(report.path, aws.join("../dotfiles/aws-credentials"));
    assert!(fs::symlink_metadata(&link).expect("lstat").file_type().is_symlink());
    assert_eq!(read(&real), format!("[a]\nk = v\n\n{}", block("x")));
    assert!(
        dotfiles.join(".aws-credentials.rolebar.lock").exists(),
        "lock sits next to the real file"
    );

    // A link to a link, absolute this time; and a dangling link creates its target.
    let second = dir.path().join("second");
    symlink(&link, &second).expect("link to link");
    write(&second, "y").expect("writes");
    assert!(read(&real).contains("[y]"));
    let dangling = aws.join("dangling");
    symlink(dotfiles.join("new-file"), &dangling).expect("dangling");
    write(&dangling, "z").expect("creates the target");
    assert_eq!(read(&dotfiles.join("new-file")), block("z"));

    let looping = dir.path().join("loop");
    symlink(&looping, &looping).expect("loop");
    assert_eq!(write(&looping, "x").expect_err("loop").code(), "symlink_loop");
}

#[test]
fn a_file_that_is_not_utf8_is_left_alone() {
    let (_dir, path) = credentials_with("");
    fs::write(&path, b"[a]\nk = \xff\n").expect("write bytes");
    assert_eq!(write(&path, "x").expect_err("not utf-8").code(), "credentials_not_utf8");
    assert_eq!(fs::read(&path).expect("read"), b"[a]\nk = \xff\n");
}

#[test]
fn durable_writes_give_the_same_bytes() {
    let (_dir, path) = credentials_with("[a]\nk = v\n");
    let durable = WriteOptions {
        durability: Durability::Fsync,
        ..FAST
    };
    write_profile(&path, "x", &in_an_hour(), None, NOW, durable).expect("writes");
    assert_eq!(read(&path), format!("[a]\nk = v\n\n{}", block("x")));
}

#[test]
fn error_messages_never_show_secrets() {
    let (_dir, path) = credentials_with(&format!(
        "[x]\naws_access_key_id = AKIAOLD\naws_secret_access_key = {SECRET}\n"
    ));
    let errors: Vec<OutputError> = vec![
        write(&path, "x").expect_err("long-term"),
        remove_profile(&path, "x").expect_err("not ours"),
        write_profile(&path, "y", &session(NOW), None, NOW, FAST).expect_err("expired"),
    ];
    for err in errors {
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains(SECRET) && !shown.contains(TOKEN), "{shown}");
    }
}

#[test]
fn the_default_path_follows_the_cli() {
    // The only test in this binary that touches this variable.
    std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", "/tmp/elsewhere/creds");
    assert_eq!(default_credentials_path(), Some(PathBuf::from("/tmp/elsewhere/creds")));
    if let Some(home) = dirs::home_dir() {
        std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", "~/custom/creds");
        assert_eq!(default_credentials_path(), Some(home.join("custom/creds")));
        std::env::remove_var("AWS_SHARED_CREDENTIALS_FILE");
        assert_eq!(default_credentials_path(), Some(home.join(".aws").join("credentials")));
    }
}

/// 4 threads × 200 writes, each thread cycling over 10 profiles of its own, each write with a
/// new key id, while a reader keeps parsing the file.
///
/// After every write its thread reads the file back: each of its profiles must hold the last
/// key id it wrote there. A lost update (a writer editing a stale copy of the file, as happens
/// without the lock) reverts or drops another thread's profile, and that thread sees it at its
/// next check, since it never writes the same profile twice in a row. The rename means every
/// read, by the reader or the writers, parses.
#[test]
fn concurrent_writers_lose_nothing_and_readers_always_see_a_whole_file() {
    const THREADS: usize = 4;
    const WRITES: usize = 200;
    const OWN_PROFILES: usize = 10;
    let (_dir, path) = credentials_with(&fixture("seed-credentials"));
    let key_id = |t: usize, i: usize| format!("ASIAT{t}W{i:015}");
    let done = AtomicBool::new(false);
    /// Stops the reader however the writers end: a panicking writer must fail the test, not hang it.
    struct StopReader<'a>(&'a AtomicBool);
    impl Drop for StopReader<'_> {
        fn drop(&mut self) {
            self.0.store(true, Ordering::Relaxed);
        }
    }
    let reads = std::thread::scope(|scope| {
        let reader = scope.spawn(|| {
            let mut reads = 0usize;
            while !done.load(Ordering::Relaxed) {
                let file = parse(&path, &read(&path)).unwrap_or_else(|e| panic!("torn read: {e:?}"));
                assert!(file.sections.iter().any(|s| s.header == "other-tool"));
                reads += 1;
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            reads
        });
        let stop = StopReader(&done);
        let writers: Vec<_> = (0..THREADS)
            .map(|t| {
                let path = &path;
                scope.spawn(move || {
                    let mut last: Vec<Option<String>> = vec![None; OWN_PROFILES];
                    for i in 0..WRITES {
                        let mut s = in_an_hour();
                        s.credentials = Credentials::temporary(key_id(t, i), SECRET, TOKEN);
                        write_profile(path, &format!("t{t}-{}", i % OWN_PROFILES), &s, None, NOW, FAST)
                            .expect("concurrent write");
                        last[i % OWN_PROFILES] = Some(key_id(t, i));

                        let file = parse(path, &read(path)).unwrap_or_else(|e| panic!("torn read: {e:?}"));
                        for (p, expected) in last.iter().enumerate() {
                            let name = format!("t{t}-{p}");
                            let got = file
                                .sections
                                .iter()
                                .find(|s| s.header == name)
                                .and_then(|s| s.get("aws_access_key_id"))
                                .map(|p| p.value.clone());
                            assert_eq!(&got, expected, "[{name}] after write {i} of thread {t}");
                        }
                    }
                })
            })
            .collect();
        let results: Vec<_> = writers.into_iter().map(|w| w.join()).collect();
        drop(stop);
        let reads = reader.join().expect("reader");
        for result in results {
            if let Err(panic) = result {
                std::panic::resume_unwind(panic);
            }
        }
        reads
    });
    let file = parse(&path, &read(&path)).expect("parses");
    assert_eq!(file.sections.len(), THREADS * OWN_PROFILES + 2);
    for t in 0..THREADS {
        for p in 0..OWN_PROFILES {
            let last_write = WRITES - OWN_PROFILES + p;
            let name = format!("t{t}-{p}");
            let section = file.sections.iter().find(|s| s.header == name).expect("present");
            assert_eq!(
                section.get("aws_access_key_id").map(|p| p.value.clone()),
                Some(key_id(t, last_write))
            );
        }
    }
    assert!(reads > 0);
}

#[test]
fn rolebar_sections_name_the_profile_each_holds_and_leave_other_sections_out() {
    let (dir, path) = credentials_with(
        "[default]\naws_access_key_id = AKIA_FAKE_USERKEY01\naws_secret_access_key = x\n\n\
         [old-style]\naws_access_key_id = ASIAOLD\naws_secret_access_key = y\naws_session_token = z\n\
         manager = rolebar\nrolebar_expiration = 2026-05-01T10:30:00Z\n",
    );
    write(&path, "dev-creds").expect("write");
    let sections = rolebar_sections(&path).expect("readable");
    assert_eq!(
        sections,
        vec![
            RolebarSection {
                name: "old-style".into(),
                source_profile: None,
                expires_at: Some(datetime!(2026-05-01 10:30:00 UTC)),
            },
            RolebarSection {
                name: "dev-creds".into(),
                source_profile: Some("oppara-dev".into()),
                expires_at: Some(datetime!(2026-05-01 11:00:00 UTC)),
            },
        ]
    );
    assert_eq!(
        rolebar_sections(&dir.path().join("missing")).expect("missing is empty"),
        vec![]
    );
}

#[test]
fn refresh_and_log_out_touch_only_a_section_still_holding_that_profiles_session() {
    let (_dir, path) = credentials_with("");
    write(&path, "dev-creds").expect("write");
    refresh_profile(&path, "dev-creds", &in_an_hour(), None, NOW, Durability::NoFsync).expect("still ours");

    // Pointed at another profile by hand: neither rewritten nor removed.
    let text = read(&path).replace("rolebar_source_profile = oppara-dev", "rolebar_source_profile = other");
    fs::write(&path, &text).expect("edit");
    let err = refresh_profile(&path, "dev-creds", &in_an_hour(), None, NOW, Durability::NoFsync).expect_err("changed");
    assert_eq!(err.code(), "section_changed");
    assert!(
        err.to_string()
            .contains("no longer holds Rolebar's session for `oppara-dev`"),
        "{err}"
    );
    assert_eq!(
        remove_profile_of(&path, "dev-creds", "oppara-dev")
            .expect_err("changed")
            .code(),
        "section_changed"
    );
    assert_eq!(read(&path), text, "left as it is");

    // Removed by hand: not recreated.
    fs::write(&path, "").expect("empty");
    let err = refresh_profile(&path, "dev-creds", &in_an_hour(), None, NOW, Durability::NoFsync).expect_err("gone");
    assert_eq!(err.code(), "section_not_found");
    assert_eq!(read(&path), "");

    // Still ours: log out removes it.
    write(&path, "dev-creds").expect("write");
    remove_profile_of(&path, "dev-creds", "oppara-dev").expect("removed");
    assert!(!read(&path).contains("[dev-creds]"));
}

#[test]
fn only_the_first_of_duplicate_sections_is_listed_as_rolebars() {
    let (_dir, path) = credentials_with(
        "[dup]\naws_access_key_id = AKIA_FAKE_USERKEY01\naws_secret_access_key = mine\n\
         [dup]\naws_access_key_id = ASIAOLD\naws_secret_access_key = y\naws_session_token = z\n\
         manager = rolebar\nrolebar_expiration = 2026-05-01T10:30:00Z\nrolebar_source_profile = oppara-dev\n",
    );
    assert_eq!(rolebar_sections(&path).expect("readable"), vec![]);
}

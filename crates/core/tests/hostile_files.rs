//! Files Rolebar must never lose or replace: paths that are devices, FIFOs, sockets or folders,
//! read-only and hard-linked files, sections it did not write, and secrets left in temporary
//! files by a killed writer. Each case once lost data or hung (issue 9).

use rolebar_core::keystore::index::Index;
use rolebar_core::keystore::keys::{AgeSource, KeyAge};
use rolebar_core::outputs::credentials_file::{
    remove_expired, remove_profile, rolebar_sections, write_profile, Durability, WriteOptions,
};
use rolebar_core::outputs::OutputError;
use rolebar_core::rotation::{Reminder, ReminderFile};
use rolebar_core::schedule::{FiredState, ScheduleError};
use rolebar_core::settings::{Section, SettingsFile};
use rolebar_core::HasCode;
use rolebar_core::{Credentials, Session, SessionKind};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const NOW: OffsetDateTime = datetime!(2026-05-01 10:00:00 UTC);
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYHOSTILE01";
const TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLEHOSTILETOKEN/+==";
const FAST: WriteOptions = WriteOptions {
    force: false,
    durability: Durability::NoFsync,
};
const FORCE: WriteOptions = WriteOptions {
    force: true,
    durability: Durability::NoFsync,
};

fn session(expires_at: OffsetDateTime) -> Session {
    Session {
        profile: "oppara-dev".into(),
        kind: SessionKind::AssumeRole,
        credentials: Credentials::temporary("ASIANEWKEY0000000002", SECRET, TOKEN),
        expires_at,
        issued_at: None,
        mfa_serial: None,
        role_arn: Some("arn:aws:iam::222222222222:role/developer".into()),
        region: None,
    }
}

fn write(path: &Path, name: &str, options: WriteOptions) -> Result<rolebar_core::outputs::WriteReport, OutputError> {
    write_profile(path, name, &session(NOW + Duration::hours(1)), None, NOW, options)
}

fn credentials_with(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("credentials");
    fs::write(&path, text).expect("write fixture");
    (dir, path)
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).expect("read back")
}

/// Runs `f` on a thread and fails the test if it has not returned within 10 s: what is tested
/// is that it returns at all (a FIFO once hung a read forever), not how fast.
fn returns<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(std::time::Duration::from_secs(10))
        .unwrap_or_else(|_| panic!("{what}: did not return (hung)"))
}

#[cfg(unix)]
mod special_files {
    use super::*;
    use rolebar_core::HasCode;
    use std::os::unix::fs::FileTypeExt;
    use std::process::Command;

    fn mkfifo(path: &Path) {
        let status = Command::new("mkfifo").arg(path).status().expect("mkfifo runs");
        assert!(status.success(), "mkfifo {}", path.display());
    }

    /// A copy of the null device's node (the harmless repro of `/dev/null`); `None`
    /// when this user may not make device nodes (not root).
    fn null_device(path: &Path) -> Option<()> {
        let made = Command::new("mknod")
            .args(["-m", "666"])
            .arg(path)
            .args(["c", "1", "3"])
            .status()
            .is_ok_and(|s| s.success());
        if !made {
            eprintln!("skipped the device node case: mknod needs root");
        }
        made.then_some(())
    }

    fn assert_refused(err: &dyn std::fmt::Display, code: &str, kind: &str, path: &Path) {
        let shown = err.to_string();
        assert_eq!(code, "not_a_regular_file", "{shown}");
        assert!(
            shown.contains(kind) && shown.contains(&path.display().to_string()),
            "names the path and its kind ({kind}): {shown}"
        );
    }

    #[test]
    fn a_device_node_as_the_credentials_file_is_refused_and_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let null = dir.path().join("null");
        if null_device(&null).is_none() {
            return;
        }
        let err = write(&null, "x1", FAST).expect_err("refused");
        assert_refused(&err, err.code(), "a character device", &null);
        assert!(err.to_string().contains("AWS_SHARED_CREDENTIALS_FILE"), "{err}");
        let meta = fs::symlink_metadata(&null).expect("still there");
        assert!(meta.file_type().is_char_device(), "the device node was replaced");
        // Read as the AWS CLI reads it: empty.
        assert_eq!(rolebar_sections(&null).expect("reads as empty"), vec![]);
        assert!(remove_expired(&null, NOW).expect("nothing").is_empty());
        assert!(fs::symlink_metadata(&null).expect("kept").file_type().is_char_device());
    }

    #[test]
    fn a_fifo_is_refused_for_writing_and_never_hangs_a_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fifo = dir.path().join("credentials");
        mkfifo(&fifo);
        let path = fifo.clone();
        let err = returns("write", move || write(&path, "x1", FAST).expect_err("refused"));
        assert_refused(&err, err.code(), "a FIFO", &fifo);
        let path = fifo.clone();
        let err = returns("read", move || rolebar_sections(&path).expect_err("refused"));
        assert_refused(&err, err.code(), "a FIFO", &fifo);
        let path = fifo.clone();
        let err = returns("log out", move || remove_profile(&path, "x1").expect_err("refused"));
        assert_refused(&err, err.code(), "a FIFO", &fifo);
        assert!(fs::symlink_metadata(&fifo).expect("kept").file_type().is_fifo());
    }

    #[test]
    fn a_socket_or_a_folder_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let socket = dir.path().join("credentials");
        let _listener = std::os::unix::net::UnixListener::bind(&socket).expect("bind");
        let err = write(&socket, "x1", FAST).expect_err("refused");
        assert_refused(&err, err.code(), "a socket", &socket);
        assert!(fs::symlink_metadata(&socket).expect("kept").file_type().is_socket());

        let folder = dir.path().join("folder");
        fs::create_dir(&folder).expect("mkdir");
        let err = write(&folder, "x1", FAST).expect_err("refused");
        assert_refused(&err, err.code(), "a directory", &folder);
        assert!(
            fs::read_dir(&folder).expect("kept").next().is_none(),
            "nothing written inside"
        );
    }

    #[test]
    fn a_link_to_a_fifo_is_judged_by_its_target() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fifo = dir.path().join("pipe");
        mkfifo(&fifo);
        let link = dir.path().join("credentials");
        std::os::unix::fs::symlink(&fifo, &link).expect("link");
        let path = link.clone();
        let err = returns("write", move || write(&path, "x1", FAST).expect_err("refused"));
        assert_refused(&err, err.code(), "a FIFO", &fifo);
        assert!(fs::symlink_metadata(&link).expect("kept").file_type().is_symlink());
    }

    #[test]
    fn every_file_rolebar_writes_refuses_a_fifo_without_hanging() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fifo = dir.path().join("fifo.json");
        mkfifo(&fifo);

        let path = fifo.clone();
        let err = returns("settings load", move || {
            SettingsFile::at(&path)
                .load()
                .problem(Section::Expiry)
                .expect("refused")
                .clone()
        });
        assert_refused(&err, err.code(), "a FIFO", &fifo);
        let path = fifo.clone();
        let err = returns("settings save", move || {
            SettingsFile::at(&path)
                .update(|settings| {
                    settings.expiry.auto_refresh.insert("oppara-dev".into());
                    Ok::<_, ScheduleError>(())
                })
                .expect_err("refused")
        });
        assert_refused(&err, err.code(), "a FIFO", &fifo);

        let path = fifo.clone();
        let err = returns("state", move || FiredState::try_load(&path).expect_err("refused"));
        assert_refused(&err, err.code(), "a FIFO", &fifo);
        let path = fifo.clone();
        let err = returns("state save", move || {
            FiredState::default().save(&path).expect_err("refused")
        });
        assert_refused(&err, err.code(), "a FIFO", &fifo);

        let path = fifo.clone();
        let err = returns("index", move || {
            let index = Index::at(path);
            assert_eq!(index.read(), Default::default(), "an unreadable index reads empty");
            index.update(|_| ()).expect_err("refused")
        });
        assert_refused(&err, err.code(), "a FIFO", &fifo);

        let path = fifo.clone();
        let err = returns("key reminder state", move || {
            let file = ReminderFile::at(path);
            let reminder = Reminder {
                age: KeyAge {
                    profile: "default".into(),
                    masked_key_id: "****FAKE".into(),
                    since: datetime!(2026-08-01 00:00 UTC),
                    known_from: AgeSource::Iam,
                },
                days: 121,
                rotate_after_days: 90,
            };
            file.mark(&[reminder], datetime!(2026-11-30 00:00 UTC))
                .expect_err("refused")
        });
        assert_refused(&err, err.code(), "a FIFO", &fifo);
        // The tray's recent.json: crates/tray/tests/preferences_hostile_files.rs.
        assert!(fs::symlink_metadata(&fifo).expect("kept").file_type().is_fifo());
    }

    #[test]
    fn the_aws_files_are_read_without_blocking() {
        use rolebar_core::profile::{AwsPaths, ProfileSet};
        let dir = tempfile::tempdir().expect("tempdir");
        let fifo = dir.path().join("config");
        mkfifo(&fifo);
        let paths = AwsPaths {
            config: fifo.clone(),
            credentials: PathBuf::from("/dev/null"),
        };
        let err = returns("load", move || ProfileSet::load(&paths).expect_err("refused"));
        assert_refused(&err, err.code(), "a FIFO", &fifo);
        assert!(err.to_string().contains("AWS_CONFIG_FILE"), "{err}");

        let config = dir.path().join("real-config");
        fs::write(&config, "[profile dev]\nregion = eu-west-1\n").expect("config");
        let paths = AwsPaths {
            config,
            credentials: PathBuf::from("/dev/null"),
        };
        let set = ProfileSet::load(&paths).expect("/dev/null is an empty credentials file");
        assert!(set.names().any(|n| n == "dev"));
    }

    #[test]
    fn a_read_only_file_is_refused_and_left_as_it_is() {
        use std::os::unix::fs::PermissionsExt;
        let original = "[a]\nk = v\n";
        let (_dir, path) = credentials_with(original);
        fs::set_permissions(&path, fs::Permissions::from_mode(0o400)).expect("chmod");
        let err = write(&path, "x", FAST).expect_err("refused");
        assert_eq!(err.code(), "file_read_only", "{err}");
        assert!(
            err.to_string().contains("mode 0400") && err.to_string().contains("chmod u+w"),
            "{err}"
        );
        assert_eq!(read(&path), original);
        let mode = fs::metadata(&path).expect("stat").permissions().mode() & 0o777;
        assert_eq!(mode, 0o400);
    }

    #[test]
    fn a_hard_linked_file_is_refused_and_both_names_keep_it() {
        let original = "[a]\nk = v\n";
        let (dir, path) = credentials_with(original);
        let other = dir.path().join("credentials.backup");
        fs::hard_link(&path, &other).expect("link");
        let err = write(&path, "x", FAST).expect_err("refused");
        assert_eq!(err.code(), "file_hard_linked", "{err}");
        assert!(err.to_string().contains("2 hard links"), "{err}");
        assert_eq!(
            (read(&path), read(&other)),
            (original.to_string(), original.to_string())
        );
        use std::os::unix::fs::MetadataExt;
        assert_eq!(
            fs::metadata(&path).expect("stat").ino(),
            fs::metadata(&other).expect("stat").ino()
        );
    }
}

#[test]
fn stale_temporary_files_of_a_killed_writer_are_removed_at_the_next_write() {
    let (dir, path) = credentials_with("[a]\nk = v\n");
    // What a writer killed between creating its temp file and the rename leaves.
    let stale = dir.path().join(".credentials.rolebar-Xy12Ab.tmp");
    fs::write(&stale, format!("[x]\naws_secret_access_key = {SECRET}\n")).expect("stale");
    let someone_elses = dir.path().join(".credentials.backup.tmp");
    fs::write(&someone_elses, "mine").expect("other");
    write(&path, "x", FAST).expect("writes");
    assert!(!stale.exists(), "the stale temp file holding a secret is gone");
    assert_eq!(read(&someone_elses), "mine", "a file of another naming is kept");
}

#[test]
fn a_section_rolebar_did_not_write_needs_force_and_keeps_its_lines_after_log_out() {
    let original = "[a]\nk = v\n\n[work]\n# the work account\nregion = eu-west-1\noutput = json\n";
    let (_dir, path) = credentials_with(original);
    let err = write(&path, "work", FAST).expect_err("not ours");
    assert_eq!(err.code(), "section_not_owned");
    let shown = err.to_string();
    assert!(
        shown.contains("(line 4)") && shown.contains("region, output, 1 comment"),
        "lists what is there: {shown}"
    );
    assert_eq!(read(&path), original);

    write(&path, "work", FORCE).expect("forced");
    assert!(read(&path).contains("manager = rolebar"));
    remove_profile(&path, "work").expect("log out");
    assert_eq!(read(&path), original, "only Rolebar's lines were taken back");
}

#[test]
fn temporary_keys_or_a_credential_process_of_another_tool_need_force() {
    for (holds, section) in [
        (
            "aws_access_key_id, aws_secret_access_key, aws_session_token",
            "[t]\naws_access_key_id = ASIAOTHERTOOL0000001\naws_secret_access_key = other/secret\naws_session_token = othertoken\n",
        ),
        ("credential_process", "[t]\ncredential_process = other-tool creds\n"),
        ("nothing but its header", "[t]\n"),
    ] {
        let (_dir, path) = credentials_with(section);
        let err = write(&path, "t", FAST).expect_err(section);
        assert_eq!(err.code(), "section_not_owned", "{section}");
        assert!(err.to_string().contains(holds), "{err}");
        assert!(!err.to_string().contains("other/secret") && !err.to_string().contains("othertoken"));
        assert_eq!(read(&path), section);
    }
}

#[test]
fn expiry_clean_up_of_a_forced_section_keeps_the_users_lines() {
    let original = "[work]\nregion = eu-west-1\n# note\n";
    let (_dir, path) = credentials_with(original);
    write_profile(&path, "work", &session(NOW + Duration::minutes(30)), None, NOW, FORCE).expect("forced");
    let removed = remove_expired(&path, NOW + Duration::hours(1)).expect("clean-up");
    assert_eq!(removed, vec!["work".to_string()]);
    assert_eq!(read(&path), original);
    // The same through the sweep of a later write.
    write_profile(&path, "work", &session(NOW + Duration::minutes(30)), None, NOW, FORCE).expect("forced");
    let later = NOW + Duration::hours(1);
    write_profile(&path, "next", &session(later + Duration::hours(1)), None, later, FAST).expect("next");
    assert!(read(&path).starts_with(original), "{}", read(&path));
}

#[test]
fn a_section_of_rolebars_that_the_user_added_to_keeps_the_additions() {
    let (_dir, path) = credentials_with("");
    write(&path, "x", FAST).expect("x");
    let text = read(&path).replace("[x]\n", "[x]\n# added by hand\nregion = ap-northeast-1\n");
    fs::write(&path, text).expect("edit by hand");
    remove_profile(&path, "x").expect("log out");
    assert_eq!(read(&path), "[x]\n# added by hand\nregion = ap-northeast-1\n");
}

#[test]
fn a_byte_order_mark_is_read_past_and_kept() {
    let (_dir, path) = credentials_with("\u{feff}[x]\nmanager = rolebar\n");
    write(&path, "x", FAST).expect("its own section, after the BOM");
    let text = read(&path);
    assert!(text.starts_with("\u{feff}[x]\n"), "{text:?}");
    assert_eq!(text.matches("[x]").count(), 1, "{text}");
    assert_eq!(rolebar_sections(&path).expect("listed")[0].name, "x");
}

#[test]
fn check_write_refuses_what_a_write_would_before_any_session_exists() {
    use rolebar_core::outputs::check_write;
    let original = "[work]\nregion = eu-west-1\n";
    let (dir, path) = credentials_with(original);
    assert_eq!(
        check_write(&path, "work", None, false).expect_err("not ours").code(),
        "section_not_owned"
    );
    check_write(&path, "work", None, true).expect("forced is fine");
    check_write(&path, "new", None, false).expect("a new section is fine");
    check_write(&dir.path().join("missing"), "new", None, false).expect("a new file is fine");
    assert_eq!(
        check_write(dir.path(), "new", None, false).expect_err("folder").code(),
        "not_a_regular_file"
    );
    assert_eq!(read(&path), original);
}

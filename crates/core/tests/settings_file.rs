//! `settings.json` as one typed `Settings` (rolebar_core::settings): each section read on its
//! own, and changes that keep everything else the file holds — unknown keys, hand edits made
//! since it was read, the other sections' values — and never overwrite a broken file. These are
//! the domain's sections (expiry, mfa_ykman, keys); the tray's own (language, favourites,
//! switcher_hotkey), which are unknown keys to the domain, are tested with the tray
//! (`crates/tray/tests/preferences_file.rs`).

use rolebar_core::rotation::KeySettings;
use rolebar_core::schedule::{ExpirySettings, ScheduleError};
use rolebar_core::settings::{Section, Settings, SettingsFile};
use rolebar_core::HasCode;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::Path;
use time::Duration;

/// A file with every section set, the tray's preferences, and a key Rolebar does not know.
const FULL: &str = r#"{
  "theme": {"dark": true, "accent": 1.5, "name": "夜"},
  "expiry": {"warn_before": ["15m", "1m"], "auto_refresh": ["oppara-dev"]},
  "language": "ja",
  "favourites": ["oppara-dev", "corp-prod"],
  "switcher_hotkey": "Ctrl+Alt+P",
  "mfa_ykman": true,
  "keys": {"rotate_after": 30}
}"#;

fn file_with(text: &str) -> (tempfile::TempDir, SettingsFile) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("settings.json");
    std::fs::write(&path, text).expect("write");
    (dir, SettingsFile::at(path))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("read")
}

fn json_of(path: &Path) -> Value {
    serde_json::from_str(&read(path)).expect("json")
}

/// What FULL says, section by section.
fn full() -> Settings {
    let mut s = Settings::default();
    s.expiry = ExpirySettings {
        thresholds: vec![Duration::minutes(15), Duration::minutes(1)],
        auto_refresh: BTreeSet::from(["oppara-dev".to_string()]),
    };
    s.mfa_ykman = true;
    s.keys.rotate_after_days = 30;
    s
}

/// The values alone (no problems).
fn values(s: &Settings) -> (ExpirySettings, bool, KeySettings) {
    (s.expiry.clone(), s.mfa_ykman, s.keys)
}

fn set_ykman(file: &SettingsFile, ykman: bool) -> Result<Settings, ScheduleError> {
    file.update(|s| {
        s.mfa_ykman = ykman;
        Ok::<_, ScheduleError>(())
    })
}

#[test]
fn every_section_is_read_and_a_missing_file_is_the_defaults() {
    let (dir, file) = file_with(FULL);
    let settings = file.load();
    assert_eq!(settings, full());
    for section in Section::ALL {
        assert_eq!(settings.problem(section), None, "{section:?}");
    }
    assert_eq!(
        Settings::from_json(file.path(), FULL),
        settings,
        "text reads as the file does"
    );

    let missing = SettingsFile::at(dir.path().join("none.json")).load();
    assert_eq!(missing, Settings::default());
    assert_eq!(missing.keys.rotate_after_days, 90);
    assert_eq!(missing.expiry.thresholds, [Duration::minutes(10), Duration::minutes(2)]);
    assert!(!missing.mfa_ykman);
}

#[test]
fn one_broken_section_leaves_the_others_readable_and_names_its_key() {
    let cases = [
        (
            Section::Expiry,
            json!({"warn_before": "10m"}),
            "invalid_expiry_setting",
            r#"expiry.warn_before = "10m" is invalid: must be a list of durations"#,
        ),
        (
            Section::MfaYkman,
            json!("yes"),
            "invalid_expiry_setting",
            r#"mfa_ykman = "yes" is invalid: must be true or false"#,
        ),
        (
            Section::Keys,
            json!({"rotate_after": -1}),
            "invalid_keys_setting",
            r#"keys.rotate_after = -1 is invalid: must be a whole number of days"#,
        ),
    ];
    for (broken, value, code, message) in cases {
        let mut root: Value = serde_json::from_str(FULL).expect("json");
        root[broken.key()] = value;
        let (_dir, file) = file_with(&serde_json::to_string_pretty(&root).expect("text"));
        let settings = file.load();
        let problem = settings.problem(broken).expect("the broken section says why");
        assert_eq!(problem.code(), code, "{broken:?}");
        let shown = problem.to_string();
        assert!(
            shown.starts_with(&format!("{}: ", file.path().display())) && shown.contains(message),
            "{broken:?}: {shown}"
        );

        // Its default applies; every other section is read as written.
        let mut expected = full();
        let defaults = Settings::default();
        match broken {
            Section::Expiry => expected.expiry = defaults.expiry,
            Section::MfaYkman => expected.mfa_ykman = defaults.mfa_ykman,
            Section::Keys => expected.keys = defaults.keys,
        }
        for section in Section::ALL.into_iter().filter(|s| *s != broken) {
            assert_eq!(settings.problem(section), None, "{broken:?} broken, {section:?} fine");
        }
        assert_eq!(values(&settings), values(&expected), "{broken:?}");
    }
}

#[test]
fn a_file_that_cannot_be_read_is_every_sections_problem() {
    let (_dir, file) = file_with("{\n  \"language\": \"ja\",\n}");
    let settings = file.load();
    for section in Section::ALL {
        let problem = settings.problem(section).expect("broken file");
        assert_eq!(problem.code(), "settings_syntax");
        assert!(problem.to_string().ends_with(":3:1: trailing comma"), "{problem}");
    }
    assert_eq!(values(&settings), values(&Settings::default()), "the defaults apply");
}

#[test]
fn an_update_keeps_unknown_keys_and_hand_edits_made_since_load() {
    let (_dir, file) = file_with(FULL);
    let loaded = file.load();
    assert_eq!(loaded.keys.rotate_after_days, 30);

    // Edited by hand while the app runs: the reminder's days and ykman changed, a new key.
    let mut root: Value = serde_json::from_str(FULL).expect("json");
    root["keys"] = json!({"rotate_after": 60});
    root["mfa_ykman"] = json!(false);
    root["window"] = json!({"x": 10});
    std::fs::write(file.path(), serde_json::to_string(&root).expect("text")).expect("hand edit");

    let saved = file
        .update(|s| {
            assert_eq!(
                s.keys.rotate_after_days, 60,
                "the change starts from the file as it is now"
            );
            s.keys.rotate_after_days += 1;
            Ok::<_, ScheduleError>(())
        })
        .expect("update");
    assert_eq!(saved.keys.rotate_after_days, 61);
    assert!(!saved.mfa_ykman, "the hand edit is in force");
    let mut expected = root.clone();
    expected["keys"] = json!({"rotate_after": 61});
    assert_eq!(json_of(file.path()), expected, "everything else as the file had it");
}

#[test]
fn an_update_of_one_section_leaves_the_others_byte_for_byte() {
    let (_dir, file) = file_with(FULL);
    // Written once by Rolebar: from here on the file is in Rolebar's own form.
    set_ykman(&file, false).expect("off");
    let first = read(file.path());
    let saved = set_ykman(&file, true).expect("on");
    let second = read(file.path());
    assert_ne!(first, second);
    let other_lines = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|line| !line.trim_start().starts_with("\"mfa_ykman\""))
            .map(String::from)
            .collect()
    };
    assert_eq!(other_lines(&first), other_lines(&second));
    assert_eq!(saved, full(), "what the update returns is what the file now says");

    // The values of a hand-written file survive a change of another section (the layout is
    // Rolebar's once it writes).
    let (_dir, file) = file_with(FULL);
    set_ykman(&file, false).expect("off");
    let mut expected: Value = serde_json::from_str(FULL).expect("json");
    expected["mfa_ykman"] = json!(false);
    assert_eq!(json_of(file.path()), expected);
}

#[test]
fn an_update_that_changes_nothing_leaves_the_file_alone() {
    let compact = r#"{"mfa_ykman":true,  "theme":"dark"}"#;
    let (_dir, file) = file_with(compact);
    let saved = file
        .update(|s| {
            s.mfa_ykman = true;
            s.keys = KeySettings::default();
            Ok::<_, ScheduleError>(())
        })
        .expect("no change");
    assert!(saved.mfa_ykman);
    assert_eq!(read(file.path()), compact, "not rewritten");
}

#[test]
fn a_file_broken_since_load_is_refused_not_overwritten() {
    let (_dir, file) = file_with(FULL);
    let loaded = file.load();
    assert_eq!(loaded.problem(Section::MfaYkman), None);
    let broken = "{\"mfa_ykman\": true,}";
    std::fs::write(file.path(), broken).expect("broken by hand");

    let mut seen = None;
    let err = file
        .update(|s| {
            seen = s.problem(Section::MfaYkman).cloned();
            s.mfa_ykman = false;
            Ok::<_, ScheduleError>(())
        })
        .expect_err("refused");
    assert_eq!(err.code(), "settings_syntax");
    assert_eq!(
        seen.map(|p| p.code()),
        Some("settings_syntax"),
        "the change is told, so it may refuse in its own words"
    );
    assert_eq!(read(file.path()), broken, "left as it was");

    // A change that refuses in its own words: those words come back.
    #[derive(Debug)]
    enum Refused {
        Mine(String),
        Settings(ScheduleError),
    }
    impl From<ScheduleError> for Refused {
        fn from(e: ScheduleError) -> Self {
            Refused::Settings(e)
        }
    }
    let err = file
        .update(|s| match s.problem(Section::Expiry) {
            Some(problem) => Err(Refused::Mine(format!("fix it first: {problem}"))),
            None => Ok(()),
        })
        .expect_err("refused by the caller");
    match err {
        Refused::Mine(words) => assert!(words.contains("settings.json"), "{words}"),
        Refused::Settings(e) => panic!("the caller's words were lost: {e}"),
    }
    assert_eq!(read(file.path()), broken);
}

#[test]
fn a_changed_section_that_reads_badly_is_refused_and_the_others_can_change() {
    let text = r#"{"mfa_ykman": "yes", "expiry": {"auto_refresh": ["a"]}, "keys": {"rotate_afer": 9}}"#;
    let (_dir, file) = file_with(text);
    let err = set_ykman(&file, true).expect_err("refused");
    assert_eq!(err.code(), "invalid_expiry_setting", "{err}");
    let err = file
        .update(|s| {
            s.keys.rotate_after_days = 10;
            Ok::<_, ScheduleError>(())
        })
        .expect_err("refused");
    assert!(err.to_string().contains("keys.rotate_afer = 9"), "{err}");
    assert_eq!(read(file.path()), text, "nothing the user wrote is lost");

    let saved = file
        .update(|s| {
            s.expiry.auto_refresh.insert("b".into());
            Ok::<_, ScheduleError>(())
        })
        .expect("another section");
    assert_eq!(
        saved.expiry.auto_refresh,
        BTreeSet::from(["a".to_string(), "b".to_string()])
    );
    assert!(saved.problem(Section::MfaYkman).is_some(), "still reported");
    let root = json_of(file.path());
    assert_eq!(root["mfa_ykman"], "yes", "kept as written");
    assert_eq!(root["keys"], json!({"rotate_afer": 9}));
}

#[test]
fn a_value_its_section_refuses_writes_nothing() {
    let (_dir, file) = file_with(FULL);
    for (change, code) in [
        (
            Box::new(|s: &mut Settings| s.expiry.thresholds = vec![Duration::ZERO]) as Box<dyn Fn(&mut Settings)>,
            "invalid_threshold",
        ),
        (
            Box::new(|s: &mut Settings| {
                s.expiry.auto_refresh.insert(" ".into());
            }),
            "invalid_profile_name",
        ),
        (
            Box::new(|s: &mut Settings| s.keys.rotate_after_days = 4000),
            "invalid_keys_setting",
        ),
    ] {
        let err = file
            .update(|s| {
                change(s);
                Ok::<_, ScheduleError>(())
            })
            .expect_err(code);
        assert_eq!(err.code(), code, "{err}");
        assert_eq!(read(file.path()), FULL);
    }
}

#[test]
fn a_missing_file_is_created_private_in_a_new_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = SettingsFile::at(dir.path().join("rolebar").join("settings.json"));
    let saved = set_ykman(&file, true).expect("created");
    assert!(saved.mfa_ykman);
    assert_eq!(json_of(file.path()), json!({"mfa_ykman": true}));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(file.path()).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

//! Expiry settings in `settings.json` (the `expiry` section of `rolebar_core::settings`):
//! defaults, what a good file gives, and errors that name the file and the bad value. Plus the
//! fired-state file: unreadable is empty, never a panic.

use rolebar_core::schedule::{ExpirySettings, FiredState, Schedule, ScheduleError, SessionRef};
use rolebar_core::settings::{Section, SettingsFile, SettingsProblem};
use rolebar_core::HasCode;
use std::path::{Path, PathBuf};
use time::macros::datetime;
use time::Duration;

/// The file's `expiry` section, or why it was not used.
fn load(path: &Path) -> Result<ExpirySettings, SettingsProblem> {
    let settings = SettingsFile::at(path).load();
    match settings.problem(Section::Expiry) {
        Some(problem) => Err(problem.clone()),
        None => Ok(settings.expiry),
    }
}

/// Puts `expiry` in the file as its `expiry` section.
fn save(expiry: &ExpirySettings, path: &Path) -> Result<(), ScheduleError> {
    SettingsFile::at(path)
        .update(|settings| {
            settings.expiry = expiry.clone();
            Ok::<_, ScheduleError>(())
        })
        .map(drop)
}

fn write(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("settings.json");
    std::fs::write(&path, text).expect("write settings");
    path
}

fn load_err(text: &str) -> (SettingsProblem, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), text);
    let err = load(&path).expect_err(text);
    let message = err.to_string();
    assert!(
        message.contains(&path.display().to_string()),
        "names the file: {message}"
    );
    (err, message)
}

#[test]
fn a_missing_file_or_section_gives_the_defaults() {
    let dir = tempfile::tempdir().expect("tempdir");
    let defaults = load(&dir.path().join("settings.json")).expect("missing is fine");
    assert_eq!(defaults, ExpirySettings::default());
    assert_eq!(defaults.thresholds, [Duration::minutes(10), Duration::minutes(2)]);
    assert!(defaults.auto_refresh.is_empty(), "auto-refresh is off by default");
    let path = write(dir.path(), r#"{"theme": "dark"}"#);
    assert_eq!(load(&path).expect("other keys"), ExpirySettings::default());
}

#[test]
fn a_good_file_is_read_and_sorted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        dir.path(),
        r#"{
  "theme": "dark",
  "expiry": {
    "warn_before": ["90s", "15m", "1h"],
    "auto_refresh": ["oppara-dev", "oppara-dev", "ops"]
  }
}"#,
    );
    let s = load(&path).expect("valid");
    assert_eq!(
        s.thresholds,
        [Duration::hours(1), Duration::minutes(15), Duration::seconds(90)]
    );
    assert_eq!(s.auto_refresh.iter().collect::<Vec<_>>(), ["oppara-dev", "ops"]);
    assert!(s.auto_refresh_enabled("oppara-dev"));
    assert!(!s.auto_refresh_enabled("prod"));
    let schedule = Schedule::from_settings(&s).expect("schedule");
    assert_eq!(schedule.thresholds(), s.thresholds);
}

#[test]
fn an_empty_list_warns_only_at_expiry() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), r#"{"expiry": {"warn_before": []}}"#);
    assert!(load(&path).expect("valid").thresholds.is_empty());
}

#[test]
fn bad_thresholds_are_named_with_their_value() {
    let cases = [
        (
            r#"["10m", "0m"]"#,
            r#"expiry.warn_before[1] = "0m" is invalid: a warning must come before the expiry"#,
        ),
        (
            r#"["24h"]"#,
            r#"expiry.warn_before[0] = "24h" is invalid: must be less than 24h"#,
        ),
        (
            r#"["10"]"#,
            r#"expiry.warn_before[0] = "10" is invalid: 10 has no unit: write "10m""#,
        ),
        (
            r#"[10]"#,
            r#"expiry.warn_before[0] = 10 is invalid: must be a duration with a unit"#,
        ),
        (
            r#"["10 minutes"]"#,
            r#"expiry.warn_before[0] = "10 minutes" is invalid: write it without spaces, e.g. "1h30m""#,
        ),
        (
            r#"["-5m"]"#,
            r#"expiry.warn_before[0] = "-5m" is invalid: `-` is not a unit"#,
        ),
        (
            r#"["2m", "120s"]"#,
            r#"expiry.warn_before[1] = "120s" is invalid: listed twice"#,
        ),
        (
            r#""10m""#,
            r#"expiry.warn_before = "10m" is invalid: must be a list of durations"#,
        ),
    ];
    for (value, expected) in cases {
        let (err, message) = load_err(&format!(r#"{{"expiry": {{"warn_before": {value}}}}}"#));
        assert_eq!(err.code(), "invalid_expiry_setting", "{message}");
        assert!(message.contains(expected), "{value}: {message}");
    }
}

#[test]
fn other_bad_settings_are_named() {
    let (_, m) = load_err(r#"{"expiry": {"warn_befor": ["10m"]}}"#);
    assert!(
        m.contains(r#"expiry.warn_befor = ["10m"] is invalid: unknown setting (known: warn_before, auto_refresh)"#),
        "{m}"
    );
    let (_, m) = load_err(r#"{"expiry": ["10m"]}"#);
    assert!(m.contains(r#"expiry = ["10m"] is invalid: must be an object"#), "{m}");
    let (_, m) = load_err(r#"{"expiry": {"auto_refresh": ["ok", ""]}}"#);
    assert!(
        m.contains(r#"expiry.auto_refresh[1] = "" is invalid: must be a profile name"#),
        "{m}"
    );
    let (_, m) = load_err(r#"{"expiry": {"auto_refresh": "oppara-dev"}}"#);
    assert!(
        m.contains("expiry.auto_refresh = \"oppara-dev\" is invalid: must be a list of profile names"),
        "{m}"
    );
}

#[test]
fn syntax_errors_give_line_and_column() {
    let (err, m) = load_err("{\n  \"expiry\": {\n    \"warn_before\": [\"10m\",]\n  }\n}");
    assert_eq!(err.code(), "settings_syntax");
    assert!(m.ends_with(":3:27: trailing comma"), "{m}");
    let (err, m) = load_err("[1, 2]");
    assert_eq!(err.code(), "settings_syntax");
    assert!(m.contains("must hold a JSON object"), "{m}");
}

#[test]
fn an_unreadable_settings_path_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A folder where the file should be.
    let err = load(dir.path()).expect_err("a folder");
    assert_eq!(err.code(), "not_a_regular_file");
    assert!(err.to_string().contains("is a directory"), "{err}");
    assert!(err.to_string().contains(&dir.path().display().to_string()));
}

#[test]
fn save_keeps_other_settings_and_reads_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), r#"{"theme": "dark", "expiry": {"warn_before": ["5m"]}}"#);
    let s = ExpirySettings {
        thresholds: vec![Duration::minutes(2), Duration::minutes(90)],
        auto_refresh: ["oppara-dev".to_string()].into(),
    };
    save(&s, &path).expect("save");
    let text = std::fs::read_to_string(&path).expect("read");
    let json: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(json["theme"], "dark", "other settings kept");
    assert_eq!(json["expiry"]["warn_before"], serde_json::json!(["1h30m", "2m"]));
    let back = load(&path).expect("load");
    assert_eq!(back.thresholds, [Duration::minutes(90), Duration::minutes(2)]);
    assert!(back.auto_refresh_enabled("oppara-dev"));

    let fresh = dir.path().join("new").join("settings.json");
    save(&ExpirySettings::default(), &fresh).expect("save into a new folder");
    assert_eq!(load(&fresh).expect("load"), ExpirySettings::default());
}

#[cfg(unix)]
#[test]
fn a_symlinked_settings_file_is_written_through_and_the_link_stays() {
    let dir = tempfile::tempdir().expect("tempdir");
    let real = write(dir.path(), r#"{"expiry": {"warn_before": ["5m"]}}"#);
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&real, &link).expect("symlink");
    let seven = ExpirySettings {
        thresholds: vec![Duration::minutes(7)],
        ..ExpirySettings::default()
    };
    save(&seven, &link).expect("save");
    assert!(std::fs::symlink_metadata(&link).expect("link").file_type().is_symlink());
    assert_eq!(load(&real).expect("load").thresholds, [Duration::minutes(7)]);

    // A link whose target does not exist yet (dotfile managers): the target is created.
    let pending = dir.path().join("pending.json");
    std::os::unix::fs::symlink("not-yet.json", &pending).expect("dangling symlink");
    save(&ExpirySettings::default(), &pending).expect("save through a dangling link");
    assert!(std::fs::symlink_metadata(&pending)
        .expect("link")
        .file_type()
        .is_symlink());
    assert!(dir.path().join("not-yet.json").is_file());
}

#[test]
fn save_refuses_bad_values_and_never_clobbers_a_broken_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), "{ broken");
    let err = save(&ExpirySettings::default(), &path).expect_err("broken file");
    assert_eq!(err.code(), "settings_syntax");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), "{ broken");

    let bad = ExpirySettings {
        thresholds: vec![Duration::ZERO],
        ..ExpirySettings::default()
    };
    assert_eq!(
        save(&bad, &dir.path().join("x.json")).expect_err("zero").code(),
        "invalid_threshold"
    );
    let mut empty_name = ExpirySettings::default();
    empty_name.auto_refresh.insert(" ".into());
    assert_eq!(empty_name.validate().expect_err("empty").code(), "invalid_profile_name");
}

#[test]
fn the_default_path_is_in_the_config_dir() {
    if let Ok(file) = SettingsFile::default_location() {
        let path = file.path();
        assert!(path.ends_with("rolebar/settings.json"), "{}", path.display());
    }
}

#[test]
fn a_corrupt_state_file_is_empty_and_repeats_at_most_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("expiry-warnings.json");
    std::fs::write(&path, "\u{0}\u{1} garbage").expect("write");
    let state = FiredState::load(&path);
    assert!(state.is_empty());
    let err = FiredState::try_load(&path).expect_err("corrupt");
    assert_eq!(err.code(), "expiry_state_corrupt");

    let t = datetime!(2026-11-25 13:00 UTC);
    let dev = SessionRef::new("session:AssumeRole:oppara-dev", "oppara-dev", t);
    let mut s = Schedule::default().with_state(state);
    assert_eq!(s.due(std::slice::from_ref(&dev), t - Duration::minutes(5)).len(), 1);
    s.state().save(&path).expect("save over the corrupt file");
    assert_eq!(FiredState::try_load(&path).expect("now readable"), *s.state());
}

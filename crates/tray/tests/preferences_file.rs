//! The tray's preferences in `settings.json` (`rolebar_tray::preferences`, read and written by
//! rolebar-core's `SettingsFile`): each section read on its own, and changes that keep
//! everything else the file holds — unknown keys, hand edits made since it was read, the
//! domain's sections — and never overwrite a broken file. Moved from core's
//! `tests/settings_file.rs` with the preferences (issue 22).

use rolebar_core::schedule::ScheduleError;
use rolebar_core::settings::Settings as DomainSettings;
use rolebar_core::HasCode;
use rolebar_tray::preferences::language::{Language, LanguageSetting};
use rolebar_tray::preferences::{favourites, PreferencesFile as SettingsFile, Section, TraySettings as Settings};
use serde_json::{json, Value};
use std::path::Path;

/// A file with every section set, and a key Rolebar does not know.
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
    (dir, preferences_at(path))
}

fn preferences_at(path: impl Into<std::path::PathBuf>) -> SettingsFile {
    rolebar_core::settings::SettingsFile::at(path).with_sections()
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
    s.language = LanguageSetting::Fixed(Language::Japanese);
    s.favourites = vec!["oppara-dev".into(), "corp-prod".into()];
    s.switcher_hotkey = Some("Ctrl+Alt+P".into());
    s
}

/// The values alone (no problems).
fn values(s: &Settings) -> (LanguageSetting, Vec<String>, Option<String>) {
    (s.language, s.favourites.clone(), s.switcher_hotkey.clone())
}

/// The domain's sections of the same file, as rolebar-core reads them.
fn domain(file: &SettingsFile) -> DomainSettings {
    file.with_sections::<DomainSettings>().load()
}

fn set_language(file: &SettingsFile, language: LanguageSetting) -> Result<Settings, ScheduleError> {
    file.update(|s| {
        s.language = language;
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

    let domain = domain(&file);
    assert!(
        domain.mfa_ykman && domain.keys.rotate_after_days == 30,
        "the domain reads its own"
    );

    let missing = preferences_at(dir.path().join("none.json")).load();
    assert_eq!(missing, Settings::default());
    assert_eq!(missing.language, LanguageSetting::Auto);
    assert!(missing.favourites.is_empty() && missing.switcher_hotkey.is_none());
}

#[test]
fn one_broken_section_leaves_the_others_readable_and_names_its_key() {
    let cases = [
        (
            Section::Language,
            json!("jp"),
            "invalid_language_setting",
            r#"language = "jp" is invalid: use "en" or "ja""#,
        ),
        (
            Section::Favourites,
            json!("oppara-dev"),
            "invalid_expiry_setting",
            r#"favourites = "oppara-dev" is invalid: must be a list of profile names"#,
        ),
        (
            Section::SwitcherHotkey,
            json!(3),
            "invalid_expiry_setting",
            r#"switcher_hotkey = 3 is invalid: must be a key combination"#,
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
            Section::Language => expected.language = defaults.language,
            Section::Favourites => expected.favourites = defaults.favourites,
            Section::SwitcherHotkey => expected.switcher_hotkey = defaults.switcher_hotkey,
        }
        for section in Section::ALL.into_iter().filter(|s| *s != broken) {
            assert_eq!(settings.problem(section), None, "{broken:?} broken, {section:?} fine");
        }
        assert_eq!(values(&settings), values(&expected), "{broken:?}");
        let domain = domain(&file);
        for section in rolebar_core::settings::Section::ALL {
            assert_eq!(domain.problem(section), None, "{broken:?} broken, {section:?} fine");
        }
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
    assert_eq!(settings.language, LanguageSetting::Auto, "the defaults apply");
}

#[test]
fn an_update_keeps_unknown_keys_and_hand_edits_made_since_load() {
    let (_dir, file) = file_with(FULL);
    let loaded = file.load();
    assert_eq!(loaded.favourites, ["oppara-dev", "corp-prod"]);

    // Edited by hand while the app runs: a favourite removed, a language changed, a new key.
    let mut root: Value = serde_json::from_str(FULL).expect("json");
    root["favourites"] = json!(["corp-prod"]);
    root["language"] = json!("en");
    root["window"] = json!({"x": 10});
    std::fs::write(file.path(), serde_json::to_string(&root).expect("text")).expect("hand edit");

    let saved = file
        .update(|s| {
            assert_eq!(
                s.favourites,
                ["corp-prod"],
                "the change starts from the file as it is now"
            );
            favourites::set(&mut s.favourites, "ops", true);
            Ok::<_, ScheduleError>(())
        })
        .expect("update");
    assert_eq!(saved.favourites, ["corp-prod", "ops"]);
    assert_eq!(
        saved.language,
        LanguageSetting::Fixed(Language::English),
        "the hand edit is in force"
    );
    let mut expected = root.clone();
    expected["favourites"] = json!(["corp-prod", "ops"]);
    assert_eq!(json_of(file.path()), expected, "everything else as the file had it");
}

#[test]
fn an_update_of_one_section_leaves_the_others_byte_for_byte() {
    let (_dir, file) = file_with(FULL);
    // Written once by Rolebar: from here on the file is in Rolebar's own form.
    set_language(&file, LanguageSetting::Fixed(Language::English)).expect("en");
    let first = read(file.path());
    let saved = set_language(&file, LanguageSetting::Fixed(Language::Japanese)).expect("ja");
    let second = read(file.path());
    assert_ne!(first, second);
    let other_lines = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|line| !line.trim_start().starts_with("\"language\""))
            .map(String::from)
            .collect()
    };
    assert_eq!(other_lines(&first), other_lines(&second));
    assert_eq!(saved, full(), "what the update returns is what the file now says");

    // The values of a hand-written file survive a change of another section (the layout is
    // Rolebar's once it writes).
    let (_dir, file) = file_with(FULL);
    set_language(&file, LanguageSetting::Auto).expect("auto");
    let mut expected: Value = serde_json::from_str(FULL).expect("json");
    expected.as_object_mut().expect("object").remove("language");
    assert_eq!(json_of(file.path()), expected);
}

#[test]
fn an_update_that_changes_nothing_leaves_the_file_alone() {
    let compact = r#"{"favourites":["oppara-dev"],  "theme":"dark"}"#;
    let (_dir, file) = file_with(compact);
    let saved = file
        .update(|s| {
            favourites::set(&mut s.favourites, "oppara-dev", true);
            s.language = LanguageSetting::Auto;
            Ok::<_, ScheduleError>(())
        })
        .expect("no change");
    assert_eq!(saved.favourites, ["oppara-dev"]);
    assert_eq!(read(file.path()), compact, "not rewritten");
}

#[test]
fn a_file_broken_since_load_is_refused_not_overwritten() {
    let (_dir, file) = file_with(FULL);
    let loaded = file.load();
    assert_eq!(loaded.problem(Section::Favourites), None);
    let broken = "{\"favourites\": [\"oppara-dev\",]";
    std::fs::write(file.path(), broken).expect("broken by hand");

    let mut seen = None;
    let err = file
        .update(|s| {
            seen = s.problem(Section::Favourites).cloned();
            favourites::set(&mut s.favourites, "ops", true);
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
        .update(|s| match s.problem(Section::Language) {
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
    let text = r#"{"language": "jp", "favourites": ["a"], "keys": {"rotate_afer": 9}}"#;
    let (_dir, file) = file_with(text);
    let err = set_language(&file, LanguageSetting::Fixed(Language::Japanese)).expect_err("refused");
    assert_eq!(err.code(), "invalid_language_setting", "{err}");
    let err = file
        .with_sections::<DomainSettings>()
        .update(|s| {
            s.keys.rotate_after_days = 10;
            Ok::<_, ScheduleError>(())
        })
        .expect_err("refused");
    assert!(err.to_string().contains("keys.rotate_afer = 9"), "{err}");
    assert_eq!(read(file.path()), text, "nothing the user wrote is lost");

    let saved = file
        .update(|s| {
            favourites::set(&mut s.favourites, "b", true);
            Ok::<_, ScheduleError>(())
        })
        .expect("another section");
    assert_eq!(saved.favourites, ["a", "b"]);
    assert!(saved.problem(Section::Language).is_some(), "still reported");
    let root = json_of(file.path());
    assert_eq!(root["language"], "jp", "kept as written");
    assert_eq!(root["keys"], json!({"rotate_afer": 9}));
}

#[test]
fn a_value_its_section_refuses_writes_nothing() {
    let (_dir, file) = file_with(FULL);
    for (change, code) in [
        (
            Box::new(|s: &mut Settings| s.favourites.push(String::new())) as Box<dyn Fn(&mut Settings)>,
            "invalid_profile_name",
        ),
        (
            Box::new(|s: &mut Settings| s.switcher_hotkey = Some("a\nb".into())),
            "invalid_expiry_setting",
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
    let file = preferences_at(dir.path().join("rolebar").join("settings.json"));
    let saved = set_language(&file, LanguageSetting::Fixed(Language::Japanese)).expect("created");
    assert_eq!(saved.language, LanguageSetting::Fixed(Language::Japanese));
    assert_eq!(json_of(file.path()), json!({"language": "ja"}));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(file.path()).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

/// A file Rolebar wrote before the preferences moved to the tray (its own form: keys sorted,
/// pretty-printed, a newline at the end), with keys nobody knows: changing a preference and
/// then a domain section, and changing them back, gives the same bytes.
#[test]
fn a_file_written_before_the_move_is_rewritten_byte_for_byte() {
    const BEFORE: &str = r#"{
  "expiry": {
    "auto_refresh": [
      "oppara-dev"
    ],
    "warn_before": [
      "15m",
      "1m"
    ]
  },
  "favourites": [
    "oppara-dev",
    "corp-prod"
  ],
  "keys": {
    "rotate_after": 30
  },
  "language": "ja",
  "mfa_ykman": true,
  "switcher_hotkey": "Ctrl+Alt+P",
  "theme": {
    "accent": 1.5,
    "dark": true,
    "name": "夜"
  },
  "zz_unknown": [
    1,
    null,
    "x"
  ]
}
"#;
    let (_dir, file) = file_with(BEFORE);
    assert_eq!(file.load(), full());
    let set_ykman = |on: bool| {
        file.with_sections::<DomainSettings>()
            .update(|s| {
                s.mfa_ykman = on;
                Ok::<_, ScheduleError>(())
            })
            .expect("ykman")
    };
    set_language(&file, LanguageSetting::Fixed(Language::English)).expect("en");
    set_ykman(false);
    file.update(|s| {
        favourites::set(&mut s.favourites, "corp-prod", false);
        s.switcher_hotkey = None;
        Ok::<_, ScheduleError>(())
    })
    .expect("unpin");
    let changed = read(file.path());
    assert!(
        changed.contains("\"language\": \"en\"") && !changed.contains("switcher_hotkey"),
        "{changed}"
    );
    assert!(
        changed.contains("\"zz_unknown\"") && changed.contains("\"name\": \"夜\""),
        "{changed}"
    );

    set_language(&file, LanguageSetting::Fixed(Language::Japanese)).expect("ja");
    set_ykman(true);
    file.update(|s| {
        favourites::set(&mut s.favourites, "corp-prod", true);
        s.switcher_hotkey = Some("Ctrl+Alt+P".into());
        Ok::<_, ScheduleError>(())
    })
    .expect("pin");
    assert_eq!(read(file.path()), BEFORE);
}

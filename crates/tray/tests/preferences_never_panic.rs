//! Issue 19, for the tray's preferences (moved from core's `parsers_never_panic.rs` with them,
//! issue 22): settings.json's `language`, `favourites` and `switcher_hotkey` keys, and
//! recent.json, fed arbitrary bytes and objects built from the keys they read, must answer with
//! a value or an error, never a panic.

use proptest::prelude::*;
use rolebar_core::schedule::ScheduleError;
use rolebar_core::settings::SettingsFile;
use rolebar_tray::preferences::recent::RecentFile;
use rolebar_tray::preferences::{PreferencesFile, Section, TraySettings};
use serde_json::Value;
use std::path::Path;

fn scratch() -> tempfile::TempDir {
    tempfile::tempdir_in("/dev/shm")
        .or_else(|_| tempfile::tempdir())
        .expect("tempdir")
}

fn preferences_at(path: &Path) -> PreferencesFile {
    SettingsFile::at(path).with_sections::<TraySettings>()
}

/// Bytes as a parser of files meets them: mostly text, some of it not UTF-8.
fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![6 => 0x20u8..0x7f, 1 => Just(b'\n'), 1 => Just(b'\r'), 1 => any::<u8>()],
        0..max,
    )
}

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<f64>().prop_map(Value::from),
        2 => "\\PC{0,16}".prop_map(Value::String),
        2 => prop::sample::select(vec!["en", "ja", "auto", "Ctrl+Alt+R", "", " ", "a\nb"]).prop_map(Value::from),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("\\PC{0,8}", inner, 0..4).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A settings or recent file: objects with the keys the tray reads, values of any kind.
fn preferences_json() -> impl Strategy<Value = Vec<u8>> {
    const KEYS: [&str; 6] = [
        "language",
        "switcher_hotkey",
        "favourites",
        "version",
        "profiles",
        "expiry",
    ];
    let key = prop_oneof![4 => prop::sample::select(KEYS.to_vec()).prop_map(String::from), 1 => "\\PC{0,6}"];
    let root =
        prop::collection::btree_map(key, json_value(), 0..6).prop_map(|m| Value::Object(m.into_iter().collect()));
    prop_oneof![
        4 => root.prop_map(|v| v.to_string().into_bytes()),
        1 => bytes(300),
    ]
}

/// The good files read in every reader, so the strategies' replaced values reach the code after
/// the parse.
#[test]
fn the_good_files_read_in_every_reader() {
    let dir = scratch();
    let path = dir.path().join("settings.json");
    let settings = serde_json::json!({
        "expiry": {"warn_before": ["10m", "2m"], "auto_refresh": ["a"]},
        "keys": {"rotate_after": 90},
        "language": "ja",
        "switcher_hotkey": "Ctrl+Alt+R",
        "favourites": ["a", "b"],
        "mfa_ykman": true
    });
    std::fs::write(&path, settings.to_string()).expect("write");
    let read = preferences_at(&path).load();
    for section in Section::ALL {
        assert_eq!(read.problem(section), None, "{section:?}");
    }
    assert!(read.switcher_hotkey.is_some());
    assert_eq!(read.favourites.len(), 2);

    let path = dir.path().join("state.json");
    std::fs::write(&path, r#"{"version": 1, "profiles": ["a", "b"]}"#).expect("write");
    assert_eq!(RecentFile::at(&path).load().expect("recent").len(), 2);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_preferences_file_reads_or_is_an_error(file in preferences_json()) {
        let dir = scratch();
        let path = dir.path().join("file.json");
        std::fs::write(&path, &file).expect("write");

        let settings = preferences_at(&path).load();
        let _ = settings.problem(Section::Language);
        let _ = preferences_at(&path).update(|s| {
            s.favourites.push("p".into());
            Ok::<(), ScheduleError>(())
        });
        let _ = RecentFile::at(&path).load();
        let _ = RecentFile::at(&path).record("p");
    }
}

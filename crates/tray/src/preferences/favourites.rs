//! Profiles pinned as favourites, kept in the settings file as the top-level `favourites` key
//! (a JSON array of profile names, in the order pinned), beside `language` and `expiry`:
//!
//! ```json
//! {"language": "ja", "favourites": ["oppara-dev", "corp-prod"]}
//! ```
//!
//! Read and written through [`crate::preferences`]: under the file's lock, every other key kept, a
//! broken file or value refused rather than overwritten.

use rolebar_core::schedule::ScheduleError;
use serde_json::{Map, Value};
use std::path::Path;

pub(crate) const KEY: &str = "favourites";

/// Pins `profile` (at the end of `list`) or unpins it; pinning twice keeps one.
pub fn set(list: &mut Vec<String>, profile: &str, pinned: bool) {
    let had = list.iter().any(|p| p == profile);
    match (pinned, had) {
        (true, false) => list.push(profile.to_string()),
        (false, true) => list.retain(|p| p != profile),
        _ => {}
    }
}

/// The list as written to the file; an empty name is refused.
pub(crate) fn to_json(list: &[String]) -> Result<Value, ScheduleError> {
    if let Some(empty) = list.iter().find(|p| p.is_empty()) {
        return Err(ScheduleError::InvalidProfileName { value: empty.clone() });
    }
    Ok(Value::Array(list.iter().cloned().map(Value::String).collect()))
}

pub(crate) fn from_root(path: &Path, root: &Map<String, Value>) -> Result<Vec<String>, ScheduleError> {
    let invalid = |value: &Value| ScheduleError::InvalidSetting {
        path: path.to_path_buf(),
        key: KEY.into(),
        value: value.to_string(),
        reason: "must be a list of profile names, e.g. [\"oppara-dev\"]".into(),
    };
    match root.get(KEY) {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(name) if !name.is_empty() => Ok(name.clone()),
                other => Err(invalid(other)),
            })
            .collect(),
        Some(other) => Err(invalid(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preferences::{temp_settings_file, PreferencesFile as SettingsFile, Section};
    use rolebar_core::settings::SettingsProblem;

    fn load(file: &SettingsFile) -> Result<Vec<String>, SettingsProblem> {
        let settings = file.load();
        match settings.problem(Section::Favourites) {
            Some(problem) => Err(problem.clone()),
            None => Ok(settings.favourites),
        }
    }

    fn pin(file: &SettingsFile, profile: &str, pinned: bool) -> Result<Vec<String>, ScheduleError> {
        file.update(|settings| {
            set(&mut settings.favourites, profile, pinned);
            Ok::<_, ScheduleError>(())
        })
        .map(|settings| settings.favourites)
    }

    #[test]
    fn pins_and_unpins_keeping_the_other_settings() {
        let (_dir, file) = temp_settings_file();
        let path = file.path();
        assert_eq!(load(&file).expect("missing file"), Vec::<String>::new());
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, r#"{"language": "ja", "expiry": {"warn_before": ["5m"]}}"#).expect("write");
        assert_eq!(pin(&file, "b", true).expect("pin"), ["b"]);
        assert_eq!(pin(&file, "a", true).expect("pin"), ["b", "a"]);
        assert_eq!(
            pin(&file, "a", true).expect("again"),
            ["b", "a"],
            "pinning twice keeps one"
        );
        assert_eq!(load(&file).expect("load"), ["b", "a"]);
        assert_eq!(pin(&file, "b", false).expect("unpin"), ["a"]);
        let root: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("json");
        assert_eq!(root["language"], "ja");
        assert_eq!(root["expiry"]["warn_before"][0], "5m");
        assert_eq!(root["favourites"], serde_json::json!(["a"]));
        assert!(matches!(
            pin(&file, "", true),
            Err(ScheduleError::InvalidProfileName { .. })
        ));
    }

    #[test]
    fn a_broken_file_or_value_is_refused_not_overwritten() {
        let (_dir, file) = temp_settings_file();
        let path = file.path();
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        for text in ["{not json", r#"{"favourites": "a"}"#, r#"{"favourites": [1]}"#] {
            std::fs::write(path, text).expect("write");
            let e = pin(&file, "x", true).expect_err(text);
            assert!(e.to_string().contains("settings.json"), "{e}");
            assert!(load(&file).is_err(), "{text}");
            assert_eq!(std::fs::read_to_string(path).expect("read"), text);
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused() {
        let (_dir, file) = temp_settings_file();
        let path = file.path();
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        let status = std::process::Command::new("mkfifo").arg(path).status().expect("mkfifo");
        assert!(status.success());
        let e = pin(&file, "x", true).expect_err("a FIFO");
        assert!(e.to_string().contains("FIFO"), "{e}");
        assert!(load(&file).expect_err("a FIFO").to_string().contains("FIFO"));
    }
}

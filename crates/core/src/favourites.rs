//! Profiles pinned as favourites, kept in the settings file as the top-level `favourites` key
//! (a JSON array of profile names, in the order pinned), beside `language` and `expiry`:
//!
//! ```json
//! {"language": "ja", "favourites": ["oppara-dev", "corp-prod"]}
//! ```
//!
//! Read and written the settings file's careful way (`update_settings`): under its lock, every
//! other key kept, a broken file refused rather than overwritten.

use crate::private_file::{self, KnownFile};
use crate::schedule::settings::{parse_object, read_settings, update_settings};
use crate::schedule::ScheduleError;
use serde_json::{Map, Value};
use std::path::Path;

const KEY: &str = "favourites";

/// The pinned profiles, in the order pinned; a missing file or key is none.
pub fn load(path: &Path) -> Result<Vec<String>, ScheduleError> {
    let bytes = private_file::read(path, KnownFile::SETTINGS)?;
    match read_settings(path, bytes.as_ref().map(|b| b.as_slice()))? {
        Some(text) => from_root(path, &parse_object(path, text)?),
        None => Ok(Vec::new()),
    }
}

/// Pins `profile` (at the end) or unpins it, and returns the favourites as saved. A `favourites`
/// value that is not a list of names is refused, as is a broken file: neither is overwritten.
pub fn set(path: &Path, profile: &str, pinned: bool) -> Result<Vec<String>, ScheduleError> {
    if profile.is_empty() {
        return Err(ScheduleError::InvalidProfileName { value: profile.into() });
    }
    let mut outcome = Ok(Vec::new());
    update_settings(path, |root| {
        let mut list = match from_root(path, root) {
            Ok(list) => list,
            Err(e) => {
                outcome = Err(e);
                return false;
            }
        };
        let had = list.iter().any(|p| p == profile);
        let changed = match (pinned, had) {
            (true, false) => {
                list.push(profile.to_string());
                true
            }
            (false, true) => {
                list.retain(|p| p != profile);
                true
            }
            _ => false,
        };
        if changed {
            root.insert(
                KEY.into(),
                Value::Array(list.iter().cloned().map(Value::String).collect()),
            );
        }
        outcome = Ok(list);
        changed
    })?;
    outcome
}

fn from_root(path: &Path, root: &Map<String, Value>) -> Result<Vec<String>, ScheduleError> {
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
    use crate::schedule::settings::temp_settings_file as settings_file;

    #[test]
    fn pins_and_unpins_keeping_the_other_settings() {
        let (_dir, path) = settings_file();
        assert_eq!(load(&path).expect("missing file"), Vec::<String>::new());
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, r#"{"language": "ja", "expiry": {"warn_before": ["5m"]}}"#).expect("write");
        assert_eq!(set(&path, "b", true).expect("pin"), ["b"]);
        assert_eq!(set(&path, "a", true).expect("pin"), ["b", "a"]);
        assert_eq!(
            set(&path, "a", true).expect("again"),
            ["b", "a"],
            "pinning twice keeps one"
        );
        assert_eq!(load(&path).expect("load"), ["b", "a"]);
        assert_eq!(set(&path, "b", false).expect("unpin"), ["a"]);
        let root: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
        assert_eq!(root["language"], "ja");
        assert_eq!(root["expiry"]["warn_before"][0], "5m");
        assert_eq!(root["favourites"], serde_json::json!(["a"]));
        assert!(matches!(
            set(&path, "", true),
            Err(ScheduleError::InvalidProfileName { .. })
        ));
    }

    #[test]
    fn a_broken_file_or_value_is_refused_not_overwritten() {
        let (_dir, path) = settings_file();
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        for text in ["{not json", r#"{"favourites": "a"}"#, r#"{"favourites": [1]}"#] {
            std::fs::write(&path, text).expect("write");
            let e = set(&path, "x", true).expect_err(text);
            assert!(e.to_string().contains("settings.json"), "{e}");
            assert!(load(&path).is_err(), "{text}");
            assert_eq!(std::fs::read_to_string(&path).expect("read"), text);
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused() {
        let (_dir, path) = settings_file();
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        let status = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .expect("mkfifo");
        assert!(status.success());
        let e = set(&path, "x", true).expect_err("a FIFO");
        assert!(e.to_string().contains("FIFO"), "{e}");
        assert!(load(&path).expect_err("a FIFO").to_string().contains("FIFO"));
    }
}

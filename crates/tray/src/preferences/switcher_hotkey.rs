//! The global key that opens the tray app's quick switcher, kept in the settings file as the
//! top-level `switcher_hotkey` key (an accelerator such as `"Ctrl+Alt+P"`); no key means none,
//! which is the default: a global key is taken from every other program, so only the user turns
//! one on.
//!
//! ```json
//! {"switcher_hotkey": "Ctrl+Alt+P", "favourites": ["oppara-dev"]}
//! ```
//!
//! Only the text is kept here: whether the platform can grab it is the app's to find out.

use rolebar_core::schedule::ScheduleError;
use serde_json::{Map, Value};
use std::path::Path;

pub(crate) const KEY: &str = "switcher_hotkey";
/// Longer than any accelerator (`Ctrl+Shift+Alt+Super+ArrowDown` is 30).
const MAX_LEN: usize = 64;

/// `hotkey` as written to the file (trimmed; `None`: the key left out), if it is one.
pub(crate) fn to_json(path: &Path, hotkey: Option<&str>) -> Result<Option<Value>, ScheduleError> {
    let Some(text) = hotkey.map(str::trim) else {
        return Ok(None);
    };
    if text.is_empty() || text.chars().count() > MAX_LEN || text.chars().any(char::is_control) {
        return Err(invalid(path, &Value::String(text.into())));
    }
    Ok(Some(Value::String(text.into())))
}

fn invalid(path: &Path, value: &Value) -> ScheduleError {
    ScheduleError::InvalidSetting {
        path: path.to_path_buf(),
        key: KEY.into(),
        value: value.to_string(),
        reason: format!("must be a key combination such as \"Ctrl+Alt+P\" (at most {MAX_LEN} characters)"),
    }
}

pub(crate) fn from_root(path: &Path, root: &Map<String, Value>) -> Result<Option<String>, ScheduleError> {
    match root.get(KEY) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) if !text.trim().is_empty() && text.chars().count() <= MAX_LEN => {
            Ok(Some(text.trim().to_string()))
        }
        Some(other) => Err(invalid(path, other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preferences::{temp_settings_file, PreferencesFile as SettingsFile, Section};

    fn load(file: &SettingsFile) -> Option<String> {
        let settings = file.load();
        assert_eq!(settings.problem(Section::SwitcherHotkey), None);
        settings.switcher_hotkey
    }

    fn save(file: &SettingsFile, hotkey: Option<&str>) -> Result<(), ScheduleError> {
        file.update(|settings| {
            settings.switcher_hotkey = hotkey.map(String::from);
            Ok::<_, ScheduleError>(())
        })
        .map(drop)
    }

    #[test]
    fn off_by_default_then_saved_and_removed_keeping_the_other_settings() {
        let (_dir, file) = temp_settings_file();
        let path = file.path();
        assert_eq!(load(&file), None);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, r#"{"language": "ja"}"#).expect("write");
        save(&file, Some(" Ctrl+Alt+P ")).expect("save");
        assert_eq!(load(&file).as_deref(), Some("Ctrl+Alt+P"));
        save(&file, None).expect("remove");
        assert_eq!(load(&file), None);
        let root: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("json");
        assert_eq!(root, serde_json::json!({"language": "ja"}));
    }

    #[test]
    fn nonsense_is_refused_and_a_broken_file_is_not_overwritten() {
        let (_dir, file) = temp_settings_file();
        let path = file.path();
        for bad in ["", "  ", "a\nb", &"x".repeat(65)] {
            assert!(save(&file, Some(bad)).is_err(), "{bad:?}");
        }
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        for text in ["{not json", r#"{"switcher_hotkey": 3}"#] {
            std::fs::write(path, text).expect("write");
            let e = save(&file, Some("Ctrl+Alt+P")).expect_err(text);
            assert!(e.to_string().contains("settings.json"), "{e}");
            assert_eq!(std::fs::read_to_string(path).expect("kept"), text);
        }
    }
}

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

use crate::private_file::{self, KnownFile};
use crate::schedule::settings::{parse_object, read_settings, update_settings};
use crate::schedule::ScheduleError;
use serde_json::{Map, Value};
use std::path::Path;

const KEY: &str = "switcher_hotkey";
/// Longer than any accelerator (`Ctrl+Shift+Alt+Super+ArrowDown` is 30).
const MAX_LEN: usize = 64;

/// The saved hotkey, if any.
pub fn load(path: &Path) -> Result<Option<String>, ScheduleError> {
    let bytes = private_file::read(path, KnownFile::SETTINGS)?;
    match read_settings(path, bytes.as_ref().map(|b| b.as_slice()))? {
        Some(text) => from_root(path, &parse_object(path, text)?),
        None => Ok(None),
    }
}

/// Saves `hotkey` (trimmed), or removes the key with `None`; every other key is kept, and a
/// broken file is refused rather than overwritten.
pub fn save(path: &Path, hotkey: Option<&str>) -> Result<(), ScheduleError> {
    let hotkey = hotkey.map(str::trim);
    if let Some(text) = hotkey {
        if text.is_empty() || text.chars().count() > MAX_LEN || text.chars().any(char::is_control) {
            return Err(invalid(path, &Value::String(text.into())));
        }
    }
    let mut outcome = Ok(());
    update_settings(path, |root| {
        if let Err(e) = from_root(path, root) {
            outcome = Err(e);
            return false;
        }
        match hotkey {
            Some(text) => root.insert(KEY.into(), Value::String(text.into())) != Some(Value::String(text.into())),
            None => root.remove(KEY).is_some(),
        }
    })?;
    outcome
}

fn invalid(path: &Path, value: &Value) -> ScheduleError {
    ScheduleError::InvalidSetting {
        path: path.to_path_buf(),
        key: KEY.into(),
        value: value.to_string(),
        reason: format!("must be a key combination such as \"Ctrl+Alt+P\" (at most {MAX_LEN} characters)"),
    }
}

fn from_root(path: &Path, root: &Map<String, Value>) -> Result<Option<String>, ScheduleError> {
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
    use crate::schedule::settings::temp_settings_file as settings_file;

    #[test]
    fn off_by_default_then_saved_and_removed_keeping_the_other_settings() {
        let (_dir, path) = settings_file();
        assert_eq!(load(&path).expect("no file"), None);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, r#"{"language": "ja"}"#).expect("write");
        save(&path, Some(" Ctrl+Alt+P ")).expect("save");
        assert_eq!(load(&path).expect("load").as_deref(), Some("Ctrl+Alt+P"));
        save(&path, None).expect("remove");
        assert_eq!(load(&path).expect("load"), None);
        let root: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
        assert_eq!(root, serde_json::json!({"language": "ja"}));
    }

    #[test]
    fn nonsense_is_refused_and_a_broken_file_is_not_overwritten() {
        let (_dir, path) = settings_file();
        for bad in ["", "  ", "a\nb", &"x".repeat(65)] {
            assert!(save(&path, Some(bad)).is_err(), "{bad:?}");
        }
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        for text in ["{not json", r#"{"switcher_hotkey": 3}"#] {
            std::fs::write(&path, text).expect("write");
            let e = save(&path, Some("Ctrl+Alt+P")).expect_err(text);
            assert!(e.to_string().contains("settings.json"), "{e}");
            assert_eq!(std::fs::read_to_string(&path).expect("kept"), text);
        }
    }
}

//! The language the tray app speaks, as chosen in its main window: the top-level `language` key
//! of `settings.json` (the file whose `expiry` section [`crate::schedule::ExpirySettings`] keeps).
//!
//! ```json
//! {"language": "ja", "expiry": {"warn_before": ["10m", "2m"]}}
//! ```
//!
//! No key means "follow the system" ([`LanguageSetting::Auto`]); choosing Auto again removes
//! the key, so a file that never had one is left as the user wrote it. Only the tray app reads
//! this: the command line stays English. The catalogues themselves live in the app; this module
//! only knows which codes exist, so a typo in the file is reported rather than ignored.

use crate::private_file::{self, KnownFile};
use crate::schedule::settings::{parse_object, read_settings, update_settings};
use crate::schedule::ScheduleError;
use serde_json::Value;
use std::fmt;
use std::path::Path;
use std::str::FromStr;

const KEY: &str = "language";

/// A language code Rolebar has no catalogue for (or a typo).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown language `{0}`: use en (English), ja (日本語) or auto (the system's)")]
pub struct UnknownLanguage(pub String);

/// A language the app has a catalogue for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Language {
    English,
    Japanese,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::English, Language::Japanese];

    /// The BCP 47 code written to the file and used to pick the catalogue: `en`, `ja`.
    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::Japanese => "ja",
        }
    }

    /// The language of a locale name such as `ja_JP.UTF-8`, `ja-JP`, `en_GB` or `ja`; `None`
    /// for anything else (`C`, `POSIX`, `fr_FR`: the caller decides what to fall back to).
    pub fn from_locale(locale: &str) -> Option<Language> {
        // `ja_JP.UTF-8@modifier` → `ja`: the part before any territory, codeset or modifier.
        let primary = locale
            .split(['_', '-', '.', '@'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        Language::ALL.into_iter().find(|l| l.code() == primary)
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Language {
    type Err = UnknownLanguage;

    /// Exactly a code of [`Language::code`] (the file holds codes, not locale names).
    fn from_str(s: &str) -> Result<Self, UnknownLanguage> {
        Language::ALL
            .into_iter()
            .find(|l| l.code() == s)
            .ok_or_else(|| UnknownLanguage(s.to_string()))
    }
}

/// What the user chose: follow the system's locale, or one language.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum LanguageSetting {
    #[default]
    Auto,
    Fixed(Language),
}

impl LanguageSetting {
    /// Reads the `language` key; a missing file or key is [`LanguageSetting::Auto`].
    pub fn load(path: &Path) -> Result<Self, ScheduleError> {
        let bytes = private_file::read(path, KnownFile::SETTINGS)?;
        match read_settings(path, bytes.as_ref().map(|b| b.as_slice()))? {
            Some(text) => LanguageSetting::from_json(path, text),
            None => Ok(LanguageSetting::Auto),
        }
    }

    /// Parses settings text; `path` only names the file in errors.
    pub fn from_json(path: &Path, text: &str) -> Result<Self, ScheduleError> {
        let root = parse_object(path, text)?;
        match root.get(KEY) {
            None => Ok(LanguageSetting::Auto),
            Some(Value::String(code)) => code
                .parse()
                .map(LanguageSetting::Fixed)
                .map_err(|_| invalid(path, &root[KEY])),
            Some(other) => Err(invalid(path, other)),
        }
    }

    /// Writes this choice into the file under the settings file's lock, keeping every other key
    /// (read again under the lock, so hand edits made since the start survive); a file that is
    /// not a JSON object is refused, not overwritten. Auto removes the key.
    pub fn save(self, path: &Path) -> Result<(), ScheduleError> {
        update_settings(path, |root| match self {
            // Nothing to change when the key is absent: the file's bytes (and formatting) stay.
            LanguageSetting::Auto => root.remove(KEY).is_some(),
            LanguageSetting::Fixed(language) => {
                root.insert(KEY.into(), Value::String(language.code().into()));
                true
            }
        })
    }

    /// The code shown to and sent by the UI: `auto`, `en`, `ja`.
    pub fn code(self) -> &'static str {
        match self {
            LanguageSetting::Auto => "auto",
            LanguageSetting::Fixed(language) => language.code(),
        }
    }

    /// The language this choice gives, with the system's language for Auto.
    pub fn resolve(self, system: Language) -> Language {
        match self {
            LanguageSetting::Auto => system,
            LanguageSetting::Fixed(language) => language,
        }
    }
}

impl FromStr for LanguageSetting {
    type Err = UnknownLanguage;

    /// `auto`, `en` or `ja`.
    fn from_str(s: &str) -> Result<Self, UnknownLanguage> {
        if s == "auto" {
            Ok(LanguageSetting::Auto)
        } else {
            s.parse().map(LanguageSetting::Fixed)
        }
    }
}

fn invalid(path: &Path, value: &Value) -> ScheduleError {
    ScheduleError::InvalidLanguage {
        path: path.to_path_buf(),
        value: value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::settings::temp_settings_file as settings_file;
    use crate::schedule::ExpirySettings;
    use std::collections::BTreeSet;

    #[test]
    fn locale_names_give_their_language() {
        for (locale, language) in [
            ("ja_JP.UTF-8", Some(Language::Japanese)),
            ("ja_JP.eucJP@x", Some(Language::Japanese)),
            ("ja-JP", Some(Language::Japanese)),
            ("ja", Some(Language::Japanese)),
            ("en_GB.UTF-8", Some(Language::English)),
            ("EN-us", Some(Language::English)),
            ("C", None),
            ("C.UTF-8", None),
            ("POSIX", None),
            ("fr_FR.UTF-8", None),
            ("jav_ID", None),
            ("", None),
        ] {
            assert_eq!(Language::from_locale(locale), language, "{locale}");
        }
    }

    #[test]
    fn a_missing_file_or_key_follows_the_system() {
        let (_dir, path) = settings_file();
        assert_eq!(LanguageSetting::load(&path).expect("missing"), LanguageSetting::Auto);
        let text = r#"{"expiry": {"warn_before": ["10m"]}}"#;
        assert_eq!(
            LanguageSetting::from_json(&path, text).expect("no key"),
            LanguageSetting::Auto
        );
        assert_eq!(
            LanguageSetting::from_json(&path, r#"{"language": "ja"}"#).expect("ja"),
            LanguageSetting::Fixed(Language::Japanese)
        );
        assert_eq!(LanguageSetting::Auto.resolve(Language::Japanese), Language::Japanese);
        assert_eq!(
            LanguageSetting::Fixed(Language::English).resolve(Language::Japanese),
            Language::English
        );
    }

    #[test]
    fn a_bad_value_names_the_file_and_what_to_write() {
        let (_dir, path) = settings_file();
        for text in [r#"{"language": "jp"}"#, r#"{"language": 1}"#, r#"{"language": "auto"}"#] {
            let e = LanguageSetting::from_json(&path, text).expect_err(text);
            assert_eq!(e.code(), "invalid_language_setting");
            let message = e.to_string();
            assert!(
                message.contains("settings.json") && message.contains("\"ja\""),
                "{message}"
            );
        }
    }

    #[test]
    fn saving_keeps_the_other_settings_and_auto_removes_the_key() {
        let (_dir, path) = settings_file();
        let expiry = ExpirySettings {
            auto_refresh: BTreeSet::from(["oppara-dev".to_string()]),
            ..ExpirySettings::default()
        };
        expiry.save(&path).expect("save expiry");
        let mut text = std::fs::read_to_string(&path).expect("read");
        text = text.replacen('{', "{\"theme\": \"dark\",", 1);
        std::fs::write(&path, &text).expect("hand edit");

        LanguageSetting::Fixed(Language::Japanese).save(&path).expect("save ja");
        let saved: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
        assert_eq!(saved["language"], "ja");
        assert_eq!(saved["theme"], "dark", "a key Rolebar does not know is kept");
        assert_eq!(ExpirySettings::load(&path).expect("expiry"), expiry);
        assert_eq!(
            LanguageSetting::load(&path).expect("load"),
            LanguageSetting::Fixed(Language::Japanese)
        );

        // The expiry settings, saved later, keep the language too.
        expiry.save(&path).expect("save expiry again");
        assert_eq!(
            LanguageSetting::load(&path).expect("load"),
            LanguageSetting::Fixed(Language::Japanese)
        );

        LanguageSetting::Auto.save(&path).expect("save auto");
        let saved: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
        assert!(saved.get("language").is_none(), "{saved}");
        assert_eq!(saved["theme"], "dark");
    }

    #[test]
    fn a_broken_file_is_refused_not_overwritten() {
        let (_dir, path) = settings_file();
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        let broken = "{\"expiry\": {\"warn_before\": [\"10m\",]}";
        std::fs::write(&path, broken).expect("write");
        let e = LanguageSetting::Fixed(Language::Japanese)
            .save(&path)
            .expect_err("broken");
        assert_eq!(e.code(), "settings_syntax");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), broken, "left as it was");
        std::fs::write(&path, "[1]").expect("write");
        assert!(LanguageSetting::Auto.save(&path).is_err(), "not an object");
    }

    #[test]
    fn ui_codes_round_trip() {
        for setting in [
            LanguageSetting::Auto,
            LanguageSetting::Fixed(Language::English),
            LanguageSetting::Fixed(Language::Japanese),
        ] {
            assert_eq!(setting.code().parse(), Ok(setting));
        }
        let e = "fr".parse::<LanguageSetting>().expect_err("fr");
        assert_eq!(
            e.to_string(),
            "unknown language `fr`: use en (English), ja (日本語) or auto (the system's)"
        );
    }
}

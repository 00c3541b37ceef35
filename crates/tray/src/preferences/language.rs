//! The language the tray app speaks, as chosen in its main window: the top-level `language` key
//! of `settings.json` (read and written through [`crate::preferences`]).
//!
//! ```json
//! {"language": "ja", "expiry": {"warn_before": ["10m", "2m"]}}
//! ```
//!
//! No key means "follow the system" ([`LanguageSetting::Auto`]); choosing Auto again removes
//! the key, so a file that never had one is left as the user wrote it. Only the tray app reads
//! this: the command line stays English. The catalogues themselves live in the app; this module
//! only knows which codes exist, so a typo in the file is reported rather than ignored.

use rolebar_core::schedule::ScheduleError;
use serde_json::{Map, Value};
use std::fmt;
use std::path::Path;
use std::str::FromStr;

pub(crate) const KEY: &str = "language";

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
    /// The `language` key of the settings file's object (none: Auto); `path` only names the
    /// file in errors.
    pub(crate) fn from_root(path: &Path, root: &Map<String, Value>) -> Result<Self, ScheduleError> {
        match root.get(KEY) {
            None => Ok(LanguageSetting::Auto),
            Some(Value::String(code)) => code
                .parse()
                .map(LanguageSetting::Fixed)
                .map_err(|_| invalid(path, &root[KEY])),
            Some(other) => Err(invalid(path, other)),
        }
    }

    /// The key as written to the file: Auto leaves it out, so a file that never had one stays
    /// as the user wrote it.
    pub(crate) fn to_json(self) -> Option<Value> {
        match self {
            LanguageSetting::Auto => None,
            LanguageSetting::Fixed(language) => Some(Value::String(language.code().into())),
        }
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
    use crate::preferences::{temp_settings_file, PreferencesFile as SettingsFile, Section, TraySettings as Settings};
    use rolebar_core::schedule::ExpirySettings;
    use rolebar_core::HasCode;
    use std::collections::BTreeSet;

    fn load(file: &SettingsFile) -> LanguageSetting {
        let settings = file.load();
        assert_eq!(settings.problem(Section::Language), None);
        settings.language
    }

    fn from_json(file: &SettingsFile, text: &str) -> LanguageSetting {
        let settings = Settings::from_json(file.path(), text);
        assert_eq!(settings.problem(Section::Language), None, "{text}");
        settings.language
    }

    fn save(file: &SettingsFile, setting: LanguageSetting) -> Result<(), ScheduleError> {
        file.update(|settings| {
            settings.language = setting;
            Ok::<_, ScheduleError>(())
        })
        .map(drop)
    }

    fn save_expiry(file: &SettingsFile, expiry: &ExpirySettings) {
        file.with_sections::<rolebar_core::settings::Settings>()
            .update(|settings| {
                settings.expiry = expiry.clone();
                Ok::<_, ScheduleError>(())
            })
            .expect("save expiry");
    }

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
        let (_dir, file) = temp_settings_file();
        assert_eq!(load(&file), LanguageSetting::Auto);
        let text = r#"{"expiry": {"warn_before": ["10m"]}}"#;
        assert_eq!(from_json(&file, text), LanguageSetting::Auto);
        assert_eq!(
            from_json(&file, r#"{"language": "ja"}"#),
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
        let (_dir, file) = temp_settings_file();
        for text in [r#"{"language": "jp"}"#, r#"{"language": 1}"#, r#"{"language": "auto"}"#] {
            let settings = Settings::from_json(file.path(), text);
            let e = settings.problem(Section::Language).expect(text);
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
        let (_dir, file) = temp_settings_file();
        let path = file.path();
        let expiry = ExpirySettings {
            auto_refresh: BTreeSet::from(["oppara-dev".to_string()]),
            ..ExpirySettings::default()
        };
        save_expiry(&file, &expiry);
        let mut text = std::fs::read_to_string(path).expect("read");
        text = text.replacen('{', "{\"theme\": \"dark\",", 1);
        std::fs::write(path, &text).expect("hand edit");

        save(&file, LanguageSetting::Fixed(Language::Japanese)).expect("save ja");
        let saved: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("json");
        assert_eq!(saved["language"], "ja");
        assert_eq!(saved["theme"], "dark", "a key Rolebar does not know is kept");
        assert_eq!(
            file.with_sections::<rolebar_core::settings::Settings>().load().expiry,
            expiry
        );
        assert_eq!(load(&file), LanguageSetting::Fixed(Language::Japanese));

        // The expiry settings, changed later, keep the language too.
        let mut later = expiry.clone();
        later.auto_refresh.insert("ops".into());
        save_expiry(&file, &later);
        assert_eq!(
            file.with_sections::<rolebar_core::settings::Settings>().load().expiry,
            later
        );
        assert_eq!(load(&file), LanguageSetting::Fixed(Language::Japanese));

        save(&file, LanguageSetting::Auto).expect("save auto");
        let saved: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("json");
        assert!(saved.get("language").is_none(), "{saved}");
        assert_eq!(saved["theme"], "dark");
    }

    #[test]
    fn a_broken_file_is_refused_not_overwritten() {
        let (_dir, file) = temp_settings_file();
        let path = file.path();
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        let broken = "{\"expiry\": {\"warn_before\": [\"10m\",]}";
        std::fs::write(path, broken).expect("write");
        let e = save(&file, LanguageSetting::Fixed(Language::Japanese)).expect_err("broken");
        assert_eq!(e.code(), "settings_syntax");
        assert_eq!(std::fs::read_to_string(path).expect("read"), broken, "left as it was");
        std::fs::write(path, "[1]").expect("write");
        assert!(save(&file, LanguageSetting::Auto).is_err(), "not an object");
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

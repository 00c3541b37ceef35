//! `settings.json` in the Rolebar config folder (`$XDG_CONFIG_HOME/rolebar/settings.json`):
//! every setting Rolebar keeps there, typed, in one [`Settings`], read and changed through one
//! [`SettingsFile`] by every front end.
//!
//! ```json
//! {
//!   "expiry": {"warn_before": ["10m", "2m"], "auto_refresh": ["oppara-dev"]},
//!   "language": "ja",
//!   "favourites": ["oppara-dev", "corp-prod"],
//!   "switcher_hotkey": "Ctrl+Alt+P",
//!   "mfa_ykman": true,
//!   "keys": {"rotate_after": 90}
//! }
//! ```
//!
//! Each top-level key is a [`Section`], read on its own: a bad value in one is that section's
//! problem (its default applies, the message names the file and the key) while the others are
//! read as written. Keys Rolebar does not know are left as they are. The rules of each section
//! live with what it configures — [`crate::schedule::ExpirySettings`], [`crate::language`],
//! [`crate::favourites`], [`crate::hotkey`], [`crate::mfa::source`],
//! [`crate::rotation::KeySettings`] —; this module is the file and the sections together.

mod file;

pub use file::SettingsFile;

#[cfg(test)]
pub(crate) use file::temp_settings_file;

use crate::error_code::{ErrorCode, HasCode};
use crate::language::LanguageSetting;
use crate::rotation::KeySettings;
use crate::schedule::{ExpirySettings, ScheduleError};
use crate::{favourites, hotkey, mfa, rotation};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::Path;

/// A top-level key of `settings.json` that Rolebar reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Section {
    Expiry,
    Language,
    Favourites,
    SwitcherHotkey,
    MfaYkman,
    Keys,
}

impl Section {
    pub const ALL: [Section; 6] = [
        Section::Expiry,
        Section::Language,
        Section::Favourites,
        Section::SwitcherHotkey,
        Section::MfaYkman,
        Section::Keys,
    ];

    /// Its key in the file: `expiry`, `language`, `favourites`, `switcher_hotkey`,
    /// `mfa_ykman`, `keys`.
    pub fn key(self) -> &'static str {
        match self {
            Section::Expiry => crate::schedule::settings::SECTION,
            Section::Language => crate::language::KEY,
            Section::Favourites => favourites::KEY,
            Section::SwitcherHotkey => hotkey::KEY,
            Section::MfaYkman => mfa::source::YKMAN_SETTING,
            Section::Keys => rotation::reminders::SECTION,
        }
    }
}

/// Everything `settings.json` says, each section with its default where the file says nothing
/// or nothing usable (see [`Settings::problem`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// `expiry`: when to warn before a session ends; which profiles renew by themselves.
    pub expiry: ExpirySettings,
    /// `language`: the tray app's language (no key: the system's).
    pub language: LanguageSetting,
    /// `favourites`: profiles pinned in the tray, in the order pinned.
    pub favourites: Vec<String>,
    /// `switcher_hotkey`: the quick switcher's global key (none unless the user sets one).
    pub switcher_hotkey: Option<String>,
    /// `mfa_ykman`: ykman for every MFA device whose profile does not say otherwise.
    pub mfa_ykman: bool,
    /// `keys`: when to remind about rotating a long-term key.
    pub keys: KeySettings,
    problems: Problems,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Problems {
    /// The file could not be read at all: every section's problem.
    file: Option<SettingsProblem>,
    sections: BTreeMap<Section, SettingsProblem>,
}

/// Why a section holds its default instead of what the file says: the error's code and
/// message (which names the file, and the key and value at fault).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SettingsProblem {
    code: ErrorCode,
    message: String,
}

impl HasCode for SettingsProblem {
    fn error_code(&self) -> ErrorCode {
        self.code
    }
}

impl From<&ScheduleError> for SettingsProblem {
    fn from(e: &ScheduleError) -> Self {
        SettingsProblem {
            code: e.error_code(),
            message: e.to_string(),
        }
    }
}

impl Settings {
    /// Reads settings text as [`SettingsFile::load`] reads the file; `path` only names the
    /// file in messages.
    pub fn from_json(path: &Path, text: &str) -> Settings {
        match file::parse_object(path, text) {
            Ok(root) => Settings::from_root(path, &root),
            Err(e) => Settings::unreadable(&e),
        }
    }

    /// Why `section` holds its default: the file's problem when it could not be read at all,
    /// else the section's own. `None`: read as written (or not in the file).
    pub fn problem(&self, section: Section) -> Option<&SettingsProblem> {
        self.problems
            .file
            .as_ref()
            .or_else(|| self.problems.sections.get(&section))
    }

    fn from_root(path: &Path, root: &Map<String, Value>) -> Settings {
        let mut settings = Settings::default();
        for section in Section::ALL {
            if let Err(e) = settings.read(section, path, root) {
                settings.problems.sections.insert(section, SettingsProblem::from(&e));
            }
        }
        settings
    }

    /// The defaults, with `e` as every section's problem.
    fn unreadable(e: &ScheduleError) -> Settings {
        Settings {
            problems: Problems {
                file: Some(e.into()),
                sections: BTreeMap::new(),
            },
            ..Settings::default()
        }
    }

    /// Whether `section` of the file at `path` holding `root` reads well.
    fn check(section: Section, path: &Path, root: &Map<String, Value>) -> Result<(), ScheduleError> {
        Settings::default().read(section, path, root)
    }

    /// Sets `section` from `root` (untouched on an error).
    fn read(&mut self, section: Section, path: &Path, root: &Map<String, Value>) -> Result<(), ScheduleError> {
        match section {
            Section::Expiry => self.expiry = ExpirySettings::from_root(path, root)?,
            Section::Language => self.language = LanguageSetting::from_root(path, root)?,
            Section::Favourites => self.favourites = favourites::from_root(path, root)?,
            Section::SwitcherHotkey => self.switcher_hotkey = hotkey::from_root(path, root)?,
            Section::MfaYkman => self.mfa_ykman = mfa::source::ykman_everywhere_from_root(path, root)?,
            Section::Keys => self.keys = rotation::reminders::from_root(path, root)?,
        }
        Ok(())
    }

    fn same(&self, other: &Settings, section: Section) -> bool {
        match section {
            Section::Expiry => self.expiry == other.expiry,
            Section::Language => self.language == other.language,
            Section::Favourites => self.favourites == other.favourites,
            Section::SwitcherHotkey => self.switcher_hotkey == other.switcher_hotkey,
            Section::MfaYkman => self.mfa_ykman == other.mfa_ykman,
            Section::Keys => self.keys == other.keys,
        }
    }

    /// `section` as written to the file (`None`: the key left out), once its rules accept it.
    fn to_json(&self, section: Section, path: &Path) -> Result<Option<Value>, ScheduleError> {
        Ok(match section {
            Section::Expiry => Some(self.expiry.to_json()?),
            Section::Language => self.language.to_json(),
            Section::Favourites => Some(favourites::to_json(&self.favourites)?),
            Section::SwitcherHotkey => hotkey::to_json(path, self.switcher_hotkey.as_deref())?,
            Section::MfaYkman => Some(Value::Bool(self.mfa_ykman)),
            Section::Keys => Some(rotation::reminders::to_json(&self.keys, path)?),
        })
    }
}

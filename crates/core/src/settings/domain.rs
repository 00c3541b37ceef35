//! The domain's sections of `settings.json`: `expiry`, `mfa_ykman`, `keys`.

use super::sections::{from_json, Problems, Sections, SettingsProblem};
use crate::rotation::KeySettings;
use crate::schedule::{ExpirySettings, ScheduleError};
use crate::{mfa, rotation};
use serde_json::{Map, Value};
use std::path::Path;

/// A top-level key of `settings.json` that the domain reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Section {
    Expiry,
    MfaYkman,
    Keys,
}

impl Section {
    pub const ALL: [Section; 3] = [Section::Expiry, Section::MfaYkman, Section::Keys];

    /// Its key in the file: `expiry`, `mfa_ykman`, `keys`.
    pub fn key(self) -> &'static str {
        match self {
            Section::Expiry => crate::schedule::settings::SECTION,
            Section::MfaYkman => mfa::source::YKMAN_SETTING,
            Section::Keys => rotation::reminders::SECTION,
        }
    }
}

/// The domain's settings, each section with its default where the file says nothing or
/// nothing usable (see [`Settings::problem`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// `expiry`: when to warn before a session ends; which profiles renew by themselves.
    pub expiry: ExpirySettings,
    /// `mfa_ykman`: ykman for every MFA device whose profile does not say otherwise.
    pub mfa_ykman: bool,
    /// `keys`: when to remind about rotating a long-term key.
    pub keys: KeySettings,
    problems: Problems<Section>,
}

impl Settings {
    /// Reads settings text as [`super::SettingsFile::load`] reads the file; `path` only names the
    /// file in messages.
    pub fn from_json(path: &Path, text: &str) -> Settings {
        from_json(path, text)
    }

    /// Why `section` holds its default: the file's problem when it could not be read at all,
    /// else the section's own. `None`: read as written (or not in the file).
    pub fn problem(&self, section: Section) -> Option<&SettingsProblem> {
        self.problems.get(section)
    }
}

impl Sections for Settings {
    type Section = Section;
    const ALL: &'static [Section] = &Section::ALL;

    fn key(section: Section) -> &'static str {
        section.key()
    }

    fn read(&mut self, section: Section, path: &Path, root: &Map<String, Value>) -> Result<(), ScheduleError> {
        match section {
            Section::Expiry => self.expiry = ExpirySettings::from_root(path, root)?,
            Section::MfaYkman => self.mfa_ykman = mfa::source::ykman_everywhere_from_root(path, root)?,
            Section::Keys => self.keys = rotation::reminders::from_root(path, root)?,
        }
        Ok(())
    }

    fn same(&self, other: &Settings, section: Section) -> bool {
        match section {
            Section::Expiry => self.expiry == other.expiry,
            Section::MfaYkman => self.mfa_ykman == other.mfa_ykman,
            Section::Keys => self.keys == other.keys,
        }
    }

    fn to_json(&self, section: Section, path: &Path) -> Result<Option<Value>, ScheduleError> {
        Ok(match section {
            Section::Expiry => Some(self.expiry.to_json()?),
            Section::MfaYkman => Some(Value::Bool(self.mfa_ykman)),
            Section::Keys => Some(rotation::reminders::to_json(&self.keys, path)?),
        })
    }

    fn problems_mut(&mut self) -> &mut Problems<Section> {
        &mut self.problems
    }
}

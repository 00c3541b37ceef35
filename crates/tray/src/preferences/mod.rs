//! The tray app's own preferences: what only the tray reads, kept beside the domain's settings
//! in `settings.json` (the top-level keys `language`, `favourites`, `switcher_hotkey`) and in
//! the state folder (`recent.json`). settings.json is read and changed through rolebar-core's
//! [`SettingsFile`], with the same rules (lock, atomic, owner-only, other keys kept): these
//! sections are [`TraySettings`], the domain's are [`rolebar_core::settings::Settings`].
//!
//! ```json
//! {"language": "ja", "favourites": ["oppara-dev"], "switcher_hotkey": "Ctrl+Alt+P"}
//! ```

pub mod favourites;
pub mod language;
pub mod recent;
pub mod switcher_hotkey;

use language::LanguageSetting;
use rolebar_core::schedule::ScheduleError;
use rolebar_core::settings::{Problems, Sections, SettingsFile, SettingsProblem};
use serde_json::{Map, Value};
use std::path::Path;

/// settings.json read and changed as the tray's preferences.
pub type PreferencesFile = SettingsFile<TraySettings>;

/// A top-level key of `settings.json` that only the tray reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Section {
    Language,
    Favourites,
    SwitcherHotkey,
}

impl Section {
    pub const ALL: [Section; 3] = [Section::Language, Section::Favourites, Section::SwitcherHotkey];

    /// Its key in the file: `language`, `favourites`, `switcher_hotkey`.
    pub fn key(self) -> &'static str {
        match self {
            Section::Language => language::KEY,
            Section::Favourites => favourites::KEY,
            Section::SwitcherHotkey => switcher_hotkey::KEY,
        }
    }
}

/// The tray's preferences in settings.json, each with its default where the file says nothing
/// or nothing usable (see [`TraySettings::problem`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TraySettings {
    /// `language`: the tray app's language (no key: the system's).
    pub language: LanguageSetting,
    /// `favourites`: profiles pinned in the tray, in the order pinned.
    pub favourites: Vec<String>,
    /// `switcher_hotkey`: the quick switcher's global key (none unless the user sets one).
    pub switcher_hotkey: Option<String>,
    problems: Problems<Section>,
}

impl TraySettings {
    /// Reads settings text as [`SettingsFile::load`] reads the file; `path` only names the
    /// file in messages.
    pub fn from_json(path: &Path, text: &str) -> TraySettings {
        rolebar_core::settings::from_json(path, text)
    }

    /// Why `section` holds its default: the file's problem when it could not be read at all,
    /// else the section's own. `None`: read as written (or not in the file).
    pub fn problem(&self, section: Section) -> Option<&SettingsProblem> {
        self.problems.get(section)
    }
}

impl Sections for TraySettings {
    type Section = Section;
    const ALL: &'static [Section] = &Section::ALL;

    fn key(section: Section) -> &'static str {
        section.key()
    }

    fn read(&mut self, section: Section, path: &Path, root: &Map<String, Value>) -> Result<(), ScheduleError> {
        match section {
            Section::Language => self.language = LanguageSetting::from_root(path, root)?,
            Section::Favourites => self.favourites = favourites::from_root(path, root)?,
            Section::SwitcherHotkey => self.switcher_hotkey = switcher_hotkey::from_root(path, root)?,
        }
        Ok(())
    }

    fn same(&self, other: &TraySettings, section: Section) -> bool {
        match section {
            Section::Language => self.language == other.language,
            Section::Favourites => self.favourites == other.favourites,
            Section::SwitcherHotkey => self.switcher_hotkey == other.switcher_hotkey,
        }
    }

    fn to_json(&self, section: Section, path: &Path) -> Result<Option<Value>, ScheduleError> {
        Ok(match section {
            Section::Language => self.language.to_json(),
            Section::Favourites => Some(favourites::to_json(&self.favourites)?),
            Section::SwitcherHotkey => switcher_hotkey::to_json(path, self.switcher_hotkey.as_deref())?,
        })
    }

    fn problems_mut(&mut self) -> &mut Problems<Section> {
        &mut self.problems
    }
}

/// A settings file in a new temporary folder (not created), for the tests of the preferences.
#[cfg(test)]
pub(crate) fn temp_settings_file() -> (tempfile::TempDir, PreferencesFile) {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = SettingsFile::at(dir.path().join("rolebar").join("settings.json")).with_sections();
    (dir, file)
}

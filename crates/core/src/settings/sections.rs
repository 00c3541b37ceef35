//! What a set of sections of `settings.json` must say for [`super::SettingsFile`] to read and
//! change it: its keys, how each is read, compared and written. Rolebar's own sections are
//! [`super::Settings`]; a front end keeps its preferences (the tray's language, favourites…) in
//! the same file with its own type, under the same file rules.

use crate::error_code::{ErrorCode, HasCode};
use crate::schedule::ScheduleError;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt::Debug;
use std::path::Path;

/// A typed set of top-level keys of `settings.json`, each read on its own.
pub trait Sections: Default + Clone {
    /// One top-level key that this set reads.
    type Section: Copy + Ord + Debug + 'static;

    /// Every section, in the order they are read and written.
    const ALL: &'static [Self::Section];

    /// Its key in the file.
    fn key(section: Self::Section) -> &'static str;

    /// Sets `section` from `root` (untouched on an error); `path` only names the file.
    fn read(&mut self, section: Self::Section, path: &Path, root: &Map<String, Value>) -> Result<(), ScheduleError>;

    /// Whether `self` and `other` hold the same value for `section`.
    fn same(&self, other: &Self, section: Self::Section) -> bool;

    /// `section` as written to the file (`None`: the key left out), once its rules accept it.
    fn to_json(&self, section: Self::Section, path: &Path) -> Result<Option<Value>, ScheduleError>;

    /// Why sections hold their defaults.
    fn problems_mut(&mut self) -> &mut Problems<Self::Section>;
}

/// Why sections hold their defaults: the file's problem, or each section's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problems<K: Ord> {
    /// The file could not be read at all: every section's problem.
    file: Option<SettingsProblem>,
    sections: BTreeMap<K, SettingsProblem>,
}

impl<K: Ord> Default for Problems<K> {
    fn default() -> Self {
        Problems {
            file: None,
            sections: BTreeMap::new(),
        }
    }
}

impl<K: Ord> Problems<K> {
    /// Why `section` holds its default: the file's problem when it could not be read at all,
    /// else the section's own. `None`: read as written (or not in the file).
    pub fn get(&self, section: K) -> Option<&SettingsProblem> {
        self.file.as_ref().or_else(|| self.sections.get(&section))
    }
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

/// Reads settings text as [`super::SettingsFile::load`] reads the file; `path` only names the
/// file in messages.
pub fn from_json<S: Sections>(path: &Path, text: &str) -> S {
    match parse_object(path, text) {
        Ok(root) => from_root(path, &root),
        Err(e) => unreadable(&e),
    }
}

/// Every section of `S` from the file's object, each with its own problem.
pub(super) fn from_root<S: Sections>(path: &Path, root: &Map<String, Value>) -> S {
    let mut settings = S::default();
    for &section in S::ALL {
        if let Err(e) = settings.read(section, path, root) {
            settings
                .problems_mut()
                .sections
                .insert(section, SettingsProblem::from(&e));
        }
    }
    settings
}

/// The defaults, with `e` as every section's problem.
pub(super) fn unreadable<S: Sections>(e: &ScheduleError) -> S {
    let mut settings = S::default();
    settings.problems_mut().file = Some(e.into());
    settings
}

/// Whether `section` of the file at `path` holding `root` reads well.
pub(super) fn check<S: Sections>(
    section: S::Section,
    path: &Path,
    root: &Map<String, Value>,
) -> Result<(), ScheduleError> {
    S::default().read(section, path, root)
}

/// The text as a JSON object; errors give the line and column and name the file.
pub(super) fn parse_object(path: &Path, text: &str) -> Result<Map<String, Value>, ScheduleError> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        let (line, column) = (e.line(), e.column());
        let message = e.to_string();
        let message = message
            .strip_suffix(&format!(" at line {line} column {column}"))
            .unwrap_or(&message)
            .to_string();
        ScheduleError::SettingsSyntax {
            path: path.to_path_buf(),
            line,
            column,
            message,
        }
    })?;
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(ScheduleError::SettingsSyntax {
            path: path.to_path_buf(),
            line: 1,
            column: 1,
            message: "the file must hold a JSON object, e.g. {\"expiry\": {\"warn_before\": [\"10m\", \"2m\"]}}".into(),
        }),
    }
}

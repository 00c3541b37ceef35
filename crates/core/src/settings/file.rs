//! The file itself: where it is, reading it, and changing it under its lock with
//! [`crate::private_file`]'s rules (a regular file of the user's, owner-only, replaced
//! atomically, links followed and kept).

use super::domain::Settings;
use super::sections::{self, Sections};
use crate::private_file::{self, Durability, FileError, KnownFile, Missing};
use crate::schedule::ScheduleError;
use serde_json::{Map, Value};
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// `settings.json`: where it is, and the one way to read ([`load`](Self::load)) or change
/// ([`update`](Self::update)) it, as the sections `S` (the domain's [`Settings`] unless a
/// front end asks for its own with [`with_sections`](Self::with_sections)).
pub struct SettingsFile<S = Settings> {
    path: PathBuf,
    sections: PhantomData<fn() -> S>,
}

impl<S> std::fmt::Debug for SettingsFile<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SettingsFile").field("path", &self.path).finish()
    }
}

impl<S> Clone for SettingsFile<S> {
    fn clone(&self) -> Self {
        SettingsFile {
            path: self.path.clone(),
            sections: PhantomData,
        }
    }
}

impl<S> PartialEq for SettingsFile<S> {
    fn eq(&self, other: &Self) -> bool {
        self.path == other.path
    }
}

impl<S> Eq for SettingsFile<S> {}

impl SettingsFile<Settings> {
    /// The settings file at `path` (tests; a front end uses [`default_location`](Self::default_location)).
    pub fn at(path: impl Into<PathBuf>) -> Self {
        SettingsFile {
            path: path.into(),
            sections: PhantomData,
        }
    }

    /// `settings.json` in the Rolebar config folder (`$XDG_CONFIG_HOME/rolebar`).
    pub fn default_location() -> Result<Self, ScheduleError> {
        Ok(SettingsFile::at(
            dirs::config_dir()
                .ok_or(ScheduleError::NoConfigDir)?
                .join("rolebar")
                .join("settings.json"),
        ))
    }
}

impl<S: Sections> SettingsFile<S> {
    /// The same file, read and changed as the sections `T` (a front end's own preferences),
    /// under the same rules; keys `T` does not know are kept as they are.
    pub fn with_sections<T: Sections>(&self) -> SettingsFile<T> {
        SettingsFile {
            path: self.path.clone(),
            sections: PhantomData,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every setting as the file says now. A missing file or key gives the defaults; a section
    /// that cannot be read gives its default and its problem ([`Settings::problem`]), and a file
    /// that cannot be read at all gives every section that problem.
    pub fn load(&self) -> S {
        let root = private_file::read(&self.path, KnownFile::SETTINGS)
            .map_err(ScheduleError::from)
            .and_then(|bytes| root_of(&self.path, bytes.as_ref().map(|b| b.as_slice())));
        match root {
            Ok(Some(root)) => sections::from_root(&self.path, &root),
            Ok(None) => S::default(),
            Err(e) => sections::unreadable(&e),
        }
    }

    /// Changes the settings with `change`, under the file's lock, and returns them as saved.
    ///
    /// The file is read again under the lock and `change` edits what it holds now, so hand
    /// edits made since the last [`load`](Self::load) are kept. Only the sections `change`
    /// altered are written, each in its own form; every other key (Rolebar's or not) stays as
    /// it was, and an unchanged file is not rewritten (a missing one is created). Refused,
    /// leaving the file as it is: a file that cannot be read (`change` is still called, with
    /// the problem on every section, so it may refuse in its own words first), a changed
    /// section whose value in the file cannot be read (what the user wrote there would be
    /// lost), and a new value its section does not accept.
    pub fn update<E: From<ScheduleError>>(&self, change: impl FnOnce(&mut S) -> Result<(), E>) -> Result<S, E> {
        let path = self.path.as_path();
        let outcome = private_file::update(path, KnownFile::SETTINGS, Missing::Create, Durability::Fsync, |bytes| {
            let mut root = match root_of(path, bytes) {
                Ok(root) => root.unwrap_or_default(),
                Err(broken) => {
                    change(&mut sections::unreadable::<S>(&broken)).map_err(Failed::Change)?;
                    return Err(Failed::Settings(broken));
                }
            };
            let found: S = sections::from_root(path, &root);
            let mut edited = found.clone();
            change(&mut edited).map_err(Failed::Change)?;
            let mut rewrite = bytes.is_none();
            for &section in S::ALL.iter().filter(|s| !found.same(&edited, **s)) {
                sections::check::<S>(section, path, &root).map_err(Failed::Settings)?;
                let value = edited.to_json(section, path).map_err(Failed::Settings)?;
                if root.get(S::key(section)) == value.as_ref() {
                    continue;
                }
                match value {
                    Some(value) => root.insert(S::key(section).into(), value),
                    None => root.remove(S::key(section)),
                };
                rewrite = true;
            }
            let saved: S = sections::from_root(path, &root);
            if !rewrite {
                return Ok((None, saved));
            }
            let mut json = serde_json::to_vec_pretty(&Value::Object(root)).map_err(|e| {
                Failed::Settings(ScheduleError::SettingsWrite {
                    path: path.to_path_buf(),
                    source: std::io::Error::other(e),
                })
            })?;
            json.push(b'\n');
            Ok((Some(Zeroizing::new(json)), saved))
        });
        match outcome {
            Ok((saved, _)) => Ok(saved),
            Err(Failed::Settings(e)) => Err(e.into()),
            Err(Failed::Change(e)) => Err(e),
        }
    }
}

/// Why [`SettingsFile::update`] wrote nothing: the file's or a section's problem, or the
/// caller's own refusal (kept as the caller's type).
enum Failed<E> {
    Settings(ScheduleError),
    Change(E),
}

impl<E> From<FileError> for Failed<E> {
    fn from(e: FileError) -> Self {
        Failed::Settings(e.into())
    }
}

/// The file's top-level object; `None` for a missing file.
fn root_of(path: &Path, bytes: Option<&[u8]>) -> Result<Option<Map<String, Value>>, ScheduleError> {
    read_settings(path, bytes)?
        .map(|text| sections::parse_object(path, text))
        .transpose()
}

/// The settings text, `None` for a missing file.
fn read_settings<'b>(path: &Path, bytes: Option<&'b [u8]>) -> Result<Option<&'b str>, ScheduleError> {
    bytes
        .map(|bytes| {
            std::str::from_utf8(bytes).map_err(|e| ScheduleError::SettingsRead {
                path: path.to_path_buf(),
                source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
            })
        })
        .transpose()
}

/// A settings file in a new temporary folder (not created), for the tests of the modules that
/// keep a section in it.
#[cfg(test)]
pub(crate) fn temp_settings_file() -> (tempfile::TempDir, SettingsFile) {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = SettingsFile::at(dir.path().join("rolebar").join("settings.json"));
    (dir, file)
}

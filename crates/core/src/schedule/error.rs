//! What can go wrong with expiry warnings: bad thresholds, a bad settings file, an unwritable
//! state file. Each variant names the file and the value at fault.

use crate::error_code::{ErrorCode, HasCode};
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScheduleError {
    /// A threshold given in code (not read from a file) is out of range.
    #[error("expiry warning threshold {value} is invalid: {reason}")]
    InvalidThreshold { value: String, reason: String },
    #[error("auto-refresh profile name {value:?} is invalid: it is empty")]
    InvalidProfileName { value: String },
    #[error("no configuration directory: set XDG_CONFIG_HOME or HOME")]
    NoConfigDir,
    #[error("cannot read {}: {source}", path.display())]
    SettingsRead { path: PathBuf, source: std::io::Error },
    #[error("{}:{line}:{column}: {message}", path.display())]
    SettingsSyntax {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{}: {key} = {value} is invalid: {reason}", path.display())]
    InvalidSetting {
        path: PathBuf,
        key: String,
        value: String,
        reason: String,
    },
    #[error("{}: {key} = {value} is invalid: {reason}", path.display())]
    InvalidKeysSetting {
        path: PathBuf,
        key: String,
        value: String,
        reason: String,
    },
    #[error("{}: language = {value} is invalid: use \"en\" or \"ja\", or remove the key to follow the system", path.display())]
    InvalidLanguage { path: PathBuf, value: String },
    #[error("cannot write {}: {source}", path.display())]
    SettingsWrite { path: PathBuf, source: std::io::Error },
    #[error("the expiry warning state {} is unreadable ({detail})", path.display())]
    StateCorrupt { path: PathBuf, detail: String },
    #[error("cannot write the expiry warning state {}: {source}", path.display())]
    StateWrite { path: PathBuf, source: std::io::Error },
    /// Reading or replacing the file itself failed (its kind, mode, links, or I/O).
    #[error(transparent)]
    File(#[from] crate::private_file::FileError),
}

impl HasCode for ScheduleError {
    fn error_code(&self) -> ErrorCode {
        match self {
            ScheduleError::InvalidThreshold { .. } => ErrorCode::InvalidThreshold,
            ScheduleError::InvalidProfileName { .. } => ErrorCode::InvalidProfileName,
            ScheduleError::NoConfigDir => ErrorCode::NoConfigDir,
            ScheduleError::SettingsRead { .. } => ErrorCode::SettingsRead,
            ScheduleError::SettingsSyntax { .. } => ErrorCode::SettingsSyntax,
            ScheduleError::InvalidSetting { .. } => ErrorCode::InvalidExpirySetting,
            ScheduleError::InvalidKeysSetting { .. } => ErrorCode::InvalidKeysSetting,
            ScheduleError::InvalidLanguage { .. } => ErrorCode::InvalidLanguageSetting,
            ScheduleError::SettingsWrite { .. } => ErrorCode::SettingsWrite,
            ScheduleError::StateCorrupt { .. } => ErrorCode::ExpiryStateCorrupt,
            ScheduleError::StateWrite { .. } => ErrorCode::ExpiryStateWrite,
            ScheduleError::File(e) => e.error_code(),
        }
    }
}

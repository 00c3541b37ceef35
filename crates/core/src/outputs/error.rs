//! `OutputError`: what can go wrong when credentials leave Rolebar, each said so a user can act.
//!
//! No variant carries a secret: values are described ("contains a newline"), never shown.

use crate::error_code::{ErrorCode, HasCode};
use std::path::PathBuf;

#[derive(thiserror::Error, Debug)]
#[non_exhaustive]
pub enum OutputError {
    #[error("{name:?} cannot be used as a profile name in a credentials file: {reason}")]
    InvalidProfileName { name: String, reason: &'static str },

    #[error(
        "[{profile}] in {} (line {line}) holds long-term access keys that Rolebar did not write \
         ({holds}); writing a session there would replace them and could lock you out. Pick \
         another profile name, or force the write if you really mean to replace those keys",
        path.display()
    )]
    LongTermKeys {
        profile: String,
        path: PathBuf,
        line: usize,
        /// What the section holds: key names and notes, never values.
        holds: String,
    },

    #[error(
        "[{profile}] in {} (line {line}) was not written by Rolebar (it holds {holds}); Rolebar \
         writes only into sections it created. Pick another profile name, or force the write: \
         the credential keys are then replaced and the section's other lines kept",
        path.display()
    )]
    NotOwned {
        profile: String,
        path: PathBuf,
        line: usize,
        /// What the section holds: key names and notes, never values.
        holds: String,
    },

    #[error(
        "profile `{profile}` is set up in {} (line {line}) with `{key}`: AWS tools resolve that \
         profile through this setting, so keys written under the same name would be ignored or \
         would silently take its place. Write the session to another profile name, for example \
         `{suggestion}`",
        config_path.display()
    )]
    ConfiguredProfile {
        profile: String,
        config_path: PathBuf,
        line: usize,
        key: String,
        suggestion: String,
    },

    #[error(
        "[{profile}] in {} (line {line}) was not written by Rolebar (it has no `manager = rolebar` \
         line); Rolebar only removes sections it wrote, so edit that one by hand if you want it gone",
        path.display()
    )]
    NotManaged {
        profile: String,
        path: PathBuf,
        line: usize,
    },

    #[error("there is no [{profile}] section in {}", path.display())]
    ProfileNotFound { profile: String, path: PathBuf },

    #[error(
        "[{profile}] in {} (line {line}) no longer holds Rolebar's session for `{source_profile}` \
         (changed by hand or by another tool): left as it is",
        path.display()
    )]
    SectionChanged {
        profile: String,
        source_profile: String,
        path: PathBuf,
        line: usize,
    },

    #[error(
        "the session for `{profile}` has no session token; Rolebar writes only temporary \
         credentials from STS to a credentials file"
    )]
    NotTemporary { profile: String },

    #[error("the session for `{profile}` has already expired; start a new session before writing it")]
    SessionExpired { profile: String },

    #[error(
        "{} is not UTF-8 text; Rolebar will not rewrite a file it cannot keep byte for byte. \
         Fix or move that file and try again",
        path.display()
    )]
    NotUtf8 { path: PathBuf },

    /// Reading or replacing the file itself failed (its kind, mode, links, or I/O).
    #[error(transparent)]
    File(#[from] crate::private_file::FileError),

    #[error("the {field} cannot be written to a credentials file: it {reason}")]
    UnwritableValue { field: &'static str, reason: &'static str },

    #[error(
        "{given:?} is not an export format; use one of env, env-no-export, powershell, \
         windows-cmd, fish, process"
    )]
    UnknownExportFormat { given: String },

    #[error("{variable} cannot be written in the {format} format: its value {reason}; use {instead} instead")]
    UnexportableValue {
        format: &'static str,
        variable: &'static str,
        reason: &'static str,
        instead: &'static str,
    },

    #[error("cannot write the session's expiration time as RFC 3339: {source}")]
    TimeFormat { source: time::error::Format },

    #[error("cannot build the credential_process JSON: {source}")]
    Json { source: serde_json::Error },
}

impl HasCode for OutputError {
    fn error_code(&self) -> ErrorCode {
        match self {
            OutputError::InvalidProfileName { .. } => ErrorCode::InvalidProfileName,
            OutputError::LongTermKeys { .. } => ErrorCode::LongTermKeysInTarget,
            OutputError::NotOwned { .. } => ErrorCode::SectionNotOwned,
            OutputError::ConfiguredProfile { .. } => ErrorCode::TargetIsConfiguredProfile,
            OutputError::NotManaged { .. } => ErrorCode::SectionNotManaged,
            OutputError::ProfileNotFound { .. } => ErrorCode::SectionNotFound,
            OutputError::SectionChanged { .. } => ErrorCode::SectionChanged,
            OutputError::NotTemporary { .. } => ErrorCode::SessionNotTemporary,
            OutputError::SessionExpired { .. } => ErrorCode::SessionExpired,
            OutputError::NotUtf8 { .. } => ErrorCode::CredentialsNotUtf8,
            OutputError::File(crate::private_file::FileError::Io { .. }) => ErrorCode::CredentialsIo,
            OutputError::File(e) => e.error_code(),
            OutputError::UnwritableValue { .. } => ErrorCode::UnwritableValue,
            OutputError::UnknownExportFormat { .. } => ErrorCode::UnknownExportFormat,
            OutputError::UnexportableValue { .. } => ErrorCode::UnexportableValue,
            OutputError::TimeFormat { .. } => ErrorCode::TimeFormat,
            OutputError::Json { .. } => ErrorCode::Json,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_say_what_to_do_and_codes_are_stable() {
        let e = OutputError::ConfiguredProfile {
            profile: "dev".into(),
            config_path: PathBuf::from("/h/.aws/config"),
            line: 8,
            key: "role_arn".into(),
            suggestion: "dev-creds".into(),
        };
        let shown = e.to_string();
        assert!(
            shown.contains("`dev-creds`") && shown.contains("line 8") && shown.contains("role_arn"),
            "{shown}"
        );
        assert_eq!(e.code(), "target_is_configured_profile");

        let e = OutputError::InvalidProfileName {
            name: "a\nb".into(),
            reason: "it contains a line break",
        };
        assert!(e.to_string().starts_with("\"a\\nb\""), "{e}");
    }
}

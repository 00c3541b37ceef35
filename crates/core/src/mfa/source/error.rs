//! Why a code source gave no code.

use crate::error_code::{ErrorCode, HasCode};
use std::time::Duration;

/// Why a source gave no code. Never holds a code: not the output, and stderr only masked.
#[derive(Debug, Clone, thiserror::Error)]
pub enum MfaSourceError {
    #[error("profile `{profile}`: cannot run {source_label} for the MFA code of {mfa_serial}: {detail}")]
    CannotStart {
        profile: String,
        mfa_serial: String,
        source_label: String,
        detail: String,
    },
    #[error(
        "profile `{profile}`: {source_label} failed ({status}) for the MFA code of {mfa_serial}{}",
        stderr_text(stderr)
    )]
    Failed {
        profile: String,
        mfa_serial: String,
        source_label: String,
        status: String,
        /// stderr's first line, digit runs that could be a code masked.
        stderr: Option<String>,
    },
    #[error(
        "profile `{profile}`: {source_label} printed no 6-digit MFA code for {mfa_serial}{}",
        stderr_text(stderr)
    )]
    NoCode {
        profile: String,
        mfa_serial: String,
        source_label: String,
        stderr: Option<String>,
    },
    #[error(
        "profile `{profile}`: {source_label} printed more than {cap} bytes without a line end, where a \
         6-digit MFA code for {mfa_serial} was expected; it was stopped"
    )]
    TooMuchOutput {
        profile: String,
        mfa_serial: String,
        source_label: String,
        cap: usize,
    },
    #[error("profile `{profile}`: {source_label} gave no MFA code for {mfa_serial} within {} s; it was stopped (was the key touched?)", waited.as_secs())]
    TimedOut {
        profile: String,
        mfa_serial: String,
        source_label: String,
        waited: Duration,
    },
}

fn stderr_text(stderr: &Option<String>) -> String {
    match stderr {
        Some(line) => format!(": {line}"),
        None => String::new(),
    }
}

impl HasCode for MfaSourceError {
    fn error_code(&self) -> ErrorCode {
        match self {
            MfaSourceError::CannotStart { .. } => ErrorCode::MfaSourceUnavailable,
            MfaSourceError::Failed { .. } => ErrorCode::MfaSourceFailed,
            MfaSourceError::NoCode { .. } | MfaSourceError::TooMuchOutput { .. } => ErrorCode::MfaSourceNoCode,
            MfaSourceError::TimedOut { .. } => ErrorCode::MfaSourceTimeout,
        }
    }
}

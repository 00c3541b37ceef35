//! `CommandError`: how every failure reaches the web view — a stable `code` the UI branches on
//! and a `message` it shows. Never a secret: messages come from rolebar-core's errors, which are
//! written to carry at most a masked key id.

use rolebar_core::outputs::OutputError;
use rolebar_core::schedule::ScheduleError;
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CommandError {
    /// rolebar-core's `Error::code()` / `OutputError::code()`, or one of the app's own codes
    /// listed in [`codes`].
    pub code: String,
    pub message: String,
}

/// The app's own error codes (the core's are in rolebar_core::error and outputs::error).
pub mod codes {
    /// The session asked for is not in the cache (logged out, or expired and cleared).
    pub const SESSION_NOT_FOUND: &str = "session_not_found";
    /// No clipboard could be opened (no X11/Wayland display, or it refused).
    pub const CLIPBOARD_UNAVAILABLE: &str = "clipboard_unavailable";
    /// An argument from the UI was not acceptable (empty name, key id with spaces, …).
    pub const INVALID_INPUT: &str = "invalid_input";
    /// A window could not be opened.
    pub const WINDOW_FAILED: &str = "window_failed";
    /// The MFA dialog answered a request that is no longer the one asked.
    pub const STALE_MFA_REQUEST: &str = "stale_mfa_request";
    /// Start-at-login could not be read or changed.
    pub const AUTOSTART_FAILED: &str = "autostart_failed";
    /// The settings file cannot be changed from the app (it is broken, or there is none).
    pub const SETTINGS_NOT_WRITABLE: &str = "settings_not_writable";
}

impl CommandError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        CommandError {
            code: code.to_string(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for CommandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl std::error::Error for CommandError {}

impl From<rolebar_core::Error> for CommandError {
    fn from(e: rolebar_core::Error) -> Self {
        CommandError::new(e.code(), e.to_string())
    }
}

impl From<OutputError> for CommandError {
    fn from(e: OutputError) -> Self {
        CommandError::new(e.code(), e.to_string())
    }
}

impl From<ScheduleError> for CommandError {
    fn from(e: ScheduleError) -> Self {
        CommandError::new(e.code(), e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_errors_keep_their_code_and_message() {
        let e: CommandError = rolebar_core::Error::MfaCancelled.into();
        assert_eq!(e, CommandError::new("mfa_cancelled", "MFA entry cancelled"));
        let json = serde_json::to_value(&e).expect("serialises");
        assert_eq!(
            json,
            serde_json::json!({ "code": "mfa_cancelled", "message": "MFA entry cancelled" })
        );
    }
}

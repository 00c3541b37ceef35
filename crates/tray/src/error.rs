//! `CommandError`: how every failure reaches the web view — a stable `code` the UI branches on
//! and a `message` it shows. Never a secret: messages come from rolebar-core's errors, which are
//! written to carry at most a masked key id.

use rolebar_core::outputs::OutputError;
use rolebar_core::schedule::ScheduleError;
use rolebar_core::settings::SettingsProblem;
use rolebar_core::HasCode;
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CommandError {
    /// rolebar-core's `Error::code()` / `OutputError::code()`, or one of the app's own codes
    /// listed in [`codes`]: in TypeScript the union of them all (`ErrorCode`, see `all_codes`).
    #[ts(type = "ErrorCode")]
    pub code: String,
    pub message: String,
}

/// The app's own error codes (the core's are `rolebar_core::ErrorCode`). `ALL` goes into the
/// TypeScript `ErrorCode` union beside the core's.
pub mod codes {
    /// The constants and `ALL` from one list, so a code cannot be left out of the union.
    macro_rules! app_codes {
        ($($(#[$doc:meta])* $name:ident = $code:literal,)*) => {
            $($(#[$doc])* pub const $name: &str = $code;)*
            /// Every code of the app's own.
            pub const ALL: &[&str] = &[$($name,)*];
        };
    }

    app_codes! {
        /// No clipboard could be opened (no X11/Wayland display, or it refused).
        CLIPBOARD_UNAVAILABLE = "clipboard_unavailable",
        /// An argument from the UI was not acceptable (empty name, key id with spaces, …).
        INVALID_INPUT = "invalid_input",
        /// A window could not be opened.
        WINDOW_FAILED = "window_failed",
        /// The MFA dialog answered a request that is no longer the one asked.
        STALE_MFA_REQUEST = "stale_mfa_request",
        /// Start-at-login could not be read or changed.
        AUTOSTART_FAILED = "autostart_failed",
        /// The settings file cannot be changed from the app (it is broken, or there is none).
        SETTINGS_NOT_WRITABLE = "settings_not_writable",
        /// The quick switcher's global key could not be grabbed (held by another program, or
        /// no global keys on this platform).
        HOTKEY_FAILED = "hotkey_failed",
        /// The UI's own (`ui/src/api.ts`) for a call the IPC itself failed (refused by the
        /// capabilities, a bug), so every rejection has a code; from Rust only when
        /// `requests::dispatch` cannot write a result as JSON (a bug too).
        IPC_FAILED = "ipc_failed",
        /// The passphrase typed does not open aws-vault's key files (or none was typed).
        AWS_VAULT_PASSPHRASE = "aws_vault_passphrase",
        /// aws-vault's keys could not be read (its folder, its keyring).
        AWS_VAULT_UNREADABLE = "aws_vault_unreadable",
    }
}

/// Every code a `CommandError` can carry, the core's and the app's, sorted.
pub fn all_codes() -> Vec<&'static str> {
    let core = rolebar_core::ErrorCode::ALL.iter().map(|c| c.as_str());
    let mut all: Vec<&str> = core.chain(codes::ALL.iter().copied()).collect();
    all.sort_unstable();
    all.dedup();
    all
}

impl CommandError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        // The UI's `ErrorCode` union is `all_codes()`: a code outside it would reach a UI that
        // cannot name it. Checked in debug builds, so every test that makes an error checks it.
        debug_assert!(all_codes().contains(&code), "`{code}` is not a known error code");
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

impl From<&SettingsProblem> for CommandError {
    fn from(p: &SettingsProblem) -> Self {
        CommandError::new(p.code(), p.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_app_codes_are_not_the_cores() {
        let core: Vec<&str> = rolebar_core::ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        for code in codes::ALL {
            assert!(!core.contains(code), "{code} is the core's already");
        }
        assert_eq!(all_codes().len(), core.len() + codes::ALL.len());
    }

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

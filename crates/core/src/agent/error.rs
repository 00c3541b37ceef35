//! The agent's errors: [`AgentError`] for what goes wrong around the socket (either side), and
//! [`AgentFailure`], the code and message an error reply carries over the wire.
//!
//! Neither ever holds a secret: messages name paths, profiles, codes and durations only.

use crate::error_code::{ErrorCode, HasCode};
use std::path::PathBuf;
use std::time::Duration;

/// An error reply of the agent: a stable code the client branches on, and a message for the user.
/// This is also what a [`super::Handler`] returns when it cannot hand out a session.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct AgentFailure {
    pub code: ErrorCode,
    pub message: String,
}

impl AgentFailure {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        AgentFailure {
            code,
            message: message.into(),
        }
    }

    /// The user pressed Deny in the tray's dialog.
    pub fn denied(profile: &str) -> Self {
        AgentFailure::new(
            ErrorCode::AgentDenied,
            format!("the request for credentials of profile `{profile}` was denied in the Rolebar dialog"),
        )
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        AgentFailure::new(ErrorCode::AgentBadRequest, message)
    }
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AgentError {
    /// The agent answered with an error (a denied dialog, an MFA code that is needed, …): its code
    /// and message are passed on as they are.
    #[error("{}", .0.message)]
    Refused(AgentFailure),

    #[error("cannot reach the Rolebar agent at {}: {source}", path.display())]
    Unavailable { path: PathBuf, source: std::io::Error },

    #[error("the Rolebar agent at {} closed the connection without answering; check that the Rolebar tray app is still running", path.display())]
    Closed { path: PathBuf },

    #[error("{what} is not available on this platform yet: the Rolebar agent needs Unix sockets")]
    Unsupported { what: &'static str },

    #[error(
        "no answer from the Rolebar tray app in {}: {}",
        human_duration(*waited),
        "it may still be waiting for you in its MFA dialog, or be stuck. Answer or close the dialog, \
         or restart Rolebar; ROLEBAR_AGENT_TIMEOUT=SECONDS waits longer"
    )]
    Timeout { waited: Duration },

    #[error("ROLEBAR_AGENT_TIMEOUT={value:?} is not a number of seconds (for example 120); fix or unset it")]
    TimeoutSetting { value: String },

    #[error("another Rolebar agent already answers at {}: quit the other Rolebar first (or set ROLEBAR_AGENT_SOCKET to another path)", path.display())]
    AlreadyRunning { path: PathBuf },

    #[error("{} {reason}: Rolebar will not serve credentials there. {fix}", path.display())]
    SocketUnsafe {
        path: PathBuf,
        /// "is group- or world-accessible (mode 0755)", "belongs to uid 1001", …
        reason: String,
        /// What the user can do.
        fix: String,
    },

    /// The socket's folder (or whatever is at its path) belongs to another user: someone made
    /// it first, e.g. `/tmp/rolebar-<uid>` when `XDG_RUNTIME_DIR` is unset. Rolebar will not use
    /// it, so the agent is off until the user moves the socket elsewhere.
    #[error("{} belongs to uid {owner}, not to you (uid {ours}): the Rolebar agent is off. {fix}", path.display())]
    DirTaken {
        path: PathBuf,
        owner: u32,
        ours: u32,
        /// What the user can do.
        fix: String,
    },

    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("the Rolebar agent sent a reply Rolebar cannot read ({detail}); are the tray app and this command the same version?")]
    BadReply { detail: String },

    #[error("the Rolebar agent speaks protocol version {agent}, this command speaks {ours}: update Rolebar so both are the same version")]
    Version { agent: u64, ours: u64 },

    #[error("a reply of the Rolebar agent is longer than {} bytes", super::frame::MAX_FRAME)]
    FrameTooLarge,
}

impl HasCode for AgentError {
    fn error_code(&self) -> ErrorCode {
        match self {
            AgentError::Refused(failure) => failure.code,
            AgentError::Unavailable { .. } | AgentError::Closed { .. } | AgentError::Unsupported { .. } => {
                ErrorCode::AgentUnavailable
            }
            AgentError::Io { .. } => ErrorCode::AgentUnavailable,
            AgentError::Timeout { .. } => ErrorCode::AgentTimeout,
            AgentError::TimeoutSetting { .. } => ErrorCode::AgentTimeoutSetting,
            AgentError::AlreadyRunning { .. } => ErrorCode::AgentAlreadyRunning,
            AgentError::SocketUnsafe { .. } => ErrorCode::AgentSocketUnsafe,
            AgentError::DirTaken { .. } => ErrorCode::AgentDirTaken,
            AgentError::BadReply { .. } => ErrorCode::AgentBadReply,
            AgentError::Version { .. } => ErrorCode::AgentVersion,
            AgentError::FrameTooLarge => ErrorCode::FrameTooLarge,
        }
    }
}

/// `2m`, `90s` → `1m30s`: a duration as the timeout message shows it.
pub(crate) fn human_duration(d: std::time::Duration) -> String {
    let secs = d.as_secs();
    match (secs / 60, secs % 60) {
        (0, s) => format!("{s}s"),
        (m, 0) => format!("{m}m"),
        (m, s) => format!("{m}m{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_keep_the_agents_code_and_message() {
        let denied = AgentError::Refused(AgentFailure::denied("dev"));
        assert_eq!(denied.code(), "agent_denied");
        assert!(denied.to_string().contains("denied in the Rolebar dialog"), "{denied}");
    }

    #[test]
    fn a_timeout_says_who_did_not_answer_and_for_how_long() {
        let shown = AgentError::Timeout {
            waited: Duration::from_secs(120),
        }
        .to_string();
        assert!(
            shown.starts_with("no answer from the Rolebar tray app in 2m: "),
            "{shown}"
        );
        assert!(shown.contains("ROLEBAR_AGENT_TIMEOUT"), "{shown}");
    }

    #[test]
    fn durations_read_short() {
        use std::time::Duration;
        assert_eq!(super::human_duration(Duration::from_secs(120)), "2m");
        assert_eq!(super::human_duration(Duration::from_secs(90)), "1m30s");
        assert_eq!(super::human_duration(Duration::from_millis(500)), "0s");
    }
}

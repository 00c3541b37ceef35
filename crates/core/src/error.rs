//! The one error type of the library: each variant says what went wrong and what to do about it.
//! Messages never carry secrets: at most a masked key id.

use crate::error_code::{ErrorCode, HasCode};
use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // --- files and profiles ---
    #[error("{}:{line}: {message}", path.display())]
    ConfigSyntax {
        path: PathBuf,
        line: usize,
        message: String,
    },
    /// Several malformed lines in one file (one alone is a [`Error::ConfigSyntax`]): all named at
    /// once, so the user fixes them in one go.
    #[error("{}: {} malformed lines: {}", path.display(), lines.len(), crate::profile::ini::describe(lines))]
    ConfigSyntaxLines {
        path: PathBuf,
        /// In file order.
        lines: Vec<crate::profile::ini::SyntaxError>,
    },
    #[error("cannot read {}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("no home directory: set HOME, or AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE")]
    NoHomeDirectory,
    #[error("profile `{profile}` not found in {} or {}", config.display(), credentials.display())]
    ProfileNotFound {
        profile: String,
        config: PathBuf,
        credentials: PathBuf,
    },
    #[error("profile `{profile}` is already in {} (line {line}); choose another name", path.display())]
    ProfileExists {
        profile: String,
        path: PathBuf,
        line: usize,
    },
    #[error("the new profile's {what} `{value}` cannot be written to ~/.aws/config (empty, spaces around it, or one of [ ] \" # ;)")]
    InvalidNewProfile { what: &'static str, value: String },
    #[error("profile `{profile}`: {key} `{target}` not found ({} line {line})", path.display())]
    ProfileReferenceNotFound {
        profile: String,
        key: &'static str,
        target: String,
        path: PathBuf,
        line: usize,
    },
    #[error("{key} cycle {chain} ({} line {line}): break the loop", path.display())]
    ProfileCycle {
        key: &'static str,
        chain: String,
        path: PathBuf,
        line: usize,
    },
    #[error("profile `{profile}`: {key} `{value}` is invalid ({} line {line}): {reason}", path.display())]
    InvalidSetting {
        profile: String,
        key: &'static str,
        value: String,
        path: PathBuf,
        line: usize,
        reason: String,
    },
    #[error("{variable} is `{value}`, not a URL such as https://sts.example.com: fix or unset it")]
    InvalidEndpointVariable { variable: &'static str, value: String },
    #[error("profile `{profile}` uses {what}: {reason}")]
    UnsupportedProfile {
        profile: String,
        what: &'static str,
        reason: String,
    },
    #[error("profile `{profile}` is {what}; it holds temporary credentials, not long-term keys, so Rolebar cannot get a session from it. {instead}")]
    WrittenByRolebar {
        profile: String,
        /// "a session Rolebar wrote to ~/.aws/credentials from `oppara-dev` (expires …)".
        what: String,
        /// What to use instead.
        instead: String,
    },
    #[error("profile `{profile}` has no long-term keys: store them with `rolebar add {profile}`, or write them in {}", credentials.display())]
    NoKeys { profile: String, credentials: PathBuf },

    // --- the OS keyring ---
    #[error("the OS keyring is not available ({detail}). On Linux start a Secret Service (gnome-keyring, KeePassXC) in your desktop session; Rolebar never falls back to a plain file")]
    KeyringUnavailable { detail: String },
    #[error("the OS keyring is locked ({detail}): unlock your login keyring (log in to your desktop session, or unlock it in Passwords and Keys, or `gnome-keyring-daemon --unlock`) and try again")]
    KeyringLocked { detail: String },
    #[error("the unlock prompt was dismissed (or could not be shown), so the OS keyring stayed locked ({detail}): try again and unlock your login keyring when asked, or unlock it first (log in to your desktop session, or use Passwords and Keys)")]
    KeyringPromptDismissed { detail: String },
    #[error("the OS keyring did not answer within {} s: its Secret Service is on the bus but not replying, often because it waits on an unlock or create-keyring prompt nobody can see. Check that your keyring (gnome-keyring, KeePassXC) is running and unlocked in your desktop session and that `secret-tool search service rolebar` answers at once, then try again (ROLEBAR_KEYRING_TIMEOUT=SECONDS allows a slower keyring more time)", seconds_text(*waited_ms))]
    KeyringTimeout { waited_ms: u64 },
    #[error("the OS keyring refused `{entry}`: {detail}")]
    KeyringFailed { entry: String, detail: String },
    #[error("the cached session `{entry}` in the keyring is unreadable ({detail}); it was removed, ask for a new one")]
    CorruptCacheEntry { entry: String, detail: String },
    #[error("cannot write the session index {}: {source}", path.display())]
    IndexWrite { path: PathBuf, source: std::io::Error },
    /// A file Rolebar reads or replaces (its kind, mode, links, or I/O).
    #[error(transparent)]
    File(#[from] crate::private_file::FileError),

    // --- MFA ---
    #[error("the MFA code must be exactly 6 digits")]
    MfaCodeFormat,
    #[error("AWS rejected the MFA code for {mfa_serial}: check the device and enter the current code")]
    MfaRejected { mfa_serial: String },
    #[error("MFA entry cancelled")]
    MfaCancelled,
    /// The tray's MFA dialog could not be shown: its window process ended (twice) or never
    /// came up.
    #[error("the MFA dialog could not be shown: Rolebar's window process ended before a code was typed; try again (its log says why)")]
    MfaDialogLost,
    /// `mfa_process` or ykman gave no code (the caller chose not to fall back to its prompt).
    /// Boxed: its names and stderr line would make every `Result` of the crate larger.
    #[error(transparent)]
    MfaSource(Box<crate::mfa::source::error::MfaSourceError>),
    /// A profile's `credential_process` gave no credentials (boxed, as `MfaSource`).
    #[error(transparent)]
    CredentialProcess(Box<crate::programs::credential_source::CredentialProcessError>),
    #[error("profile `{profile}` needs an MFA code for {mfa_serial}{}, and nothing can ask for one here: start Rolebar (the tray app) and the code will be asked in its dialog, or {}", mfa_required_why(*.renew), mfa_required_fix(.profile, *.renew))]
    MfaRequired {
        profile: String,
        mfa_serial: String,
        /// A session exists but ends too soon to be handed out: telling the user to "start a
        /// session" would send them to make the one they have (`exec` reuses it).
        renew: bool,
    },

    // --- STS ---
    #[error("profile `{profile}`: access denied by AWS: {message}")]
    AccessDenied { profile: String, message: String },
    #[error("profile `{profile}`: the source credentials have expired: {message}")]
    ExpiredToken { profile: String, message: String },
    #[error("profile `{profile}`: AWS does not know the access key {masked_key_id}: it was deleted or mistyped; store the right keys with `rolebar add {key_profile}`")]
    InvalidClientTokenId {
        profile: String,
        key_profile: String,
        masked_key_id: String,
    },
    #[error("profile `{profile}`: the secret key does not match the access key {masked_key_id}; store the right keys with `rolebar add {key_profile}`")]
    SignatureMismatch {
        profile: String,
        key_profile: String,
        masked_key_id: String,
    },
    #[error("profile `{profile}`: STS is not enabled in region {region}; enable it in IAM account settings or use another region")]
    RegionDisabled { profile: String, region: String },
    #[error("profile `{profile}`: AWS kept throttling STS after {attempts} attempts; wait a minute and try again")]
    Throttled { profile: String, attempts: u32 },
    #[error(
        "profile `{profile}`: STS at {endpoint} did not answer: gave up after {} s ({}, each waiting up to {} s); check the network or proxy, then try again (run the command again, or choose the profile again in the tray)",
        seconds_text(*waited_ms),
        attempts_text(*attempts),
        seconds_text(*attempt_timeout_ms)
    )]
    Timeout {
        profile: String,
        endpoint: String,
        /// How long the call really waited, retries included.
        waited_ms: u64,
        /// Attempts made, the last one possibly cut short by the bound on the whole call.
        attempts: u32,
        attempt_timeout_ms: u64,
    },
    #[error(
        "profile `{profile}`: cannot reach STS at {endpoint} ({detail}); check the network, proxy or endpoint_url"
    )]
    Unreachable {
        profile: String,
        endpoint: String,
        detail: String,
    },
    #[error("profile `{profile}`: STS at {endpoint} sent a reply Rolebar cannot read ({detail})")]
    MalformedReply {
        profile: String,
        endpoint: String,
        detail: String,
    },
    #[error("profile `{profile}`: STS at {endpoint} returned an incomplete or expired reply ({detail}); nothing was cached. Try again; if it keeps happening, a proxy may be cutting or rewriting replies from STS")]
    IncompleteReply {
        profile: String,
        endpoint: String,
        detail: String,
    },
    #[error("profile `{profile}`: STS error {code}: {message}")]
    Sts {
        profile: String,
        code: String,
        message: String,
    },

    // --- credentials out ---
    #[error(transparent)]
    Output(#[from] crate::outputs::error::OutputError),

    // --- expiry warnings ---
    #[error(transparent)]
    Schedule(#[from] crate::schedule::error::ScheduleError),

    // --- the agent (the tray app answering over its socket) ---
    #[error(transparent)]
    Agent(#[from] crate::agent::error::AgentError),

    // --- approvals (a profile that asks before serving a program) ---
    #[error(transparent)]
    Approval(#[from] crate::approvals::error::ApprovalError),

    // --- the container-credentials endpoint (`rolebar exec --server`) ---
    #[error(transparent)]
    Endpoint(#[from] crate::container_endpoint::error::EndpointError),

    // --- console sign-in ---
    #[error(transparent)]
    Console(#[from] crate::console::error::ConsoleError),

    // --- IAM Identity Center (SSO) ---
    #[error(transparent)]
    Sso(#[from] crate::sso::error::SsoError),
    /// IAM Identity Center could not be set up at start (a malformed endpoint variable): only
    /// what needs it fails, with the message and code it failed with.
    #[error("{message}")]
    SsoUnavailable { code: ErrorCode, message: String },

    // --- key rotation ---
    /// Boxed: its messages carry several key names, and every `Result` of the crate would grow.
    #[error(transparent)]
    Rotation(Box<crate::rotation::error::RotationError>),

    // --- sessions ---
    #[error("that session is gone (logged out or expired): assume the profile again")]
    SessionNotFound { entry: String },

    // --- running commands ---
    #[error("already inside `rolebar exec` for profile `{profile}`: exit that shell first, or unset ROLEBAR_PROFILE")]
    NestedExec { profile: String },

    // --- profile names (keys.rs) ---
    /// `name` is shown escaped (`\n`, `\u{7}`), so a control character cannot garble the message.
    #[error("`{name}` cannot be a profile name: {reason}")]
    InvalidProfileName { name: String, reason: &'static str },
}

impl From<crate::mfa::source::error::MfaSourceError> for Error {
    fn from(e: crate::mfa::source::error::MfaSourceError) -> Self {
        Error::MfaSource(Box::new(e))
    }
}

impl From<crate::programs::credential_source::CredentialProcessError> for Error {
    fn from(e: crate::programs::credential_source::CredentialProcessError) -> Self {
        Error::CredentialProcess(Box::new(e))
    }
}

impl From<crate::rotation::error::RotationError> for Error {
    fn from(e: crate::rotation::error::RotationError) -> Self {
        Error::Rotation(Box::new(e))
    }
}

/// Any library error crosses the agent's socket as its code and its message (which never hold
/// secrets). Here rather than beside `AgentFailure`, so the agent's error module does not name
/// this one back.
impl From<&Error> for crate::agent::error::AgentFailure {
    fn from(error: &Error) -> Self {
        crate::agent::error::AgentFailure::new(error.error_code(), error.to_string())
    }
}

impl From<Error> for crate::agent::error::AgentFailure {
    fn from(error: Error) -> Self {
        crate::agent::error::AgentFailure::from(&error)
    }
}

/// Seconds from milliseconds as a person reads them: tenths below ten seconds (cut, not rounded,
/// so a message never claims more time than passed), whole seconds above.
fn seconds_text(ms: u64) -> String {
    if ms < 10_000 {
        format!("{}.{}", ms / 1000, (ms % 1000) / 100)
    } else {
        (ms / 1000).to_string()
    }
}

fn attempts_text(n: u32) -> String {
    if n == 1 {
        "1 attempt".into()
    } else {
        format!("{n} attempts")
    }
}

impl HasCode for Error {
    fn error_code(&self) -> ErrorCode {
        match self {
            Error::ConfigSyntax { .. } => ErrorCode::ConfigSyntax,
            Error::ConfigSyntaxLines { .. } => ErrorCode::ConfigSyntax,
            Error::Read { .. } => ErrorCode::ReadFailed,
            Error::NoHomeDirectory => ErrorCode::NoHome,
            Error::ProfileNotFound { .. } => ErrorCode::ProfileNotFound,
            Error::ProfileExists { .. } => ErrorCode::ProfileExists,
            Error::InvalidNewProfile { .. } => ErrorCode::InvalidSetting,
            Error::ProfileReferenceNotFound { .. } => ErrorCode::ProfileReferenceNotFound,
            Error::ProfileCycle { .. } => ErrorCode::ProfileCycle,
            Error::InvalidSetting { .. } => ErrorCode::InvalidSetting,
            Error::InvalidEndpointVariable { .. } => ErrorCode::InvalidSetting,
            Error::UnsupportedProfile { .. } => ErrorCode::UnsupportedProfile,
            Error::WrittenByRolebar { .. } => ErrorCode::WrittenByRolebar,
            Error::NoKeys { .. } => ErrorCode::NoKeys,
            Error::KeyringUnavailable { .. } => ErrorCode::KeyringUnavailable,
            Error::KeyringLocked { .. } => ErrorCode::KeyringLocked,
            Error::KeyringPromptDismissed { .. } => ErrorCode::KeyringPromptDismissed,
            Error::KeyringTimeout { .. } => ErrorCode::KeyringTimeout,
            Error::KeyringFailed { .. } => ErrorCode::KeyringFailed,
            Error::CorruptCacheEntry { .. } => ErrorCode::CorruptCacheEntry,
            Error::IndexWrite { .. } => ErrorCode::IndexWrite,
            Error::File(e) => e.error_code(),
            Error::MfaCodeFormat => ErrorCode::MfaCodeFormat,
            Error::MfaRejected { .. } => ErrorCode::MfaRejected,
            Error::MfaCancelled => ErrorCode::MfaCancelled,
            Error::MfaDialogLost => ErrorCode::MfaDialogLost,
            Error::MfaRequired { .. } => ErrorCode::MfaRequired,
            Error::MfaSource(e) => e.error_code(),
            Error::CredentialProcess(e) => e.error_code(),
            Error::AccessDenied { .. } => ErrorCode::AccessDenied,
            Error::ExpiredToken { .. } => ErrorCode::ExpiredToken,
            Error::InvalidClientTokenId { .. } => ErrorCode::InvalidClientTokenId,
            Error::SignatureMismatch { .. } => ErrorCode::SignatureMismatch,
            Error::RegionDisabled { .. } => ErrorCode::RegionDisabled,
            Error::Throttled { .. } => ErrorCode::Throttled,
            Error::Timeout { .. } => ErrorCode::Timeout,
            Error::Unreachable { .. } => ErrorCode::Unreachable,
            Error::MalformedReply { .. } => ErrorCode::MalformedReply,
            Error::IncompleteReply { .. } => ErrorCode::IncompleteReply,
            Error::Sts { .. } => ErrorCode::StsError,
            Error::NestedExec { .. } => ErrorCode::NestedExec,
            Error::SessionNotFound { .. } => ErrorCode::SessionNotFound,
            Error::Agent(e) => e.error_code(),
            Error::Approval(e) => e.error_code(),
            Error::Endpoint(_) => ErrorCode::EndpointFailed,
            Error::Console(e) => e.error_code(),
            Error::Sso(e) => e.error_code(),
            Error::SsoUnavailable { code, .. } => *code,
            Error::Rotation(e) => e.error_code(),
            Error::InvalidProfileName { .. } => ErrorCode::InvalidProfileName,
            Error::Schedule(e) => e.error_code(),
            Error::Output(e) => e.error_code(),
        }
    }
}

/// Why [`Error::MfaRequired`] needs a code, when a session exists.
fn mfa_required_why(renew: bool) -> &'static str {
    if renew {
        " (its session has too little time left to be handed out here)"
    } else {
        ""
    }
}

/// What the user can run instead, for [`Error::MfaRequired`].
fn mfa_required_fix(profile: &str, renew: bool) -> String {
    if renew {
        format!("renew it with `rolebar clear {profile} && rolebar exec {profile} -- true`")
    } else {
        format!("start a session first with `rolebar exec {profile} -- true`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::AgentFailure;

    #[test]
    fn a_core_error_crosses_the_socket_as_its_code_and_message() {
        let from_core = AgentFailure::from(Error::MfaCancelled);
        assert_eq!(from_core.code, ErrorCode::MfaCancelled);
        assert_eq!(from_core.message, "MFA entry cancelled");
    }
}

//! `ErrorCode`: every stable code an error of rolebar-core can carry, as one enum, and
//! [`HasCode`], the one trait every error type answers it through. An error type writes only
//! `error_code()`, which can only answer with a variant of this enum, so `ErrorCode::ALL` is the
//! complete list: the tray app exports it to TypeScript and the UI branches on a typed code.

/// Declares the enum, its strings and `ALL` from one list, so none of the three can miss a code.
macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident = $code:literal,)*) => {
        /// A stable error code (`snake_case`), what the UI and scripts branch on.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)*
        }

        impl ErrorCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)*
                }
            }

            /// The code spelled `code` (as a reply of the agent carries it), if it is one.
            pub fn from_code(code: &str) -> Option<ErrorCode> {
                match code {
                    $($code => Some(ErrorCode::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

/// An error with a stable code, what the UI and scripts branch on (never on the message text).
pub trait HasCode {
    /// The code as an `ErrorCode` (the complete list the UI is given).
    fn error_code(&self) -> ErrorCode;

    /// The code spelled out (`profile_not_found`, `settings_syntax`, …).
    fn code(&self) -> &'static str {
        self.error_code().as_str()
    }
}

error_codes! {
    // crate::Error
    ConfigSyntax = "config_syntax",
    ReadFailed = "read_failed",
    NoHome = "no_home",
    ProfileNotFound = "profile_not_found",
    ProfileExists = "profile_exists",
    ProfileReferenceNotFound = "profile_reference_not_found",
    ProfileCycle = "profile_cycle",
    InvalidSetting = "invalid_setting",
    UnsupportedProfile = "unsupported_profile",
    WrittenByRolebar = "written_by_rolebar",
    NoKeys = "no_keys",
    KeyringUnavailable = "keyring_unavailable",
    KeyringLocked = "keyring_locked",
    KeyringPromptDismissed = "keyring_prompt_dismissed",
    KeyringTimeout = "keyring_timeout",
    KeyringFailed = "keyring_failed",
    CorruptCacheEntry = "corrupt_cache_entry",
    IndexWrite = "index_write",
    MfaCodeFormat = "mfa_code_format",
    MfaRejected = "mfa_rejected",
    MfaCancelled = "mfa_cancelled",
    MfaDialogLost = "mfa_dialog_lost",
    MfaRequired = "mfa_required",
    AccessDenied = "access_denied",
    ExpiredToken = "expired_token",
    InvalidClientTokenId = "invalid_client_token_id",
    SignatureMismatch = "signature_mismatch",
    RegionDisabled = "region_disabled",
    Throttled = "throttled",
    Timeout = "timeout",
    Unreachable = "unreachable",
    MalformedReply = "malformed_reply",
    IncompleteReply = "incomplete_reply",
    StsError = "sts_error",
    NestedExec = "nested_exec",
    SessionNotFound = "session_not_found",
    /// `rolebar exec --server` could not listen or make its token.
    EndpointFailed = "endpoint_failed",
    InvalidProfileName = "invalid_profile_name",
    // outputs::OutputError
    LongTermKeysInTarget = "long_term_keys_in_target",
    SectionNotOwned = "section_not_owned",
    TargetIsConfiguredProfile = "target_is_configured_profile",
    SectionNotManaged = "section_not_managed",
    SectionNotFound = "section_not_found",
    SectionChanged = "section_changed",
    SessionNotTemporary = "session_not_temporary",
    SessionExpired = "session_expired",
    CredentialsNotUtf8 = "credentials_not_utf8",
    CredentialsIo = "credentials_io",
    UnwritableValue = "unwritable_value",
    UnknownExportFormat = "unknown_export_format",
    UnexportableValue = "unexportable_value",
    TimeFormat = "time_format",
    Json = "json",
    // schedule::ScheduleError
    InvalidThreshold = "invalid_threshold",
    NoConfigDir = "no_config_dir",
    SettingsRead = "settings_read",
    SettingsSyntax = "settings_syntax",
    InvalidExpirySetting = "invalid_expiry_setting",
    InvalidLanguageSetting = "invalid_language_setting",
    SettingsWrite = "settings_write",
    ExpiryStateCorrupt = "expiry_state_corrupt",
    ExpiryStateWrite = "expiry_state_write",
    // private_file::FileError
    NotARegularFile = "not_a_regular_file",
    FileReadOnly = "file_read_only",
    FileHardLinked = "file_hard_linked",
    SymlinkLoop = "symlink_loop",
    /// A file is larger than Rolebar reads (1 MiB for its JSON files, 16 MiB for the AWS INI files).
    FileTooLarge = "file_too_large",
    FileIo = "file_io",
    // mfa_source::MfaSourceError
    /// `mfa_process` or `ykman` could not be started (not installed, not on PATH).
    MfaSourceUnavailable = "mfa_source_unavailable",
    /// `mfa_process` or `ykman` exited with an error.
    MfaSourceFailed = "mfa_source_failed",
    /// `mfa_process` or `ykman` printed something other than a 6-digit code.
    MfaSourceNoCode = "mfa_source_no_code",
    /// `mfa_process` or `ykman` gave no code within its time (60 s).
    MfaSourceTimeout = "mfa_source_timeout",
    // programs::credential_source::CredentialProcessError
    /// A profile's `credential_process` could not be started (not found, not split into words).
    CredentialProcessUnavailable = "credential_process_unavailable",
    /// A profile's `credential_process` exited with an error (or was stopped by the terminal).
    CredentialProcessFailed = "credential_process_failed",
    /// A profile's `credential_process` printed no usable version 1 JSON.
    CredentialProcessBadReply = "credential_process_bad_reply",
    /// A profile's `credential_process` gave nothing within its time (60 s).
    CredentialProcessTimeout = "credential_process_timeout",
    /// A profile's `credential_process` would call Rolebar for itself (no keys in the keyring).
    CredentialProcessLoop = "credential_process_loop",
    // agent::AgentError, and the error replies of the agent's protocol (docs/agent-protocol.md)
    /// No agent answers at the socket, or it could not be reached or started.
    AgentUnavailable = "agent_unavailable",
    /// The agent did not answer within the client's timeout.
    AgentTimeout = "agent_timeout",
    /// ROLEBAR_AGENT_TIMEOUT is not a number of seconds.
    AgentTimeoutSetting = "agent_timeout_setting",
    /// Another agent already serves the socket.
    AgentAlreadyRunning = "agent_already_running",
    /// The socket or its folder is not private to the user (or not a socket).
    AgentSocketUnsafe = "agent_socket_unsafe",
    /// The connecting process belongs to another user.
    AgentPeerRefused = "agent_peer_refused",
    /// A request the agent cannot read (malformed JSON, unknown op, bad field).
    AgentBadRequest = "agent_bad_request",
    /// A reply the client cannot read.
    AgentBadReply = "agent_bad_reply",
    /// Client and agent speak different protocol versions.
    AgentVersion = "agent_version",
    /// A line longer than the protocol's frame cap.
    FrameTooLarge = "frame_too_large",
    /// The user pressed Deny in the tray's dialog.
    AgentDenied = "agent_denied",
    /// Every connection slot of the agent is taken (and none came free within its grace).
    AgentBusy = "agent_busy",
    /// The agent's runtime folder belongs to another user: the agent is off.
    AgentDirTaken = "agent_dir_taken",
    // approvals::ApprovalError
    /// The profile asks before serving a program, and no dialog can ask (no tray, no display).
    ApprovalRequired = "approval_required",
    /// approvals.json cannot be read (not JSON, an unknown version).
    ApprovalsCorrupt = "approvals_corrupt",
    // console::ConsoleError (console sign-in)
    /// The region cannot be a console's (not a host name label, or an isolated partition).
    ConsoleRegionInvalid = "console_region_invalid",
    /// AWS_ENDPOINT_URL_SIGNIN is not a base URL.
    SigninEndpointInvalid = "signin_endpoint_invalid",
    /// The console session length asked is outside what AWS accepts for that session.
    ConsoleDurationInvalid = "console_duration_invalid",
    /// The sign-in service did not answer in time.
    SigninTimeout = "signin_timeout",
    /// The sign-in service could not be reached.
    SigninUnreachable = "signin_unreachable",
    /// The sign-in service answered with an HTTP error.
    SigninRefused = "signin_refused",
    /// The sign-in service's reply is not JSON with a SigninToken.
    SigninBadReply = "signin_bad_reply",
    /// No browser could be started.
    BrowserFailed = "browser_failed",
    // crate::sso::SsoError (IAM Identity Center)
    /// AWS_ENDPOINT_URL_SSO_OIDC, AWS_ENDPOINT_URL_SSO or AWS_ENDPOINT_URL is not a base URL.
    SsoEndpointInvalid = "sso_endpoint_invalid",
    /// A file of the SSO token cache (~/.aws/sso/cache) cannot be read as a token.
    SsoCacheCorrupt = "sso_cache_corrupt",
    /// No usable sign-in, and nothing here may open a browser: `rolebar login-sso NAME`.
    SsoSignInRequired = "sso_sign_in_required",
    /// The portal refused the access token (revoked or expired): sign in again.
    SsoTokenRejected = "sso_token_rejected",
    /// The signed-in user has no access to that account's role.
    SsoRoleDenied = "sso_role_denied",
    /// The user declined the sign-in in the browser.
    SsoSignInDeclined = "sso_sign_in_declined",
    /// The browser sign-in was not completed in time.
    SsoSignInTimeout = "sso_sign_in_timeout",
    /// A redirect with a state Rolebar did not make was refused.
    SsoStateMismatch = "sso_state_mismatch",
    /// CreateToken refused the sign-in's code (spent, expired, or a wrong PKCE verifier).
    SsoSignInRejected = "sso_sign_in_rejected",
    /// The device code expired before it was approved.
    SsoDeviceCodeExpired = "sso_device_code_expired",
    /// The loopback listener for the redirect could not be opened.
    SsoLoopbackFailed = "sso_loopback_failed",
    /// IAM Identity Center could not be reached.
    SsoUnreachable = "sso_unreachable",
    /// IAM Identity Center did not answer in time.
    SsoTimeout = "sso_timeout",
    /// IAM Identity Center answered with an error.
    SsoRefused = "sso_refused",
    /// IAM Identity Center's reply is incomplete or unreadable.
    SsoBadReply = "sso_bad_reply",
    /// The OS gave no randomness for the PKCE verifier or state.
    SsoRandomFailed = "sso_random_failed",
    // rotation::RotationError (`rolebar rotate`), and the `keys` settings
    /// The profile's keys are not in the keyring (a file's, or a role profile).
    RotateNotKeyringKeys = "rotate_not_keyring_keys",
    /// The IAM user already has two access keys.
    RotateTwoKeys = "rotate_two_keys",
    /// IAM refused a call of the rotation; nothing changed.
    IamAccessDenied = "iam_access_denied",
    /// IAM (or STS, checking the new key) could not be reached; nothing changed.
    IamUnreachable = "iam_unreachable",
    /// Another IAM error; nothing changed.
    IamError = "iam_error",
    /// Failed after CreateAccessKey; the new key was deleted again, the old one kept.
    RotateAborted = "rotate_aborted",
    /// Failed after CreateAccessKey; the old key is kept, the new one is left at AWS.
    RotateNewKeyLeft = "rotate_new_key_left",
    /// The new key is stored; the old one could not be deleted and is still active.
    RotateOldKeyLeft = "rotate_old_key_left",
    /// CreateAccessKey got no usable reply and IAM could not be asked whether it made a key:
    /// an unused key may be left at AWS. The old key is kept.
    RotateOutcomeUnknown = "rotate_outcome_unknown",
    /// `rotate --delete-key`: no single key of the user matches.
    RotateKeyNotFound = "rotate_key_not_found",
    /// `keys.rotate_after` in settings.json is not a number of days.
    InvalidKeysSetting = "invalid_keys_setting",
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;

    #[test]
    fn codes_are_distinct_snake_case() {
        let mut seen = std::collections::BTreeSet::new();
        for code in ErrorCode::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "{s} twice");
            assert!(
                !s.is_empty()
                    && s.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{s}"
            );
            assert_eq!(ErrorCode::from_code(s), Some(*code));
        }
        assert_eq!(ErrorCode::from_code("no_such_code"), None);
    }
}

//! What can go wrong rotating a key. Every message says what state the keys are in afterwards
//! (which key the keyring holds, which key is left at AWS) and what to run next. Key ids appear
//! masked only (`****MPLE`); no secret is ever part of an error.

use crate::error_code::ErrorCode;

/// How one IAM or STS call failed, as the rotation steps tell failures apart. Produced by a
/// [`KeyApi`](super::KeyApi) (the SDK's, or a test double).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IamFailure {
    /// AccessDenied: the caller's policy does not allow the action (maybe not without MFA).
    #[error("access denied: {message}")]
    AccessDenied { message: String },
    /// LimitExceeded: the user already has the two access keys IAM allows.
    #[error("the user already has two access keys ({message})")]
    KeyLimit { message: String },
    /// InvalidClientTokenId / SignatureDoesNotMatch: AWS does not (yet) know the signing key.
    /// Right after CreateAccessKey this is IAM's eventual consistency, not a bad key.
    #[error("AWS does not accept the key ({code})")]
    KeyRejected { code: String },
    /// NoSuchEntity: the key to delete is not the user's (or is gone already).
    #[error("no such key ({message})")]
    NoSuchKey { message: String },
    /// The endpoint could not be reached or did not answer in time.
    #[error("cannot reach {endpoint} ({detail})")]
    Unreachable { endpoint: String, detail: String },
    /// Any other error reply.
    #[error("{code}: {message}")]
    Other { code: String, message: String },
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RotationError {
    /// The profile's keys are not in the keyring (they are in a file, or it is a role profile).
    #[error("profile `{profile}`: {reason}")]
    NotKeyringKeys { profile: String, reason: String },
    #[error("profile `{profile}`: the IAM user{} already has two access keys, the most IAM allows: the one in the keyring ({current}) and {}. Delete the other one first if it is unused ({}), then rotate again", user_text(user), other.as_deref().unwrap_or("another one"), delete_hint(profile, other))]
    TwoKeys {
        profile: String,
        user: Option<String>,
        current: String,
        /// The other key, masked (unknown when ListAccessKeys was not allowed).
        other: Option<String>,
    },
    #[error("profile `{profile}`: IAM refused {action} ({message}); nothing was changed. {hint}")]
    AccessDenied {
        profile: String,
        action: &'static str,
        message: String,
        /// What to try: set mfa_serial when no MFA session was used, check the policy otherwise.
        hint: String,
    },
    #[error(
        "profile `{profile}`: {action} failed ({failure}); nothing was changed: the keyring still holds {current}"
    )]
    Failed {
        profile: String,
        action: &'static str,
        failure: IamFailure,
        current: String,
    },
    /// A failure after CreateAccessKey, the new key deleted again: as if nothing happened.
    #[error("profile `{profile}`: {cause}. The new key {new_key} was deleted again; the keyring still holds the old key {old_key}, which still works. Nothing to clean up: try again later")]
    Aborted {
        profile: String,
        cause: String,
        new_key: String,
        old_key: String,
    },
    /// A failure after CreateAccessKey, and the new key could not be deleted again.
    #[error("profile `{profile}`: {cause}. The keyring still holds the old key {old_key}, which still works, but the new key {new_key} is left at AWS{}, unused: delete it with `rolebar rotate {profile} --delete-key {new_key}` (or in the IAM console: the access key ending {new_tail}); it could not be deleted now ({cleanup})", user_text(user))]
    NewKeyLeft {
        profile: String,
        cause: String,
        new_key: String,
        new_tail: String,
        old_key: String,
        user: Option<String>,
        cleanup: String,
    },
    /// The new key is stored and works; deleting the old one failed.
    #[error("profile `{profile}`: the new key {new_key} is stored in the keyring and works, but deleting the old key {old_key} failed ({cause}): it is still active at AWS{}. Delete it with `rolebar rotate {profile} --delete-key {old_key}` (or in the IAM console: the access key ending {old_tail})", user_text(user))]
    OldKeyLeft {
        profile: String,
        cause: String,
        new_key: String,
        old_key: String,
        old_tail: String,
        user: Option<String>,
    },
    /// `--delete-key`: no key of the user matches, several do, or it is the keyring's own.
    #[error("profile `{profile}`: {reason}")]
    KeyNotFound { profile: String, reason: String },
}

fn delete_hint(profile: &str, other: &Option<String>) -> String {
    match other {
        Some(key) => format!("`rolebar rotate {profile} --delete-key {key}`, or in the IAM console"),
        None => "in the IAM console: Users, the user, Security credentials".to_string(),
    }
}

fn user_text(user: &Option<String>) -> String {
    user.as_ref().map(|u| format!(" `{u}`")).unwrap_or_default()
}

impl RotationError {
    pub fn code(&self) -> &'static str {
        self.error_code().as_str()
    }

    pub fn error_code(&self) -> ErrorCode {
        match self {
            RotationError::NotKeyringKeys { .. } => ErrorCode::RotateNotKeyringKeys,
            RotationError::TwoKeys { .. } => ErrorCode::RotateTwoKeys,
            RotationError::AccessDenied { .. } => ErrorCode::IamAccessDenied,
            RotationError::Failed { failure, .. } => match failure {
                IamFailure::Unreachable { .. } => ErrorCode::IamUnreachable,
                _ => ErrorCode::IamError,
            },
            RotationError::Aborted { .. } => ErrorCode::RotateAborted,
            RotationError::NewKeyLeft { .. } => ErrorCode::RotateNewKeyLeft,
            RotationError::OldKeyLeft { .. } => ErrorCode::RotateOldKeyLeft,
            RotationError::KeyNotFound { .. } => ErrorCode::RotateKeyNotFound,
        }
    }
}

/// Boxed into the crate's `Error` (see `Error::Rotation`). Kept here, beside the type, so the
/// crate's error module only names the variant.
impl From<RotationError> for crate::Error {
    fn from(e: RotationError) -> Self {
        crate::Error::Rotation(Box::new(e))
    }
}

//! What can go wrong rotating a key. Every message says what state the keys are in afterwards
//! (which key the keyring holds, which key is left at AWS) and what to run next. Key ids appear
//! masked only (`****MPLE`); no secret is ever part of an error.

use crate::error_code::{ErrorCode, HasCode};

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
    /// The endpoint could not be reached: the connection was refused or never made, so the
    /// request was not sent.
    #[error("cannot reach {endpoint} ({detail})")]
    Unreachable { endpoint: String, detail: String },
    /// The request may have been sent and carried out, but no usable reply came: no answer in
    /// time, the connection cut, or a reply that could not be read.
    #[error("no usable reply from {endpoint} ({detail})")]
    NoReply { endpoint: String, detail: String },
    /// A 5xx reply: AWS failed while handling the request, possibly after carrying it out.
    #[error("{code}: {message} (a failure on AWS's side)")]
    ServerFault { code: String, message: String },
    /// Any other error reply.
    #[error("{code}: {message}")]
    Other { code: String, message: String },
}

impl IamFailure {
    /// Whether the call may have taken effect although it failed. A clear refusal (an error
    /// reply IAM gives before acting, such as AccessDenied or LimitExceeded) and a request that
    /// was never sent did nothing; a lost or unreadable reply, or a fault on AWS's side, leaves
    /// it unknown.
    pub fn may_have_taken_effect(&self) -> bool {
        matches!(self, IamFailure::NoReply { .. } | IamFailure::ServerFault { .. })
    }
}

/// What a rotation found after CreateAccessKey failed without a clear answer: IAM may have
/// made a key whose secret Rolebar never received, a key nobody can use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LostReply {
    /// ListAccessKeys shows no new key: none was made.
    NothingCreated,
    /// IAM had made the key (`key`, masked); Rolebar deleted it.
    Deleted { key: String },
    /// IAM had made the key, and deleting it failed (`cleanup`): it is left at AWS.
    Left { key: String, tail: String, cleanup: String },
    /// Whether IAM made a key is unknown: `reason` says why (ListAccessKeys failed, or is not
    /// allowed), `candidates` are the user's keys that may be it (masked), when known.
    Unknown { reason: String, candidates: Vec<String> },
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
    /// CreateAccessKey failed without a clear answer (see [`LostReply`] for what was found).
    #[error("profile `{profile}`: {}", lost_reply_text(profile, failure, outcome, old_key, user))]
    CreateReplyLost {
        profile: String,
        failure: IamFailure,
        outcome: LostReply,
        old_key: String,
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

fn lost_reply_text(
    profile: &str,
    failure: &IamFailure,
    outcome: &LostReply,
    old_key: &str,
    user: &Option<String>,
) -> String {
    let old = format!("The keyring still holds the old key {old_key}, which still works");
    match outcome {
        LostReply::NothingCreated => format!(
            "CreateAccessKey failed ({failure}); IAM lists no new key, so none was made: nothing was changed. {old}. Try again"
        ),
        LostReply::Deleted { key } => format!(
            "the new key {key} was created but its reply was lost ({failure}); Rolebar deleted it: nothing changed. {old}. Try again"
        ),
        LostReply::Left { key, tail, cleanup } => format!(
            "the new key {key} was created but its reply was lost ({failure}), so its secret never arrived and nobody can use it; deleting it failed too ({cleanup}). It is left at AWS{}: delete it with `rolebar rotate {profile} --delete-key {key}`, or in the IAM console (the access key ending {tail}), or with `aws iam delete-access-key --access-key-id ID`, ID being its whole id, ending {tail} (`aws iam list-access-keys` shows it). {old}",
            user_text(user)
        ),
        LostReply::Unknown { reason, candidates } => {
            let which = if candidates.is_empty() {
                format!("a key besides {old_key} created just now is that stray key")
            } else {
                format!("it would be one of {}, made just now", candidates.join(", "))
            };
            format!(
                "CreateAccessKey failed ({failure}), and whether IAM made a key anyway is unknown: {reason}. A new key may exist at AWS{}, unused: its secret never arrived. {old}. Check the user's keys in the IAM console or with `aws iam list-access-keys`: {which}; delete it with `rolebar rotate {profile} --delete-key` and its last four characters. Running `rolebar rotate {profile}` again is safe: with that key the user is at two keys, and Rolebar stops before making another",
                user_text(user)
            )
        }
    }
}

fn user_text(user: &Option<String>) -> String {
    user.as_ref().map(|u| format!(" `{u}`")).unwrap_or_default()
}

impl HasCode for RotationError {
    fn error_code(&self) -> ErrorCode {
        match self {
            RotationError::NotKeyringKeys { .. } => ErrorCode::RotateNotKeyringKeys,
            RotationError::TwoKeys { .. } => ErrorCode::RotateTwoKeys,
            RotationError::AccessDenied { .. } => ErrorCode::IamAccessDenied,
            RotationError::Failed { failure, .. } => match failure {
                IamFailure::Unreachable { .. } | IamFailure::NoReply { .. } => ErrorCode::IamUnreachable,
                _ => ErrorCode::IamError,
            },
            RotationError::Aborted { .. } => ErrorCode::RotateAborted,
            RotationError::NewKeyLeft { .. } => ErrorCode::RotateNewKeyLeft,
            RotationError::OldKeyLeft { .. } => ErrorCode::RotateOldKeyLeft,
            RotationError::CreateReplyLost { failure, outcome, .. } => match outcome {
                LostReply::NothingCreated => match failure {
                    IamFailure::NoReply { .. } | IamFailure::Unreachable { .. } => ErrorCode::IamUnreachable,
                    _ => ErrorCode::IamError,
                },
                LostReply::Deleted { .. } => ErrorCode::RotateAborted,
                LostReply::Left { .. } => ErrorCode::RotateNewKeyLeft,
                LostReply::Unknown { .. } => ErrorCode::RotateOutcomeUnknown,
            },
            RotationError::KeyNotFound { .. } => ErrorCode::RotateKeyNotFound,
        }
    }
}

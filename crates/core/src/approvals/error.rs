//! Why a profile that asks first was not served, and the approvals file's problems.

use super::policy::{EffectivePolicy, CONFIG_KEY};
use crate::error_code::{ErrorCode, HasCode};
use crate::private_file::FileError;
use std::path::PathBuf;

/// Why no dialog can ask, for [`ApprovalError::NoDialog`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoDialog {
    /// A `rolebar` command working without the tray app.
    NoTray,
    /// The tray app could not show its dialog (no display, the window process failed).
    NotShown,
    /// `rolebar write`: the file would hand the session to every program, unasked.
    WritesAFile,
}

#[derive(thiserror::Error, Debug)]
pub enum ApprovalError {
    #[error("{}", no_dialog_message(.profile, .policy, .why))]
    NoDialog {
        profile: String,
        policy: EffectivePolicy,
        why: NoDialog,
    },
    #[error(
        "the approvals file {} is unreadable ({detail}); Rolebar leaves it alone and serves no \
         credentials until it is fixed or deleted (deleting forgets the remembered programs and the \
         window's choices)",
        path.display()
    )]
    Corrupt { path: PathBuf, detail: String },
    #[error(
        "the approvals file {} has version {version}, which this Rolebar does not know (a newer \
         Rolebar wrote it?); it is left alone: delete it to start again",
        path.display()
    )]
    UnknownVersion { path: PathBuf, version: u32 },
    #[error(transparent)]
    File(#[from] FileError),
}

fn no_dialog_message(profile: &str, policy: &EffectivePolicy, why: &NoDialog) -> String {
    let asks = format!(
        "profile `{profile}` asks before a program gets its credentials ({})",
        policy.set_where()
    );
    match why {
        NoDialog::NoTray => format!(
            "{asks}, and this `rolebar` command works without the Rolebar tray app (none running, \
             or --no-agent), so nothing can ask: nothing was served. Start Rolebar (the tray app) \
             to answer in its dialog, or set `{CONFIG_KEY} = never` for this profile"
        ),
        NoDialog::NotShown => format!(
            "{asks}, and Rolebar could not show its dialog (no display?): nothing was served. \
             Run it in a desktop session, or set `{CONFIG_KEY} = never` for this profile"
        ),
        NoDialog::WritesAFile => format!(
            "{asks}: writing its session to a file would hand it to every program unasked, so \
             nothing was written. Use `credential_process = rolebar credential-process {profile}` \
             instead, or set `{CONFIG_KEY} = never` for this profile"
        ),
    }
}

impl HasCode for ApprovalError {
    fn error_code(&self) -> ErrorCode {
        match self {
            ApprovalError::NoDialog { .. } => ErrorCode::ApprovalRequired,
            ApprovalError::Corrupt { .. } | ApprovalError::UnknownVersion { .. } => ErrorCode::ApprovalsCorrupt,
            ApprovalError::File(e) => e.error_code(),
        }
    }
}

//! Approvals: a profile may ask the user before a program gets its credentials, even when a
//! session is cached (as 1Password's SSH agent asks before a new app uses a key, `ssh-add -c`
//! confirms each use, and the macOS Keychain has "Always allow" per application).
//!
//! - [`Policy`]: per profile, `never` (the default), `new-programs` (ask the first time a program
//!   asks; "Always for this program" is remembered) or `every-time`. Set in `~/.aws/config`
//!   (`rolebar_approve = new-programs`) or in the window, whose choice wins ([`store`]).
//! - [`program::ProgramId`]: the program, by its resolved executable (and an interpreter's script).
//! - [`decide`]: given the policy, the program, what is remembered and what was just allowed,
//!   serve or ask. "Allow once" covers the same program's requests for the same profile for
//!   [`FOLD_WINDOW`] ([`RecentGrants`]), as the agent folds simultaneous requests into one.
//!
//! Approvals guard against programs using a role unnoticed, not against malware running as the
//! user (docs/security.md): the script part of an identity is what the process says of itself.

pub mod program;
pub mod store;

pub use program::ProgramId;
pub use store::{ApprovalsFile, ProfileApprovals, RememberedProgram};

use crate::error_code::{ErrorCode, HasCode};
use crate::private_file::FileError;
use crate::profile::ProfileSet;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;
use time::{Duration, OffsetDateTime};

/// The profile key in `~/.aws/config`.
pub const CONFIG_KEY: &str = "rolebar_approve";

/// How long "Allow once" answers the same program's further requests for the same profile: the
/// AWS CLI, Terraform's providers and the SDKs often ask several times within a second.
pub const FOLD_WINDOW: Duration = Duration::seconds(5);

/// When a profile asks before serving a program.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Policy {
    /// Serve without asking (Rolebar's behaviour before approvals).
    #[default]
    Never,
    /// Ask the first time a program asks; "Always for this program" is remembered.
    NewPrograms,
    /// Ask on each request (requests of one program within [`FOLD_WINDOW`] are one).
    EveryTime,
}

impl Policy {
    pub const ALL: [Policy; 3] = [Policy::Never, Policy::NewPrograms, Policy::EveryTime];

    pub fn as_str(self) -> &'static str {
        match self {
            Policy::Never => "never",
            Policy::NewPrograms => "new-programs",
            Policy::EveryTime => "every-time",
        }
    }

    /// `never`, `new-programs` or `every-time` (any case, `_` for `-`).
    pub fn parse(text: &str) -> Option<Policy> {
        let text = text.trim().to_ascii_lowercase().replace('_', "-");
        Policy::ALL.into_iter().find(|p| p.as_str() == text)
    }

    /// Whether a request may need the user's answer.
    pub fn asks(self) -> bool {
        self != Policy::Never
    }
}

impl std::fmt::Display for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `rolebar_approve` as written for a profile, with where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfiguredPolicy {
    pub policy: Policy,
    pub path: PathBuf,
    pub line: usize,
}

/// A profile's `rolebar_approve` (its own, or through `include_profile`); a value that is not a
/// policy is an error naming the file and line.
pub fn configured(profiles: &ProfileSet, profile: &str) -> crate::Result<Option<ConfiguredPolicy>> {
    let Some(setting) = profiles.setting(profile, CONFIG_KEY)? else {
        return Ok(None);
    };
    match Policy::parse(setting.value) {
        Some(policy) => Ok(Some(ConfiguredPolicy {
            policy,
            path: setting.path.to_path_buf(),
            line: setting.line,
        })),
        None => Err(setting.invalid(profile, CONFIG_KEY, "expected `never`, `new-programs` or `every-time`")),
    }
}

/// Where the policy in force comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicySource {
    /// Nothing set: `never`.
    Default,
    /// `rolebar_approve` in the AWS config file.
    Config { path: PathBuf, line: usize },
    /// Chosen in Rolebar's window (kept in `approvals.json`); wins over the config file.
    Window,
}

/// The policy in force for a profile and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectivePolicy {
    pub policy: Policy,
    pub source: PolicySource,
}

impl EffectivePolicy {
    /// The window's choice if made, else the config file's, else `never`.
    pub fn of(configured: Option<&ConfiguredPolicy>, window: Option<Policy>) -> Self {
        match (window, configured) {
            (Some(policy), _) => EffectivePolicy {
                policy,
                source: PolicySource::Window,
            },
            (None, Some(c)) => EffectivePolicy {
                policy: c.policy,
                source: PolicySource::Config {
                    path: c.path.clone(),
                    line: c.line,
                },
            },
            (None, None) => EffectivePolicy {
                policy: Policy::Never,
                source: PolicySource::Default,
            },
        }
    }

    /// Where to change it, for messages: `rolebar_approve = every-time (~/.aws/config:12)`.
    pub fn set_where(&self) -> String {
        match &self.source {
            PolicySource::Default => format!("{CONFIG_KEY} = {}", self.policy),
            PolicySource::Config { path, line } => {
                format!("{CONFIG_KEY} = {} ({}:{line})", self.policy, path.display())
            }
            PolicySource::Window => format!("approvals: {} (set in Rolebar's window)", self.policy),
        }
    }
}

/// Why a request is served without asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allowed {
    /// The policy is `never`.
    NoApprovalNeeded,
    /// "Always for this program" was answered before (`new-programs`).
    Remembered,
    /// "Allow once" was answered for this program within [`FOLD_WINDOW`].
    JustAllowed,
}

/// Serve, or ask first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow(Allowed),
    /// Ask: Allow once / Always for this program (when `offer_always`) / Deny.
    Ask {
        offer_always: bool,
    },
}

/// The decision for `program` (`None`: it could not be identified, so nothing about it can be
/// remembered) asking for a profile under `policy`, given whether it is remembered with
/// "Always" and whether "Allow once" was just given to it.
pub fn decide(policy: Policy, program: Option<&ProgramId>, remembered: bool, just_allowed: bool) -> Decision {
    match policy {
        Policy::Never => Decision::Allow(Allowed::NoApprovalNeeded),
        _ if program.is_some() && just_allowed => Decision::Allow(Allowed::JustAllowed),
        Policy::NewPrograms if program.is_some() && remembered => Decision::Allow(Allowed::Remembered),
        Policy::NewPrograms => Decision::Ask {
            offer_always: program.is_some(),
        },
        Policy::EveryTime => Decision::Ask { offer_always: false },
    }
}

/// "Allow once" answers, kept in memory for [`FOLD_WINDOW`] (by profile and program).
#[derive(Debug, Default)]
pub struct RecentGrants {
    granted: Mutex<HashMap<(String, ProgramId), OffsetDateTime>>,
}

impl RecentGrants {
    /// Records "Allow once" for `program` asking for `profile` at `now`.
    pub fn allow(&self, profile: &str, program: &ProgramId, now: OffsetDateTime) {
        let mut granted = self.lock();
        granted.retain(|_, at| now - *at < FOLD_WINDOW);
        granted.insert((profile.to_string(), program.clone()), now);
    }

    /// Whether "Allow once" was given to `program` for `profile` less than [`FOLD_WINDOW`] ago.
    pub fn covers(&self, profile: &str, program: &ProgramId, now: OffsetDateTime) -> bool {
        self.lock()
            .get(&(profile.to_string(), program.clone()))
            .is_some_and(|at| *at <= now && now - *at < FOLD_WINDOW)
    }

    /// Forgets every grant for `profile` (its policy changed, a program was revoked).
    pub fn forget(&self, profile: &str) {
        self.lock().retain(|(p, _), _| p != profile);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, ProgramId), OffsetDateTime>> {
        self.granted.lock().unwrap_or_else(|p| p.into_inner())
    }
}

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

#[cfg(test)]
mod tests;

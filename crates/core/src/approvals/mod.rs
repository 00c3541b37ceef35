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

pub mod error;
pub mod policy;
pub mod program;
pub mod store;

pub use error::{ApprovalError, NoDialog};
pub use policy::{ConfiguredPolicy, EffectivePolicy, Policy, PolicySource, CONFIG_KEY, FOLD_WINDOW};
pub use program::ProgramId;
pub use store::{ApprovalsFile, ProfileApprovals, RememberedProgram};

use crate::profile::ProfileSet;
use std::collections::HashMap;
use std::sync::Mutex;
use time::OffsetDateTime;

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

#[cfg(test)]
mod tests;

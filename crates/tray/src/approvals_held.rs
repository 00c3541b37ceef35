//! The approvals the tray holds: the approvals file and the "Allow once" answers of the last
//! seconds (`approval_gate` asks and decides with them; the state owns them).

use crate::error::{codes, CommandError};
use rolebar_core::approvals::{self, ApprovalError, ApprovalsFile, EffectivePolicy, ProfileApprovals, RecentGrants};
use rolebar_core::profile::ProfileSet;
use std::collections::BTreeSet;

/// The tray's approvals: the file (`None`: nowhere to keep them, as in some tests) and the
/// "Allow once" answers of the last seconds.
#[derive(Debug, Default)]
pub struct Approvals {
    pub(crate) file: Option<ApprovalsFile>,
    pub(crate) recent: RecentGrants,
}

impl Approvals {
    pub fn in_file(file: ApprovalsFile) -> Self {
        Approvals {
            file: Some(file),
            recent: RecentGrants::default(),
        }
    }

    pub(crate) fn entry(&self, profile: &str) -> Result<ProfileApprovals, ApprovalError> {
        match &self.file {
            Some(file) => file.profile(profile),
            None => Ok(ProfileApprovals::default()),
        }
    }

    pub(crate) fn file(&self) -> Result<&ApprovalsFile, CommandError> {
        self.file.as_ref().ok_or_else(|| {
            CommandError::new(
                codes::INVALID_INPUT,
                "approvals cannot be kept: Rolebar has no state folder (set ROLEBAR_STATE_DIR)",
            )
        })
    }

    /// Forgets the "Allow once" answers for `profile` (its policy changed, a program revoked).
    pub fn forget_recent(&self, profile: &str) {
        self.recent.forget(profile);
    }

    /// The policy in force for `profile` and its entry.
    pub fn effective(
        &self,
        profiles: &ProfileSet,
        profile: &str,
    ) -> rolebar_core::Result<(EffectivePolicy, ProfileApprovals)> {
        let configured = approvals::configured(profiles, profile)?;
        let entry = self.entry(profile)?;
        Ok((EffectivePolicy::of(configured.as_ref(), entry.approve), entry))
    }
}

/// The profiles of `profiles` that ask before serving, for the menu's mark; the approvals file
/// is read once, not once per profile (the menu is rebuilt often, and may list thousands). A
/// profile whose setting cannot be read counts as asking, and so does every profile while the
/// approvals file cannot be read: `gate` serves none of them without an answer either.
pub fn asking_first(approvals: &Approvals, profiles: &ProfileSet) -> BTreeSet<String> {
    let entries = match approvals.file.as_ref().map(|f| f.load()).transpose() {
        Ok(entries) => entries.unwrap_or_default(),
        Err(_) => return profiles.names().map(str::to_string).collect(),
    };
    profiles
        .names()
        .filter(|name| {
            let window = entries.get(*name).and_then(|e| e.approve);
            approvals::configured(profiles, name)
                .map_or(true, |c| EffectivePolicy::of(c.as_ref(), window).policy.asks())
        })
        .map(str::to_string)
        .collect()
}

//! Approvals without the tray (docs/agent.md, "Approvals"): a profile that asks before serving a
//! program (`rolebar_approve`, or the window's choice) is never served silently by a `rolebar`
//! command working alone, where no dialog can ask. Under `new-programs` a program remembered
//! with "Always for this program" is still served: it was approved for good.

use rolebar_core::agent::Peer;
use rolebar_core::approvals::{self, ApprovalError, ApprovalsFile, Decision, EffectivePolicy, NoDialog};
use rolebar_core::profile::ProfileSet;
use rolebar_core::Result;

/// Fails when `profile` asks before serving and nothing here can ask (`why`).
pub fn check_alone(profiles: &ProfileSet, profile: &str, why: NoDialog) -> Result<()> {
    let configured = approvals::configured(profiles, profile)?;
    let entry = ApprovalsFile::default_location()?.profile(profile)?;
    let policy = EffectivePolicy::of(configured.as_ref(), entry.approve);
    if !policy.policy.asks() {
        return Ok(());
    }
    if why == NoDialog::NoTray {
        let program = requester();
        let remembered = program.as_ref().is_some_and(|p| entry.remembers(p));
        let decision = approvals::decide(policy.policy, program.as_ref(), remembered, false);
        if let Decision::Allow(allowed) = decision {
            tracing::debug!(profile, ?allowed, "approvals: served without a dialog");
            return Ok(());
        }
    }
    Err(ApprovalError::NoDialog {
        profile: profile.to_string(),
        policy,
        why,
    }
    .into())
}

/// The program this command works for, as the tray's agent would name it: this process's
/// parent (the AWS CLI running `credential-process`, the shell running `exec`).
fn requester() -> Option<approvals::ProgramId> {
    let pid = i32::try_from(std::process::id()).ok()?;
    // The uid plays no part in the program's identity; `Peer` only carries it.
    Peer::inspect(0, Some(pid)).program()
}

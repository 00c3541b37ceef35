//! Approvals in the tray (rolebar-core's `approvals`; docs/agent.md, "Approvals"): before the
//! agent serves a profile that asks first — even from the cache — the dialog names the program
//! and the profile and offers Allow once / Always for this program (`new-programs`) / Deny. The
//! question goes through the MFA dialog's queue and window (one dialog at a time, shown again
//! if the window process dies); a needed code is asked after it, in a dialog of its own.
//! Where no dialog can be shown, the request fails with `approval_required`: never served.
//!
//! Also the window's page: each profile's policy (the window's choice wins over
//! `rolebar_approve`) and its remembered programs, with Revoke.

use crate::error::{codes, CommandError};
use crate::mfa::MFA_TIMEOUT;
use crate::mfa_queue::{Answer, TEARDOWN_BOUND};
use crate::shell::Shell;
use crate::views::ApprovalAskView;
use rolebar_core::agent::{AgentFailure, Peer};
use rolebar_core::approvals::{
    self, ApprovalError, Decision, EffectivePolicy, NoDialog, Policy, PolicySource, ProfileApprovals, ProgramId,
};
use rolebar_core::profile::ProfileSet;
use rolebar_core::HasCode;
use serde::Serialize;
use ts_rs::TS;

/// What the user answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answered {
    Once,
    Always,
    Deny,
    /// The dialog could not be shown (or the request may not show one).
    NotShown,
}

/// Lets the request of `peer` for `profile` through, or fails it: denied, or no dialog could
/// ask. `may_ask`: the request allows a dialog (the protocol's `prompt`).
pub async fn gate(
    shell: &Shell,
    profiles: &ProfileSet,
    profile: &str,
    peer: &Peer,
    may_ask: bool,
) -> Result<(), AgentFailure> {
    let state = shell.state();
    let approvals = &state.approvals;
    let (policy, entry) = approvals.effective(profiles, profile)?;
    if !policy.policy.asks() {
        return Ok(());
    }
    let program = peer.program();
    let decide = |entry: &ProfileApprovals| {
        let now = state.now();
        let just = program
            .as_ref()
            .is_some_and(|p| approvals.recent.covers(profile, p, now));
        let remembered = program.as_ref().is_some_and(|p| entry.remembers(p));
        approvals::decide(policy.policy, program.as_ref(), remembered, just)
    };
    if let Decision::Allow(why) = decide(&entry) {
        tracing::debug!(profile, ?why, "approvals: served without asking");
        return Ok(());
    }
    let who = peer.describe();
    if !may_ask {
        return Err(no_dialog(profile, policy, NoDialog::NotShown));
    }
    // One dialog at a time: the turn first, then decide again, since the question just answered
    // (this program's "Allow once" or "Always") may answer this request too.
    let turn = state.mfa.turn.clone().lock_owned().await;
    let entry = approvals.entry(profile).map_err(rolebar_core::Error::from)?;
    let offer_always = match decide(&entry) {
        Decision::Allow(why) => {
            tracing::debug!(profile, ?why, "approvals: answered while waiting for the dialog");
            return Ok(());
        }
        Decision::Ask { offer_always } => offer_always,
    };
    tracing::info!(profile, requester = %who, policy = %policy.policy, "approvals: asking");
    let answered = ask(shell, profile, &who, program.as_ref(), policy.policy, offer_always).await;
    drop(turn);
    match (answered, program) {
        (Answered::Deny, _) => {
            tracing::info!(profile, requester = %who, "approvals: denied in the dialog");
            Err(AgentFailure::denied(profile))
        }
        (Answered::NotShown, _) => Err(no_dialog(profile, policy, NoDialog::NotShown)),
        (Answered::Always, Some(program)) => {
            if let Some(file) = &approvals.file {
                if let Err(e) = file.remember(profile, &program, state.now()) {
                    // Served as once: the user said yes; only the remembering failed.
                    tracing::error!(code = e.code(), profile, "approvals: not remembered: {e}");
                }
            }
            approvals.recent.allow(profile, &program, state.now());
            tracing::info!(profile, %program, "approvals: always allowed");
            shell.windows().changed();
            Ok(())
        }
        (Answered::Once | Answered::Always, program) => {
            if let Some(program) = &program {
                approvals.recent.allow(profile, program, state.now());
            }
            tracing::info!(profile, requester = %who, "approvals: allowed once");
            Ok(())
        }
    }
}

fn no_dialog(profile: &str, policy: EffectivePolicy, why: NoDialog) -> AgentFailure {
    let error = ApprovalError::NoDialog {
        profile: profile.to_string(),
        policy,
        why,
    };
    tracing::warn!(code = error.code(), "{error}");
    AgentFailure::new(error.error_code(), error.to_string())
}

/// Puts the question in the dialog and waits for the answer (the caller holds the turn).
async fn ask(
    shell: &Shell,
    profile: &str,
    who: &str,
    program: Option<&ProgramId>,
    policy: Policy,
    offer_always: bool,
) -> Answered {
    let state = shell.state();
    if !state.mfa.previous_window_gone().await {
        tracing::warn!(
            "the previous dialog was not destroyed within {} s; asking anyway",
            TEARDOWN_BOUND.as_secs()
        );
    }
    let ask = ApprovalAskView {
        program: program.map(ToString::to_string),
        policy: policy.as_str().to_string(),
        offer_always,
    };
    let (view, answer) = state.mfa.ask_approval(profile, who, ask);
    let answered = match shell.windows().show_mfa(&view) {
        Err(e) => {
            tracing::error!(error = %e, "cannot open the approval dialog");
            Answered::NotShown
        }
        Ok(()) => {
            state.mfa.shown.send_replace(view.id);
            match tokio::time::timeout(MFA_TIMEOUT, answer).await {
                Ok(Ok(Answer::Approve { always: true })) => Answered::Always,
                Ok(Ok(Answer::Approve { always: false })) => Answered::Once,
                Ok(Ok(Answer::Lost)) => Answered::NotShown,
                Ok(Ok(Answer::Cancel | Answer::Code(_))) | Ok(Err(_)) => Answered::Deny,
                Err(_) => {
                    tracing::warn!(
                        profile,
                        "approval dialog unanswered for {} s: denied",
                        MFA_TIMEOUT.as_secs()
                    );
                    Answered::Deny
                }
            }
        }
    };
    state.mfa.cancel(None);
    shell.windows().close_mfa();
    answered
}

/// One profile on the window's Approvals list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProfileApprovalsView {
    pub profile: String,
    /// The policy in force: `never`, `new-programs` or `every-time`.
    pub policy: String,
    /// The window's choice, if made (it wins over the config file's).
    pub chosen: Option<String>,
    /// `rolebar_approve` in the AWS config file, if written.
    pub configured: Option<String>,
    /// Where it is written (`/home/u/.aws/config:12`).
    pub configured_at: Option<String>,
    pub programs: Vec<RememberedProgramView>,
    /// Why this profile's setting cannot be read (a bad `rolebar_approve`).
    pub problem: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RememberedProgramView {
    pub exe: String,
    pub script: Option<String>,
    /// When "Always" was answered (RFC 3339).
    pub since: String,
}

/// A remembered program, as the window names it to revoke it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProgramRef {
    pub exe: String,
    pub script: Option<String>,
}

/// The window's Approvals section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalsView {
    pub profiles: Vec<ProfileApprovalsView>,
    /// Why the approvals file cannot be read (then nothing that asks first is served).
    pub problem: Option<String>,
}

/// Every profile with its policy and remembered programs.
pub fn view(shell: &Shell) -> Result<ApprovalsView, CommandError> {
    let state = shell.state();
    let profiles = state.sessions.profiles()?;
    let (all, problem) = match &state.approvals.file {
        Some(file) => match file.load() {
            Ok(all) => (all, None),
            Err(e) => (Default::default(), Some(e.to_string())),
        },
        None => (Default::default(), None),
    };
    let rows = profiles
        .names()
        .map(|name| {
            let entry = all.get(name).cloned().unwrap_or_default();
            let (configured, problem) = match approvals::configured(&profiles, name) {
                Ok(c) => (c, None),
                Err(e) => (None, Some(e.to_string())),
            };
            let policy = EffectivePolicy::of(configured.as_ref(), entry.approve);
            ProfileApprovalsView {
                profile: name.to_string(),
                policy: policy.policy.as_str().to_string(),
                chosen: (policy.source == PolicySource::Window).then(|| policy.policy.as_str().to_string()),
                configured: configured.as_ref().map(|c| c.policy.as_str().to_string()),
                configured_at: configured.as_ref().map(|c| format!("{}:{}", c.path.display(), c.line)),
                programs: entry
                    .programs
                    .iter()
                    .map(|p| RememberedProgramView {
                        exe: p.program.exe.clone(),
                        script: p.program.script.clone(),
                        since: p
                            .since
                            .format(&time::format_description::well_known::Rfc3339)
                            .unwrap_or_default(),
                    })
                    .collect(),
                problem,
            }
        })
        .collect();
    Ok(ApprovalsView {
        profiles: rows,
        problem,
    })
}

/// The window's choice of policy for `profile` (`None`: the config file's).
pub fn set_policy(shell: &Shell, profile: &str, policy: Option<&str>) -> Result<ApprovalsView, CommandError> {
    let state = shell.state();
    // An unknown profile is refused as everywhere else.
    state.sessions.profiles()?.resolve(profile)?;
    let policy = match policy {
        None => None,
        Some(text) => Some(Policy::parse(text).ok_or_else(|| {
            CommandError::new(
                codes::INVALID_INPUT,
                format!("`{text}` is not a policy: never, new-programs or every-time"),
            )
        })?),
    };
    state
        .approvals
        .file()?
        .set_policy(profile, policy)
        .map_err(rolebar_core::Error::from)?;
    state.approvals.forget_recent(profile);
    tracing::info!(profile, policy = ?policy, "approvals: policy set in the window");
    // The menu marks the profiles that ask first: it is rebuilt now, not at its next minute.
    state.touch();
    shell.windows().changed();
    view(shell)
}

/// Forgets a remembered program: it is asked again next time.
pub fn revoke(shell: &Shell, profile: &str, program: ProgramId) -> Result<ApprovalsView, CommandError> {
    let state = shell.state();
    let found = state
        .approvals
        .file()?
        .revoke(profile, &program)
        .map_err(rolebar_core::Error::from)?;
    state.approvals.forget_recent(profile);
    tracing::info!(profile, %program, found, "approvals: program revoked");
    view(shell)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::approvals_held::{asking_first, Approvals};
    use rolebar_core::approvals::ApprovalsFile;
    use std::collections::BTreeSet;
    use std::path::Path;

    const CONFIG: &str = "\
[profile prod]
rolebar_approve = every-time

[profile dev]
rolebar_approve = never

[profile plain]
region = eu-west-1

[profile bad]
rolebar_approve = sometimes

[profile chosen]
rolebar_approve = never
";

    fn names(set: &BTreeSet<String>) -> Vec<&str> {
        set.iter().map(String::as_str).collect()
    }

    #[test]
    fn the_menu_marks_profiles_that_ask_by_config_by_window_or_unreadable() {
        let profiles = ProfileSet::parse(Path::new("config"), CONFIG, Path::new("credentials"), "").expect("parses");
        let dir = tempfile::tempdir().expect("temp dir");
        let file = ApprovalsFile::at(dir.path().join("approvals.json"));
        let approvals = Approvals::in_file(file.clone());
        assert_eq!(
            names(&asking_first(&approvals, &profiles)),
            ["bad", "prod"],
            "every-time asks; never and unset do not; a bad value counts as asking"
        );
        file.set_policy("chosen", Some(Policy::NewPrograms)).expect("set");
        file.set_policy("prod", Some(Policy::Never)).expect("set");
        assert_eq!(
            names(&asking_first(&approvals, &profiles)),
            ["bad", "chosen"],
            "the window's choice wins over the config file's"
        );
        std::fs::write(file.path(), b"not json").expect("write");
        assert_eq!(
            asking_first(&approvals, &profiles).len(),
            5,
            "an unreadable approvals file: every profile asks (none is served unasked)"
        );
        assert_eq!(
            names(&asking_first(&Approvals::default(), &profiles)),
            ["bad", "prod"],
            "no approvals file (nowhere to keep one): the config file alone"
        );
    }
}

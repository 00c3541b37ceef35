//! `rolebar credential-process PROFILE`: the AWS CLI's credential_process, the session as JSON
//! on stdout; never a prompt.

use super::handed_out::{self, Served};
use crate::agent;
use crate::context;
use crate::mfa_sources;
use rolebar_core::activity::Way;
use rolebar_core::approvals::NoDialog;
use rolebar_core::mfa::NoPrompt;
use rolebar_core::outputs;
use rolebar_core::{Result, Session};
use std::process::ExitCode;

/// The AWS CLI re-runs a credential_process whose credentials have under 15 minutes left, and
/// swallows its stderr and stdin: hand out only sessions with more than that. The running tray
/// app asks for a needed code in its dialog; without it, renew when no code is needed and fail
/// fast (never prompt here) when one is.
pub async fn run(profile: &str, using: agent::Use) -> Result<ExitCode> {
    let got = session(profile, using).await;
    handed_out::record_served(profile, Way::CredentialProcess, got.as_ref().map(|(_, o)| *o));
    let (session, _) = got?;
    print!("{}", outputs::credential_process::to_json(&session)?.as_str());
    Ok(ExitCode::SUCCESS)
}

/// The session and who served it (the tray's agent notes its own answers).
async fn session(profile: &str, using: agent::Use) -> Result<(Session, Served)> {
    let min_left = outputs::credential_process::CREDENTIAL_PROCESS_MIN_LEFT;
    if let Some(session) = agent::session(profile, min_left, using).await? {
        return Ok((session, Served::ByAgent));
    }
    // mfa_process or ykman may still give a code here; nothing else may ask.
    let ctx = context::with_window(min_left)?;
    let profiles = ctx.profiles()?;
    crate::approve::check_alone(&profiles, profile, NoDialog::NoTray)?;
    let resolved = profiles.resolve(profile)?;
    let cached = ctx.vault.cached_session_with(&resolved, min_left)?;
    let prompt = mfa_sources::unattended(&resolved, &NoPrompt);
    let session = ctx.vault.session(&resolved, &prompt).await?;
    let outcome = handed_out::outcome(cached.as_ref(), &session);
    Ok((session, Served::Here(outcome)))
}

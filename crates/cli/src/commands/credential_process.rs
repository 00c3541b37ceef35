//! `rolebar credential-process PROFILE`: the AWS CLI's credential_process, the session as JSON
//! on stdout; never a prompt.

use crate::agent;
use crate::context;
use crate::mfa_sources;
use rolebar_core::mfa::NoPrompt;
use rolebar_core::outputs;
use rolebar_core::Result;
use std::process::ExitCode;

/// The AWS CLI re-runs a credential_process whose credentials have under 15 minutes left, and
/// swallows its stderr and stdin: hand out only sessions with more than that. The running tray
/// app asks for a needed code in its dialog; without it, renew when no code is needed and fail
/// fast (never prompt here) when one is.
pub async fn run(profile: &str, using: agent::Use) -> Result<ExitCode> {
    let min_left = outputs::credential_process::CREDENTIAL_PROCESS_MIN_LEFT;
    let session = match agent::session(profile, min_left, using).await? {
        Some(session) => session,
        None => {
            // mfa_process or ykman may still give a code here; nothing else may ask.
            let ctx = context::with_window(min_left)?;
            let resolved = ctx.profiles()?.resolve(profile)?;
            let prompt = mfa_sources::unattended(&resolved, &NoPrompt);
            ctx.vault.session(&resolved, &prompt).await?
        }
    };
    print!("{}", outputs::credential_process::to_json(&session)?.as_str());
    Ok(ExitCode::SUCCESS)
}

//! `rolebar export PROFILE`: shell lines that export the profile's session.

use crate::agent;
use crate::mfa_sources;
use crate::prompt::TerminalMfa;
use rolebar_core::mfa::MfaCode;
use rolebar_core::outputs::{self, ExportFormat};
use rolebar_core::Result;
use std::process::ExitCode;
use time::Duration;

pub async fn run(
    profile: &str,
    format: Option<&str>,
    using: agent::Use,
    mfa_token: Option<MfaCode>,
) -> Result<ExitCode> {
    let format = match format {
        Some(f) => f.parse::<ExportFormat>()?,
        None => ExportFormat::from_shell(&std::env::var("SHELL").unwrap_or_default()),
    };
    // As for `exec`: a code given here is not the tray's to use.
    let using = if mfa_token.is_some() {
        agent::Use::NoAgent
    } else {
        using
    };
    let session = match agent::session(profile, Duration::ZERO, using).await? {
        Some(session) => session,
        None => {
            let ctx = crate::sso::interactive_context()?;
            let resolved = ctx.profiles()?.resolve(profile)?;
            let prompt = mfa_sources::sourced(&resolved, &TerminalMfa, mfa_token);
            ctx.vault.session(&resolved, &prompt).await?
        }
    };
    print!("{}", outputs::export_lines(&session, format)?.as_str());
    Ok(ExitCode::SUCCESS)
}

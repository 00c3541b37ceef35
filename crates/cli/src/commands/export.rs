//! `rolebar export PROFILE`: shell lines that export the profile's session.

use super::handed_out::{self, Served};
use crate::agent;
use crate::mfa_sources;
use crate::prompt::TerminalMfa;
use rolebar_core::activity::Way;
use rolebar_core::approvals::NoDialog;
use rolebar_core::mfa::MfaCode;
use rolebar_core::outputs::{self, ExportFormat};
use rolebar_core::{Result, Session};
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
    let got = session(profile, using, mfa_token).await;
    handed_out::record_served(profile, Way::Export, got.as_ref().map(|(_, o)| *o));
    let (session, _) = got?;
    print!("{}", outputs::export_lines(&session, format)?.as_str());
    Ok(ExitCode::SUCCESS)
}

/// The session and who served it (the tray's agent notes its own answers).
async fn session(profile: &str, using: agent::Use, mfa_token: Option<MfaCode>) -> Result<(Session, Served)> {
    if let Some(session) = agent::session(profile, Duration::ZERO, using).await? {
        return Ok((session, Served::ByAgent));
    }
    let ctx = crate::sso::interactive_context()?;
    let profiles = ctx.profiles()?;
    crate::approve::check_alone(&profiles, profile, NoDialog::NoTray)?;
    let resolved = profiles.resolve(profile)?;
    let cached = ctx.vault.cached_session(&resolved)?;
    let prompt = mfa_sources::sourced(&resolved, &TerminalMfa, mfa_token);
    let session = ctx.vault.session(&resolved, &prompt).await?;
    let outcome = handed_out::outcome(cached.as_ref(), &session);
    Ok((session, Served::Here(outcome)))
}

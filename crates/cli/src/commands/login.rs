//! `rolebar login PROFILE`: the AWS console, signed in as the profile's session.

use super::handed_out::{self, Served};
use crate::agent;
use crate::prompt::TerminalMfa;
use rolebar_core::activity::{Outcome, Way};
use rolebar_core::approvals::NoDialog;
use rolebar_core::console::{self, ConsoleOptions, ConsoleSession, ConsoleTarget, FederationClient, Plan};
use rolebar_core::Result;
use std::process::ExitCode;
use time::Duration;

/// `rolebar login`: the console sign-in URL for the profile's session, opened in the browser or
/// printed. A role's session comes from the tray's agent when it runs (its dialog asks a
/// needed code), else from here (the terminal asks); a profile with keys and no role signs in
/// as a federated user made here with its keys, which needs no code.
pub async fn run(
    profile: &str,
    options: &ConsoleOptions,
    stdout: bool,
    using: agent::Use,
    mfa_token: Option<rolebar_core::mfa::MfaCode>,
) -> Result<ExitCode> {
    let ctx = crate::sso::interactive_context()?;
    let resolved = ctx.profiles()?.resolve(profile)?;
    // Before any session or code: a bad region or endpoint fails at once.
    let target = ConsoleTarget::for_profile(
        &resolved,
        options.region.as_deref().or(resolved.region.as_deref()),
        options.path.as_deref(),
    )?;
    let plan = console::plan(&resolved)?;
    console::check_duration(&resolved, &plan, options.duration)?;
    // A sign-in URL is a hand-out (way `console`): noted here unless the tray's agent gave the
    // session (its entry says so).
    let got = async {
        let (session, served) = match plan {
            Plan::Role => match agent::session(profile, Duration::ZERO, using).await? {
                Some(session) => (ConsoleSession::from_role_session(&resolved, session), Served::ByAgent),
                None => {
                    crate::approve::check_alone(&ctx.profiles()?, profile, NoDialog::NoTray)?;
                    // Only for the log: a cache that cannot be read here fails below, not here.
                    let cached = ctx.vault.cached_session(&resolved).is_ok_and(|c| c.is_some());
                    let prompt = crate::mfa_sources::sourced(&resolved, &TerminalMfa, mfa_token);
                    let session = console::console_session(&ctx.vault, &resolved, options.duration, &prompt).await?;
                    let outcome = if cached { Outcome::Cached } else { Outcome::NewSession };
                    (session, Served::Here(outcome))
                }
            },
            Plan::Federation { .. } => {
                // Made here with the profile's keys: no tray is asked, so nothing can approve it.
                crate::approve::check_alone(&ctx.profiles()?, profile, NoDialog::NoTray)?;
                (
                    console::federation_session(&ctx.vault, &resolved, options.duration).await?,
                    Served::Here(Outcome::NewSession),
                )
            }
        };
        let login = console::sign_in(&session, &target, options.duration, &FederationClient::default()).await?;
        Ok::<_, rolebar_core::Error>((login, served))
    }
    .await;
    handed_out::record_served(profile, Way::Console, got.as_ref().map(|(_, s)| *s));
    let (mut login, _) = got?;
    login.notes.extend(console::plan_notes(&resolved));
    for note in &login.notes {
        eprintln!("rolebar: note: {note}");
    }
    if stdout {
        println!("{}", login.url.expose());
        return Ok(ExitCode::SUCCESS);
    }
    // The browser gets a one-shot page, not the URL (a command line is readable by every local
    // user); the page needs this process until the browser came for it.
    let browser = std::env::var("BROWSER").ok();
    let handoff = console::hand_to_browser(
        profile,
        &login.url,
        browser.as_deref(),
        &console::HandoffOptions::default(),
    )
    .await?;
    if !handoff.used() {
        eprintln!(
            "Waiting for the browser to open the sign-in page (at most {} s; Ctrl-C stops)…",
            console::HANDOFF_BOUND.as_secs()
        );
    }
    let interrupted = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        done = handoff.finish() => done?,
        () = interrupted => {
            // The page was withdrawn with `handoff`.
            eprintln!("rolebar: stopped; the sign-in page was withdrawn");
            return Ok(ExitCode::from(130));
        }
    }
    eprintln!(
        "Opened the AWS console ({}, {}) for `{profile}` in your browser",
        login.region,
        login.partition.name()
    );
    Ok(ExitCode::SUCCESS)
}

//! IAM Identity Center on the command line: `login-sso`, `logout-sso`, the sign-ins `list`
//! shows, and how a sign-in is shown in a terminal (the URL or code on stderr, and a browser).

use crate::context::{self, Context};
use rolebar_core::profile::ProfileSet;
use rolebar_core::session::format_time_left;
use rolebar_core::sso::{BrowserSignInUi, SignInFlow, SignInPrompt, SignInUi};
use rolebar_core::Result;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;
use time::OffsetDateTime;

/// Says on stderr what the user must do, then opens the browser (unless told not to). The URL
/// is printed too: the browser may open on another screen, or not at all.
#[derive(Debug)]
pub struct TerminalSignIn {
    browser: Option<BrowserSignInUi>,
}

impl TerminalSignIn {
    pub fn new(open_browser: bool) -> TerminalSignIn {
        TerminalSignIn {
            browser: open_browser.then(BrowserSignInUi::new),
        }
    }
}

#[async_trait::async_trait]
impl SignInUi for TerminalSignIn {
    async fn show(&self, prompt: &SignInPrompt) -> Result<()> {
        match prompt {
            SignInPrompt::OpenUrl { session, url } => {
                eprintln!("Signing in to IAM Identity Center `{session}` in your browser. If no browser opens, open:\n  {url}");
            }
            SignInPrompt::DeviceCode {
                session,
                verification_uri,
                user_code,
                ..
            } => {
                eprintln!(
                    "Signing in to IAM Identity Center `{session}`: open {verification_uri} (on any device) and enter the code {user_code}"
                );
            }
        }
        if let Some(browser) = &self.browser {
            match (browser.show(prompt).await, prompt) {
                (Ok(()), _) => {}
                // The code can be entered on any device: the printed line is enough.
                (Err(e), SignInPrompt::DeviceCode { .. }) => eprintln!("rolebar: {e}"),
                // A person at a terminal may still open the printed URL (or forward the port
                // over SSH): told, and the sign-in waits.
                (Err(e), SignInPrompt::OpenUrl { .. }) if std::io::stderr().is_terminal() => {
                    eprintln!("rolebar: {e}")
                }
                // No one to open it (a script, CI): waiting would only time out; the error says
                // to use the device code.
                (Err(e), SignInPrompt::OpenUrl { .. }) => return Err(e),
            }
        }
        Ok(())
    }
}

/// As [`context::open`], for a command the user runs (exec, export, write, login): an SSO
/// profile whose sign-in cannot be renewed signs in again through a browser, shown on stderr.
pub fn interactive_context() -> Result<Context> {
    let mut ctx = context::open()?;
    sign_in_here(&mut ctx, SignInFlow::Pkce);
    Ok(ctx)
}

/// Lets `ctx` sign in through the terminal when a command needs it (exec, export, write).
pub fn sign_in_here(ctx: &mut Context, flow: SignInFlow) {
    ctx.vault
        .set_sign_in_ui(Some(Arc::new(TerminalSignIn::new(true))), flow);
}

/// `rolebar login-sso NAME`: a new sign-in, always interactive.
pub async fn login(name: &str, device_code: bool, no_browser: bool) -> Result<ExitCode> {
    let ctx = context::open()?;
    let set = ctx.profiles()?;
    let session = set.sign_in_named(name)?;
    let flow = if device_code {
        SignInFlow::DeviceCode
    } else {
        SignInFlow::Pkce
    };
    let sso = ctx.vault.sso_access()?;
    let state = sso
        .sso
        .sign_in(&session, flow, &TerminalSignIn::new(!no_browser))
        .await?;
    eprintln!(
        "Signed in to IAM Identity Center `{}` ({} left{}).",
        session.display_name(),
        format_time_left(state.expires_at - ctx.now()),
        if state.can_refresh {
            "; Rolebar renews it without a browser while it can"
        } else {
            ""
        }
    );
    Ok(ExitCode::SUCCESS)
}

/// `rolebar logout-sso NAME`: the sign-in ends (at AWS too, when it answers), its token file is
/// removed, and the role sessions made with it are dropped.
pub async fn logout(name: &str) -> Result<ExitCode> {
    let ctx = context::open()?;
    let set = ctx.profiles()?;
    let session = set.sign_in_named(name)?;
    let sso = ctx.vault.sso_access()?;
    let was_signed_in = sso.sso.sign_out(&session).await?;
    let mut dropped = 0;
    for profile in rolebar_core::sessions::sso_profiles(&set, &session) {
        dropped += ctx.vault.cache().clear(&profile)?;
    }
    match (was_signed_in, dropped) {
        (false, 0) => eprintln!("Not signed in to IAM Identity Center `{}`.", session.display_name()),
        _ => eprintln!(
            "Signed out of IAM Identity Center `{}`; {dropped} role session(s) dropped.",
            session.display_name()
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// `list`'s lines for the sign-ins of the config file: each with its time left.
pub fn sign_in_rows(ctx: &Context, set: &ProfileSet, now: OffsetDateTime) -> Vec<[String; 3]> {
    let Ok(sso) = ctx.vault.sso_access() else {
        return Vec::new();
    };
    set.sso_session_names()
        .into_iter()
        .map(|name| {
            let state = match set.sso_session(name) {
                Ok(Some(session)) => match sso.sso.state(&session) {
                    Ok(Some(state)) if state.expires_at > now => {
                        format!("signed in, {} left", format_time_left(state.expires_at - now))
                    }
                    Ok(Some(state)) if state.can_refresh => "signed in (renewed at the next use)".to_string(),
                    Ok(_) => format!("signed out (rolebar login-sso {name})"),
                    Err(e) => format!("(error: {})", e.code()),
                },
                Ok(None) => "-".to_string(),
                Err(e) => format!("(error: {})", e.code()),
            };
            [
                format!("[sso-session {name}]"),
                "IAM Identity Center".to_string(),
                state,
            ]
        })
        .collect()
}

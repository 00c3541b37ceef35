//! How an IAM Identity Center sign-in is shown in a terminal (the URL or code on stderr, and a
//! browser), for `login-sso` and for every command that may need to sign in again.

use crate::context::{self, Context};
use rolebar_core::sso::{BrowserSignInUi, SignInFlow, SignInPrompt, SignInUi};
use rolebar_core::Result;
use std::io::IsTerminal;
use std::sync::Arc;

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

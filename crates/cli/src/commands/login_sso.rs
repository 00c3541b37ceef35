//! `rolebar login-sso NAME`: a new sign-in to IAM Identity Center, in the browser or with a
//! device code.

use crate::context;
use crate::sso::TerminalSignIn;
use rolebar_core::session::format_time_left;
use rolebar_core::sso::SignInFlow;
use rolebar_core::Result;
use std::process::ExitCode;

/// `rolebar login-sso NAME`: a new sign-in, always interactive.
pub async fn run(name: &str, device_code: bool, no_browser: bool) -> Result<ExitCode> {
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

//! `rolebar logout-sso NAME`: the IAM Identity Center sign-in ends.

use crate::context;
use rolebar_core::Result;
use std::process::ExitCode;

/// `rolebar logout-sso NAME`: the sign-in ends (at AWS too, when it answers), its token file is
/// removed, and the role sessions made with it are dropped.
pub async fn run(name: &str) -> Result<ExitCode> {
    let ctx = context::open()?;
    let set = ctx.profiles()?;
    let session = set.sign_in_named(name)?;
    let sso = ctx.vault.sso_access()?;
    let was_signed_in = sso.sso.sign_out(&session).await?;
    let mut dropped = 0;
    for profile in rolebar_core::session::operations::sso_profiles(&set, &session) {
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

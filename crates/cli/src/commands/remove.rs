//! `rolebar remove PROFILE`: the profile's long-term key out of the keyring, and its cached
//! sessions with it.

use crate::context;
use rolebar_core::Result;
use std::process::ExitCode;

pub fn run(profile: &str) -> Result<ExitCode> {
    let ctx = context::open()?;
    let sessions = ctx.vault.cache().clear(profile)?;
    if ctx.vault.keys().remove(profile)? {
        eprintln!("Removed the keys of \"{profile}\" from the OS keyring ({sessions} cached session(s) cleared)");
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("rolebar: no keys stored for \"{profile}\"");
        Ok(ExitCode::from(1))
    }
}

//! `rolebar clear [PROFILE]`: cached sessions removed, of one profile or all.

use crate::context;
use rolebar_core::Result;
use std::process::ExitCode;

pub fn run(profile: Option<&str>) -> Result<ExitCode> {
    let ctx = context::open()?;
    let n = match profile {
        Some(p) => ctx.vault.cache().clear(p)?,
        None => ctx.vault.cache().clear_all()?,
    };
    eprintln!("Cleared {n} session(s)");
    Ok(ExitCode::SUCCESS)
}

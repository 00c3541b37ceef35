//! `rolebar logout`: what Rolebar holds for a name ends (sessions and written sections), or the
//! expired sections it wrote are removed.

use crate::context;
use rolebar_core::outputs;
use rolebar_core::Result;
use std::process::ExitCode;

/// `rolebar logout NAME` ends what Rolebar holds for NAME, as the tray's "Log out" does
/// (`Sessions::log_out`): NAME's cached sessions, the sections written with its session, and the
/// section NAME itself when Rolebar wrote it. `--only-section` takes back the section NAME alone.
pub fn run(name: Option<&str>, expired: bool, only_section: bool) -> Result<ExitCode> {
    let ctx = context::open()?;
    let now = ctx.now();
    let Some(name) = name.filter(|_| !expired) else {
        let removed = outputs::remove_expired(&ctx.paths.credentials, now)?;
        eprintln!(
            "Removed {} expired Rolebar section(s) {}",
            removed.len(),
            removed.join(", ")
        );
        return Ok(ExitCode::SUCCESS);
    };
    if only_section {
        let path = outputs::remove_profile(&ctx.paths.credentials, name)?;
        eprintln!("Removed [{name}] from {}", path.display());
        return Ok(ExitCode::SUCCESS);
    }
    let done = ctx.log_out(name)?;
    if done.sessions_cleared == 0 && done.sections_removed.is_empty() {
        // Nothing of Rolebar's for NAME: the section's own refusal says why (not Rolebar's, or
        // no such section).
        outputs::remove_profile(&ctx.paths.credentials, name)?;
    }
    let sections = if done.sections_removed.is_empty() {
        "no section".to_string()
    } else {
        done.sections_removed
            .iter()
            .map(|s| format!("[{s}]"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    eprintln!(
        "Logged out of `{name}`: {} cached session(s) cleared; removed {sections} from {}",
        done.sessions_cleared,
        ctx.paths.credentials.display()
    );
    Ok(ExitCode::SUCCESS)
}

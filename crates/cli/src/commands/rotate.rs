//! `rolebar rotate`: rotate a profile's long-term access key (rolebar-core's `rotation`), delete
//! a key a failed rotation left behind (`--delete-key`), or learn a key's creation date from IAM
//! (`--age`).

use crate::context;
use crate::prompt::TerminalMfa;
use rolebar_core::rotation::Rotator;
use rolebar_core::Result;
use std::process::ExitCode;

pub async fn run(profile: &str, delete_key: Option<&str>, age: bool) -> Result<ExitCode> {
    let ctx = context::open()?;
    let rotator = Rotator::default();
    if let Some(key) = delete_key {
        let deleted = rotator.delete_key(&ctx, profile, key, &TerminalMfa).await?;
        eprintln!(
            "Deleted the access key {} of {} (profile \"{profile}\").",
            deleted.key,
            user_text(deleted.user_name.as_deref())
        );
        return Ok(ExitCode::SUCCESS);
    }
    if age {
        let age = rotator.refresh_age(&ctx, profile, &TerminalMfa).await?;
        println!("{profile}: {} {}", age.masked_key_id, age.describe(ctx.now()));
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!("Rotating the access key of profile \"{profile}\"…");
    let report = rotator.rotate(&ctx, profile, &TerminalMfa).await?;
    eprintln!(
        "Rotated the access key of profile \"{profile}\" ({}): {} → {}. The new key is in the OS keyring; the old one is deleted at AWS.",
        user_text(report.user_name.as_deref()),
        report.old_key,
        report.new_key
    );
    if report.checks > 1 {
        eprintln!(
            "AWS accepted the new key after {:.1} s ({} tries): IAM takes a moment to spread a new key.",
            report.waited.as_secs_f64(),
            report.checks
        );
    }
    if report.sessions_cleared > 0 {
        eprintln!(
            "Dropped {} cached session(s) made with the old key.",
            report.sessions_cleared
        );
    }
    for note in &report.notes {
        eprintln!("{note}");
    }
    Ok(ExitCode::SUCCESS)
}

fn user_text(user: Option<&str>) -> String {
    match user {
        Some(u) => format!("IAM user {u}"),
        None => "the IAM user".to_string(),
    }
}

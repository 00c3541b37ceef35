//! `rolebar write PROFILE --to TARGET`: the profile's session written into the section TARGET of
//! ~/.aws/credentials (every other byte kept), and the `aws` command that uses it.

use super::handed_out;
use super::shell_word::shell_word;
use crate::mfa_sources;
use crate::prompt::TerminalMfa;
use rolebar_core::activity::Way;
use rolebar_core::outputs::{self, Placement, WriteOptions};
use rolebar_core::profile::ProfileSet;
use rolebar_core::session::format_time_left;
use rolebar_core::Result;
use std::process::ExitCode;

pub async fn run(profile: &str, target: &str, force: bool) -> Result<ExitCode> {
    let ctx = crate::sso::interactive_context()?;
    let set = ctx.profiles()?;
    crate::approve::check_alone(&set, profile, rolebar_core::approvals::NoDialog::WritesAFile)?;
    let resolved = set.resolve(profile)?;
    // Everything the write would refuse is refused before an MFA code is asked for nothing.
    outputs::check_write(&ctx.paths.credentials, target, Some(set.config_file()), force)?;
    let cached = ctx.vault.cached_session(&resolved);
    let got = match cached {
        Ok(cached) => ctx
            .vault
            .session(&resolved, &mfa_sources::sourced(&resolved, &TerminalMfa, None))
            .await
            .map(|session| {
                let outcome = handed_out::outcome(cached.as_ref(), &session);
                (session, outcome)
            }),
        Err(e) => Err(e),
    };
    handed_out::record(profile, Way::Write, got.as_ref().map(|(_, o)| *o));
    let (session, _) = got?;
    let options = WriteOptions {
        force,
        ..WriteOptions::default()
    };
    let now = ctx.vault.cache().now();
    let report = outputs::write_profile(
        &ctx.paths.credentials,
        target,
        &session,
        Some(set.config_file()),
        now,
        options,
    )?;
    let verb = match report.placement {
        Placement::Replaced { line } => format!("replaced [{target}] at line {line} of"),
        Placement::Appended => format!("added [{target}] to"),
    };
    eprintln!(
        "Wrote the session of `{profile}` ({}, expires {}): {verb} {}",
        session.credentials.masked_key_id(),
        format_time_left(session.time_left(now)),
        report.path.display()
    );
    if !report.removed_expired.is_empty() {
        eprintln!(
            "Removed expired Rolebar sections: {}",
            report.removed_expired.join(", ")
        );
    }
    if !report.duplicate_lines.is_empty() {
        eprintln!(
            "warning: [{target}] appears again on lines {:?}; the AWS CLI refuses duplicate sections",
            report.duplicate_lines
        );
    }
    if let Some(mode) = report.mode_tightened_from {
        eprintln!("note: the file's mode was {mode:o}; now 600 (it holds credentials)");
    }
    // The AWS CLI takes a named profile's region from that profile alone (never from
    // [default]), and the written section holds none: read the files as they now are.
    let target_has_region = ProfileSet::load(&ctx.paths)
        .ok()
        .is_some_and(|set| set.own_setting(target, "region").is_some());
    for line in use_hint(
        target,
        target_has_region,
        profile,
        session.region.as_deref(),
        set.config_path(),
    ) {
        eprintln!("{line}");
    }
    Ok(ExitCode::SUCCESS)
}

/// The command to try after `write`, as lines: one the AWS CLI runs as printed, then why
/// `--region` is there. `region`: the one `exec` would set for `source` (its own, else the
/// environment's, else `[default]`'s).
fn use_hint(
    target: &str,
    target_has_region: bool,
    source: &str,
    region: Option<&str>,
    config: &std::path::Path,
) -> Vec<String> {
    let profile = shell_word(target);
    let section = match target {
        "default" => "[default]".to_string(),
        _ => format!("[profile {target}]"),
    };
    if target_has_region {
        return vec![format!("Use it with: aws --profile {profile} …")];
    }
    let config = config.display();
    match region {
        Some(region) => vec![
            format!("Use it with: aws --profile {profile} --region {} …", shell_word(region)),
            format!(
                "([{target}] has no region of its own and the AWS CLI does not use [default]'s there; \
                 add `region = {region}` under {section} in {config} to leave --region out)"
            ),
        ],
        None => vec![
            format!("Use it with: aws --profile {profile} --region REGION …"),
            format!(
                "(no region is known: `{source}` has none, nor has [default], nor AWS_REGION; pass \
                 --region, or add `region = …` under {section} in {config})"
            ),
        ],
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn the_use_hint_names_the_region_the_aws_cli_would_not_find() {
        let config = Path::new("/home/u/.aws/config");
        let lines = use_hint("dev-creds", false, "dev", Some("eu-west-1"), config);
        assert_eq!(lines[0], "Use it with: aws --profile dev-creds --region eu-west-1 …");
        assert!(
            lines[1].contains("`region = eu-west-1` under [profile dev-creds] in /home/u/.aws/config"),
            "{lines:?}"
        );
        assert_eq!(
            use_hint("dev-creds", true, "dev", Some("eu-west-1"), config),
            ["Use it with: aws --profile dev-creds …"]
        );
        let lines = use_hint("default", false, "dev", None, config);
        assert_eq!(lines[0], "Use it with: aws --profile default --region REGION …");
        assert!(
            lines[1].contains("`dev` has none") && lines[1].contains("under [default] in"),
            "{lines:?}"
        );
    }
}

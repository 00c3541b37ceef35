//! `rolebar exec PROFILE [-- CMD…]`: CMD (default: the user's shell) runs with the profile's
//! session in its environment, and on Unix in rolebar's place. `exec --server` is
//! [`super::exec_server`].

use super::exec_env::{self, PROFILE_VAR, STALE_VARIABLES};
use super::handed_out::{self, Served};
use super::shell_word::shell_word;
use crate::agent;
use crate::mfa_sources;
use crate::prompt::TerminalMfa;
use rolebar_core::activity::{Outcome, Way};
use rolebar_core::approvals::NoDialog;
use rolebar_core::container_endpoint::{FULL_URI_ENV, TOKEN_ENV};
use rolebar_core::mfa::MfaCode;
use rolebar_core::session::format_time_left;
use rolebar_core::session::vault::VaultOptions;
use rolebar_core::{Result, Session};
use std::process::ExitCode;
use time::Duration;

pub async fn run(
    profile: &str,
    duration: Option<time::Duration>,
    command: Vec<String>,
    using: agent::Use,
    mfa_token: Option<MfaCode>,
) -> Result<ExitCode> {
    exec_env::refuse_nested()?;
    let got = session(profile, duration, using, mfa_token).await;
    handed_out::record_served(profile, Way::Exec, got.as_ref().map(|(_, o)| *o));
    let (session, _) = got?;
    run_with(profile, &session, command)
}

/// The session to run with, and who served it (the tray's agent notes its own answers).
async fn session(
    profile: &str,
    duration: Option<time::Duration>,
    using: agent::Use,
    mfa_token: Option<MfaCode>,
) -> Result<(Session, Served)> {
    // The tray's sessions have the tray's lengths: `--duration` is this command's own business.
    // A code given here is for this command to use: the tray would ask its own.
    if duration.is_none() && mfa_token.is_none() {
        if let Some(session) = agent::session(profile, Duration::ZERO, using).await? {
            return Ok((session, Served::ByAgent));
        }
    }
    let ctx = crate::sso::interactive_context()?;
    let set = ctx.profiles()?;
    crate::approve::check_alone(&set, profile, NoDialog::NoTray)?;
    let resolved = set.resolve(profile)?;
    let vault = match duration {
        // As aws-vault's --duration: the role's session and the MFA session alike.
        Some(d) => ctx.vault.with_options(VaultOptions {
            session_token_duration: d,
            role_duration: Some(d),
            ..VaultOptions::default()
        }),
        None => ctx.vault,
    };
    // Looked up first to tell afterwards whether `session` made a new session or reused this one.
    let cached = vault.cached_session(&resolved)?;
    let session = vault
        .session(&resolved, &mfa_sources::sourced(&resolved, &TerminalMfa, mfa_token))
        .await?;
    tracing::debug!(
        profile,
        kind = session.kind.label(),
        key = %session.credentials.masked_key_id(),
        left = %format_time_left(session.time_left(vault.cache().now())),
        "running with this session"
    );
    let outcome = handed_out::outcome(cached.as_ref(), &session);
    if let Some(asked) = duration {
        let reused = outcome == Outcome::Cached;
        let left = session.time_left(vault.cache().now());
        if let Some(note) = duration_note(profile, &session.profile, reused, asked, left) {
            eprintln!("rolebar: {note}");
        }
    }
    Ok((session, Served::Here(outcome)))
}

/// Runs `command` (default: the user's shell) with `session` in its environment.
fn run_with(profile: &str, session: &Session, command: Vec<String>) -> Result<ExitCode> {
    let (program, args) = exec_env::program_and_args(command);
    let mut child = std::process::Command::new(&program);
    child.args(&args);
    apply_environment(&mut child, profile, session);
    run_replacing(child, &program)
}

/// How much sooner than `--duration` asked a session may end before `exec` says so. The cache's
/// expiry window: it is already what Rolebar counts as "about the same time", and it keeps a
/// second `exec --duration 2h` a minute after the first quiet.
const DURATION_SLACK: Duration = rolebar_core::session::cache::DEFAULT_EXPIRY_WINDOW;

/// What `exec --duration ASKED` tells the user when the session it runs with ends more than
/// [`DURATION_SLACK`] before ASKED from now. `reused`: the cached session was handed out (the
/// cache serves any session with more than 5 minutes left, whatever it was asked for), and
/// clearing `cache_profile`'s sessions gets a new one. Otherwise the new session was cut short
/// by AWS's rule for roles assumed from temporary credentials.
fn duration_note(profile: &str, cache_profile: &str, reused: bool, asked: Duration, left: Duration) -> Option<String> {
    if left + DURATION_SLACK >= asked {
        return None;
    }
    let (left, asked) = (short_duration(left), short_duration(asked));
    Some(if reused {
        format!(
            "using the cached session for `{profile}` (expires in {left}, asked {asked}): run `rolebar clear {}` first for a new one",
            shell_word(cache_profile)
        )
    } else {
        format!(
            "the new session for `{profile}` expires in {left}, not the {asked} asked: AWS gives a role assumed from temporary credentials (another role's, or an MFA session's) at most 1h"
        )
    })
}

/// `2h`, `1h30m`, `37m`, `45s`: as `--duration` is written (rounded down to the minute).
fn short_duration(d: Duration) -> String {
    let total = d.whole_seconds().max(0);
    match (total / 3600, total % 3600 / 60) {
        (0, 0) => format!("{total}s"),
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h{m}m"),
    }
}

/// The variables `exec` sets, and the stale ones it removes so the session is what tools use.
fn apply_environment(cmd: &mut std::process::Command, profile: &str, session: &Session) {
    for stale in STALE_VARIABLES {
        cmd.env_remove(stale);
    }
    // A container endpoint from an outer `exec --server` would be used before these keys.
    cmd.env_remove(FULL_URI_ENV).env_remove(TOKEN_ENV);
    let expiration = session
        .expires_at
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let c = &session.credentials;
    cmd.env("AWS_ACCESS_KEY_ID", &c.access_key_id);
    cmd.env("AWS_SECRET_ACCESS_KEY", c.secret_access_key.expose());
    if let Some(token) = &c.session_token {
        cmd.env("AWS_SESSION_TOKEN", token.expose());
        cmd.env("AWS_SECURITY_TOKEN", token.expose());
    }
    cmd.env("AWS_CREDENTIAL_EXPIRATION", &expiration);
    cmd.env("AWS_SESSION_EXPIRATION", &expiration);
    if let Some(region) = &session.region {
        cmd.env("AWS_REGION", region);
        cmd.env("AWS_DEFAULT_REGION", region);
    }
    cmd.env(PROFILE_VAR, profile);
}

/// On Unix the command replaces rolebar (as aws-vault does): signals reach it directly and its
/// exit status is the caller's. Elsewhere, wait and pass the status on.
fn run_replacing(mut cmd: std::process::Command, program: &str) -> Result<ExitCode> {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let error = cmd.exec();
        eprintln!("rolebar: cannot run `{program}`: {error}");
        Ok(ExitCode::from(if error.kind() == std::io::ErrorKind::NotFound {
            127
        } else {
            126
        }))
    }
    #[cfg(not(unix))]
    {
        match cmd.status() {
            Ok(status) => Ok(ExitCode::from(status.code().unwrap_or(1) as u8)),
            Err(error) => {
                eprintln!("rolebar: cannot run `{program}`: {error}");
                Ok(ExitCode::from(127))
            }
        }
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reused_session_shorter_than_asked_is_told_with_the_way_to_a_new_one() {
        let note = duration_note(
            "dev",
            "dev",
            true,
            Duration::hours(2),
            Duration::minutes(37) + Duration::seconds(20),
        )
        .expect("note");
        assert_eq!(
            note,
            "using the cached session for `dev` (expires in 37m, asked 2h): run `rolebar clear dev` first for a new one"
        );
        let note = duration_note("開発", "a b", true, Duration::hours(2), Duration::minutes(30)).expect("note");
        assert!(note.contains("rolebar clear 'a b'"), "{note}");
    }

    #[test]
    fn a_session_about_as_long_as_asked_or_longer_is_used_quietly() {
        let asked = Duration::hours(2);
        for left in [
            Duration::hours(8),
            asked,
            asked - Duration::seconds(1),
            asked - DURATION_SLACK,
        ] {
            assert_eq!(duration_note("dev", "dev", true, asked, left), None, "{left}");
            assert_eq!(duration_note("dev", "dev", false, asked, left), None, "{left}");
        }
        assert!(duration_note("dev", "dev", true, asked, asked - DURATION_SLACK - Duration::seconds(1)).is_some());
    }

    #[test]
    fn a_new_session_cut_short_says_why() {
        let note = duration_note("dev", "dev", false, Duration::hours(2), Duration::hours(1)).expect("note");
        assert!(
            note.contains("expires in 1h, not the 2h asked") && note.contains("at most 1h"),
            "{note}"
        );
        assert!(!note.contains("rolebar clear"), "{note}");
    }

    #[test]
    fn durations_print_as_they_are_typed() {
        assert_eq!(short_duration(Duration::hours(2)), "2h");
        assert_eq!(short_duration(Duration::minutes(90)), "1h30m");
        assert_eq!(short_duration(Duration::seconds(59 * 60 + 59)), "59m");
        assert_eq!(short_duration(Duration::seconds(45)), "45s");
        assert_eq!(short_duration(Duration::seconds(-3)), "0s");
    }
}

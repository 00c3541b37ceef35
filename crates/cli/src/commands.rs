//! The subcommands: each a short adapter from arguments to rolebar-core.

use crate::agent;
use crate::context;
use crate::exec_env::{PROFILE_VAR, STALE_VARIABLES};
use crate::mfa_sources;
use crate::prompt::{self, TerminalMfa};
use crate::Command;
use rolebar_core::console::{self, ConsoleOptions, ConsoleSession, ConsoleTarget, FederationClient, Plan};
use rolebar_core::container_endpoint::{FULL_URI_ENV, TOKEN_ENV};
use rolebar_core::keys::check_profile_name;
use rolebar_core::mfa::{MfaCode, NoPrompt};
use rolebar_core::outputs::{self, ExportFormat, Placement, WriteOptions};
use rolebar_core::profile::{CredentialSource, ProfileSet, WrittenSection};
use rolebar_core::session::format_time_left;
use rolebar_core::vault::VaultOptions;
use rolebar_core::{Credentials, Error, Result, Session};
use std::process::ExitCode;
use time::Duration;
use unicode_width::UnicodeWidthStr;

pub async fn run(command: Command, no_agent: bool) -> Result<ExitCode> {
    let using = if no_agent {
        agent::Use::NoAgent
    } else {
        agent::Use::Agent
    };
    match command {
        Command::Add {
            profile,
            env,
            from_credentials_file,
        } => add(&profile, env, from_credentials_file),
        Command::List => list(),
        Command::Exec {
            profile,
            duration,
            server: true,
            command,
            ..
        } => exec_server(&profile, command, using, duration).await,
        Command::Exec {
            profile,
            duration,
            server: false,
            command,
            mfa_token,
        } => exec(&profile, duration, command, using, mfa_token).await,
        Command::Remove { profile } => remove(&profile),
        Command::Clear { profile } => clear(profile.as_deref()),
        Command::Write { profile, target, force } => write(&profile, &target, force).await,
        Command::Logout {
            name,
            expired,
            only_section,
        } => logout(name.as_deref(), expired, only_section),
        Command::Export {
            profile,
            format,
            mfa_token,
        } => export(&profile, format.as_deref(), using, mfa_token).await,
        Command::CredentialProcess { profile } => credential_process(&profile, using).await,
        Command::Import { source } => crate::import::run(source).await,
        Command::LoginSso {
            name,
            use_device_code,
            no_browser,
        } => crate::sso::login(&name, use_device_code, no_browser).await,
        Command::LogoutSso { name } => crate::sso::logout(&name).await,
        Command::Rotate {
            profile,
            delete_key,
            age,
        } => crate::rotate::run(&profile, delete_key.as_deref(), age).await,
        Command::Login {
            profile,
            stdout,
            region,
            path,
            duration,
            mfa_token,
        } => {
            let options = ConsoleOptions { region, path, duration };
            // A code given here is for this process: the tray is not asked then.
            let using = if mfa_token.is_some() {
                agent::Use::NoAgent
            } else {
                using
            };
            login(&profile, &options, stdout, using, mfa_token).await
        }
    }
}

fn add(profile: &str, from_env: bool, from_file: bool) -> Result<ExitCode> {
    // Before asking for the keys: the key store refuses the name too, but only after the typing.
    check_profile_name(profile)?;
    let ctx = context::open()?;
    let keys = if from_env {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        match (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY")) {
            (Some(id), Some(secret)) => Credentials::long_term(id, secret),
            _ => {
                eprintln!("rolebar: --env needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set");
                return Ok(ExitCode::from(2));
            }
        }
    } else if from_file {
        let set = ctx.profiles()?;
        let resolved = set.resolve(profile)?;
        let file_keys = match resolved.source {
            CredentialSource::Keys(k) | CredentialSource::SessionToken { keys: k, .. } => k.file_keys,
            _ => None,
        };
        match file_keys {
            Some(f) if f.credentials.session_token.is_none() => f.credentials,
            Some(f) => {
                eprintln!(
                    "rolebar: the keys of `{profile}` in {} (line {}) carry a session token: they are temporary, not worth storing",
                    f.path.display(),
                    f.line
                );
                return Ok(ExitCode::from(2));
            }
            None => {
                eprintln!(
                    "rolebar: no keys for `{profile}` in {}",
                    ctx.paths.credentials.display()
                );
                return Ok(ExitCode::from(2));
            }
        }
    } else {
        let id = prompt::ask_visible("Enter Access Key ID")?;
        let secret = prompt::ask_secret("Enter Secret Access Key")?;
        if id.trim().is_empty() || secret.is_empty() {
            eprintln!("rolebar: both the access key id and the secret are needed");
            return Ok(ExitCode::from(2));
        }
        Credentials {
            access_key_id: id.trim().to_string(),
            secret_access_key: secret,
            session_token: None,
        }
    };
    ctx.vault.keys().add(profile, &keys, ctx.vault.cache().now())?;
    // Sessions made from the old keys would hide a mistake in the new ones.
    ctx.vault.cache().clear(profile)?;
    eprintln!(
        "Added credentials to profile \"{profile}\" in the OS keyring ({})",
        keys.masked_key_id()
    );
    Ok(ExitCode::SUCCESS)
}

fn list() -> Result<ExitCode> {
    let ctx = context::open()?;
    let set = ctx.profiles()?;
    let keys = ctx.vault.keys().list();
    let sessions = ctx.vault.cache().list();
    let mut rows: Vec<[String; 3]> = Vec::new();
    let now = ctx.vault.cache().now();
    let key_notes = crate::rotate::key_notes(ctx.vault.keys().ages(), now);
    for name in set.names() {
        // A section Rolebar wrote is its output, not a profile to get sessions from.
        if let Some(written) = set.written_section(name) {
            let [credentials, left] = written_columns(&written, now);
            rows.push([shown(name), credentials, left]);
            continue;
        }
        let credentials = if let Some(k) = keys.get(name) {
            // aws-vault's rule: a role without source_profile assumes itself with these keys.
            let used = if set.role_with_own_keyring_keys(name) {
                ", assume its role"
            } else {
                ""
            };
            match key_notes.get(name) {
                Some(note) => format!("{} (keyring {}{used}, {note})", shown(name), k.masked_key_id),
                None => format!("{} (keyring {}{used})", shown(name), k.masked_key_id),
            }
        } else if set.own_setting(name, "aws_access_key_id").is_some() {
            format!("{} (file)", shown(name))
        } else if set.setting(name, "credential_process").ok().flatten().is_some() {
            // Served by running it (keys stored in the keyring would win, as the row above shows).
            format!("{} (credential_process)", shown(name))
        } else {
            "-".to_string()
        };
        let mine: Vec<String> = sessions
            .iter()
            .filter(|s| s.record.profile == name)
            .map(|s| format!("{}:{}", s.record.kind.label(), format_time_left(s.time_left)))
            .collect();
        let mut sessions_text = if mine.is_empty() {
            "-".to_string()
        } else {
            mine.join(" ")
        };
        if let Ok(resolved) = set.resolve(name) {
            if let CredentialSource::Unsupported { what, .. } = resolved.source {
                sessions_text = format!("(not served: {what})");
            }
        } else if let Err(e) = set.resolve(name) {
            sessions_text = format!("(error: {})", e.code());
        }
        rows.push([shown(name), credentials, sessions_text]);
    }
    rows.extend(crate::sso::sign_in_rows(&ctx, &set, now));
    let width = |i: usize, title: &str| {
        rows.iter()
            .map(|r| r[i].width())
            .chain([title.width()])
            .max()
            .unwrap_or(0)
            + 2
    };
    let (w0, w1) = (width(0, "Profile"), width(1, "Credentials"));
    let heading = [
        ["Profile", "Credentials", "Sessions"],
        ["=======", "===========", "========"],
    ];
    for [a, b, c] in heading {
        println!("{}{}{c}", pad(a, w0), pad(b, w1));
    }
    for [a, b, c] in rows {
        println!("{}{}{c}", pad(&a, w0), pad(&b, w1));
    }
    Ok(ExitCode::SUCCESS)
}

/// `list`'s credentials and sessions columns for a section Rolebar wrote.
fn written_columns(written: &WrittenSection, now: time::OffsetDateTime) -> [String; 2] {
    let credentials = match &written.source_profile {
        Some(source) => format!("written by Rolebar from {}", shown(source)),
        None => "written by Rolebar".to_string(),
    };
    let left = match written.expires_at {
        Some(_) if written.is_expired(now) => "expired (rolebar logout --expired)".to_string(),
        Some(at) => format!("{} left", format_time_left(at - now)),
        None => "-".to_string(),
    };
    [credentials, left]
}

/// A name as `list` prints it: escaped (`dev\nprod`) when it holds a control character, which
/// `add` refuses now but an older Rolebar stored, so one bad name cannot break the table.
fn shown(name: &str) -> String {
    if name.chars().any(char::is_control) {
        name.escape_debug().to_string()
    } else {
        name.to_string()
    }
}

/// `text` followed by spaces up to `width` terminal columns. `{:w$}` counts characters, and a
/// CJK character takes two columns, so `開発-dev` would push its row's columns right.
fn pad(text: &str, width: usize) -> String {
    let mut padded = text.to_string();
    padded.extend(std::iter::repeat_n(' ', width.saturating_sub(text.width())));
    padded
}

async fn exec(
    profile: &str,
    duration: Option<time::Duration>,
    command: Vec<String>,
    using: agent::Use,
    mfa_token: Option<MfaCode>,
) -> Result<ExitCode> {
    if let Ok(current) = std::env::var(PROFILE_VAR) {
        if !current.is_empty() {
            return Err(Error::NestedExec { profile: current });
        }
    }
    // The tray's sessions have the tray's lengths: `--duration` is this command's own business.
    // A code given here is for this command to use: the tray would ask its own.
    if duration.is_none() && mfa_token.is_none() {
        if let Some(session) = agent::session(profile, Duration::ZERO, using).await? {
            return run_with(profile, &session, command);
        }
    }
    let ctx = crate::sso::interactive_context()?;
    let set = ctx.profiles()?;
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
    let cached = match duration {
        Some(_) => vault.cached_session(&resolved)?,
        None => None,
    };
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
    if let Some(asked) = duration {
        let reused = cached.is_some_and(|c| {
            c.expires_at == session.expires_at && c.credentials.access_key_id == session.credentials.access_key_id
        });
        let left = session.time_left(vault.cache().now());
        if let Some(note) = duration_note(profile, &session.profile, reused, asked, left) {
            eprintln!("rolebar: {note}");
        }
    }
    run_with(profile, &session, command)
}

/// `exec --server`: the command gets a renewing endpoint instead of keys (`server`).
async fn exec_server(
    profile: &str,
    command: Vec<String>,
    using: agent::Use,
    duration: Option<time::Duration>,
) -> Result<ExitCode> {
    if let Ok(current) = std::env::var(PROFILE_VAR) {
        if !current.is_empty() {
            return Err(Error::NestedExec { profile: current });
        }
    }
    let (program, args) = program_and_args(command);
    crate::server::exec(profile, &program, &args, using, duration).await
}

/// The command to run: as given, or the user's shell.
fn program_and_args(command: Vec<String>) -> (String, Vec<String>) {
    match command.split_first() {
        Some((p, a)) => (p.clone(), a.to_vec()),
        None => (
            std::env::var("SHELL")
                .ok()
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "/bin/sh".into()),
            vec![],
        ),
    }
}

/// Runs `command` (default: the user's shell) with `session` in its environment.
fn run_with(profile: &str, session: &Session, command: Vec<String>) -> Result<ExitCode> {
    let (program, args) = program_and_args(command);
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

/// `word` as one POSIX shell word: as is when it needs no quoting, else single-quoted.
fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./@:+=,%".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
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

fn remove(profile: &str) -> Result<ExitCode> {
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

fn clear(profile: Option<&str>) -> Result<ExitCode> {
    let ctx = context::open()?;
    let n = match profile {
        Some(p) => ctx.vault.cache().clear(p)?,
        None => ctx.vault.cache().clear_all()?,
    };
    eprintln!("Cleared {n} session(s)");
    Ok(ExitCode::SUCCESS)
}

async fn write(profile: &str, target: &str, force: bool) -> Result<ExitCode> {
    let ctx = crate::sso::interactive_context()?;
    let set = ctx.profiles()?;
    let resolved = set.resolve(profile)?;
    // Everything the write would refuse is refused before an MFA code is asked for nothing.
    outputs::check_write(&ctx.paths.credentials, target, Some(set.config_file()), force)?;
    let session = ctx
        .vault
        .session(&resolved, &mfa_sources::sourced(&resolved, &TerminalMfa, None))
        .await?;
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

/// `rolebar logout NAME` ends what Rolebar holds for NAME, as the tray's "Log out" does
/// (`Sessions::log_out`): NAME's cached sessions, the sections written with its session, and the
/// section NAME itself when Rolebar wrote it. `--only-section` takes back the section NAME alone.
fn logout(name: Option<&str>, expired: bool, only_section: bool) -> Result<ExitCode> {
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

async fn export(
    profile: &str,
    format: Option<&str>,
    using: agent::Use,
    mfa_token: Option<MfaCode>,
) -> Result<ExitCode> {
    let format = match format {
        Some(f) => f.parse::<ExportFormat>()?,
        None => ExportFormat::from_shell(&std::env::var("SHELL").unwrap_or_default()),
    };
    // As for `exec`: a code given here is not the tray's to use.
    let using = if mfa_token.is_some() {
        agent::Use::NoAgent
    } else {
        using
    };
    let session = match agent::session(profile, Duration::ZERO, using).await? {
        Some(session) => session,
        None => {
            let ctx = crate::sso::interactive_context()?;
            let resolved = ctx.profiles()?.resolve(profile)?;
            let prompt = mfa_sources::sourced(&resolved, &TerminalMfa, mfa_token);
            ctx.vault.session(&resolved, &prompt).await?
        }
    };
    print!("{}", outputs::export_lines(&session, format)?.as_str());
    Ok(ExitCode::SUCCESS)
}

/// The AWS CLI re-runs a credential_process whose credentials have under 15 minutes left, and
/// swallows its stderr and stdin: hand out only sessions with more than that. The running tray
/// app asks for a needed code in its dialog; without it, renew when no code is needed and fail
/// fast (never prompt here) when one is.
async fn credential_process(profile: &str, using: agent::Use) -> Result<ExitCode> {
    let min_left = outputs::credential_process::CREDENTIAL_PROCESS_MIN_LEFT;
    let session = match agent::session(profile, min_left, using).await? {
        Some(session) => session,
        None => {
            // mfa_process or ykman may still give a code here; nothing else may ask.
            let ctx = context::with_window(min_left)?;
            let resolved = ctx.profiles()?.resolve(profile)?;
            let prompt = mfa_sources::unattended(&resolved, &NoPrompt);
            ctx.vault.session(&resolved, &prompt).await?
        }
    };
    print!("{}", outputs::credential_process::to_json(&session)?.as_str());
    Ok(ExitCode::SUCCESS)
}

/// `rolebar login`: the console sign-in URL for the profile's session, opened in the browser or
/// printed. A role's session comes from the tray's agent when it runs (its dialog asks a
/// needed code), else from here (the terminal asks); a profile with keys and no role signs in
/// as a federated user made here with its keys, which needs no code.
async fn login(
    profile: &str,
    options: &ConsoleOptions,
    stdout: bool,
    using: agent::Use,
    mfa_token: Option<rolebar_core::mfa::MfaCode>,
) -> Result<ExitCode> {
    let ctx = crate::sso::interactive_context()?;
    let resolved = ctx.profiles()?.resolve(profile)?;
    // Before any session or code: a bad region or endpoint fails at once.
    let target = ConsoleTarget::for_profile(
        &resolved,
        options.region.as_deref().or(resolved.region.as_deref()),
        options.path.as_deref(),
    )?;
    let plan = console::plan(&resolved)?;
    console::check_duration(&resolved, &plan, options.duration)?;
    let session = match plan {
        Plan::Role => match agent::session(profile, Duration::ZERO, using).await? {
            Some(session) => ConsoleSession::from_role_session(&resolved, session),
            None => {
                let prompt = crate::mfa_sources::sourced(&resolved, &TerminalMfa, mfa_token);
                console::console_session(&ctx.vault, &resolved, options.duration, &prompt).await?
            }
        },
        Plan::Federation { .. } => console::federation_session(&ctx.vault, &resolved, options.duration).await?,
    };
    let mut login = console::sign_in(&session, &target, options.duration, &FederationClient::default()).await?;
    login.notes.extend(console::plan_notes(&resolved));
    for note in &login.notes {
        eprintln!("rolebar: note: {note}");
    }
    if stdout {
        println!("{}", login.url.expose());
        return Ok(ExitCode::SUCCESS);
    }
    // The browser gets a one-shot page, not the URL (a command line is readable by every local
    // user); the page needs this process until the browser came for it.
    let browser = std::env::var("BROWSER").ok();
    let handoff = console::hand_to_browser(
        profile,
        &login.url,
        browser.as_deref(),
        &console::HandoffOptions::default(),
    )
    .await?;
    if !handoff.used() {
        eprintln!(
            "Waiting for the browser to open the sign-in page (at most {} s; Ctrl-C stops)…",
            console::HANDOFF_BOUND.as_secs()
        );
    }
    let interrupted = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        done = handoff.finish() => done?,
        () = interrupted => {
            // The page was withdrawn with `handoff`.
            eprintln!("rolebar: stopped; the sign-in page was withdrawn");
            return Ok(ExitCode::from(130));
        }
    }
    eprintln!(
        "Opened the AWS console ({}, {}) for `{profile}` in your browser",
        login.region,
        login.partition.name()
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn names_with_control_characters_show_escaped() {
        assert_eq!(shown("dev\nprod"), "dev\\nprod");
        assert_eq!(shown("開発-dev"), "開発-dev");
    }

    #[test]
    fn list_columns_pad_to_display_width() {
        assert_eq!(pad("開発-dev", 10), "開発-dev  ");
        assert_eq!(pad("dev", 5), "dev  ");
        assert_eq!(pad("longer", 3), "longer");
    }

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

    #[test]
    fn shell_words_are_quoted_only_when_needed() {
        assert_eq!(shell_word("oppara-dev_2.x"), "oppara-dev_2.x");
        assert_eq!(shell_word("a b"), "'a b'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word("開発"), "'開発'");
        assert_eq!(shell_word(""), "''");
    }
}

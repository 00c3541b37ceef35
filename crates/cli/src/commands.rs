//! The subcommands: each a short adapter from arguments to rolebar-core.

use crate::context::Context;
use crate::prompt::{self, TerminalMfa};
use crate::Command;
use rolebar_core::mfa::NoPrompt;
use rolebar_core::outputs::{self, ExportFormat, Placement, WriteOptions};
use rolebar_core::profile::CredentialSource;
use rolebar_core::session::format_time_left;
use rolebar_core::vault::VaultOptions;
use rolebar_core::{Credentials, Error, Result, Session};
use std::process::ExitCode;

/// Set in `exec`'s environment; its presence refuses a nested `exec`.
pub const PROFILE_VAR: &str = "ROLEBAR_PROFILE";

pub async fn run(command: Command) -> Result<ExitCode> {
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
            command,
        } => exec(&profile, duration, command).await,
        Command::Remove { profile } => remove(&profile),
        Command::Clear { profile } => clear(profile.as_deref()),
        Command::Write { profile, target, force } => write(&profile, &target, force).await,
        Command::Logout { name, expired } => logout(name.as_deref(), expired),
        Command::Export { profile, format } => export(&profile, format.as_deref()).await,
        Command::CredentialProcess { profile } => credential_process(&profile).await,
    }
}

fn add(profile: &str, from_env: bool, from_file: bool) -> Result<ExitCode> {
    let ctx = Context::new()?;
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
    let ctx = Context::new()?;
    let set = ctx.profiles()?;
    let keys = ctx.vault.keys().list();
    let sessions = ctx.vault.cache().list();
    let mut rows: Vec<[String; 3]> = Vec::new();
    for name in set.names() {
        let credentials = if let Some(k) = keys.get(name) {
            format!("{name} (keyring {})", k.masked_key_id)
        } else if set.own_setting(name, "aws_access_key_id").is_some() {
            format!("{name} (file)")
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
        rows.push([name.to_string(), credentials, sessions_text]);
    }
    let width = |i: usize, title: &str| rows.iter().map(|r| r[i].len()).chain([title.len()]).max().unwrap_or(0) + 2;
    let (w0, w1) = (width(0, "Profile"), width(1, "Credentials"));
    let heading = [
        ["Profile", "Credentials", "Sessions"],
        ["=======", "===========", "========"],
    ];
    for [a, b, c] in heading {
        println!("{a:w0$}{b:w1$}{c}");
    }
    for [a, b, c] in rows {
        println!("{a:w0$}{b:w1$}{c}");
    }
    Ok(ExitCode::SUCCESS)
}

async fn exec(profile: &str, duration: Option<time::Duration>, command: Vec<String>) -> Result<ExitCode> {
    if let Ok(current) = std::env::var(PROFILE_VAR) {
        if !current.is_empty() {
            return Err(Error::NestedExec { profile: current });
        }
    }
    let ctx = Context::new()?;
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
    let session = vault.session(&resolved, &TerminalMfa).await?;
    let (program, args) = match command.split_first() {
        Some((p, a)) => (p.clone(), a.to_vec()),
        None => (
            std::env::var("SHELL")
                .ok()
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "/bin/sh".into()),
            vec![],
        ),
    };
    let mut child = std::process::Command::new(&program);
    child.args(&args);
    apply_environment(&mut child, profile, &session);
    run_replacing(child, &program)
}

/// The variables `exec` sets, and the stale ones it removes so the session is what tools use.
fn apply_environment(cmd: &mut std::process::Command, profile: &str, session: &Session) {
    for stale in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_CREDENTIAL_FILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_PROFILE",
        "AWS_SDK_LOAD_CONFIG",
        "AWS_CREDENTIAL_EXPIRATION",
        "AWS_SESSION_EXPIRATION",
    ] {
        cmd.env_remove(stale);
    }
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
    let ctx = Context::new()?;
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
    let ctx = Context::new()?;
    let n = match profile {
        Some(p) => ctx.vault.cache().clear(p)?,
        None => ctx.vault.cache().clear_all()?,
    };
    eprintln!("Cleared {n} session(s)");
    Ok(ExitCode::SUCCESS)
}

async fn write(profile: &str, target: &str, force: bool) -> Result<ExitCode> {
    let ctx = Context::new()?;
    let set = ctx.profiles()?;
    let session = ctx.vault.session(&set.resolve(profile)?, &TerminalMfa).await?;
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
    eprintln!("Use it with: aws --profile {target} …");
    Ok(ExitCode::SUCCESS)
}

fn logout(name: Option<&str>, expired: bool) -> Result<ExitCode> {
    let ctx = Context::new()?;
    let now = ctx.vault.cache().now();
    if expired || name.is_none() {
        let removed = outputs::remove_expired(&ctx.paths.credentials, now)?;
        eprintln!(
            "Removed {} expired Rolebar section(s) {}",
            removed.len(),
            removed.join(", ")
        );
        return Ok(ExitCode::SUCCESS);
    }
    let name = name.unwrap_or_default();
    let sessions = ctx.vault.cache().clear(name)?;
    let section = match outputs::remove_profile(&ctx.paths.credentials, name) {
        Ok(path) => Some(path),
        // Nothing of ours to remove under that name is fine if sessions were cleared.
        Err(e) if sessions > 0 && e.code() == "section_not_found" => None,
        Err(e) => return Err(e.into()),
    };
    match section {
        Some(path) => eprintln!(
            "Removed [{name}] from {} and {sessions} cached session(s)",
            path.display()
        ),
        None => eprintln!("Cleared {sessions} cached session(s) of `{name}`"),
    }
    Ok(ExitCode::SUCCESS)
}

async fn export(profile: &str, format: Option<&str>) -> Result<ExitCode> {
    let format = match format {
        Some(f) => f.parse::<ExportFormat>()?,
        None => ExportFormat::from_shell(&std::env::var("SHELL").unwrap_or_default()),
    };
    let ctx = Context::new()?;
    let set = ctx.profiles()?;
    let session = ctx.vault.session(&set.resolve(profile)?, &TerminalMfa).await?;
    print!("{}", outputs::export_lines(&session, format)?.as_str());
    Ok(ExitCode::SUCCESS)
}

/// The AWS CLI re-runs a credential_process whose credentials have under 15 minutes left, and
/// swallows its stderr: hand out only sessions with more than that, renew when no code is
/// needed, and fail fast (never prompt) when one is.
async fn credential_process(profile: &str) -> Result<ExitCode> {
    let ctx = Context::with_window(outputs::credential_process::CREDENTIAL_PROCESS_MIN_LEFT)?;
    let set = ctx.profiles()?;
    let session = ctx.vault.session(&set.resolve(profile)?, &NoPrompt).await?;
    print!("{}", outputs::credential_process::to_json(&session)?.as_str());
    Ok(ExitCode::SUCCESS)
}

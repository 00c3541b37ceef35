//! `rolebar exec --server PROFILE -- CMD`: CMD gets no keys in its environment, only the address
//! and token of a local container-credentials endpoint (rolebar-core's `container_endpoint`)
//! that rolebar serves while CMD runs. Each time CMD's SDK refreshes, the endpoint asks the tray's
//! agent again (its dialog asks for a code when one is needed), or without a tray this process's
//! own vault, which can renew only what needs no code. So a Terraform run longer than one role
//! session keeps working.
//!
//! With `--duration` the sessions are this process's own, of that length, as for `exec
//! --duration`: the tray's agent makes sessions of the tray's lengths and is not asked.

use super::exec_env::{self, PROFILE_VAR, STALE_VARIABLES};
use crate::agent::{self, Use};
use crate::context;
use crate::prompt::TerminalMfa;
use rolebar_core::activity::Way;
use rolebar_core::container_endpoint::{CredentialSource, Endpoint, SourceFailure, FULL_URI_ENV, TOKEN_ENV};
use rolebar_core::mfa::NoPrompt;
use rolebar_core::outputs::credential_process::CREDENTIAL_PROCESS_MIN_LEFT;
use rolebar_core::session::operations::Sessions;
use rolebar_core::session::vault::VaultOptions;
use rolebar_core::{ErrorCode, Result, Session};
use std::process::ExitCode;
use std::sync::Arc;

/// What the SDKs want left of container credentials: botocore refreshes them 15 minutes before
/// they end (its advisory window, as for credential_process). A shorter session is handed out
/// while a third of it is left (rolebar-core's `session::handout_margin`).
const MIN_LEFT: time::Duration = CREDENTIAL_PROCESS_MIN_LEFT;

struct Renewing {
    profile: String,
    using: Use,
    /// Without a tray: this process's own sessions (renewals that need a code fail and say so).
    alone: Option<Sessions>,
    /// The command served, as the activity log names it, and its pid.
    served: (String, u32),
}

#[async_trait::async_trait]
impl CredentialSource for Renewing {
    async fn session(&self) -> std::result::Result<Session, SourceFailure> {
        if let Some(session) = agent::session(&self.profile, MIN_LEFT, self.using).await? {
            return Ok(session);
        }
        let Some(sessions) = &self.alone else {
            return Err(SourceFailure::new(
                ErrorCode::AgentUnavailable,
                "the Rolebar tray app that served this command is gone: start it again",
            ));
        };
        // Served here: noted here (the tray's agent notes what it serves).
        let began = sessions.now();
        let got = async {
            let resolved = sessions.profiles()?.resolve(&self.profile)?;
            // mfa_process or ykman may renew it without anyone at the terminal (CMD owns it now).
            let prompt = crate::mfa_sources::unattended(&resolved, &NoPrompt);
            sessions.vault.session_with(&resolved, &prompt, MIN_LEFT).await
        }
        .await;
        let outcome = got
            .as_ref()
            .map(|session| rolebar_core::activity::noting::outcome_of_session(session, began));
        super::handed_out::record_for(&self.profile, Way::Endpoint, outcome, self.served.clone());
        Ok(got?)
    }
}

/// `exec --server`: the command gets a renewing endpoint instead of keys.
pub async fn run(
    profile: &str,
    command: Vec<String>,
    using: Use,
    duration: Option<time::Duration>,
) -> Result<ExitCode> {
    exec_env::refuse_nested()?;
    let (program, args) = exec_env::program_and_args(command);
    exec(profile, &program, &args, using, duration).await
}

/// Runs `program args` with the endpoint in its environment and serves it until the program
/// ends; returns the program's exit status. `duration`: the length of every session served.
async fn exec(
    profile: &str,
    program: &str,
    args: &[String],
    using: Use,
    duration: Option<time::Duration>,
) -> Result<ExitCode> {
    // The tray's sessions have the tray's lengths: `--duration` is this command's own business.
    let using = if duration.is_some() { Use::NoAgent } else { using };
    // The first session before CMD starts: a code is asked now (tray dialog, or this terminal
    // when no tray runs), not in the middle of CMD's output.
    let (first, alone) = match agent::session(profile, MIN_LEFT, using).await? {
        Some(session) => (session, None),
        None => {
            let mut sessions = context::with_window(MIN_LEFT)?;
            if let Some(d) = duration {
                // As aws-vault's --duration: the role's session and the MFA session alike.
                sessions.vault = sessions.vault.with_options(VaultOptions {
                    session_token_duration: d,
                    role_duration: Some(d),
                    ..VaultOptions::default()
                });
            }
            let profiles = sessions.profiles()?;
            crate::approve::check_alone(&profiles, profile, rolebar_core::approvals::NoDialog::NoTray)?;
            let resolved = profiles.resolve(profile)?;
            let prompt = crate::mfa_sources::sourced(&resolved, &TerminalMfa, None);
            let session = sessions.vault.session(&resolved, &prompt).await?;
            (session, Some(sessions))
        }
    };
    let endpoint = Endpoint::bind().await?;
    eprintln!(
        "rolebar: serving `{profile}` to `{program}` at {} (renewed as it runs)",
        endpoint.uri()
    );
    let mut command = tokio::process::Command::new(program);
    command.args(args);
    for stale in STALE_VARIABLES {
        command.env_remove(stale);
    }
    command
        .env(FULL_URI_ENV, endpoint.uri())
        .env(TOKEN_ENV, endpoint.token())
        .env(PROFILE_VAR, profile);
    if let Some(region) = &first.region {
        command.env("AWS_REGION", region).env("AWS_DEFAULT_REGION", region);
    }
    drop(first);
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => {
            eprintln!("rolebar: cannot run `{program}`: {e}");
            return Ok(ExitCode::from(if e.kind() == std::io::ErrorKind::NotFound {
                127
            } else {
                126
            }));
        }
    };
    let served = std::iter::once(program)
        .chain(args.iter().map(String::as_str))
        .collect::<Vec<_>>();
    let source: Arc<dyn CredentialSource> = Arc::new(Renewing {
        profile: profile.to_string(),
        using,
        alone,
        served: (
            rolebar_core::activity::program::masked_command_line(&served),
            child.id().unwrap_or_default(),
        ),
    });
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(endpoint.serve(source, async {
        let _ = stopped.await;
    }));
    // Ctrl+C goes to the whole foreground group: CMD decides what it means; rolebar keeps
    // serving until CMD has ended.
    let status = loop {
        tokio::select! {
            status = child.wait() => break status,
            _ = tokio::signal::ctrl_c() => continue,
        }
    };
    let _ = stop.send(());
    let _ = serving.await;
    match status {
        Ok(status) => Ok(exit_code(status)),
        Err(e) => {
            eprintln!("rolebar: lost track of `{program}`: {e}");
            Ok(ExitCode::from(1))
        }
    }
}

fn exit_code(status: std::process::ExitStatus) -> ExitCode {
    if let Some(code) = status.code() {
        return ExitCode::from(u8::try_from(code).unwrap_or(1));
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return ExitCode::from(u8::try_from(128 + signal).unwrap_or(1));
        }
    }
    ExitCode::from(1)
}

//! Asking the running tray app first: `credential-process`, `export` and `exec` get their session
//! from Rolebar's agent when its socket answers, so a needed MFA code is asked in the tray's
//! dialog (which names the program asking) — also for programs that swallow a
//! credential_process's prompts. With no tray running they work as before.

use rolebar_core::agent::{self, Client, ClientContext, DEFAULT_CONNECT_TIMEOUT};
use rolebar_core::{Result, Session};
use std::io::IsTerminal;
use std::time::Duration;

/// After this long without an answer, a person at a terminal is told where the code is asked.
const NOTICE_AFTER: Duration = Duration::from_millis(400);

/// Whether to skip the agent: `--no-agent`, or `ROLEBAR_NO_AGENT=1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    Agent,
    NoAgent,
}

/// A session for `profile` with more than `min_left` left from the running tray app, or `None`
/// when no tray answers (or `using` says not to ask it). The tray may show its MFA dialog; the
/// wait is bounded by `ROLEBAR_AGENT_TIMEOUT` (2 minutes by default).
pub async fn session(profile: &str, min_left: time::Duration, using: Use) -> Result<Option<Session>> {
    if using == Use::NoAgent {
        return Ok(None);
    }
    let Ok(path) = agent::socket_path() else {
        return Ok(None);
    };
    let connected = match Client::connect(&path, DEFAULT_CONNECT_TIMEOUT).await {
        // Another user squatting the socket's folder turns the agent off; this command can still
        // work alone, and says why the tray is not asked.
        Err(e @ agent::AgentError::DirTaken { .. }) => {
            eprintln!("rolebar: not asking the Rolebar tray app: {e}");
            return Ok(None);
        }
        connected => connected?,
    };
    let Some(client) = connected else {
        tracing::debug!(socket = %path.display(), "no Rolebar agent: working alone");
        return Ok(None);
    };
    let sign_in = may_sign_in(profile);
    let timeout = agent::request_timeout(sign_in)?;
    let mut client = client.with_context(ClientContext {
        argv: std::env::args().collect(),
    });
    let request = client.request_credentials(profile, min_left, true, timeout);
    tokio::pin!(request);
    let answer = tokio::select! {
        answer = &mut request => answer,
        () = tokio::time::sleep(NOTICE_AFTER), if std::io::stderr().is_terminal() => {
            if sign_in {
                eprintln!("rolebar: asking the Rolebar tray app for `{profile}`; if a sign-in is needed, finish it in the browser it opens");
            } else {
                eprintln!("rolebar: asking the Rolebar tray app for `{profile}`; if a code is needed, enter it in its MFA dialog");
            }
            request.await
        }
    };
    Ok(Some(answer?))
}

/// Whether `profile`'s credentials come through an IAM Identity Center sign-in (which may wait
/// for the browser); a profile that cannot be read says no (the agent reports its error).
fn may_sign_in(profile: &str) -> bool {
    let Ok(paths) = rolebar_core::profile::AwsPaths::from_env() else {
        return false;
    };
    rolebar_core::profile::ProfileSet::load(&paths)
        .and_then(|set| set.resolve(profile))
        .is_ok_and(|resolved| resolved.sso_root().is_some())
}

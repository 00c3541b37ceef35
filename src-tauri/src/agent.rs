//! The tray app as the credentials agent (rolebar-core's `agent`): every program on the desktop
//! that runs `rolebar credential-process`, `rolebar export` or `rolebar exec` gets its session
//! through this app's vault, cache and MFA dialog, which names the program asking and offers
//! Deny. The socket is `$XDG_RUNTIME_DIR/rolebar/agent.sock` (docs/agent-protocol.md).

use crate::mfa::{source_options, DialogPrompt, TrayTouch};
use crate::shell::Shell;
use crate::views::AgentOffView;
use rolebar_core::agent::{Agent, AgentError, AgentFailure, CredentialsRequest, Handler, Peer, SessionSummary};
use rolebar_core::mfa::NoPrompt;
use rolebar_core::mfa_source::SourcedPrompt;
use rolebar_core::{Error, Session};
use std::sync::Arc;

/// Answers the agent's requests with the app's own sessions.
struct TrayAgent {
    shell: Shell,
}

#[async_trait::async_trait]
impl Handler for TrayAgent {
    async fn credentials(&self, request: CredentialsRequest, peer: &Peer) -> Result<Session, AgentFailure> {
        let state = self.shell.state();
        let profile = request.profile.as_str();
        let resolved = state.sessions.profiles()?.resolve(profile)?;
        // From the cache first, without waiting for a dialog another request may have open.
        if let Some(session) = state.sessions.vault.cached_session_with(&resolved, request.min_left)? {
            tracing::debug!(profile, pid = ?peer.pid, "agent: served from the cache");
            return Ok(session);
        }
        let who = peer.describe();
        tracing::info!(profile, requester = %who, prompt = request.prompt, "agent: a session is needed");
        state.set_busy(profile, true);
        state.touch();
        let result = if request.prompt {
            let dialog = DialogPrompt::new(self.shell.clone(), profile).asked_by(&who);
            let touch = TrayTouch::new(state);
            let prompt = SourcedPrompt::new(&resolved, &dialog)
                .with_notice(&touch)
                .with_options(source_options(state));
            let result = state
                .sessions
                .vault
                .session_with(&resolved, &prompt, request.min_left)
                .await;
            drop(prompt);
            drop(dialog);
            result
        } else {
            state
                .sessions
                .vault
                .session_with(&resolved, &NoPrompt, request.min_left)
                .await
        };
        state.set_busy(profile, false);
        state.touch();
        self.shell.windows().changed();
        match result {
            Ok(session) => {
                tracing::info!(profile, expires_at = %session.expires_at, "agent: session handed out");
                Ok(session)
            }
            Err(Error::MfaCancelled) => {
                tracing::info!(profile, requester = %who, "agent: denied in the dialog");
                Err(AgentFailure::denied(profile))
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn sessions(&self) -> Vec<SessionSummary> {
        let state = self.shell.state();
        let now = state.now();
        state
            .sessions
            .vault
            .cache()
            .list()
            .into_iter()
            .filter(|s| s.record.expires_at > now)
            .map(|s| SessionSummary {
                profile: s.record.profile,
                kind: s.record.kind,
                expires_at: s.record.expires_at,
            })
            .collect()
    }
}

/// Binds the agent's socket and serves it for the app's life. A problem (another Rolebar holds
/// the socket, an unsafe folder, a folder another user made first) is logged and shown in the
/// menu and the main window: the tray works on without the agent, and the CLI then prompts in
/// the terminal as before.
pub fn start(shell: &Shell) {
    let agent = match rolebar_core::agent::socket_path().and_then(|path| Agent::bind(&path)) {
        Ok(agent) => agent,
        Err(e) => return off(shell, &e),
    };
    let handler: Arc<dyn Handler> = Arc::new(TrayAgent { shell: shell.clone() });
    let task = shell.clone();
    shell.spawn(async move {
        if let Err(e) = agent.serve(handler, std::future::pending()).await {
            tracing::error!(code = e.code(), "the credentials agent stopped: {e}");
            off(&task, &e);
        }
    });
}

/// Records why the agent is off, for the menu and the main window.
fn off(shell: &Shell, error: &AgentError) {
    tracing::warn!(code = error.code(), "no credentials agent: {error}");
    // No agent on this platform yet is not a problem to report at every start.
    if matches!(error, AgentError::Unsupported { .. }) {
        return;
    }
    let state = shell.state();
    state.set_agent_off(Some(AgentOffView::new(error)));
    state.touch();
    shell.windows().changed();
}

//! The tray app as the credentials agent (rolebar-core's `agent`): every program on the desktop
//! that runs `rolebar credential-process`, `rolebar export` or `rolebar exec` gets its session
//! through this app's vault, cache and MFA dialog, which names the program asking and offers
//! Deny. The socket is `$XDG_RUNTIME_DIR/rolebar/agent.sock` (docs/agent-protocol.md).

use crate::mfa::{source_options, DialogPrompt, TrayTouch};
use crate::shell::Shell;
use crate::views::AgentOffView;
use crate::window_process::WindowProcess;
use rolebar_core::agent::window_link::WINDOW_ROLE;
use rolebar_core::agent::{
    Agent, AgentError, AgentFailure, CallFailure, CallRequest, CredentialsRequest, Handler, Link, Peer, SessionSummary,
    SubscribeRequest,
};
use rolebar_core::mfa::source::SourcedPrompt;
use rolebar_core::mfa::NoPrompt;
use rolebar_core::HasCode;
use rolebar_core::{Error, Session};
use std::sync::Arc;

/// A second start of `rolebar-tray` asks the running one for its main window (`call`).
pub const OPEN_WINDOW: &str = "open_window";

/// Answers the agent's requests with the app's own sessions, the window process's commands
/// (`call`, the same as the IPC commands: `requests::dispatch`) and its link (`subscribe`).
struct TrayAgent {
    shell: Shell,
    windows: Arc<WindowProcess>,
}

#[async_trait::async_trait]
impl Handler for TrayAgent {
    async fn credentials(&self, request: CredentialsRequest, peer: &Peer) -> Result<Session, AgentFailure> {
        let state = self.shell.state();
        let profile = request.profile.as_str();
        let profiles = state.sessions.profiles()?;
        let resolved = profiles.resolve(profile)?;
        // A profile that asks before serving a program asks first, even with a session cached.
        crate::approval_gate::gate(&self.shell, &profiles, profile, peer, request.prompt).await?;
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

    async fn call(&self, request: CallRequest, _peer: &Peer) -> Result<serde_json::Value, CallFailure> {
        let result = if request.command == OPEN_WINDOW {
            tracing::info!("second start: opening the main window");
            self.shell.windows().open_main(None).map(|()| serde_json::Value::Null)
        } else {
            crate::requests::dispatch_text(&self.shell, &request.command, &request.args).await
        };
        result.map_err(|e| CallFailure::new(e.code, e.message))
    }

    async fn subscribe(&self, request: SubscribeRequest, peer: &Peer, link: Link) {
        if request.role != WINDOW_ROLE {
            let refusal = CallFailure::new(
                crate::error::codes::INVALID_INPUT,
                format!(
                    "Rolebar's agent links only its window process, not a `{}`",
                    request.role
                ),
            );
            let _ = link.writer.refuse(&refusal).await;
            return;
        }
        if let Some(build) = request.build.as_deref().filter(|b| *b != env!("CARGO_PKG_VERSION")) {
            tracing::warn!(
                window = build,
                tray = env!("CARGO_PKG_VERSION"),
                "the window process is of another Rolebar version: restart Rolebar after an upgrade"
            );
        }
        tracing::debug!(pid = ?peer.pid, "window process subscribing");
        self.windows.attach(link).await;
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

/// Serves the agent's socket (bound at start, before anything else: binding is how a second
/// start finds the first) for the app's life. A problem (an unsafe folder, a folder another
/// user made first) is logged and shown in the menu and the main window: the tray works on, the
/// CLI then prompts in the terminal as before, and the windows cannot open (they reach the tray
/// through the agent).
pub fn start(shell: &Shell, agent: Result<Agent, AgentError>, windows: Arc<WindowProcess>) {
    let agent = match agent {
        Ok(agent) => agent,
        Err(e) => return off(shell, &e),
    };
    let handler = crate::activity_log::noting_agent(
        shell,
        Arc::new(TrayAgent {
            shell: shell.clone(),
            windows,
        }),
    );
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

//! "Serve to containers…": a session's profile served on a local container-credentials endpoint
//! (rolebar-core's `container_endpoint`) while the tray runs, for a container started with
//! `--network host` or a long job in another terminal. The two variables that reach it go to the
//! clipboard; each request renews through the app's own vault, asking in the MFA dialog (which
//! names the endpoint) when a code is needed. "Stop serving" ends it; quitting the app too.

use crate::mfa::{source_options, DialogPrompt, TrayTouch};
use crate::notify;
use crate::shell::Shell;
use rolebar_core::container_endpoint::{CredentialSource, Endpoint, SourceFailure, FULL_URI_ENV, TOKEN_ENV};
use rolebar_core::mfa::source::SourcedPrompt;
use rolebar_core::outputs::credential_process::CREDENTIAL_PROCESS_MIN_LEFT;
use rolebar_core::Session;
use std::sync::Arc;
use tokio::sync::oneshot;
use zeroize::Zeroizing;

struct FromTheTray {
    shell: Shell,
    profile: String,
    address: String,
}

#[async_trait::async_trait]
impl CredentialSource for FromTheTray {
    async fn session(&self) -> Result<Session, SourceFailure> {
        let state = self.shell.state();
        let resolved = state.sessions.profiles().and_then(|set| set.resolve(&self.profile))?;
        let requester = state
            .catalog()
            .tr_args("mfa-asked-by-endpoint", &[("address", self.address.as_str().into())]);
        let dialog = DialogPrompt::new(self.shell.clone(), &self.profile).asked_by(&requester);
        let touch = TrayTouch::new(state);
        let prompt = SourcedPrompt::new(&resolved, &dialog)
            .with_notice(&touch)
            .with_options(source_options(state));
        let session = state
            .sessions
            .vault
            .session_with(&resolved, &prompt, CREDENTIAL_PROCESS_MIN_LEFT)
            .await;
        drop(prompt);
        drop(dialog);
        state.touch();
        // Its code decides the HTTP status: a denied dialog is a 403 the SDK does not retry.
        Ok(session?)
    }
}

/// Starts serving `profile`, and puts the two variables on the clipboard.
pub async fn start(shell: &Shell, profile: &str) {
    let state = shell.state();
    let words = state.catalog();
    let endpoint = match Endpoint::bind().await {
        Ok(endpoint) => endpoint,
        Err(e) => {
            notify::failure(words.tr("note-serve-failed"), e.to_string());
            return;
        }
    };
    let address = endpoint
        .uri()
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let lines = Zeroizing::new(format!(
        "export {FULL_URI_ENV}={}\nexport {TOKEN_ENV}={}\n",
        endpoint.uri(),
        endpoint.token()
    ));
    if let Err(e) = state.clipboard.set_text(&lines) {
        notify::failure(words.tr("note-serve-failed"), e.message);
        return;
    }
    let (stop, stopped) = oneshot::channel::<()>();
    // Each request the endpoint answers is noted in the activity log (way `endpoint`).
    let source = crate::activity_log::noting_endpoint(
        state,
        Arc::new(FromTheTray {
            shell: shell.clone(),
            profile: profile.to_string(),
            address: address.clone(),
        }),
        profile,
        &address,
    );
    shell.spawn(endpoint.serve(source, async {
        let _ = stopped.await;
    }));
    tracing::info!(profile, %address, "serving to containers");
    shell.serving().insert(profile, address.clone(), stop);
    notify::info(
        words.tr_args("note-serving-title", &[("profile", profile.into())]),
        words.tr_args("note-serving-body", &[("address", address.as_str().into())]),
    );
    state.touch();
}

/// Stops serving `profile` (its endpoint closes; requests then fail to connect).
pub fn stop(shell: &Shell, profile: &str) {
    if shell.serving().remove(profile) {
        tracing::info!(profile, "stopped serving to containers");
    }
    shell.state().touch();
}

//! "Serve to containers…": a session's profile served on a local container-credentials endpoint
//! (rolebar-core's `container_endpoint`) while the tray runs, for a container started with
//! `--network host` or a long job in another terminal. The two variables that reach it go to the
//! clipboard; each request renews through the app's own vault, asking in the MFA dialog (which
//! names the endpoint) when a code is needed. "Stop serving" ends it; quitting the app too.

use crate::mfa::{source_options, DialogPrompt, TrayTouch};
use crate::notify;
use crate::state::AppState;
use rolebar_core::container_endpoint::{CredentialSource, Endpoint, SourceFailure, FULL_URI_ENV, TOKEN_ENV};
use rolebar_core::mfa_source::SourcedPrompt;
use rolebar_core::outputs::credential_process::CREDENTIAL_PROCESS_MIN_LEFT;
use rolebar_core::Session;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use tauri::{AppHandle, Manager, Runtime};
use tokio::sync::oneshot;
use zeroize::Zeroizing;

/// Managed state: the endpoints being served, by profile.
#[derive(Debug, Default)]
pub struct Serving {
    servers: Mutex<BTreeMap<String, Served>>,
}

#[derive(Debug)]
struct Served {
    address: String,
    /// Dropped (or sent) to stop the endpoint.
    _stop: oneshot::Sender<()>,
}

impl Serving {
    /// `(profile, address)` of each endpoint, for the menu.
    pub fn list(&self) -> Vec<(String, String)> {
        lock(&self.servers)
            .iter()
            .map(|(profile, served)| (profile.clone(), served.address.clone()))
            .collect()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

struct FromTheTray<R: Runtime> {
    app: AppHandle<R>,
    profile: String,
    address: String,
}

#[async_trait::async_trait]
impl<R: Runtime> CredentialSource for FromTheTray<R> {
    async fn session(&self) -> Result<Session, SourceFailure> {
        let state = self.app.state::<AppState>();
        let resolved = state.sessions.profiles().and_then(|set| set.resolve(&self.profile))?;
        let requester = state
            .catalog()
            .tr_args("mfa-asked-by-endpoint", &[("address", self.address.as_str().into())]);
        let dialog = DialogPrompt::new(self.app.clone(), &self.profile).asked_by(&requester);
        let touch = TrayTouch::new(&state);
        let prompt = SourcedPrompt::new(&resolved, &dialog)
            .with_notice(&touch)
            .with_options(source_options(&state));
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
pub async fn start<R: Runtime>(app: &AppHandle<R>, profile: &str) {
    let state = app.state::<AppState>();
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
    let source = Arc::new(FromTheTray {
        app: app.clone(),
        profile: profile.to_string(),
        address: address.clone(),
    });
    tauri::async_runtime::spawn(endpoint.serve(source, async {
        let _ = stopped.await;
    }));
    tracing::info!(profile, %address, "serving to containers");
    let previous = lock(&app.state::<Serving>().servers).insert(
        profile.to_string(),
        Served {
            address: address.clone(),
            _stop: stop,
        },
    );
    drop(previous);
    notify::info(
        words.tr_args("note-serving-title", &[("profile", profile.into())]),
        words.tr_args("note-serving-body", &[("address", address.as_str().into())]),
    );
    state.touch();
}

/// Stops serving `profile` (its endpoint closes; requests then fail to connect).
pub fn stop<R: Runtime>(app: &AppHandle<R>, profile: &str) {
    if lock(&app.state::<Serving>().servers).remove(profile).is_some() {
        tracing::info!(profile, "stopped serving to containers");
    }
    app.state::<AppState>().touch();
}

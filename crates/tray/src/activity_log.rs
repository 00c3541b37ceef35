//! The tray's side of the activity log (rolebar-core's `activity`): every hand-out the tray makes
//! is noted once — the agent's answers (its handler wrapped in `NotingHandler`, which knows the
//! true program and outcome), each request to "Serve to containers…", and the tray's own actions
//! (write to the credentials file, copy exports, open the console) — and the main window's
//! Activity view reads it back (`get_activity`).

use crate::activity_view::{view, ActivityView};
use crate::args::{GetActivityArgs, Reply};
use crate::error::{codes, CommandError};
use crate::shell::Shell;
use crate::state::AppState;
use rolebar_core::activity::noting::{outcome_of_failure, NotingHandler, NotingSource};
use rolebar_core::activity::{program, Filter, Outcome, Way};
use rolebar_core::agent::Handler;
use rolebar_core::clock::SystemClock;
use rolebar_core::container_endpoint::CredentialSource;
use rolebar_core::{ErrorCode, HasCode};
use std::sync::Arc;

/// The agent's handler, noting each credentials request (when the app keeps a log).
pub fn noting_agent(shell: &Shell, handler: Arc<dyn Handler>) -> Arc<dyn Handler> {
    match shell.state().recorder() {
        Some(recorder) => Arc::new(NotingHandler::new(handler, recorder.clone())),
        None => handler,
    }
}

/// A container endpoint's source, noting each request under the endpoint's `address`.
pub fn noting_endpoint(
    state: &AppState,
    source: Arc<dyn CredentialSource>,
    profile: &str,
    address: &str,
) -> Arc<dyn CredentialSource> {
    match state.recorder() {
        Some(recorder) => Arc::new(NotingSource::new(
            source,
            recorder.clone(),
            profile,
            format!("container endpoint {address} (Serve to containers…)"),
            None,
        )),
        None => source,
    }
}

/// Notes a hand-out the tray made itself (`write`, `export`, `console`): `got` is its outcome or
/// the error that stopped it. A cancelled MFA dialog is `denied`.
pub fn note_tray(state: &AppState, profile: &str, way: Way, got: Result<Outcome, &CommandError>) {
    let Some(recorder) = state.recorder() else {
        return;
    };
    let (outcome, error_code) = match got {
        Ok(outcome) => (outcome, None),
        Err(e) => match ErrorCode::from_code(&e.code) {
            Some(code) => outcome_of_failure(code),
            None => (Outcome::Failed, Some(e.code.clone())),
        },
    };
    let mut entry = recorder.entry(profile, way, outcome);
    entry.error_code = error_code;
    entry.program = Some(tray_program());
    entry.pid = Some(std::process::id());
    recorder.note(&entry);
}

/// How the tray names itself in the log: "Rolebar tray" and this process's command line.
fn tray_program() -> String {
    format!("Rolebar tray: {}", program::this_process())
}

/// The Activity view's command: the log read off the async workers, filtered, newest first.
pub async fn get_activity(shell: &Shell, args: GetActivityArgs) -> Reply<GetActivityArgs> {
    let Some(recorder) = shell.state().recorder().cloned() else {
        return Ok(ActivityView::default());
    };
    let found = shell
        .spawn_blocking(move || recorder.log().read(&Filter::default(), &SystemClock))
        .await
        .map_err(|e| CommandError::new(codes::IPC_FAILED, format!("reading the activity log stopped: {e}")))?
        .map_err(|e| CommandError::new(e.code(), e.to_string()))?;
    Ok(view(
        found.entries,
        found.skipped,
        args.profile.as_deref(),
        args.program.as_deref(),
        args.limit.unwrap_or(crate::activity_view::DEFAULT_LIMIT),
    ))
}

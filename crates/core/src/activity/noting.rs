//! Noting hand-outs as they happen in a long-running process (the tray app): a [`Recorder`] that
//! appends entries off the async workers and warns once when the log cannot be written, and two
//! decorators that note every answer of what they wrap:
//!
//! - [`NotingHandler`]: the agent's [`Handler`]. Each `credentials` request becomes one entry:
//!   the profile, the program asking as the MFA dialog names it (from the kernel's peer, not
//!   from what the client says), the way the client came in (`credential_process`, `exec`, …
//!   from the command line it sent; `agent` when it sent none), and the outcome;
//! - [`NotingSource`]: a container endpoint's [`CredentialSource`] (way `endpoint`).
//!
//! A log that cannot be written never fails a request.

use super::{program, ActivityLog, Entry, Outcome, Way};
use crate::agent::{
    AgentFailure, CallFailure, CallRequest, ClientContext, CredentialsRequest, Handler, Link, Peer, SessionSummary,
    SubscribeRequest,
};
use crate::clock::Clock;
use crate::container_endpoint::{CredentialSource, SourceFailure};
use crate::error_code::ErrorCode;
use crate::session::Session;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use time::OffsetDateTime;

/// Appends entries to an [`ActivityLog`], stamped by its clock.
#[derive(Debug, Clone)]
pub struct Recorder {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    log: ActivityLog,
    clock: Arc<dyn Clock>,
    /// The first failure is a warning; the rest would say the same (a full disk, a folder
    /// made unwritable) for every request.
    warned: AtomicBool,
}

impl Recorder {
    pub fn new(log: ActivityLog, clock: Arc<dyn Clock>) -> Self {
        Recorder {
            inner: Arc::new(Inner {
                log,
                clock,
                warned: AtomicBool::new(false),
            }),
        }
    }

    pub fn log(&self) -> &ActivityLog {
        &self.inner.log
    }

    pub fn now(&self) -> OffsetDateTime {
        self.inner.clock.now()
    }

    /// Appends `entry` here and now (a short write under the file's lock).
    pub fn note(&self, entry: &Entry) {
        if let Err(e) = self.inner.log.append(entry) {
            if !self.inner.warned.swap(true, Ordering::SeqCst) {
                tracing::warn!(
                    path = %self.inner.log.path().display(),
                    "cannot note hand-outs in the activity log (said once; credentials are still handed out): {e}"
                );
            }
        }
    }

    /// [`Recorder::note`] on tokio's blocking threads, waited for: the entry is in the file
    /// when this returns (and before the answer leaves), without holding an async worker on
    /// the file lock.
    pub async fn note_async(&self, entry: Entry) {
        let recorder = self.clone();
        if tokio::task::spawn_blocking(move || recorder.note(&entry))
            .await
            .is_err()
        {
            tracing::warn!("noting a hand-out in the activity log stopped");
        }
    }

    /// An entry at the clock's now.
    pub fn entry(&self, profile: &str, way: Way, outcome: Outcome) -> Entry {
        Entry::new(self.now(), profile, way, outcome)
    }
}

/// What a session handed out for a request that began at `began` counts as: made before the
/// request (a cached one) or during it. A session without `issued_at` was not Rolebar's to
/// cache (a `credential_process` profile's output, keys from the files): fetched for this request.
pub fn outcome_of_session(session: &Session, began: OffsetDateTime) -> Outcome {
    match session.issued_at {
        Some(issued) if issued < began => Outcome::Cached,
        _ => Outcome::NewSession,
    }
}

/// A failure's outcome: refused by the user (the dialog's Deny) or failed, with its code.
pub fn outcome_of_failure(code: ErrorCode) -> (Outcome, Option<String>) {
    match code {
        ErrorCode::AgentDenied | ErrorCode::MfaCancelled | ErrorCode::ApprovalRequired => {
            (Outcome::Denied, Some(code.as_str().to_string()))
        }
        _ => (Outcome::Failed, Some(code.as_str().to_string())),
    }
}

/// The way a client came in, from the command line it sent about itself (shown only, never
/// trusted): `rolebar credential-process P` → `credential_process`, `exec` (`exec --server`:
/// `endpoint`), `export`, `login` (`console`), `write`; anything else → `agent`.
pub fn way_of_client(client: Option<&ClientContext>) -> Way {
    let Some(client) = client else {
        return Way::Agent;
    };
    // Rolebar's own words end at `--` (what follows is the command `exec` runs).
    let own: Vec<&str> = client
        .argv
        .iter()
        .skip(1)
        .map(String::as_str)
        .take_while(|w| *w != "--")
        .collect();
    match own.iter().find(|w| !w.starts_with('-')).copied() {
        Some("credential-process") => Way::CredentialProcess,
        Some("exec") if own.contains(&"--server") => Way::Endpoint,
        Some("exec") => Way::Exec,
        Some("export") => Way::Export,
        Some("login") => Way::Console,
        Some("write") => Way::Write,
        _ => Way::Agent,
    }
}

/// The agent's handler, with each credentials request noted.
pub struct NotingHandler {
    inner: Arc<dyn Handler>,
    recorder: Recorder,
}

impl std::fmt::Debug for NotingHandler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotingHandler")
            .field("recorder", &self.recorder)
            .finish_non_exhaustive()
    }
}

impl NotingHandler {
    pub fn new(inner: Arc<dyn Handler>, recorder: Recorder) -> Self {
        NotingHandler { inner, recorder }
    }

    /// The entry for one answered request.
    fn entry(
        &self,
        profile: &str,
        way: Way,
        peer: &Peer,
        began: OffsetDateTime,
        answer: &Result<Session, AgentFailure>,
    ) -> Entry {
        let (outcome, error_code) = match answer {
            Ok(session) => (outcome_of_session(session, began), None),
            Err(failure) => outcome_of_failure(failure.code),
        };
        let mut entry = self.recorder.entry(profile, way, outcome);
        entry.error_code = error_code;
        let (program, pid) = program::of_peer(peer, way == Way::CredentialProcess);
        entry.program = program;
        entry.pid = pid;
        entry
    }
}

#[async_trait::async_trait]
impl Handler for NotingHandler {
    async fn credentials(&self, request: CredentialsRequest, peer: &Peer) -> Result<Session, AgentFailure> {
        let began = self.recorder.now();
        let way = way_of_client(request.client.as_ref());
        let profile = request.profile.clone();
        let answer = self.inner.credentials(request, peer).await;
        self.recorder
            .note_async(self.entry(&profile, way, peer, began, &answer))
            .await;
        answer
    }

    async fn sessions(&self) -> Vec<SessionSummary> {
        self.inner.sessions().await
    }

    async fn call(&self, request: CallRequest, peer: &Peer) -> Result<serde_json::Value, CallFailure> {
        self.inner.call(request, peer).await
    }

    async fn subscribe(&self, request: SubscribeRequest, peer: &Peer, link: Link) {
        self.inner.subscribe(request, peer, link).await
    }
}

/// A container endpoint's source, with each request it answers noted (way `endpoint`).
pub struct NotingSource {
    inner: Arc<dyn CredentialSource>,
    recorder: Recorder,
    profile: String,
    /// Who the endpoint serves: the program `exec --server` runs, or the endpoint's address.
    program: String,
    pid: Option<u32>,
}

impl std::fmt::Debug for NotingSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotingSource")
            .field("profile", &self.profile)
            .field("program", &self.program)
            .finish_non_exhaustive()
    }
}

impl NotingSource {
    pub fn new(
        inner: Arc<dyn CredentialSource>,
        recorder: Recorder,
        profile: &str,
        program: String,
        pid: Option<u32>,
    ) -> Self {
        NotingSource {
            inner,
            recorder,
            profile: profile.to_string(),
            program,
            pid,
        }
    }
}

#[async_trait::async_trait]
impl CredentialSource for NotingSource {
    async fn session(&self) -> Result<Session, SourceFailure> {
        let began = self.recorder.now();
        let answer = self.inner.session().await;
        let (outcome, error_code) = match &answer {
            Ok(session) => (outcome_of_session(session, began), None),
            Err(failure) => outcome_of_failure(failure.code),
        };
        let mut entry = self.recorder.entry(&self.profile, Way::Endpoint, outcome);
        entry.error_code = error_code;
        entry.program = Some(self.program.clone());
        entry.pid = self.pid;
        self.recorder.note_async(entry).await;
        answer
    }
}

#[cfg(test)]
#[path = "noting_tests.rs"]
mod tests;

//! What `exec`, `export`, `credential-process` and `write` note in the activity log after they
//! hand out (or fail to hand out) a profile's credentials. Noting is never why a command fails:
//! a log that cannot be written is said once on stderr and in the log, and the command goes on.

use rolebar_core::activity::{program, ActivityLog, Entry, Outcome, Way};
use rolebar_core::{HasCode, Session};
use time::OffsetDateTime;

/// Whether a session came from the cache: `cached` is what the cache held before asking
/// (compared by key id and expiry, never shown or logged).
pub fn outcome(cached: Option<&Session>, session: &Session) -> Outcome {
    let reused = cached.is_some_and(|c| {
        c.expires_at == session.expires_at && c.credentials.access_key_id == session.credentials.access_key_id
    });
    if reused {
        Outcome::Cached
    } else {
        Outcome::NewSession
    }
}

/// Notes one hand-out of `profile`'s credentials by `way`: `got` is its outcome or the error
/// that stopped it (only the error's stable code is kept).
pub fn record(profile: &str, way: Way, got: Result<Outcome, &rolebar_core::Error>) {
    let (outcome, error_code) = match got {
        Ok(outcome) => (outcome, None),
        Err(e) => (Outcome::Failed, Some(e.code().to_string())),
    };
    let mut entry = Entry::new(OffsetDateTime::now_utc(), profile, way, outcome);
    entry.error_code = error_code;
    // credential_process is run by the program that wants the keys: name it, as the tray's
    // dialog does; the other commands are what the user ran.
    let (program, pid) = program::requester(way == Way::CredentialProcess);
    entry.program = Some(program);
    entry.pid = Some(pid);
    let written = ActivityLog::default_location()
        .map_err(|e| e.to_string())
        .and_then(|log| log.append(&entry).map_err(|e| e.to_string()));
    if let Err(e) = written {
        tracing::warn!(error = %e, "cannot note the hand-out in the activity log");
        eprintln!("rolebar: warning: not noted in the activity log: {e}");
    }
}

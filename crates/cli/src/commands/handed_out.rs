//! What `exec`, `export`, `credential-process`, `write` and `login` note in the activity log
//! after they hand out (or fail to hand out) a profile's credentials. Noting is never why a
//! command fails: a log that cannot be written is said once on stderr and in the log, and the
//! command goes on.
//!
//! One entry per hand-out: when the tray's agent answered, the tray noted it (it knows the
//! program that asked, checked by the kernel, and whether the session was cached or new), so
//! the command notes only what it served itself ([`record_served`]).

use rolebar_core::activity::{program, ActivityLog, Entry, Outcome, Way};
use rolebar_core::agent::AgentError;
use rolebar_core::{Error, ErrorCode, HasCode, Session};
use time::OffsetDateTime;

/// Who handed the session out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Served {
    /// The tray's agent: its own entry says so.
    ByAgent,
    /// This command, from its own vault.
    Here(Outcome),
}

/// Whether `error` is the tray's agent's answer to a request its handler took (and noted):
/// a refusal, other than those the agent gives before any handler sees the request (busy,
/// another user, a request or version it cannot read).
pub fn answered_by_agent(error: &Error) -> bool {
    match error {
        Error::Agent(AgentError::Refused(failure)) => !matches!(
            failure.code,
            ErrorCode::AgentBusy
                | ErrorCode::AgentPeerRefused
                | ErrorCode::AgentBadRequest
                | ErrorCode::AgentVersion
                | ErrorCode::FrameTooLarge
        ),
        _ => false,
    }
}

/// Notes a hand-out unless the tray's agent answered it (and noted it itself).
pub fn record_served(profile: &str, way: Way, got: Result<Served, &Error>) {
    match got {
        Ok(Served::ByAgent) => {}
        Err(e) if answered_by_agent(e) => {}
        Ok(Served::Here(outcome)) => record(profile, way, Ok(outcome)),
        Err(e) => record(profile, way, Err(e)),
    }
}

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
    // credential_process is run by the program that wants the keys: name it, as the tray's
    // dialog does; the other commands are what the user ran.
    record_for(profile, way, got, program::requester(way == Way::CredentialProcess));
}

/// [`record`] with who asked given: `(program, pid)` (`exec --server`: the command it serves).
pub fn record_for(profile: &str, way: Way, got: Result<Outcome, &rolebar_core::Error>, (program, pid): (String, u32)) {
    let (outcome, error_code) = match got {
        Ok(outcome) => (outcome, None),
        // A refusal (no dialog could approve, Deny) is noted as denied, as the tray notes it.
        Err(e) => rolebar_core::activity::noting::outcome_of_failure(e.error_code()),
    };
    let mut entry = Entry::new(OffsetDateTime::now_utc(), profile, way, outcome);
    entry.error_code = error_code;
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

#[cfg(test)]
mod tests {
    use super::*;
    use rolebar_core::agent::AgentFailure;

    #[test]
    fn only_refusals_the_agents_handler_gave_count_as_the_agents() {
        let refused = |code| Error::Agent(AgentError::Refused(AgentFailure::new(code, "m")));
        assert!(answered_by_agent(&refused(ErrorCode::AgentDenied)));
        assert!(answered_by_agent(&refused(ErrorCode::MfaRequired)));
        assert!(
            !answered_by_agent(&refused(ErrorCode::AgentBusy)),
            "refused before the handler"
        );
        assert!(!answered_by_agent(&refused(ErrorCode::AgentVersion)));
        let timeout = Error::Agent(AgentError::Timeout {
            waited: std::time::Duration::from_secs(1),
        });
        assert!(!answered_by_agent(&timeout), "no answer: this command notes it");
        assert!(!answered_by_agent(&Error::MfaCancelled));
    }
}

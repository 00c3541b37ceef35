//! The activity log: one line of JSON per credential hand-out (who asked, for which profile, how,
//! and what came of it), so the user can see afterwards which programs used their roles:
//!
//! ```json
//! {"time":"2026-12-05T03:01:28Z","profile":"corp-prod","program":"aws sts get-caller-identity (pid 4242, /usr/bin/aws) via rolebar credential-process corp-prod","pid":4242,"way":"credential_process","outcome":"cached"}
//! ```
//!
//! Never a secret: an entry has no field for keys, tokens or key ids, and the command lines in
//! `program` have `--mfa-token`'s code masked ([`program`]). The file, `activity.jsonl` beside
//! the session index, is appended under [`private_file`]'s lock (0600, regular files only) and
//! bounded: past [`ROTATE_AT`] it becomes `activity.1.jsonl` (replacing the older one) and a new
//! file starts, so at most about twice that is kept.

pub mod noting;
pub mod program;

use crate::clock::Clock;
use crate::keystore::index::Index;
use crate::private_file::{self, FileError, KnownFile};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use time::{Duration, OffsetDateTime, UtcOffset};

/// The log's file name, in the session index's folder.
pub const FILE_NAME: &str = "activity.jsonl";
/// The previous file, kept after a rotation.
pub const ROTATED_FILE_NAME: &str = "activity.1.jsonl";
/// The size past which the log is rotated: also the most [`private_file::read`] reads of a
/// Rolebar state file, so each of the two files is always readable whole.
pub const ROTATE_AT: u64 = private_file::MAX_JSON_BYTES;

const ROLE: KnownFile = KnownFile {
    name: "the activity log",
    chosen_by: "ROLEBAR_STATE_DIR or XDG_STATE_HOME (default ~/.local/state/rolebar/activity.jsonl)",
};

/// How the credentials left Rolebar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Way {
    CredentialProcess,
    Exec,
    Export,
    Write,
    Console,
    Endpoint,
    Agent,
}

impl Way {
    pub fn as_str(self) -> &'static str {
        match self {
            Way::CredentialProcess => "credential_process",
            Way::Exec => "exec",
            Way::Export => "export",
            Way::Write => "write",
            Way::Console => "console",
            Way::Endpoint => "endpoint",
            Way::Agent => "agent",
        }
    }
}

/// What came of the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A cached session was handed out.
    Cached,
    /// A new session was made (and handed out).
    NewSession,
    /// The user (or a rule) refused it.
    Denied,
    /// No credentials: `error_code` says why.
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Cached => "cached",
            Outcome::NewSession => "new_session",
            Outcome::Denied => "denied",
            Outcome::Failed => "failed",
        }
    }
}

/// One hand-out. Deliberately nothing that could hold a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// When, in UTC.
    #[serde(with = "time::serde::rfc3339")]
    pub time: OffsetDateTime,
    pub profile: String,
    /// Who asked: resolved executable path and command line ([`program`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub program: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
    pub way: Way,
    pub outcome: Outcome,
    /// For [`Outcome::Failed`]: the error's stable code (`mfa_required`, …), never its message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
}

impl Entry {
    /// An entry at `time` (kept in UTC), with no program, pid or error code.
    pub fn new(time: OffsetDateTime, profile: &str, way: Way, outcome: Outcome) -> Entry {
        Entry {
            time: time.to_offset(UtcOffset::UTC),
            profile: profile.to_string(),
            program: None,
            pid: None,
            way,
            outcome,
            error_code: None,
        }
    }

    /// The entry as one line of JSON, without the newline.
    pub fn to_json(&self) -> String {
        // Strings, numbers and unit enums only: encoding cannot fail; the fallback keeps it so.
        serde_json::to_string(self).unwrap_or_else(|_| String::from("{}"))
    }
}

/// Which entries [`ActivityLog::read`] returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only this profile's.
    pub profile: Option<String>,
    /// Only those at most this long before the clock's now.
    pub since: Option<Duration>,
}

/// What [`ActivityLog::read`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Found {
    /// Oldest first (newest last).
    pub entries: Vec<Entry>,
    /// Lines that could not be read (cut by a crash, written by a newer Rolebar, damaged).
    pub skipped: usize,
}

/// The activity log's two files.
#[derive(Debug, Clone)]
pub struct ActivityLog {
    path: PathBuf,
    rotated: PathBuf,
    rotate_at: u64,
}

impl ActivityLog {
    /// The log at `path`, rotated to `activity.1.jsonl` in the same folder.
    pub fn at(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let dir = path.parent().unwrap_or_else(|| Path::new("."));
        ActivityLog {
            rotated: dir.join(ROTATED_FILE_NAME),
            path,
            rotate_at: ROTATE_AT,
        }
    }

    /// `activity.jsonl` beside the session index.
    pub fn beside(index: &Index) -> Self {
        let dir = index.path().parent().unwrap_or_else(|| Path::new("."));
        ActivityLog::at(dir.join(FILE_NAME))
    }

    /// The log beside the user's session index (`ROLEBAR_STATE_DIR`, or the XDG state folder).
    pub fn default_location() -> crate::Result<Self> {
        Ok(ActivityLog::beside(&Index::default_location()?))
    }

    /// This log rotated past `bytes` instead of [`ROTATE_AT`] (tests; never above it, so both
    /// files stay readable).
    pub fn with_rotate_at(mut self, bytes: u64) -> Self {
        self.rotate_at = bytes.min(ROTATE_AT);
        self
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn rotated_path(&self) -> &Path {
        &self.rotated
    }

    /// Appends `entry` (rotating first when the file would grow past the bound).
    pub fn append(&self, entry: &Entry) -> Result<(), FileError> {
        let mut line = entry.to_json();
        line.push('\n');
        private_file::append(&self.path, ROLE, line.as_bytes(), self.rotate_at, &self.rotated)
    }

    /// The entries of both files that pass `filter`, newest last; `since` counts back from
    /// `clock`'s now. Missing files hold nothing.
    pub fn read(&self, filter: &Filter, clock: &dyn Clock) -> Result<Found, FileError> {
        let oldest = filter.since.map(|since| clock.now() - since);
        let mut found = Found::default();
        for path in [&self.rotated, &self.path] {
            let Some(bytes) = private_file::read(path, ROLE)? else {
                continue;
            };
            for line in bytes.split(|b| *b == b'\n') {
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                let Ok(entry) = serde_json::from_slice::<Entry>(line) else {
                    found.skipped += 1;
                    continue;
                };
                let profile_ok = filter.profile.as_ref().is_none_or(|p| *p == entry.profile);
                let time_ok = oldest.is_none_or(|oldest| entry.time >= oldest);
                if profile_ok && time_ok {
                    found.entries.push(entry);
                }
            }
        }
        // Writers append in order under the lock; the stable sort only fixes clocks that stepped.
        found.entries.sort_by_key(|e| e.time);
        Ok(found)
    }
}

#[cfg(test)]
mod tests;

//! What expiry warnings were already given, kept in a small JSON file so a restart does not
//! repeat them. Losing the file only means a warning may be repeated: an unreadable file is
//! treated as empty.
//!
//! ```json
//! {
//!   "version": 1,
//!   "sessions": {
//!     "session:AssumeRole:oppara-dev": { "expires_at": "2026-11-25T13:00:00Z", "fired_lead_secs": 120 }
//!   }
//! }
//! ```
//!
//! `fired_lead_secs` is the watermark: every warning due that long or longer before
//! `expires_at` was given; `0` means the expiry itself was.

use super::ScheduleError;
use crate::keystore::index::Index;
use crate::private_file::{self, Durability, KnownFile};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use time::{Duration, OffsetDateTime};

/// The file format version this code writes and reads; another version reads as empty.
const VERSION: u32 = 1;

/// The name of the state file, next to the session index.
pub const STATE_FILE_NAME: &str = "expiry-warnings.json";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Fired {
    #[serde(with = "time::serde::rfc3339")]
    expires_at: OffsetDateTime,
    fired_lead_secs: i64,
}

#[derive(Serialize, Deserialize)]
struct StateFile {
    version: u32,
    #[serde(default)]
    sessions: BTreeMap<String, Fired>,
}

/// Per session key: the `expires_at` it was for and the watermark of the warnings given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FiredState {
    sessions: BTreeMap<String, Fired>,
}

impl FiredState {
    /// `expiry-warnings.json` beside the session index.
    pub fn default_path(index: &Index) -> PathBuf {
        index.path().with_file_name(STATE_FILE_NAME)
    }

    /// Reads the state; a missing file is empty, and so is an unreadable one or one of another
    /// version (logged as a warning: the cost is at most a repeated notification).
    pub fn load(path: &Path) -> Self {
        FiredState::try_load(path).unwrap_or_else(|e| {
            tracing::warn!(path = %path.display(), error = %e, "expiry warning state unreadable; starting empty");
            FiredState::default()
        })
    }

    /// Like [`load`](Self::load), but says why a present file could not be used.
    pub fn try_load(path: &Path) -> Result<Self, ScheduleError> {
        let Some(bytes) = private_file::read(path, KnownFile::EXPIRY_STATE)? else {
            return Ok(FiredState::default());
        };
        let corrupt = |detail: String| ScheduleError::StateCorrupt {
            path: path.to_path_buf(),
            detail,
        };
        let file: StateFile = serde_json::from_slice(&bytes).map_err(|e| corrupt(e.to_string()))?;
        if file.version != VERSION {
            return Err(corrupt(format!(
                "version {} is not known (expected {VERSION})",
                file.version
            )));
        }
        Ok(FiredState {
            sessions: file.sessions,
        })
    }

    /// Writes the state atomically (a temporary file renamed over the old one).
    pub fn save(&self, path: &Path) -> Result<(), ScheduleError> {
        let io = |source| ScheduleError::StateWrite {
            path: path.to_path_buf(),
            source,
        };
        let file = StateFile {
            version: VERSION,
            sessions: self.sessions.clone(),
        };
        let json = serde_json::to_vec_pretty(&file).map_err(|e| io(std::io::Error::other(e)))?;
        private_file::replace(path, KnownFile::EXPIRY_STATE, &json, Durability::Fsync)?;
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }

    /// The session keys with a warning given.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.sessions.keys().map(String::as_str)
    }

    /// The most urgent warning given for this session (`key` with this `expires_at`), if any.
    pub fn most_urgent_fired(&self, key: &str, expires_at: OffsetDateTime) -> Option<super::WarningKind> {
        self.watermark(key, expires_at).map(super::WarningKind::from_lead)
    }

    /// The least lead time warned about for this session.
    pub(super) fn watermark(&self, key: &str, expires_at: OffsetDateTime) -> Option<Duration> {
        self.sessions
            .get(key)
            .filter(|f| f.expires_at == expires_at)
            .map(|f| Duration::seconds(f.fired_lead_secs))
    }

    pub(super) fn mark(&mut self, key: &str, expires_at: OffsetDateTime, lead: Duration) {
        self.sessions.insert(
            key.to_string(),
            Fired {
                expires_at,
                fired_lead_secs: lead.whole_seconds(),
            },
        );
    }

    pub(super) fn retain(&mut self, mut keep: impl FnMut(&str, OffsetDateTime) -> bool) {
        self.sessions.retain(|key, f| keep(key, f.expires_at));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error_code::HasCode;
    use crate::schedule::WarningKind;
    use time::macros::datetime;

    const EXPIRES: OffsetDateTime = datetime!(2026-11-25 13:00 UTC);

    #[test]
    fn round_trip() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("state").join(STATE_FILE_NAME);
        let mut state = FiredState::default();
        state.mark("session:AssumeRole:a", EXPIRES, Duration::minutes(2));
        state.mark("session:AssumeRole:b", EXPIRES, Duration::ZERO);
        state.save(&path).expect("save");
        let back = FiredState::try_load(&path).expect("load");
        assert_eq!(back, state);
        assert_eq!(
            back.most_urgent_fired("session:AssumeRole:a", EXPIRES),
            Some(WarningKind::Threshold(Duration::minutes(2)))
        );
        assert_eq!(
            back.most_urgent_fired("session:AssumeRole:b", EXPIRES),
            Some(WarningKind::Expired)
        );
        assert_eq!(
            back.most_urgent_fired("session:AssumeRole:a", EXPIRES + Duration::hours(1)),
            None,
            "another expires_at is another session"
        );
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.contains("\"fired_lead_secs\": 120"), "{text}");
        assert!(text.contains("2026-11-25T13:00:00Z"), "{text}");
    }

    #[test]
    fn missing_is_empty_without_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(FiredState::try_load(&dir.path().join("none.json"))
            .expect("ok")
            .is_empty());
    }

    #[test]
    fn corrupt_or_unknown_version_is_empty() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(STATE_FILE_NAME);
        for text in ["{not json", "[]", r#"{"version": 2, "sessions": {}}"#, ""] {
            std::fs::write(&path, text).expect("write");
            let err = FiredState::try_load(&path).expect_err(text);
            assert_eq!(err.code(), "expiry_state_corrupt", "{text}");
            assert!(err.to_string().contains(STATE_FILE_NAME), "{err}");
            assert!(FiredState::load(&path).is_empty());
        }
        std::fs::write(&path, r#"{"version": 2}"#).expect("write");
        assert!(FiredState::try_load(&path)
            .expect_err("v2")
            .to_string()
            .contains("version 2 is not known"));
    }

    #[test]
    fn default_path_is_beside_the_index() {
        let index = Index::at("/tmp/state/rolebar/index.json");
        assert_eq!(
            FiredState::default_path(&index),
            Path::new("/tmp/state/rolebar/expiry-warnings.json")
        );
    }
}

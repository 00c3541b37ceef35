//! What the main window's Activity view shows of the activity log (rolebar-core's `activity`):
//! entries newest first, filtered by profile and by part of the program's text. Plain data with
//! no secret (an entry has none to give), also TypeScript types (ts-rs, `bindings.rs`).

use rolebar_core::activity::Entry;
use serde::Serialize;
use time::OffsetDateTime;
use ts_rs::TS;

/// The most entries one `get_activity` returns (the log holds up to about 2 MiB).
pub const MAX_LIMIT: u32 = 1000;
/// What `get_activity` returns without a limit.
pub const DEFAULT_LIMIT: u32 = 200;

/// One entry as the Activity view shows it: no secret (an entry has none to give).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ActivityEntryView {
    /// RFC 3339, UTC.
    #[serde(with = "time::serde::rfc3339")]
    #[ts(type = "string")]
    pub time: OffsetDateTime,
    pub profile: String,
    pub program: Option<String>,
    pub pid: Option<u32>,
    /// `credential_process`, `exec`, `export`, `write`, `console`, `endpoint`, `agent`.
    pub way: String,
    /// `cached`, `new_session`, `denied`, `failed`.
    pub outcome: String,
    pub error_code: Option<String>,
}

impl From<Entry> for ActivityEntryView {
    fn from(e: Entry) -> Self {
        ActivityEntryView {
            time: e.time,
            profile: e.profile,
            program: e.program,
            pid: e.pid,
            way: e.way.as_str().to_string(),
            outcome: e.outcome.as_str().to_string(),
            error_code: e.error_code,
        }
    }
}

/// What the Activity view shows: the newest entries first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ActivityView {
    /// Newest first, at most the limit asked.
    pub entries: Vec<ActivityEntryView>,
    /// How many entries passed the filters (more than `entries` holds when the limit cut).
    pub matched: u32,
    /// Every profile in the log, sorted (for the profile filter).
    pub profiles: Vec<String>,
    /// Lines that could not be read.
    pub skipped: u32,
}

/// The entries of `found` (oldest first) that pass the filters, newest first: `profile` exactly,
/// `program` as a case-insensitive part of the program's text.
pub fn view(
    found: Vec<Entry>,
    skipped: usize,
    profile: Option<&str>,
    program: Option<&str>,
    limit: u32,
) -> ActivityView {
    let mut profiles: Vec<String> = found.iter().map(|e| e.profile.clone()).collect();
    profiles.sort_unstable();
    profiles.dedup();
    let needle = program.map(str::trim).filter(|p| !p.is_empty()).map(str::to_lowercase);
    let profile = profile.filter(|p| !p.is_empty());
    let matching: Vec<Entry> = found
        .into_iter()
        .rev()
        .filter(|e| profile.is_none_or(|p| e.profile == p))
        .filter(|e| {
            needle.as_ref().is_none_or(|n| {
                e.program
                    .as_deref()
                    .is_some_and(|program| program.to_lowercase().contains(n.as_str()))
            })
        })
        .collect();
    let limit = usize::try_from(limit.clamp(1, MAX_LIMIT)).unwrap_or(usize::MAX);
    ActivityView {
        matched: u32::try_from(matching.len()).unwrap_or(u32::MAX),
        entries: matching.into_iter().take(limit).map(ActivityEntryView::from).collect(),
        profiles,
        skipped: u32::try_from(skipped).unwrap_or(u32::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rolebar_core::activity::{Outcome, Way};
    use time::macros::datetime;

    fn entry(minute: i64, profile: &str, program: &str) -> Entry {
        let mut e = Entry::new(
            datetime!(2026-12-05 03:00 UTC) + time::Duration::minutes(minute),
            profile,
            Way::CredentialProcess,
            Outcome::Cached,
        );
        e.program = Some(program.into());
        e
    }

    fn log() -> Vec<Entry> {
        vec![
            entry(0, "dev", "aws sts get-caller-identity (pid 1, /usr/bin/aws)"),
            entry(1, "prod", "python3 deploy.py (pid 2, /usr/bin/python3.12)"),
            entry(2, "dev", "python3 report.py (pid 3, /usr/bin/python3.12)"),
            entry(3, "dev", "AWS s3 ls (pid 4, /usr/bin/aws)"),
        ]
    }

    fn minutes(v: &ActivityView) -> Vec<i64> {
        v.entries
            .iter()
            .map(|e| (e.time - datetime!(2026-12-05 03:00 UTC)).whole_minutes())
            .collect()
    }

    #[test]
    fn newest_first_filtered_by_profile_and_by_part_of_the_program() {
        let all = view(log(), 0, None, None, 50);
        assert_eq!(minutes(&all), [3, 2, 1, 0]);
        assert_eq!(all.profiles, ["dev", "prod"]);
        assert_eq!(minutes(&view(log(), 0, Some("dev"), None, 50)), [3, 2, 0]);
        // Any case, trimmed; empty filters filter nothing.
        assert_eq!(minutes(&view(log(), 0, None, Some(" aws "), 50)), [3, 0]);
        assert_eq!(minutes(&view(log(), 0, Some("dev"), Some("PYTHON"), 50)), [2]);
        assert_eq!(minutes(&view(log(), 0, Some(""), Some(""), 50)), [3, 2, 1, 0]);
        let cut = view(log(), 2, None, None, 2);
        assert_eq!((minutes(&cut), cut.matched, cut.skipped), (vec![3, 2], 4, 2));
    }

    #[test]
    fn the_view_speaks_the_logs_words() {
        let v = view(log(), 0, Some("prod"), None, 0);
        assert_eq!(v.entries.len(), 1, "a limit of 0 still shows one");
        let json = serde_json::to_value(&v.entries[0]).expect("json");
        assert_eq!(json["way"], "credential_process");
        assert_eq!(json["outcome"], "cached");
        assert_eq!(json["time"], "2026-12-05T03:01:00Z");
    }
}

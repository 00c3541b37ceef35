//! `rolebar activity [--profile P] [--since 1h] [--json]`: the credential hand-outs noted in the
//! activity log, oldest first: a table, or the log's own JSON lines.

use rolebar_core::activity::{ActivityLog, Entry, Filter};
use rolebar_core::clock::SystemClock;
use rolebar_core::Result;
use std::process::ExitCode;
use time::format_description::well_known::Rfc3339;
use time::Duration;

/// `--since`: the schedule's durations (`90s`, `10m`, `1h30m`) and days (`7d`).
pub fn parse_since(text: &str) -> std::result::Result<Duration, String> {
    let trimmed = text.trim();
    if let Some(days) = trimmed.strip_suffix('d') {
        if let Ok(days) = days.parse::<i64>() {
            return Ok(Duration::days(days));
        }
    }
    rolebar_core::schedule::parse_duration(trimmed)
}

pub fn run(profile: Option<String>, since: Option<Duration>, json: bool) -> Result<ExitCode> {
    let log = ActivityLog::default_location()?;
    let filter = Filter { profile, since };
    let found = log.read(&filter, &SystemClock)?;
    if json {
        for entry in &found.entries {
            println!("{}", entry.to_json());
        }
    } else if found.entries.is_empty() {
        eprintln!("no credential hand-outs noted in {}", log.path().display());
    } else {
        print!("{}", table(&found.entries));
    }
    if found.skipped > 0 {
        eprintln!(
            "rolebar: {} unreadable lines of {} (or {}) skipped",
            found.skipped,
            log.path().display(),
            log.rotated_path().display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Columns padded to their widest cell; the program last (it is long).
fn table(entries: &[Entry]) -> String {
    let rows: Vec<[String; 5]> = entries
        .iter()
        .map(|e| {
            let time = e.time.replace_nanosecond(0).unwrap_or(e.time);
            let outcome = match &e.error_code {
                Some(code) => format!("{} ({code})", e.outcome.as_str()),
                None => e.outcome.as_str().to_string(),
            };
            [
                time.format(&Rfc3339).unwrap_or_default(),
                e.profile.clone(),
                e.way.as_str().to_string(),
                outcome,
                e.program.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let header = ["TIME", "PROFILE", "WAY", "OUTCOME", "PROGRAM"].map(String::from);
    let mut widths = [0usize; 4];
    for row in std::iter::once(&header).chain(&rows) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        for (w, cell) in widths.iter().zip(row) {
            out.push_str(&format!("{cell:<w$}  "));
        }
        out.push_str(&row[4]);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rolebar_core::activity::{Outcome, Way};
    use time::macros::datetime;

    #[test]
    fn since_reads_the_schedule_durations_and_days() {
        assert_eq!(parse_since("1h"), Ok(Duration::hours(1)));
        assert_eq!(parse_since("1h30m"), Ok(Duration::minutes(90)));
        assert_eq!(parse_since("7d"), Ok(Duration::days(7)));
        assert!(parse_since("yesterday").is_err());
    }

    #[test]
    fn the_table_shows_utc_times_and_error_codes() {
        let mut e = Entry::new(datetime!(2026-12-05 03:00:00.5 UTC), "prod", Way::Exec, Outcome::Failed);
        e.error_code = Some("mfa_required".into());
        let shown = table(&[e]);
        let line = shown.lines().nth(1).expect("a row");
        assert!(line.starts_with("2026-12-05T03:00:00Z  prod "), "{line}");
        assert!(
            line.contains("exec ") && line.contains("failed (mfa_required)"),
            "{line}"
        );
    }
}

//! The `expiry` section of `settings.json` (read and written through [`crate::settings`]):
//!
//! ```json
//! {
//!   "expiry": {
//!     "warn_before": ["10m", "2m"],
//!     "auto_refresh": ["oppara-dev"]
//!   }
//! }
//! ```
//!
//! Durations are written with units: `90s`, `10m`, `1h`, `1h30m`. A missing file or a missing
//! key gives the default (warn 10 and 2 minutes before; no auto-refresh).

use super::{check_threshold, validate_thresholds, ScheduleError, DEFAULT_THRESHOLDS};
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::path::Path;
use time::Duration;

pub(crate) const SECTION: &str = "expiry";
const WARN_BEFORE: &str = "warn_before";
const AUTO_REFRESH: &str = "auto_refresh";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpirySettings {
    /// How long before expiry to warn, longest first once loaded.
    pub thresholds: Vec<Duration>,
    /// Profiles whose sessions are renewed before they expire (none by default).
    pub auto_refresh: BTreeSet<String>,
}

impl Default for ExpirySettings {
    fn default() -> Self {
        ExpirySettings {
            thresholds: DEFAULT_THRESHOLDS.to_vec(),
            auto_refresh: BTreeSet::new(),
        }
    }
}

impl ExpirySettings {
    /// The `expiry` section of the settings file's object; `path` only names the file in errors.
    pub(crate) fn from_root(path: &Path, root: &Map<String, Value>) -> Result<Self, ScheduleError> {
        let Some(section) = root.get(SECTION) else {
            return Ok(ExpirySettings::default());
        };
        let invalid = |key: String, value: &Value, reason: &str| ScheduleError::InvalidSetting {
            path: path.to_path_buf(),
            key,
            value: value.to_string(),
            reason: reason.to_string(),
        };
        let Value::Object(section) = section else {
            return Err(invalid(
                SECTION.into(),
                section,
                "must be an object, e.g. {\"warn_before\": [\"10m\", \"2m\"]}",
            ));
        };
        let mut settings = ExpirySettings::default();
        for (name, value) in section {
            let key = format!("{SECTION}.{name}");
            match name.as_str() {
                WARN_BEFORE => settings.thresholds = read_thresholds(&key, value, &invalid)?,
                AUTO_REFRESH => settings.auto_refresh = read_profiles(&key, value, &invalid)?,
                _ => {
                    return Err(invalid(
                        key,
                        value,
                        "unknown setting (known: warn_before, auto_refresh)",
                    ))
                }
            }
        }
        Ok(settings)
    }

    /// Checks the thresholds (the rules of [`validate_thresholds`]) and the profile names.
    pub fn validate(&self) -> Result<(), ScheduleError> {
        validate_thresholds(self.thresholds.clone())?;
        if let Some(p) = self.auto_refresh.iter().find(|p| p.trim().is_empty()) {
            return Err(ScheduleError::InvalidProfileName { value: p.clone() });
        }
        Ok(())
    }

    /// Whether sessions of `profile` are renewed automatically.
    pub fn auto_refresh_enabled(&self, profile: &str) -> bool {
        self.auto_refresh.contains(profile)
    }

    /// The section as written to the file (thresholds longest first), once [`validate`](Self::validate) accepts it.
    pub(crate) fn to_json(&self) -> Result<Value, ScheduleError> {
        self.validate()?;
        let mut thresholds = self.thresholds.clone();
        thresholds.sort_by(|a, b| b.cmp(a));
        let mut section = Map::new();
        section.insert(
            WARN_BEFORE.into(),
            thresholds.iter().map(|t| Value::String(format_duration(*t))).collect(),
        );
        section.insert(
            AUTO_REFRESH.into(),
            self.auto_refresh.iter().cloned().map(Value::String).collect(),
        );
        Ok(Value::Object(section))
    }
}

fn read_thresholds(
    key: &str,
    value: &Value,
    invalid: &impl Fn(String, &Value, &str) -> ScheduleError,
) -> Result<Vec<Duration>, ScheduleError> {
    let Value::Array(items) = value else {
        return Err(invalid(
            key.into(),
            value,
            "must be a list of durations, e.g. [\"10m\", \"2m\"]",
        ));
    };
    let mut thresholds = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let item_key = format!("{key}[{i}]");
        let Value::String(text) = item else {
            return Err(invalid(
                item_key,
                item,
                "must be a duration with a unit, e.g. \"10m\" or \"90s\"",
            ));
        };
        let t = parse_duration(text).map_err(|reason| invalid(item_key.clone(), item, &reason))?;
        check_threshold(t).map_err(|reason| invalid(item_key.clone(), item, reason))?;
        if thresholds.contains(&t) {
            return Err(invalid(item_key, item, "listed twice"));
        }
        thresholds.push(t);
    }
    thresholds.sort_by(|a, b| b.cmp(a));
    Ok(thresholds)
}

fn read_profiles(
    key: &str,
    value: &Value,
    invalid: &impl Fn(String, &Value, &str) -> ScheduleError,
) -> Result<BTreeSet<String>, ScheduleError> {
    let Value::Array(items) = value else {
        return Err(invalid(
            key.into(),
            value,
            "must be a list of profile names, e.g. [\"oppara-dev\"]",
        ));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| match item {
            Value::String(p) if !p.trim().is_empty() => Ok(p.clone()),
            _ => Err(invalid(format!("{key}[{i}]"), item, "must be a profile name")),
        })
        .collect()
}

/// Reads `90s`, `10m`, `1h`, `1h30m`, `2m30s`: whole numbers each followed by `h`, `m` or `s`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("empty: write a duration such as \"10m\"".into());
    }
    let mut total = Duration::ZERO;
    let mut digits = String::new();
    for c in trimmed.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit = match c {
            'h' => Duration::HOUR,
            'm' => Duration::MINUTE,
            's' => Duration::SECOND,
            c if c.is_whitespace() => return Err("write it without spaces, e.g. \"1h30m\"".into()),
            _ => return Err(format!("`{c}` is not a unit: use h, m or s, e.g. \"10m\"")),
        };
        if digits.is_empty() {
            return Err(format!("`{c}` has no number before it, e.g. \"10m\""));
        }
        let n: i32 = digits.parse().map_err(|_| format!("{digits} is too large"))?;
        total = total
            .checked_add(unit.checked_mul(n).ok_or_else(|| format!("{digits}{c} is too large"))?)
            .ok_or_else(|| "too large".to_string())?;
        digits.clear();
    }
    if !digits.is_empty() {
        return Err(format!(
            "{digits} has no unit: write \"{digits}m\" for minutes or \"{digits}s\" for seconds"
        ));
    }
    Ok(total)
}

/// `1h30m`, `10m`, `1m30s`, `0s`, `-5s`: the form [`parse_duration`] reads (sub-seconds dropped).
pub fn format_duration(d: Duration) -> String {
    let secs = d.whole_seconds();
    let sign = if secs < 0 { "-" } else { "" };
    let secs = secs.unsigned_abs();
    let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    let mut out = sign.to_string();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    if s > 0 || (h == 0 && m == 0) {
        out.push_str(&format!("{s}s"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_and_print() {
        for (text, d) in [
            ("10m", Duration::minutes(10)),
            ("90s", Duration::seconds(90)),
            ("1h", Duration::hours(1)),
            ("1h30m", Duration::minutes(90)),
            ("2m30s", Duration::seconds(150)),
            (" 5m ", Duration::minutes(5)),
        ] {
            assert_eq!(parse_duration(text), Ok(d), "{text}");
        }
        for (d, text) in [
            (Duration::minutes(10), "10m"),
            (Duration::seconds(90), "1m30s"),
            (Duration::minutes(90), "1h30m"),
            (Duration::hours(2), "2h"),
            (Duration::ZERO, "0s"),
            (Duration::seconds(-5), "-5s"),
            (Duration::seconds(3601), "1h1s"),
        ] {
            assert_eq!(format_duration(d), text);
            if d >= Duration::ZERO {
                assert_eq!(parse_duration(text), Ok(d));
            }
        }
    }

    #[test]
    fn bad_durations_say_why() {
        assert!(parse_duration("10").expect_err("no unit").contains("\"10m\""));
        assert!(parse_duration("10 min").expect_err("space").contains("without spaces"));
        assert!(parse_duration("10x").expect_err("unit").contains("is not a unit"));
        assert!(parse_duration("m").expect_err("no number").contains("no number"));
        assert!(parse_duration("").expect_err("empty").contains("empty"));
        assert!(parse_duration("-5m").expect_err("sign").contains("`-` is not a unit"));
        assert!(parse_duration("99999999999s").expect_err("big").contains("too large"));
    }
}

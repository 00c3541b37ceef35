//! Reminders to rotate old keys: `keys.rotate_after` days in `settings.json` (default 90, 0 =
//! never), at most one reminder a week per key, remembered in `key-reminders.json` beside the
//! session index:
//!
//! ```json
//! {"keys": {"rotate_after": 90}}
//! ```
//!
//! The state file is keyed by profile and the key's masked id, so a rotated (or re-added) key
//! starts afresh: its age is counted from its own creation, and an old key's reminders do not
//! carry over. Losing the file only means a reminder may come again: an unreadable one is
//! treated as empty.
//!
//! For a front end: [`reminders_due`] (which keys to remind about now) and [`ReminderFile::mark`]
//! once shown.

use crate::keystore::index::Index;
use crate::keystore::keys::KeyAge;
use crate::private_file::{self, Durability, KnownFile, Missing};
use crate::schedule::ScheduleError;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use time::{Duration, OffsetDateTime};
use zeroize::Zeroizing;

pub(crate) const SECTION: &str = "keys";
const ROTATE_AFTER: &str = "rotate_after";
/// aws-vault's and AWS's own recommendation.
pub const DEFAULT_ROTATE_AFTER_DAYS: u32 = 90;
/// Ten years: a larger value is surely a typo (seconds for days?).
const MAX_ROTATE_AFTER_DAYS: u32 = 3650;
/// How often an old key is reminded about.
pub const REMIND_EVERY: Duration = Duration::weeks(1);

/// The `keys` settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeySettings {
    /// Days after which a key should be rotated; 0 = never remind.
    pub rotate_after_days: u32,
}

impl Default for KeySettings {
    fn default() -> Self {
        KeySettings {
            rotate_after_days: DEFAULT_ROTATE_AFTER_DAYS,
        }
    }
}

impl KeySettings {
    /// How old a key may get before a reminder; `None` = never.
    pub fn rotate_after(&self) -> Option<Duration> {
        (self.rotate_after_days > 0).then(|| Duration::days(i64::from(self.rotate_after_days)))
    }

    /// Whether `age` is due for rotation at `now`.
    pub fn due(&self, age: &KeyAge, now: OffsetDateTime) -> bool {
        self.rotate_after().is_some_and(|after| now - age.since >= after)
    }
}

/// `keys` as written to the file (`path` names it in errors), if `settings` are in range.
pub(crate) fn to_json(settings: &KeySettings, path: &Path) -> Result<Value, ScheduleError> {
    let days = settings.rotate_after_days;
    if days > MAX_ROTATE_AFTER_DAYS {
        return Err(ScheduleError::InvalidKeysSetting {
            path: path.to_path_buf(),
            key: format!("{SECTION}.{ROTATE_AFTER}"),
            value: days.to_string(),
            reason: format!("at most {MAX_ROTATE_AFTER_DAYS} days (0 = never remind)"),
        });
    }
    let mut section = Map::new();
    section.insert(ROTATE_AFTER.into(), Value::from(days));
    Ok(Value::Object(section))
}

/// The `keys` section of the settings file's object; a missing key gives the defaults.
pub(crate) fn from_root(path: &Path, root: &Map<String, Value>) -> Result<KeySettings, ScheduleError> {
    let invalid = |key: String, value: &Value, reason: &str| ScheduleError::InvalidKeysSetting {
        path: path.to_path_buf(),
        key,
        value: value.to_string(),
        reason: reason.to_string(),
    };
    let Some(section) = root.get(SECTION) else {
        return Ok(KeySettings::default());
    };
    let Value::Object(section) = section else {
        return Err(invalid(
            SECTION.into(),
            section,
            "must be an object, e.g. {\"rotate_after\": 90}",
        ));
    };
    let mut settings = KeySettings::default();
    for (name, value) in section {
        let key = format!("{SECTION}.{name}");
        match name.as_str() {
            ROTATE_AFTER => {
                settings.rotate_after_days = value
                    .as_u64()
                    .and_then(|d| u32::try_from(d).ok())
                    .filter(|d| *d <= MAX_ROTATE_AFTER_DAYS)
                    .ok_or_else(|| {
                        invalid(
                            key,
                            value,
                            "must be a whole number of days from 0 (never remind) to 3650, e.g. 90",
                        )
                    })?
            }
            _ => return Err(invalid(key, value, "unknown setting (known: rotate_after)")),
        }
    }
    Ok(settings)
}

/// A key to remind about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reminder {
    pub age: KeyAge,
    pub days: i64,
    pub rotate_after_days: u32,
}

impl Reminder {
    /// "The access key of `default` (****MPLE) is 121 days old (key created 2026-08-01): rotate
    /// it with `rolebar rotate default`."
    pub fn text(&self, now: OffsetDateTime) -> String {
        format!(
            "The access key of `{}` ({}) is {} days old ({}), more than the {} days set: rotate it with `rolebar rotate {}`.",
            self.age.profile,
            self.age.masked_key_id,
            self.days,
            self.age.describe(now),
            self.rotate_after_days,
            self.age.profile
        )
    }
}

/// The keys among `ages` to remind about at `now`: older than `settings` allow, and not
/// reminded about (as this same key) within the last week.
pub fn reminders_due(
    ages: &[KeyAge],
    settings: &KeySettings,
    state: &ReminderFile,
    now: OffsetDateTime,
) -> Vec<Reminder> {
    let reminded = state.read();
    ages.iter()
        .filter(|age| settings.due(age, now))
        .filter(|age| {
            reminded
                .get(&age.profile)
                .filter(|r| r.masked_key_id == age.masked_key_id)
                .is_none_or(|r| now - r.reminded_at >= REMIND_EVERY)
        })
        .map(|age| Reminder {
            age: age.clone(),
            days: age.days(now),
            rotate_after_days: settings.rotate_after_days,
        })
        .collect()
}

const VERSION: u32 = 1;
/// The file name, in the index's folder.
pub const FILE_NAME: &str = "key-reminders.json";
const ROLE: KnownFile = KnownFile {
    name: "the key reminder state",
    chosen_by: "ROLEBAR_STATE_DIR or XDG_STATE_HOME (default ~/.local/state/rolebar/key-reminders.json)",
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Reminded {
    masked_key_id: String,
    #[serde(with = "time::serde::rfc3339")]
    reminded_at: OffsetDateTime,
}

#[derive(Debug, Serialize, Deserialize)]
struct StateData {
    version: u32,
    #[serde(default)]
    keys: BTreeMap<String, Reminded>,
}

/// `key-reminders.json`: when each key was last reminded about.
#[derive(Debug, Clone)]
pub struct ReminderFile {
    path: PathBuf,
}

impl ReminderFile {
    pub fn at(path: impl Into<PathBuf>) -> Self {
        ReminderFile { path: path.into() }
    }

    /// Beside the session index.
    pub fn beside(index: &Index) -> Self {
        ReminderFile::at(index.path().with_file_name(FILE_NAME))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn read(&self) -> BTreeMap<String, Reminded> {
        match private_file::read(&self.path, ROLE) {
            Ok(Some(bytes)) => parse(&self.path, &bytes),
            Ok(None) => BTreeMap::new(),
            Err(e) => {
                tracing::warn!(path = %self.path.display(), error = %e, "key reminder state unreadable; starting empty");
                BTreeMap::new()
            }
        }
    }

    /// Remembers that `reminders` were shown at `now` (under the file's lock, so the tray and
    /// the command line can both write it). Entries of keys no longer stored are kept: they are
    /// a few bytes, and ignored once the key id differs.
    pub fn mark(&self, reminders: &[Reminder], now: OffsetDateTime) -> crate::Result<()> {
        if reminders.is_empty() {
            return Ok(());
        }
        private_file::update(&self.path, ROLE, Missing::Create, Durability::Fsync, |bytes| {
            let mut keys = bytes.map(|b| parse(&self.path, b)).unwrap_or_default();
            for r in reminders {
                keys.insert(
                    r.age.profile.clone(),
                    Reminded {
                        masked_key_id: r.age.masked_key_id.clone(),
                        reminded_at: now,
                    },
                );
            }
            let json = serde_json::to_vec_pretty(&StateData { version: VERSION, keys }).map_err(|e| {
                crate::private_file::FileError::Io {
                    action: "write",
                    path: self.path.clone(),
                    source: std::io::Error::other(e),
                }
            })?;
            Ok::<_, crate::Error>((Some(Zeroizing::new(json)), ()))
        })?;
        Ok(())
    }
}

/// The state, or empty (logged) when it cannot be read: the cost is one repeated reminder.
fn parse(path: &Path, bytes: &[u8]) -> BTreeMap<String, Reminded> {
    match serde_json::from_slice::<StateData>(bytes) {
        Ok(data) if data.version == VERSION => data.keys,
        Ok(data) => {
            tracing::warn!(path = %path.display(), version = data.version, "key reminder state of an unknown version; starting empty");
            BTreeMap::new()
        }
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "key reminder state unreadable; starting empty");
            BTreeMap::new()
        }
    }
}

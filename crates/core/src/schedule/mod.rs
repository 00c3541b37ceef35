//! Session-expiry warnings, without any GUI: when to tell the user that a session is about to
//! end, and remembering what was already said.
//!
//! A session is identified by its cache entry name (`session:AssumeRole:oppara-dev`) *and* its
//! `expires_at`: a renewed session has a new `expires_at` and gets its own warnings. For each
//! session the [`Schedule`] warns at every threshold before expiry (10 and 2 minutes by default)
//! and at expiry, each once. Deadlines are wall-clock times: after a laptop sleeps through one or
//! more of them, the next [`Schedule::due`] gives a single warning, the most urgent one passed,
//! and counts the earlier ones as given.
//!
//! What was given is kept per session as a *watermark*: the least time left that was warned
//! about. Every level at or above it has fired; the expiry itself is a level with zero left.
//! The [`FiredState`] is saved as a small JSON file so a restart does not repeat warnings.
//!
//! * [`Schedule`]: the pure core (`due`, `next_deadline`), driven by the caller's `now`.
//! * [`ExpiryDriver`]: a tokio task that sleeps until the next deadline, in chunks so a
//!   suspend is noticed soon after wake-up, and wakes early when sessions change.
//! * [`ExpirySettings`]: the thresholds and auto-refresh profiles from `settings.json`.
//! * [`policy`]: what to do at a warning (tell, renew quietly, or leave it).
//! * [`watched`]: what is watched besides the cache (sign-ins, sessions held during a renewal).

mod driver;
pub(crate) mod error;
pub mod policy;
pub(crate) mod settings;
mod state;
pub mod watched;

pub use driver::{DriverHandle, ExpiryDriver, SessionSource, Sleeper, TokioSleeper, DEFAULT_MAX_SLEEP, UNTIL_WOKEN};
pub use error::ScheduleError;
pub use settings::{format_duration, parse_duration, ExpirySettings};
pub use state::{FiredState, STATE_FILE_NAME};

use crate::keystore::index::IndexData;
use crate::session::cache::CachedSessionInfo;
use std::collections::BTreeMap;
use std::fmt;
use time::{Duration, OffsetDateTime};

/// Warn 10 and 2 minutes before a session expires (and at expiry).
pub const DEFAULT_THRESHOLDS: [Duration; 2] = [Duration::minutes(10), Duration::minutes(2)];

/// Thresholds must be shorter than this (no session lives longer than 36 hours; a warning a
/// day ahead is no warning).
pub const MAX_THRESHOLD: Duration = Duration::hours(24);

/// A session the schedule watches: its cache entry name, whom it serves, and when it ends.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SessionRef {
    /// The cache entry name, e.g. `session:AssumeRole:oppara-dev`.
    pub key: String,
    /// The profile shown to the user, e.g. `oppara-dev`.
    pub profile: String,
    pub expires_at: OffsetDateTime,
}

impl SessionRef {
    pub fn new(key: impl Into<String>, profile: impl Into<String>, expires_at: OffsetDateTime) -> Self {
        SessionRef {
            key: key.into(),
            profile: profile.into(),
            expires_at,
        }
    }

    /// The sessions of the index, expired ones included (their expiry is warned about once).
    pub fn from_index(data: &IndexData) -> Vec<SessionRef> {
        data.sessions
            .iter()
            .map(|(entry, record)| SessionRef::new(entry, &record.profile, record.expires_at))
            .collect()
    }
}

impl From<&CachedSessionInfo> for SessionRef {
    fn from(info: &CachedSessionInfo) -> Self {
        SessionRef::new(&info.entry, &info.record.profile, info.record.expires_at)
    }
}

/// Which warning: a threshold before expiry, or the expiry itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WarningKind {
    /// The threshold (time before expiry) that was reached.
    Threshold(Duration),
    Expired,
}

impl WarningKind {
    /// The time before expiry at which this warning is due (zero for the expiry).
    pub fn lead(self) -> Duration {
        match self {
            WarningKind::Threshold(t) => t,
            WarningKind::Expired => Duration::ZERO,
        }
    }

    fn from_lead(lead: Duration) -> Self {
        if lead > Duration::ZERO {
            WarningKind::Threshold(lead)
        } else {
            WarningKind::Expired
        }
    }
}

/// One notification to show now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub key: String,
    pub profile: String,
    pub expires_at: OffsetDateTime,
    /// The time actually left when the warning was made (zero once expired): after a suspend it
    /// is less than the threshold.
    pub left: Duration,
    pub kind: WarningKind,
}

impl Warning {
    /// `oppara-dev expires in 2 min`, `oppara-dev expired`.
    pub fn text(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            WarningKind::Expired => write!(f, "{} expired", self.profile),
            WarningKind::Threshold(_) => {
                write!(f, "{} expires in {}", self.profile, human_left(self.left))
            }
        }
    }
}

/// A warning's time left in the units it is told in; the app words it in the user's language,
/// [`Warning::text`] in English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeLeft {
    /// Under a minute: whole seconds, rounded up.
    Seconds(i128),
    /// A minute or more: minutes rounded to the nearest (a timer that wakes a few milliseconds
    /// late still says `2 min`), as hours and minutes.
    HoursMinutes { hours: i128, minutes: i128 },
}

impl TimeLeft {
    pub fn of(left: Duration) -> TimeLeft {
        let millis = left.whole_milliseconds().max(0);
        let secs = (millis + 999) / 1000;
        if secs < 60 {
            return TimeLeft::Seconds(secs);
        }
        let minutes = (millis + 30_000) / 60_000;
        TimeLeft::HoursMinutes {
            hours: minutes / 60,
            minutes: minutes % 60,
        }
    }
}

impl Warning {
    /// [`Warning::left`] in the units a notification tells it in.
    pub fn time_left(&self) -> TimeLeft {
        TimeLeft::of(self.left)
    }
}

/// `2 min`, `1 h 5 min`, `45 s` (see [`TimeLeft`]).
fn human_left(left: Duration) -> String {
    match TimeLeft::of(left) {
        TimeLeft::Seconds(secs) => format!("{secs} s"),
        TimeLeft::HoursMinutes { hours: 0, minutes } => format!("{minutes} min"),
        TimeLeft::HoursMinutes { hours, minutes: 0 } => format!("{hours} h"),
        TimeLeft::HoursMinutes { hours, minutes } => format!("{hours} h {minutes} min"),
    }
}

/// Checks thresholds (each more than zero, less than 24 hours, whole seconds, no duplicates) and
/// returns them sorted, longest first.
pub fn validate_thresholds(mut thresholds: Vec<Duration>) -> Result<Vec<Duration>, ScheduleError> {
    for (i, t) in thresholds.iter().enumerate() {
        let reason = match check_threshold(*t) {
            Err(reason) => Some(reason.to_string()),
            Ok(()) if thresholds[..i].contains(t) => Some("listed twice".to_string()),
            Ok(()) => None,
        };
        if let Some(reason) = reason {
            return Err(ScheduleError::InvalidThreshold {
                value: format_duration(*t),
                reason,
            });
        }
    }
    thresholds.sort_by(|a, b| b.cmp(a));
    Ok(thresholds)
}

/// The rule for one threshold, shared by code and by the settings file.
pub(crate) fn check_threshold(t: Duration) -> Result<(), &'static str> {
    if t <= Duration::ZERO {
        Err("a warning must come before the expiry: use more than 0s")
    } else if t >= MAX_THRESHOLD {
        Err("must be less than 24h")
    } else if t.subsec_nanoseconds() != 0 {
        Err("must be a whole number of seconds")
    } else {
        Ok(())
    }
}

/// The expiry schedule: thresholds plus what already fired. Pure: time comes from the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    thresholds: Vec<Duration>,
    state: FiredState,
    changed: bool,
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule {
            thresholds: DEFAULT_THRESHOLDS.to_vec(),
            state: FiredState::default(),
            changed: false,
        }
    }
}

impl Schedule {
    /// A schedule with these thresholds (any order) and nothing fired yet.
    pub fn new(thresholds: Vec<Duration>) -> Result<Self, ScheduleError> {
        Ok(Schedule {
            thresholds: validate_thresholds(thresholds)?,
            ..Schedule::default()
        })
    }

    pub fn from_settings(settings: &ExpirySettings) -> Result<Self, ScheduleError> {
        Schedule::new(settings.thresholds.clone())
    }

    /// Starts from what fired before (see [`FiredState::load`]).
    pub fn with_state(mut self, state: FiredState) -> Self {
        self.state = state;
        self
    }

    /// New thresholds from now on (any order), keeping what already fired: a restart with new
    /// settings gives the same result.
    pub fn set_thresholds(&mut self, thresholds: Vec<Duration>) -> Result<(), ScheduleError> {
        self.thresholds = validate_thresholds(thresholds)?;
        Ok(())
    }

    /// Longest first.
    pub fn thresholds(&self) -> &[Duration] {
        &self.thresholds
    }

    pub fn state(&self) -> &FiredState {
        &self.state
    }

    /// Whether the fired state changed since the last call (so the caller saves it).
    pub fn take_changed(&mut self) -> bool {
        std::mem::take(&mut self.changed)
    }

    /// The warnings to show now: at most one per session, the most urgent level passed and not
    /// yet given; the levels before it count as given. Also forgets sessions that are gone
    /// (logged out) or renewed (another `expires_at`), so their pending levels never fire.
    /// If a key is listed twice, the first one counts.
    pub fn due(&mut self, sessions: &[SessionRef], now: OffsetDateTime) -> Vec<Warning> {
        let live = live_sessions(sessions);
        let before = self.state.len();
        self.state
            .retain(|key, expires_at| live.get(key).is_some_and(|s| s.expires_at == expires_at));
        self.changed |= self.state.len() != before;

        let mut warnings = Vec::new();
        for session in live.values() {
            let Some(kind) = self.most_urgent_passed(session.expires_at, now) else {
                continue;
            };
            if self.covered(session, kind.lead()) {
                continue;
            }
            self.state.mark(&session.key, session.expires_at, kind.lead());
            self.changed = true;
            warnings.push(Warning {
                key: session.key.clone(),
                profile: session.profile.clone(),
                expires_at: session.expires_at,
                left: (session.expires_at - now).max(Duration::ZERO),
                kind,
            });
        }
        warnings.sort_by(|a, b| (a.expires_at, &a.key).cmp(&(b.expires_at, &b.key)));
        warnings
    }

    /// When [`due`](Self::due) should next be called: the earliest level not yet given, over all
    /// sessions, but not before `now` (a level already passed but not given is due `now`).
    /// Right after `due` with the same `now` it is always later than `now`. `None` when nothing
    /// is left to warn about.
    pub fn next_deadline(&self, sessions: &[SessionRef], now: OffsetDateTime) -> Option<OffsetDateTime> {
        live_sessions(sessions)
            .values()
            .filter_map(|session| {
                // Levels longest first: the first one not given is this session's next deadline.
                self.levels()
                    .find(|lead| !self.covered(session, *lead))
                    .map(|lead| session.expires_at - lead)
            })
            .min()
            .map(|deadline| deadline.max(now))
    }

    /// The thresholds longest first, then the expiry (zero).
    fn levels(&self) -> impl Iterator<Item = Duration> + '_ {
        self.thresholds.iter().copied().chain(std::iter::once(Duration::ZERO))
    }

    fn most_urgent_passed(&self, expires_at: OffsetDateTime, now: OffsetDateTime) -> Option<WarningKind> {
        let left = expires_at - now;
        if left <= Duration::ZERO {
            return Some(WarningKind::Expired);
        }
        // Shortest first: the first threshold reached is the most urgent one passed.
        self.thresholds
            .iter()
            .rev()
            .find(|t| left <= **t)
            .map(|t| WarningKind::Threshold(*t))
    }

    /// Whether the level `lead` before expiry was already given for this session.
    fn covered(&self, session: &SessionRef, lead: Duration) -> bool {
        self.state
            .watermark(&session.key, session.expires_at)
            .is_some_and(|fired| lead >= fired)
    }
}

fn live_sessions(sessions: &[SessionRef]) -> BTreeMap<&str, &SessionRef> {
    let mut live = BTreeMap::new();
    for session in sessions {
        live.entry(session.key.as_str()).or_insert(session);
    }
    live
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error_code::HasCode;
    use time::macros::datetime;

    const EXPIRES: OffsetDateTime = datetime!(2026-11-25 13:00 UTC);

    fn dev() -> SessionRef {
        SessionRef::new("session:AssumeRole:oppara-dev", "oppara-dev", EXPIRES)
    }

    fn kinds(w: &[Warning]) -> Vec<WarningKind> {
        w.iter().map(|w| w.kind).collect()
    }

    #[test]
    fn thresholds_are_sorted_longest_first() {
        let s = Schedule::new(vec![Duration::minutes(2), Duration::minutes(30), Duration::minutes(10)]).expect("valid");
        assert_eq!(
            s.thresholds(),
            [Duration::minutes(30), Duration::minutes(10), Duration::minutes(2)]
        );
        assert_eq!(Schedule::default().thresholds(), DEFAULT_THRESHOLDS);
    }

    #[test]
    fn bad_thresholds_are_named() {
        let err = |v: Vec<Duration>| Schedule::new(v).expect_err("invalid").to_string();
        assert_eq!(
            err(vec![Duration::ZERO]),
            "expiry warning threshold 0s is invalid: a warning must come before the expiry: use more than 0s"
        );
        assert!(err(vec![Duration::seconds(-5)]).contains("-5s"));
        assert_eq!(
            err(vec![Duration::hours(24)]),
            "expiry warning threshold 24h is invalid: must be less than 24h"
        );
        assert_eq!(
            err(vec![Duration::minutes(2), Duration::seconds(120)]),
            "expiry warning threshold 2m is invalid: listed twice"
        );
        assert!(err(vec![Duration::milliseconds(1500)]).contains("whole number of seconds"));
        let e = Schedule::new(vec![Duration::ZERO]).expect_err("invalid");
        assert_eq!(e.code(), "invalid_threshold");
        assert!(
            Schedule::new(vec![]).is_ok(),
            "no thresholds: only the expiry is warned about"
        );
    }

    #[test]
    fn warning_text() {
        let w = |left: Duration, kind| Warning {
            key: "k".into(),
            profile: "oppara-dev".into(),
            expires_at: EXPIRES,
            left,
            kind,
        };
        let t = WarningKind::Threshold(Duration::minutes(2));
        assert_eq!(w(Duration::minutes(2), t).text(), "oppara-dev expires in 2 min");
        assert_eq!(
            w(Duration::minutes(2) - Duration::milliseconds(3), t).text(),
            "oppara-dev expires in 2 min"
        );
        assert_eq!(w(Duration::seconds(45), t).text(), "oppara-dev expires in 45 s");
        assert_eq!(w(Duration::milliseconds(200), t).text(), "oppara-dev expires in 1 s");
        assert_eq!(w(Duration::minutes(65), t).text(), "oppara-dev expires in 1 h 5 min");
        assert_eq!(w(Duration::hours(2), t).text(), "oppara-dev expires in 2 h");
        assert_eq!(w(Duration::ZERO, WarningKind::Expired).text(), "oppara-dev expired");
    }

    #[test]
    fn each_level_fires_once_at_its_time() {
        let mut s = Schedule::default();
        let sessions = [dev()];
        assert!(s.due(&sessions, EXPIRES - Duration::minutes(11)).is_empty());
        assert_eq!(
            s.next_deadline(&sessions, EXPIRES - Duration::minutes(11)),
            Some(EXPIRES - Duration::minutes(10))
        );
        let at = EXPIRES - Duration::minutes(10);
        let w = s.due(&sessions, at);
        assert_eq!(kinds(&w), [WarningKind::Threshold(Duration::minutes(10))]);
        assert_eq!(w[0].left, Duration::minutes(10));
        assert!(s.due(&sessions, at).is_empty());
        assert!(s.due(&sessions, at + Duration::minutes(1)).is_empty());
        assert_eq!(s.next_deadline(&sessions, at), Some(EXPIRES - Duration::minutes(2)));
        assert_eq!(
            kinds(&s.due(&sessions, EXPIRES - Duration::minutes(2))),
            [WarningKind::Threshold(Duration::minutes(2))]
        );
        assert_eq!(
            s.next_deadline(&sessions, EXPIRES - Duration::minutes(2)),
            Some(EXPIRES)
        );
        assert_eq!(kinds(&s.due(&sessions, EXPIRES)), [WarningKind::Expired]);
        assert_eq!(s.next_deadline(&sessions, EXPIRES), None);
        assert!(s.due(&sessions, EXPIRES + Duration::hours(1)).is_empty());
    }

    #[test]
    fn a_jump_gives_the_most_urgent_only() {
        let mut s = Schedule::default();
        let w = s.due(&[dev()], EXPIRES - Duration::seconds(90));
        assert_eq!(kinds(&w), [WarningKind::Threshold(Duration::minutes(2))]);
        assert_eq!(w[0].text(), "oppara-dev expires in 2 min");
        let mut s = Schedule::default();
        assert_eq!(
            kinds(&s.due(&[dev()], EXPIRES + Duration::minutes(5))),
            [WarningKind::Expired]
        );
        assert_eq!(s.next_deadline(&[dev()], EXPIRES + Duration::minutes(5)), None);
    }

    #[test]
    fn a_level_passed_but_not_given_is_due_now() {
        let s = Schedule::default();
        let now = EXPIRES - Duration::minutes(5);
        assert_eq!(s.next_deadline(&[dev()], now), Some(now));
        assert_eq!(s.next_deadline(&[], now), None);
    }

    #[test]
    fn changes_are_reported_once() {
        let mut s = Schedule::default();
        assert!(!s.take_changed());
        s.due(&[dev()], EXPIRES - Duration::minutes(10));
        assert!(s.take_changed());
        assert!(!s.take_changed());
        s.due(&[], EXPIRES);
        assert!(s.take_changed(), "pruning is a change");
        assert!(s.state().is_empty());
    }

    #[test]
    fn a_listed_twice_key_counts_once() {
        let mut s = Schedule::default();
        let later = SessionRef::new(dev().key, "oppara-dev", EXPIRES + Duration::hours(1));
        let w = s.due(&[dev(), later], EXPIRES - Duration::minutes(10));
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].expires_at, EXPIRES);
    }
}

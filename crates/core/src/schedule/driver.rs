//! The task that turns the [`Schedule`] into notifications on time.
//!
//! Each pass (`tick`) reads the sessions afresh, asks the schedule what is due by the wall
//! clock, saves the fired state, hands the warnings to the caller's sink, and works out how long
//! to sleep: until the next deadline, but never longer than `max_sleep` (30 s by default).
//! Timers run on the monotonic clock, which stops while the machine is suspended; sleeping in
//! chunks and re-reading the wall clock on each wake means a deadline slept through is noticed
//! at most one chunk after wake-up, and then warned about once (see [`Schedule::due`]).
//! A [`DriverHandle`] wakes the task at once when sessions change (new, renewed, logged out).
//! With nothing due, a driver whose caller wakes it for every change — sessions made by another
//! process included ([`ExpiryDriver::with_changes_followed`]) — sleeps until woken: an idle tray
//! runs nothing.

use super::{validate_thresholds, FiredState, Schedule, ScheduleError, SessionRef, Warning};
use crate::clock::Clock;
use crate::keystore::index::Index;
use crate::session::cache::SessionCache;
use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::sync::Notify;

/// The longest single sleep: how late a deadline slept through by a suspend can be noticed.
pub const DEFAULT_MAX_SLEEP: std::time::Duration = std::time::Duration::from_secs(30);

/// What [`ExpiryDriver::tick`] returns when nothing is due and every change wakes the driver:
/// sleep until woken.
pub const UNTIL_WOKEN: std::time::Duration = std::time::Duration::MAX;

/// How the driver waits: tokio's timer in the app, a virtual one in tests.
pub trait Sleeper: Send + Sync + fmt::Debug {
    fn sleep(&self, duration: std::time::Duration) -> Pin<Box<dyn Future<Output = ()> + Send + 'static>>;
}

/// `tokio::time::sleep`.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioSleeper;

impl Sleeper for TokioSleeper {
    fn sleep(&self, duration: std::time::Duration) -> Pin<Box<dyn Future<Output = ()> + Send + 'static>> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// Where the driver reads the current sessions on each pass.
pub trait SessionSource: Send + Sync {
    fn sessions(&self) -> Vec<SessionRef>;
}

/// The index file, re-read each pass: sessions made or cleared by another process (the command
/// line) are seen within one chunk even without a wake-up.
impl SessionSource for Index {
    fn sessions(&self) -> Vec<SessionRef> {
        SessionRef::from_index(&self.read())
    }
}

impl SessionSource for SessionCache {
    fn sessions(&self) -> Vec<SessionRef> {
        self.list().iter().map(SessionRef::from).collect()
    }
}

impl<F> SessionSource for F
where
    F: Fn() -> Vec<SessionRef> + Send + Sync,
{
    fn sessions(&self) -> Vec<SessionRef> {
        self()
    }
}

#[derive(Debug, Default)]
struct Shared {
    wake: Notify,
    stop: AtomicBool,
    /// Thresholds to switch to at the next pass (already validated).
    thresholds: std::sync::Mutex<Option<Vec<time::Duration>>>,
}

/// Talks to a running driver; cheap to clone.
#[derive(Debug, Clone)]
pub struct DriverHandle {
    shared: Arc<Shared>,
}

impl DriverHandle {
    /// Sessions changed (new, renewed, logged out): re-plan now. A call made while the driver is
    /// busy is not lost: its next wait ends at once.
    pub fn sessions_changed(&self) {
        self.shared.wake.notify_one();
    }

    /// Warn at these thresholds from now on (any order); the next pass, which this causes, uses
    /// them. What already fired stays fired. Invalid thresholds are refused here, and the
    /// driver keeps the ones it has.
    pub fn set_thresholds(&self, thresholds: Vec<time::Duration>) -> Result<(), ScheduleError> {
        let thresholds = validate_thresholds(thresholds)?;
        *self.shared.thresholds.lock().unwrap_or_else(|p| p.into_inner()) = Some(thresholds);
        self.shared.wake.notify_one();
        Ok(())
    }

    /// Ends the driver's `run` at its next wake (which this causes).
    pub fn stop(&self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.shared.wake.notify_one();
    }
}

type Sink = Box<dyn FnMut(Warning) -> bool + Send>;

/// The expiry warning task. Build it, keep a [`handle`](Self::handle), spawn [`run`](Self::run).
pub struct ExpiryDriver {
    schedule: Schedule,
    source: Box<dyn SessionSource>,
    clock: Arc<dyn Clock>,
    sleeper: Arc<dyn Sleeper>,
    sink: Sink,
    state_path: Option<PathBuf>,
    max_sleep: std::time::Duration,
    /// Every change of the sessions wakes the driver (see `with_changes_followed`).
    changes_followed: bool,
    shared: Arc<Shared>,
    unsaved: bool,
    save_failing: bool,
}

impl fmt::Debug for ExpiryDriver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExpiryDriver")
            .field("schedule", &self.schedule)
            .field("clock", &self.clock)
            .field("sleeper", &self.sleeper)
            .field("state_path", &self.state_path)
            .field("max_sleep", &self.max_sleep)
            .field("changes_followed", &self.changes_followed)
            .finish_non_exhaustive()
    }
}

impl ExpiryDriver {
    /// `sink` gets each warning; it returns `false` when nobody listens any more, which ends
    /// the driver (e.g. `move |w| tx.send(w).is_ok()` with a tokio channel).
    /// Defaults: tokio's timer, 30 s chunks, no state file.
    pub fn new(
        schedule: Schedule,
        source: impl SessionSource + 'static,
        clock: Arc<dyn Clock>,
        sink: impl FnMut(Warning) -> bool + Send + 'static,
    ) -> Self {
        ExpiryDriver {
            schedule,
            source: Box::new(source),
            clock,
            sleeper: Arc::new(TokioSleeper),
            sink: Box::new(sink),
            state_path: None,
            max_sleep: DEFAULT_MAX_SLEEP,
            changes_followed: false,
            shared: Arc::default(),
            unsaved: false,
            save_failing: false,
        }
    }

    pub fn with_sleeper(mut self, sleeper: Arc<dyn Sleeper>) -> Self {
        self.sleeper = sleeper;
        self
    }

    /// The longest single sleep (at least 1 ms).
    pub fn with_max_sleep(mut self, max_sleep: std::time::Duration) -> Self {
        self.max_sleep = max_sleep.max(std::time::Duration::from_millis(1));
        self
    }

    /// The caller wakes the driver ([`DriverHandle::sessions_changed`]) for every change of the
    /// sessions, also those made by another process (the tray follows the index file): with
    /// nothing due the driver then sleeps until woken ([`UNTIL_WOKEN`]) rather than reading the
    /// sessions again every `max_sleep`.
    pub fn with_changes_followed(mut self, followed: bool) -> Self {
        self.changes_followed = followed;
        self
    }

    /// Loads the fired state from `path` (replacing the schedule's) and saves it there after
    /// every change, so a restart does not repeat warnings.
    pub fn with_state_file(mut self, path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        self.schedule = std::mem::take(&mut self.schedule).with_state(FiredState::load(&path));
        self.state_path = Some(path);
        self
    }

    pub fn handle(&self) -> DriverHandle {
        DriverHandle {
            shared: self.shared.clone(),
        }
    }

    pub fn schedule(&self) -> &Schedule {
        &self.schedule
    }

    /// One pass: warn about what is due now, save, and say how long to wait before the next
    /// pass; `None` when the driver should end (stopped, or the sink is closed). For callers
    /// with their own event loop; [`run`](Self::run) loops over it.
    pub fn tick(&mut self) -> Option<std::time::Duration> {
        if self.shared.stop.load(Ordering::SeqCst) {
            return None;
        }
        let pending = self.shared.thresholds.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(thresholds) = pending {
            if let Err(e) = self.schedule.set_thresholds(thresholds) {
                tracing::warn!(error = %e, "expiry thresholds refused; keeping the current ones");
            }
        }
        let now = self.clock.now();
        let sessions = self.source.sessions();
        let warnings = self.schedule.due(&sessions, now);
        self.unsaved |= self.schedule.take_changed();
        self.save();
        for warning in warnings {
            tracing::info!(key = %warning.key, kind = ?warning.kind, "{warning}");
            if !(self.sink)(warning) {
                return None;
            }
        }
        let nap = match self.schedule.next_deadline(&sessions, now) {
            Some(deadline) => std::time::Duration::try_from(deadline - now)
                .unwrap_or_default()
                .min(self.max_sleep),
            None if self.changes_followed => UNTIL_WOKEN,
            None => self.max_sleep,
        };
        Some(nap)
    }

    /// Warns until stopped ([`DriverHandle::stop`]) or until the sink returns `false`.
    /// Cancel-safe: dropping the future loses nothing saved.
    pub async fn run(mut self) {
        let shared = self.shared.clone();
        while let Some(nap) = self.tick() {
            if nap == UNTIL_WOKEN {
                shared.wake.notified().await;
                continue;
            }
            let sleep = self.sleeper.sleep(nap);
            tokio::select! {
                () = sleep => {}
                () = shared.wake.notified() => {}
            }
        }
    }

    fn save(&mut self) {
        let Some(path) = &self.state_path else {
            self.unsaved = false;
            return;
        };
        if !self.unsaved {
            return;
        }
        // Saved before the warnings go out: after a crash a warning may be lost, never repeated.
        match self.schedule.state().save(path) {
            Ok(()) => {
                self.unsaved = false;
                self.save_failing = false;
            }
            Err(e) => {
                if !self.save_failing {
                    tracing::warn!(error = %e, "cannot save the expiry warning state; warnings may repeat after a restart");
                }
                self.save_failing = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use crate::schedule::WarningKind;
    use std::sync::Mutex;
    use time::macros::datetime;
    use time::{Duration, OffsetDateTime};

    const EXPIRES: OffsetDateTime = datetime!(2026-11-25 13:00 UTC);

    fn driver(clock: &ManualClock, sessions: Vec<SessionRef>) -> (ExpiryDriver, Arc<Mutex<Vec<Warning>>>) {
        let got = Arc::new(Mutex::new(Vec::new()));
        let sink = got.clone();
        let d = ExpiryDriver::new(
            Schedule::default(),
            move || sessions.clone(),
            Arc::new(clock.clone()),
            move |w| {
                sink.lock().expect("lock").push(w);
                true
            },
        );
        (d, got)
    }

    fn dev() -> SessionRef {
        SessionRef::new("session:AssumeRole:oppara-dev", "oppara-dev", EXPIRES)
    }

    #[test]
    fn with_nothing_due_a_followed_driver_sleeps_until_woken_and_another_in_chunks() {
        let clock = ManualClock::new(EXPIRES - Duration::minutes(30));
        let (d, _) = driver(&clock, Vec::new());
        let mut followed = d.with_changes_followed(true);
        assert_eq!(followed.tick(), Some(UNTIL_WOKEN), "no session: nothing to wake for");
        let (mut unfollowed, _) = driver(&clock, Vec::new());
        assert_eq!(
            unfollowed.tick(),
            Some(DEFAULT_MAX_SLEEP),
            "sessions made elsewhere are found by reading again"
        );
        // A session: chunks again, followed or not (a suspend must not make a warning late).
        let (d, _) = driver(&clock, vec![dev()]);
        assert_eq!(d.with_changes_followed(true).tick(), Some(DEFAULT_MAX_SLEEP));
    }

    /// The real loop: asleep until woken with nothing due, it passes again when woken (a
    /// session made meanwhile is warned about) and ends when stopped.
    #[tokio::test]
    async fn a_driver_asleep_until_woken_warns_after_a_wake_and_stops() {
        let clock = ManualClock::new(EXPIRES - Duration::minutes(5));
        let sessions = Arc::new(Mutex::new(Vec::<SessionRef>::new()));
        let source = sessions.clone();
        let (sender, mut warnings) = tokio::sync::mpsc::unbounded_channel();
        let d = ExpiryDriver::new(
            Schedule::default(),
            move || source.lock().expect("lock").clone(),
            Arc::new(clock.clone()),
            move |w| sender.send(w).is_ok(),
        )
        .with_changes_followed(true);
        let handle = d.handle();
        let running = tokio::spawn(d.run());
        sessions.lock().expect("lock").push(dev());
        handle.sessions_changed();
        let warning = tokio::time::timeout(std::time::Duration::from_secs(10), warnings.recv())
            .await
            .expect("a pass after the wake")
            .expect("a warning");
        assert_eq!(warning.kind, WarningKind::Threshold(Duration::minutes(10)));
        handle.stop();
        tokio::time::timeout(std::time::Duration::from_secs(10), running)
            .await
            .expect("stopped")
            .expect("no panic");
    }

    #[test]
    fn naps_are_chunked_and_end_at_the_deadline() {
        let clock = ManualClock::new(EXPIRES - Duration::minutes(30));
        let (mut d, got) = driver(&clock, vec![dev()]);
        assert_eq!(d.tick(), Some(DEFAULT_MAX_SLEEP), "20 min to go: one chunk");
        clock.set(EXPIRES - Duration::minutes(10) - Duration::seconds(7));
        assert_eq!(
            d.tick(),
            Some(std::time::Duration::from_secs(7)),
            "the last nap ends on the deadline"
        );
        clock.advance(Duration::seconds(7));
        assert_eq!(d.tick(), Some(DEFAULT_MAX_SLEEP));
        let got = got.lock().expect("lock");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].kind, WarningKind::Threshold(Duration::minutes(10)));
    }

    #[test]
    fn no_sessions_still_wakes_each_chunk() {
        let clock = ManualClock::new(EXPIRES);
        let (mut d, _) = driver(&clock, vec![]);
        assert_eq!(d.tick(), Some(DEFAULT_MAX_SLEEP));
        let (d, _) = driver(&clock, vec![]);
        let mut d = d.with_max_sleep(std::time::Duration::ZERO);
        assert_eq!(
            d.tick(),
            Some(std::time::Duration::from_millis(1)),
            "max_sleep is at least 1 ms"
        );
    }

    #[test]
    fn a_closed_sink_or_stop_ends_it() {
        let clock = ManualClock::new(EXPIRES);
        let mut d = ExpiryDriver::new(
            Schedule::default(),
            move || vec![dev()],
            Arc::new(clock.clone()),
            |_| false,
        );
        assert_eq!(d.tick(), None);
        let (mut d, _) = driver(&clock, vec![]);
        d.handle().stop();
        assert_eq!(d.tick(), None);
    }

    #[test]
    fn an_unwritable_state_file_does_not_stop_warnings() {
        let dir = tempfile::tempdir().expect("tempdir");
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, "").expect("write");
        let clock = ManualClock::new(EXPIRES);
        let (d, got) = driver(&clock, vec![dev()]);
        let mut d = d.with_state_file(blocker.join("state.json"));
        assert!(d.tick().is_some());
        assert_eq!(got.lock().expect("lock").len(), 1);
        assert!(d.unsaved && d.save_failing);
    }

    #[tokio::test]
    async fn the_tokio_sleeper_sleeps() {
        TokioSleeper.sleep(std::time::Duration::ZERO).await;
    }
}

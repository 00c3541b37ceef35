//! The expiry driver on virtual time: a `Sleeper` whose timers only fire when the test moves
//! time, with the wall clock (`ManualClock`) moved along. Nothing sleeps for real, and every
//! step waits for the driver to be parked again (never a sleep as synchronisation).
//!
//! A suspend is modelled as the wall clock jumping while the monotonic timers stand still, as
//! `CLOCK_MONOTONIC` does on Linux.

use rolebar_core::clock::ManualClock;
use rolebar_core::schedule::{
    ExpiryDriver, FiredState, Schedule, SessionRef, Sleeper, Warning, WarningKind, DEFAULT_MAX_SLEEP,
};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;

const T: OffsetDateTime = datetime!(2026-11-25 13:00 UTC);

fn mins(m: i64) -> Duration {
    Duration::minutes(m)
}

#[derive(Debug, Default)]
struct Timers {
    /// Monotonic time since the start.
    mono: std::time::Duration,
    waiters: Vec<(std::time::Duration, oneshot::Sender<()>)>,
    naps: Vec<std::time::Duration>,
}

/// Virtual time: monotonic timers plus the wall clock the driver reads.
#[derive(Debug)]
struct VirtualTime {
    clock: ManualClock,
    timers: Mutex<Timers>,
    /// How many sleeps the driver has started: it is parked again once this moves.
    parked: watch::Sender<u64>,
}

impl VirtualTime {
    fn new(start: OffsetDateTime) -> Arc<Self> {
        Arc::new(VirtualTime {
            clock: ManualClock::new(start),
            timers: Mutex::default(),
            parked: watch::Sender::new(0),
        })
    }

    fn parked_count(&self) -> u64 {
        *self.parked.borrow()
    }

    /// Waits until the driver has started a sleep after the `after`-th one.
    async fn until_parked_after(&self, after: u64) {
        let mut parked = self.parked.subscribe();
        guard(parked.wait_for(|n| *n > after))
            .await
            .expect("the sender lives in self");
    }

    /// Lets time pass normally: fires each timer when it falls due and waits for the driver to
    /// park again before going on.
    async fn advance(&self, by: std::time::Duration) {
        let target = self.timers.lock().expect("lock").mono + by;
        loop {
            let before = self.parked_count();
            let fired = {
                let mut t = self.timers.lock().expect("lock");
                t.waiters.retain(|(_, tx)| !tx.is_closed());
                let next = t.waiters.iter().map(|(at, _)| *at).min().filter(|at| *at <= target);
                let to = next.unwrap_or(target);
                let step = to - t.mono;
                t.mono = to;
                self.clock.advance(Duration::try_from(step).expect("fits"));
                let (due, pending): (Vec<_>, Vec<_>) = t.waiters.drain(..).partition(|(at, _)| *at <= to);
                t.waiters = pending;
                let mut fired = false;
                for (_, tx) in due {
                    fired |= tx.send(()).is_ok();
                }
                if next.is_none() {
                    return;
                }
                fired
            };
            if fired {
                self.until_parked_after(before).await;
            }
        }
    }

    /// A suspend: the wall clock jumps, monotonic timers stand still.
    fn suspend(&self, for_: Duration) {
        self.clock.advance(for_);
    }

    /// Ends every pending timer now, without moving time or waiting for the driver.
    fn fire_all(&self) {
        for (_, tx) in self.timers.lock().expect("lock").waiters.drain(..) {
            let _ = tx.send(());
        }
    }

    fn naps(&self) -> Vec<std::time::Duration> {
        self.timers.lock().expect("lock").naps.clone()
    }
}

/// The sleeper handed to the driver.
#[derive(Debug, Clone)]
struct VirtualSleeper(Arc<VirtualTime>);

impl Sleeper for VirtualSleeper {
    fn sleep(&self, duration: std::time::Duration) -> Pin<Box<dyn Future<Output = ()> + Send + 'static>> {
        let (tx, rx) = oneshot::channel();
        {
            let mut t = self.0.timers.lock().expect("lock");
            t.naps.push(duration);
            if duration.is_zero() {
                let _ = tx.send(());
            } else {
                let at = t.mono + duration;
                t.waiters.push((at, tx));
            }
        }
        self.0.parked.send_modify(|n| *n += 1);
        Box::pin(async move {
            let _ = rx.await;
        })
    }
}

/// A safety net, not a synchronisation: a driver that never parks again fails the test after
/// 10 real seconds instead of hanging it. Passing runs never come near it.
async fn guard<F: Future>(f: F) -> F::Output {
    tokio::time::timeout(std::time::Duration::from_secs(10), f)
        .await
        .expect("the driver did not get back to sleep: stuck or ended")
}

type Sessions = Arc<Mutex<Vec<SessionRef>>>;

struct Running {
    time: Arc<VirtualTime>,
    sessions: Sessions,
    warnings: mpsc::UnboundedReceiver<Warning>,
    handle: rolebar_core::schedule::DriverHandle,
    task: JoinHandle<()>,
}

impl Running {
    /// Starts a driver on `time` and waits until it is parked.
    async fn start(time: &Arc<VirtualTime>, sessions: Vec<SessionRef>, state_file: Option<&std::path::Path>) -> Self {
        let sessions: Sessions = Arc::new(Mutex::new(sessions));
        let source = sessions.clone();
        let (tx, rx) = mpsc::unbounded_channel();
        let mut driver = ExpiryDriver::new(
            Schedule::default(),
            move || source.lock().expect("lock").clone(),
            Arc::new(time.clock.clone()),
            move |w| tx.send(w).is_ok(),
        )
        .with_sleeper(Arc::new(VirtualSleeper(time.clone())));
        if let Some(path) = state_file {
            driver = driver.with_state_file(path);
        }
        let handle = driver.handle();
        let before = time.parked_count();
        let task = tokio::spawn(driver.run());
        time.until_parked_after(before).await;
        Running {
            time: time.clone(),
            sessions,
            warnings: rx,
            handle,
            task,
        }
    }

    /// The warnings delivered so far.
    fn received(&mut self) -> Vec<Warning> {
        std::iter::from_fn(|| self.warnings.try_recv().ok()).collect()
    }

    /// Changes the sessions and tells the driver, then waits until it has re-planned.
    async fn set_sessions(&self, sessions: Vec<SessionRef>) {
        *self.sessions.lock().expect("lock") = sessions;
        let before = self.time.parked_count();
        self.handle.sessions_changed();
        self.time.until_parked_after(before).await;
    }

    async fn stop(self) {
        self.handle.stop();
        guard(self.task).await.expect("driver ends cleanly");
    }
}

fn dev(expires_at: OffsetDateTime) -> SessionRef {
    SessionRef::new("session:AssumeRole:oppara-dev", "oppara-dev", expires_at)
}

fn summary(w: &[Warning]) -> Vec<(WarningKind, String)> {
    w.iter().map(|w| (w.kind, w.text())).collect()
}

#[tokio::test]
async fn warnings_arrive_on_time_without_real_waiting() {
    let started = std::time::Instant::now();
    let time = VirtualTime::new(T - mins(30));
    let mut run = Running::start(&time, vec![dev(T)], None).await;
    assert!(run.received().is_empty());

    time.advance(std::time::Duration::from_secs(20 * 60 - 1)).await;
    assert!(run.received().is_empty(), "one second before the 10-minute mark");
    time.advance(std::time::Duration::from_secs(1)).await;
    assert_eq!(
        summary(&run.received()),
        [(
            WarningKind::Threshold(mins(10)),
            "oppara-dev expires in 10 min".to_string()
        )]
    );
    time.advance(std::time::Duration::from_secs(8 * 60)).await;
    assert_eq!(
        summary(&run.received()),
        [(
            WarningKind::Threshold(mins(2)),
            "oppara-dev expires in 2 min".to_string()
        )]
    );
    time.advance(std::time::Duration::from_secs(2 * 60)).await;
    assert_eq!(
        summary(&run.received()),
        [(WarningKind::Expired, "oppara-dev expired".to_string())]
    );
    time.advance(std::time::Duration::from_secs(3600)).await;
    assert!(run.received().is_empty(), "each level once");

    let naps = time.naps();
    assert!(
        naps.iter().all(|n| *n <= DEFAULT_MAX_SLEEP),
        "never longer than a chunk"
    );
    assert!(
        naps.len() < 2 * 91 + 5,
        "about one wake per 30 s over 90 minutes, not one per second: {}",
        naps.len()
    );
    run.stop().await;
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "90 virtual minutes ran at once"
    );
}

#[tokio::test]
async fn a_suspend_over_two_thresholds_gives_one_warning_within_a_chunk_of_waking() {
    let time = VirtualTime::new(T - mins(15));
    let mut run = Running::start(&time, vec![dev(T)], None).await;
    // The lid closes 15 minutes before expiry and opens 1 minute before.
    time.suspend(mins(14));
    assert!(run.received().is_empty(), "asleep: nothing yet");
    time.advance(DEFAULT_MAX_SLEEP).await;
    let got = run.received();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].kind, WarningKind::Threshold(mins(2)));
    assert_eq!(got[0].text(), "oppara-dev expires in 30 s");
    time.advance(std::time::Duration::from_secs(30)).await;
    assert_eq!(
        summary(&run.received()),
        [(WarningKind::Expired, "oppara-dev expired".to_string())]
    );
    run.stop().await;
}

#[tokio::test]
async fn a_suspend_past_expiry_gives_only_expired() {
    let time = VirtualTime::new(T - mins(15));
    let mut run = Running::start(&time, vec![dev(T)], None).await;
    time.suspend(mins(120));
    time.advance(DEFAULT_MAX_SLEEP).await;
    assert_eq!(
        summary(&run.received()),
        [(WarningKind::Expired, "oppara-dev expired".to_string())]
    );
    time.advance(std::time::Duration::from_secs(600)).await;
    assert!(run.received().is_empty());
    run.stop().await;
}

#[tokio::test]
async fn a_change_wakes_the_driver_at_once() {
    let time = VirtualTime::new(T - mins(9));
    let mut run = Running::start(&time, vec![], None).await;
    let naps_before = time.naps().len();
    // A new session with 9 minutes left: warned about with no time passing at all.
    run.set_sessions(vec![dev(T)]).await;
    assert_eq!(time.naps().len(), naps_before + 1, "woken early, one pass");
    assert_eq!(
        summary(&run.received()),
        [(
            WarningKind::Threshold(mins(10)),
            "oppara-dev expires in 9 min".to_string()
        )]
    );
    assert_eq!(
        time.naps().last().copied(),
        Some(DEFAULT_MAX_SLEEP),
        "the next nap is a chunk toward the 2-minute mark"
    );
    run.stop().await;
}

#[tokio::test]
async fn new_thresholds_apply_at_once_without_repeating_what_fired() {
    // 25 minutes left: nothing due under the default 10m/2m.
    let time = VirtualTime::new(T - mins(25));
    let mut run = Running::start(&time, vec![dev(T)], None).await;
    assert!(run.received().is_empty());

    // A 30-minute warning is passed already: it goes out on the pass the change causes.
    let before = time.parked_count();
    run.handle.set_thresholds(vec![mins(30), mins(5)]).expect("valid");
    time.until_parked_after(before).await;
    assert_eq!(
        summary(&run.received()),
        [(
            WarningKind::Threshold(mins(30)),
            "oppara-dev expires in 25 min".to_string()
        )]
    );

    // Back to thresholds it has passed before: nothing again.
    let before = time.parked_count();
    run.handle.set_thresholds(vec![mins(30), mins(20)]).expect("valid");
    time.until_parked_after(before).await;
    assert!(run.received().is_empty(), "the 30-minute warning is not given twice");
    // The new 20-minute mark is kept, on time.
    time.advance(std::time::Duration::from_secs(5 * 60)).await;
    assert_eq!(
        summary(&run.received()),
        [(
            WarningKind::Threshold(mins(20)),
            "oppara-dev expires in 20 min".to_string()
        )]
    );

    // Invalid ones are refused and the driver keeps what it has.
    assert!(run.handle.set_thresholds(vec![mins(0)]).is_err());
    run.stop().await;
}

#[tokio::test]
async fn logout_cancels_pending_warnings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("expiry-warnings.json");
    let time = VirtualTime::new(T - mins(10));
    let mut run = Running::start(&time, vec![dev(T)], Some(&state)).await;
    assert_eq!(run.received().len(), 1);
    assert_eq!(FiredState::load(&state).len(), 1);

    run.set_sessions(vec![]).await;
    assert!(FiredState::load(&state).is_empty(), "state pruned on logout");
    time.advance(std::time::Duration::from_secs(30 * 60)).await;
    assert!(run.received().is_empty(), "no 2-minute or expiry warning after logout");
    run.stop().await;
}

#[tokio::test]
async fn renewal_reschedules() {
    let time = VirtualTime::new(T - mins(10));
    let mut run = Running::start(&time, vec![dev(T)], None).await;
    assert_eq!(run.received().len(), 1);
    time.advance(std::time::Duration::from_secs(5 * 60)).await;
    run.set_sessions(vec![dev(T + mins(60))]).await;
    time.advance(std::time::Duration::from_secs(54 * 60)).await; // to T + 49 min
    assert!(
        run.received().is_empty(),
        "the old 2-minute and expiry warnings never come"
    );
    time.advance(std::time::Duration::from_secs(60)).await; // T + 50 min
    let got = run.received();
    assert_eq!(
        summary(&got),
        [(
            WarningKind::Threshold(mins(10)),
            "oppara-dev expires in 10 min".to_string()
        )]
    );
    assert_eq!(got[0].expires_at, T + mins(60));
    run.stop().await;
}

#[tokio::test]
async fn a_restart_does_not_repeat() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("expiry-warnings.json");
    let time = VirtualTime::new(T - mins(10));
    let mut first = Running::start(&time, vec![dev(T)], Some(&state)).await;
    assert_eq!(first.received().len(), 1);
    first.stop().await;

    time.suspend(mins(1));
    let mut second = Running::start(&time, vec![dev(T)], Some(&state)).await;
    assert!(second.received().is_empty(), "the 10-minute warning is not repeated");
    time.advance(std::time::Duration::from_secs(7 * 60)).await;
    assert_eq!(second.received().len(), 1, "the 2-minute warning comes once");
    second.stop().await;
}

#[tokio::test]
async fn the_driver_ends_when_the_receiver_is_gone() {
    let time = VirtualTime::new(T - mins(11));
    let Running { warnings, task, .. } = Running::start(&time, vec![dev(T)], None).await;
    drop(warnings);
    // The 10-minute mark passes and the chunk ends: the driver finds nobody to tell, and ends.
    time.suspend(mins(1));
    time.fire_all();
    guard(task).await.expect("the driver ended");
}

//! The expiry driver with the real `TokioSleeper` on a paused tokio clock: tokio jumps its
//! timers forward whenever every task is idle, so 30 virtual minutes take no real time. The wall
//! clock the driver reads follows tokio's paused clock, plus any jump the test makes (a suspend).

use rolebar_core::clock::Clock;
use rolebar_core::schedule::{
    DriverHandle, ExpiryDriver, Schedule, SessionRef, Warning, WarningKind, DEFAULT_MAX_SLEEP,
};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use tokio::sync::mpsc;
use tokio::time::Instant;

const T: OffsetDateTime = datetime!(2026-11-25 13:00 UTC);

/// Wall time = a start time + tokio's (paused) elapsed time + suspends.
#[derive(Debug)]
struct PausedWallClock {
    start_wall: OffsetDateTime,
    start: Instant,
    suspended: Mutex<Duration>,
}

impl PausedWallClock {
    fn new(start_wall: OffsetDateTime) -> Arc<Self> {
        Arc::new(PausedWallClock {
            start_wall,
            start: Instant::now(),
            suspended: Mutex::new(Duration::ZERO),
        })
    }

    /// The wall clock jumps; tokio's monotonic timers do not (as across a real suspend).
    fn suspend(&self, for_: Duration) {
        *self.suspended.lock().expect("lock") += for_;
    }

    fn elapsed(&self) -> std::time::Duration {
        Instant::now() - self.start
    }
}

impl Clock for PausedWallClock {
    fn now(&self) -> OffsetDateTime {
        let elapsed = Duration::try_from(self.elapsed()).expect("fits");
        self.start_wall + elapsed + *self.suspended.lock().expect("lock")
    }
}

fn dev() -> SessionRef {
    SessionRef::new("session:AssumeRole:oppara-dev", "oppara-dev", T)
}

type Sessions = Arc<Mutex<Vec<SessionRef>>>;

struct Running {
    sessions: Sessions,
    /// How many passes the driver made (it reads the sessions once per pass).
    passes: Arc<AtomicUsize>,
    warnings: mpsc::UnboundedReceiver<Warning>,
    handle: DriverHandle,
}

impl Running {
    fn start(clock: &Arc<PausedWallClock>, sessions: Vec<SessionRef>) -> Self {
        let sessions: Sessions = Arc::new(Mutex::new(sessions));
        let passes = Arc::new(AtomicUsize::new(0));
        let (source, counter) = (sessions.clone(), passes.clone());
        let (tx, rx) = mpsc::unbounded_channel();
        let driver = ExpiryDriver::new(
            Schedule::default(),
            move || {
                counter.fetch_add(1, Ordering::SeqCst);
                source.lock().expect("lock").clone()
            },
            clock.clone(),
            move |w| tx.send(w).is_ok(),
        );
        let handle = driver.handle();
        tokio::spawn(driver.run());
        Running {
            sessions,
            passes,
            warnings: rx,
            handle,
        }
    }

    fn passes(&self) -> usize {
        self.passes.load(Ordering::SeqCst)
    }

    /// Lets the driver run until it has made `n` passes. A pass has no await point before the
    /// driver parks, so on this single-threaded runtime it is parked again when this returns.
    async fn until_passes(&self, n: usize) {
        while self.passes() < n {
            tokio::task::yield_now().await;
        }
    }
}

#[tokio::test(start_paused = true)]
async fn warnings_arrive_at_their_time_without_real_waiting() {
    let real = std::time::Instant::now();
    let clock = PausedWallClock::new(T - Duration::minutes(30));
    let mut run = Running::start(&clock, vec![dev()]);

    let w = run.warnings.recv().await.expect("10 min");
    assert_eq!(w.kind, WarningKind::Threshold(Duration::minutes(10)));
    assert_eq!(clock.now(), T - Duration::minutes(10));
    assert_eq!(w.text(), "oppara-dev expires in 10 min");

    let w = run.warnings.recv().await.expect("2 min");
    assert_eq!(w.kind, WarningKind::Threshold(Duration::minutes(2)));
    assert_eq!(clock.now(), T - Duration::minutes(2));

    let w = run.warnings.recv().await.expect("expired");
    assert_eq!(w.kind, WarningKind::Expired);
    assert_eq!(clock.now(), T);
    assert!(
        run.passes() <= 2 * 30 + 4,
        "about one pass per 30 s chunk, not per second: {}",
        run.passes()
    );

    run.handle.stop();
    assert!(
        run.warnings.recv().await.is_none(),
        "the driver ended and dropped its sender"
    );
    assert!(
        real.elapsed() < std::time::Duration::from_secs(10),
        "30 virtual minutes, no real wait"
    );
}

#[tokio::test(start_paused = true)]
async fn a_change_wakes_the_driver_before_its_chunk_ends() {
    let clock = PausedWallClock::new(T - Duration::minutes(9));
    let mut run = Running::start(&clock, vec![]);
    run.until_passes(1).await; // parked in a 30 s chunk with nothing to watch
    *run.sessions.lock().expect("lock") = vec![dev()];
    run.handle.sessions_changed();
    let w = run.warnings.recv().await.expect("warning");
    assert_eq!(w.text(), "oppara-dev expires in 9 min");
    assert_eq!(run.passes(), 2);
    assert_eq!(
        clock.elapsed(),
        std::time::Duration::ZERO,
        "woken at once, not after a chunk"
    );
    run.handle.stop();
}

#[tokio::test(start_paused = true)]
async fn a_suspend_is_noticed_within_one_chunk_with_one_warning() {
    let clock = PausedWallClock::new(T - Duration::minutes(15));
    let mut run = Running::start(&clock, vec![dev()]);
    run.until_passes(1).await; // parked in its first 30 s chunk
    clock.suspend(Duration::minutes(14));
    let w = run.warnings.recv().await.expect("warning");
    assert_eq!(w.kind, WarningKind::Threshold(Duration::minutes(2)));
    assert_eq!(w.text(), "oppara-dev expires in 30 s");
    assert_eq!(clock.elapsed(), DEFAULT_MAX_SLEEP, "noticed when the chunk ends");
    assert!(
        run.warnings.try_recv().is_err(),
        "one warning, not one per threshold passed"
    );
    let w = run.warnings.recv().await.expect("expired");
    assert_eq!(w.kind, WarningKind::Expired);
    run.handle.stop();
}

//! What keeps a TCP listener on 127.0.0.1 cheap when another local process floods it (the
//! container-credentials endpoint, the SSO sign-in's redirect): a cap on the connections served
//! at once, a backoff when `accept` fails, and warnings that cannot flood the log.
//!
//! Out of file descriptors, `accept` fails (EMFILE) while the connection stays in the kernel's
//! queue, so the listener is at once ready again: retrying without a pause spins a core and
//! writes a warning per try (483 MB of stderr in 15 s, issue 19). The cap is taken *before*
//! `accept`, so connections beyond it wait in the kernel's backlog, not as tasks or descriptors.

use std::io;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// The first pause after a failed `accept`; each failure in a row doubles it up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(50);
/// The longest pause: once the flood ends, a waiting connection is taken within this.
pub(crate) const MAX_BACKOFF: Duration = Duration::from_secs(1);
/// At most one warning per this, per kind of warning and listener.
pub(crate) const WARN_EVERY: Duration = Duration::from_secs(10);

/// One connection's place among those served at once: dropping it frees the place.
#[derive(Debug)]
pub(crate) struct Slot {
    _permit: OwnedSemaphorePermit,
}

/// The accepting side of one listener: its cap, its backoff, and its accept-failure warnings.
#[derive(Debug)]
pub(crate) struct AcceptGuard {
    /// Names the listener in warnings ("container-credentials endpoint").
    listener: &'static str,
    slots: Arc<Semaphore>,
    backoff: Duration,
    /// Set while backing off; kept across cancellation, so a `select!` that drops
    /// [`AcceptGuard::accept`] for another branch does not shorten the pause.
    retry_at: Option<Instant>,
    warnings: Throttle,
    /// Failures since the last connection taken.
    failures: u64,
}

impl AcceptGuard {
    pub(crate) fn new(listener: &'static str, max_connections: usize) -> AcceptGuard {
        AcceptGuard {
            listener,
            slots: Arc::new(Semaphore::new(max_connections.max(1))),
            backoff: FIRST_BACKOFF,
            retry_at: None,
            warnings: Throttle::new(WARN_EVERY),
            failures: 0,
        }
    }

    /// The next connection, with its slot: waits for a free slot, then for a connection; a
    /// failed `accept` is logged (throttled) and retried after a pause. Cancel safe.
    pub(crate) async fn accept(&mut self, listener: &TcpListener) -> (TcpStream, Slot) {
        loop {
            if let Some(at) = self.retry_at {
                tokio::time::sleep_until(at).await;
                self.retry_at = None;
            }
            let taken = async {
                let permit = self
                    .slots
                    .clone()
                    .acquire_owned()
                    .await
                    .map_err(|_| io::Error::other("the connection limit was closed"))?;
                let (stream, _) = listener.accept().await?;
                Ok::<_, io::Error>((stream, Slot { _permit: permit }))
            }
            .await;
            match taken {
                Ok(taken) => {
                    if self.failures > 0 {
                        tracing::info!(
                            listener = self.listener,
                            failed = self.failures,
                            "accepting connections again"
                        );
                    }
                    self.failures = 0;
                    self.backoff = FIRST_BACKOFF;
                    return taken;
                }
                Err(e) => self.failed(&e),
            }
        }
    }

    fn failed(&mut self, e: &io::Error) {
        self.failures += 1;
        // A connection reset before it was taken is that connection's problem alone: the next
        // one is tried at once. Anything else (EMFILE, ENFILE, ENOBUFS, ENOMEM) lasts: pause.
        let pause = match e.kind() {
            io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset | io::ErrorKind::Interrupted => None,
            _ => {
                let pause = self.backoff;
                self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
                self.retry_at = Some(Instant::now() + pause);
                Some(pause)
            }
        };
        if let Some(suppressed) = self.warnings.allow() {
            let retry_in_ms = pause.map_or(0, |p| p.as_millis());
            tracing::warn!(
                listener = self.listener,
                error = %e,
                retry_in_ms,
                suppressed,
                "cannot accept a connection (another local process may be holding many open); \
                 at most one such warning every {} s",
                WARN_EVERY.as_secs()
            );
        }
    }
}

/// Lets a warning through at most once per interval, counting the ones held back.
#[derive(Debug)]
pub(crate) struct Throttle {
    every: Duration,
    next: Option<Instant>,
    suppressed: u64,
}

impl Throttle {
    pub(crate) fn new(every: Duration) -> Throttle {
        Throttle {
            every,
            next: None,
            suppressed: 0,
        }
    }

    /// `Some(held back since the last one)` when a warning may be logged now; else counts it.
    pub(crate) fn allow(&mut self) -> Option<u64> {
        let now = Instant::now();
        if self.next.is_some_and(|next| now < next) {
            self.suppressed += 1;
            return None;
        }
        self.next = Some(now + self.every);
        Some(std::mem::take(&mut self.suppressed))
    }
}

#[cfg(test)]
mod flood_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_throttle_lets_one_through_per_interval_and_counts_the_rest() {
        let mut t = Throttle::new(Duration::from_secs(10));
        assert_eq!(t.allow(), Some(0));
        for _ in 0..5 {
            assert_eq!(t.allow(), None);
        }
        tokio::time::advance(Duration::from_secs(9)).await;
        assert_eq!(t.allow(), None);
        tokio::time::advance(Duration::from_secs(1)).await;
        assert_eq!(t.allow(), Some(6));
        assert_eq!(t.allow(), None);
    }

    #[tokio::test(start_paused = true)]
    async fn failures_back_off_doubling_up_to_the_cap_and_a_success_resets() {
        let mut guard = AcceptGuard::new("test", 1);
        let emfile = io::Error::from_raw_os_error(libc::EMFILE);
        let mut pauses = Vec::new();
        for _ in 0..8 {
            let before = Instant::now();
            guard.failed(&emfile);
            pauses.push(guard.retry_at.map(|at| at - before));
        }
        let ms: Vec<_> = pauses.iter().map(|p| p.map(|d| d.as_millis())).collect();
        assert_eq!(ms, [50, 100, 200, 400, 800, 1000, 1000, 1000].map(Some).to_vec());
        // A connection reset before accept does not pause the next try.
        guard.retry_at = None;
        guard.failed(&io::Error::from(io::ErrorKind::ConnectionAborted));
        assert!(guard.retry_at.is_none());

        let listener = TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0))
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        let _client = TcpStream::connect(address).await.expect("connect");
        let (_stream, _slot) = guard.accept(&listener).await;
        assert_eq!((guard.failures, guard.backoff), (0, FIRST_BACKOFF));
    }

    #[tokio::test(start_paused = true)]
    async fn beyond_the_cap_a_connection_waits_until_a_slot_is_freed() {
        let listener = TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0))
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        let mut guard = AcceptGuard::new("test", 1);
        let _first = TcpStream::connect(address).await.expect("connect");
        let _second = TcpStream::connect(address).await.expect("connect");
        let (_stream, slot) = guard.accept(&listener).await;
        // The second is in the backlog, but its slot is taken: nothing is accepted.
        let waited = tokio::time::timeout(Duration::from_secs(60), guard.accept(&listener)).await;
        assert!(waited.is_err(), "a connection beyond the cap was accepted");
        drop(slot);
        let taken = tokio::time::timeout(Duration::from_secs(1), guard.accept(&listener)).await;
        assert!(taken.is_ok(), "a freed slot did not let the waiting connection in");
    }
}

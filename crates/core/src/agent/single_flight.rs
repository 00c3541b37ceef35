//! One in-flight computation per key, its result shared by every caller that asked meanwhile.
//!
//! The vault already serialises sessions (its `busy` lock) and re-reads its cache under the lock,
//! so twenty callers waiting for one profile get one prompt and one STS call **when the first
//! succeeds**. When it fails (the user pressed Deny, no code could be asked), each waiter would
//! take the lock in turn and ask again: twenty dialogs in a row. Sharing the one result, failure
//! included, is what this adds (docs/agent-protocol.md, "Many callers, one prompt").
//!
//! A caller that gives up (its future dropped, e.g. its client hung up) does not cancel the
//! others: the next waiter runs the computation itself. A finished result is never served to a
//! caller that arrives after it: the key is released before the result is published.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::OnceCell;

#[derive(Debug)]
pub struct SingleFlight<K, V> {
    flights: Mutex<HashMap<K, Arc<OnceCell<V>>>>,
}

impl<K, V> Default for SingleFlight<K, V> {
    fn default() -> Self {
        SingleFlight {
            flights: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash + Clone, V: Clone> SingleFlight<K, V> {
    pub fn new() -> Self {
        Self::default()
    }

    /// `compute()`'s result, shared with every call for an equal `key` made while it runs.
    pub async fn run<F, Fut>(&self, key: K, compute: F) -> V
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = V>,
    {
        let cell = self.flights().entry(key.clone()).or_default().clone();
        cell.get_or_init(|| async {
            let value = compute().await;
            // Released before `get_or_init` publishes the value, with no await in between:
            // callers from now on start a new flight instead of reading this (now old) result.
            let mut flights = self.flights();
            if flights.get(&key).is_some_and(|current| Arc::ptr_eq(current, &cell)) {
                flights.remove(&key);
            }
            value
        })
        .await
        .clone()
    }

    /// Keys with a computation running (or abandoned by every caller so far).
    pub fn in_flight(&self) -> usize {
        self.flights().len()
    }

    /// How many callers hold the flight for `key` (tests wait on it instead of sleeping).
    #[cfg(test)]
    fn callers(&self, key: &K) -> usize {
        // One reference is the map's own.
        self.flights().get(key).map_or(0, |cell| Arc::strong_count(cell) - 1)
    }

    fn flights(&self) -> MutexGuard<'_, HashMap<K, Arc<OnceCell<V>>>> {
        // The map stays consistent across a panic (one insert or remove), so a poisoned lock is
        // still usable.
        self.flights.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::sync::oneshot;

    #[tokio::test]
    async fn concurrent_callers_share_one_computation_and_its_failure() {
        let flights: Arc<SingleFlight<&str, Result<u32, String>>> = Arc::default();
        let runs = Arc::new(AtomicUsize::new(0));
        let (release, released) = oneshot::channel::<()>();
        let first = {
            let (flights, runs) = (flights.clone(), runs.clone());
            tokio::spawn(async move {
                flights
                    .run("dev", || async {
                        runs.fetch_add(1, Ordering::SeqCst);
                        let _ = released.await;
                        Err("denied".to_string())
                    })
                    .await
            })
        };
        let mut waiters = Vec::new();
        for _ in 0..19 {
            let (flights, runs) = (flights.clone(), runs.clone());
            waiters.push(tokio::spawn(async move {
                flights
                    .run("dev", || async {
                        runs.fetch_add(1, Ordering::SeqCst);
                        Ok(1)
                    })
                    .await
            }));
        }
        // Every caller has joined the flight (the first one is still computing).
        while flights.callers(&"dev") < 20 {
            tokio::task::yield_now().await;
        }
        let other = flights.run("prod", || async { Ok(2) }).await;
        assert_eq!(other, Ok(2), "another key does not wait");
        release.send(()).expect("still waiting");
        assert_eq!(first.await.expect("joined"), Err("denied".into()));
        for waiter in waiters {
            assert_eq!(waiter.await.expect("joined"), Err("denied".into()));
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        assert_eq!(flights.in_flight(), 0);
        let later = flights.run("dev", || async { Ok(3) }).await;
        assert_eq!(later, Ok(3), "a finished result is not served to later callers");
    }

    #[tokio::test]
    async fn a_caller_that_gives_up_hands_the_work_to_the_next() {
        let flights: Arc<SingleFlight<&str, u32>> = Arc::default();
        let (started, is_started) = oneshot::channel::<()>();
        let quitter = {
            let flights = flights.clone();
            tokio::spawn(async move {
                flights
                    .run("dev", || async {
                        let _ = started.send(());
                        std::future::pending::<u32>().await
                    })
                    .await
            })
        };
        is_started.await.expect("started");
        let waiter = {
            let flights = flights.clone();
            tokio::spawn(async move { flights.run("dev", || async { 7 }).await })
        };
        tokio::task::yield_now().await;
        quitter.abort();
        assert_eq!(waiter.await.expect("joined"), 7);
        assert_eq!(flights.in_flight(), 0);
    }
}

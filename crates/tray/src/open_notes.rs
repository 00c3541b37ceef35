//! The open warning notifications, one per session key: a newer warning withdraws the older
//! (each waits on its own `Notify`, signalled here).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::Notify;

/// The open warning notifications, one per session key: a newer warning withdraws the older.
#[derive(Debug, Default)]
pub(crate) struct OpenNotes {
    next: AtomicU64,
    open: Mutex<HashMap<String, (u64, Arc<Notify>)>>,
}

// Buttons are waited for on freedesktop systems only (see `show_warning`).
#[cfg_attr(not(all(unix, not(target_os = "macos"))), allow(dead_code))]
impl OpenNotes {
    /// Registers a notification for `key` and tells the previous one for `key`, if any, to
    /// withdraw. Returns its id and what tells it to withdraw.
    pub(crate) fn open(&self, key: &str) -> (u64, Arc<Notify>) {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let withdraw = Arc::new(Notify::new());
        if let Some((_, previous)) = self.lock().insert(key.to_string(), (id, withdraw.clone())) {
            // A permit is kept if it is not waiting yet: the signal is not lost.
            previous.notify_one();
        }
        (id, withdraw)
    }

    /// The notification `id` for `key` is gone.
    pub(crate) fn close(&self, key: &str, id: u64) {
        let mut open = self.lock();
        if open.get(key).is_some_and(|(current, _)| *current == id) {
            open.remove(key);
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, (u64, Arc<Notify>)>> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_newer_warning_withdraws_the_older_one_for_its_session() {
        let open = OpenNotes::default();
        let (first, withdraw_first) = open.open("k");
        let (_, withdraw_other) = open.open("other");
        let (second, withdraw_second) = open.open("k");
        // The permit was kept: the first one sees it even though it was not waiting yet.
        tokio::time::timeout(std::time::Duration::from_secs(1), withdraw_first.notified())
            .await
            .expect("the first is withdrawn");
        // Closing the first (as it ends) does not forget the second.
        open.close("k", first);
        open.open("k");
        tokio::time::timeout(std::time::Duration::from_secs(1), withdraw_second.notified())
            .await
            .expect("the second is withdrawn by a third");
        open.close("k", second);
        assert!(
            tokio::time::timeout(std::time::Duration::from_millis(20), withdraw_other.notified())
                .await
                .is_err(),
            "other sessions' notifications stay"
        );
    }
}

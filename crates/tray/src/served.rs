//! The container-credentials endpoints being served, by profile (`serving` starts and stops
//! them). Each lives until its entry goes: dropping the stop sender ends it.

use std::collections::BTreeMap;
use std::sync::Mutex;
use tokio::sync::oneshot;

/// The endpoints being served, by profile.
#[derive(Debug, Default)]
pub struct Serving {
    servers: Mutex<BTreeMap<String, Served>>,
}

#[derive(Debug)]
struct Served {
    address: String,
    /// Dropped (or sent) to stop the endpoint.
    _stop: oneshot::Sender<()>,
}

impl Serving {
    /// `(profile, address)` of each endpoint, for the menu.
    pub fn list(&self) -> Vec<(String, String)> {
        lock(&self.servers)
            .iter()
            .map(|(profile, served)| (profile.clone(), served.address.clone()))
            .collect()
    }

    /// Records `profile`'s endpoint at `address`, stopped by `stop`; one served before for the
    /// same profile stops.
    pub fn insert(&self, profile: &str, address: String, stop: oneshot::Sender<()>) {
        let previous = lock(&self.servers).insert(profile.to_string(), Served { address, _stop: stop });
        drop(previous);
    }

    /// Stops serving `profile`; `false` when it was not served.
    pub fn remove(&self, profile: &str) -> bool {
        lock(&self.servers).remove(profile).is_some()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

//! What the app holds for its whole life: where the AWS files are, the vault (keyring, session
//! cache, STS), the clipboard, the MFA dialog queue, and what the tray should say about work in
//! progress. Managed by Tauri; commands and tray handlers reach it through the app handle.

use crate::clipboard::{ClipboardSink, SystemClipboard};
use crate::menu::Activity;
use crate::mfa::MfaDialogs;
use crate::views::Snapshot;
use rolebar_core::clock::{Clock, SystemClock};
use rolebar_core::index::Index;
use rolebar_core::keys::KeyStore;
use rolebar_core::profile::AwsPaths;
use rolebar_core::session::cache::SessionCache;
use rolebar_core::store::OsKeyring;
use rolebar_core::sts::SdkSts;
use rolebar_core::vault::Vault;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard};
use time::OffsetDateTime;

#[derive(Debug)]
pub struct AppState {
    pub paths: AwsPaths,
    pub vault: Vault,
    clock: Arc<dyn Clock>,
    pub mfa: MfaDialogs,
    pub clipboard: Arc<dyn ClipboardSink>,
    activity: Mutex<Activity>,
    /// Credentials-file sections written this run, by the session's profile: "Log out" removes
    /// them too, and the UI shows where each session went.
    written: Mutex<BTreeMap<String, BTreeSet<String>>>,
    /// Wakes the tray refresher when something changed (a session made or removed, a failure).
    pub changed: tokio::sync::Notify,
}

impl AppState {
    /// The real thing, wired as the command line wires it: the OS keyring, the index under
    /// `ROLEBAR_STATE_DIR` (or the XDG state folder), STS through aws-sdk-sts, the system clock.
    pub fn from_env() -> rolebar_core::Result<Self> {
        let paths = AwsPaths::from_env()?;
        let store = Arc::new(OsKeyring::default());
        let index = Index::default_location()?;
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let keys = KeyStore::new(store.clone(), index.clone());
        let cache = SessionCache::new(store, index, clock.clone());
        let vault = Vault::new(keys, cache, Arc::new(SdkSts::default()), clock.clone());
        Ok(AppState::new(paths, vault, clock, Arc::new(SystemClipboard::default())))
    }

    pub fn new(paths: AwsPaths, vault: Vault, clock: Arc<dyn Clock>, clipboard: Arc<dyn ClipboardSink>) -> Self {
        AppState {
            paths,
            vault,
            clock,
            mfa: MfaDialogs::default(),
            clipboard,
            activity: Mutex::new(Activity::default()),
            written: Mutex::new(BTreeMap::new()),
            changed: tokio::sync::Notify::new(),
        }
    }

    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// Profiles, live sessions and stored keys as of now.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot::read(&self.paths, &self.vault, self.now(), &lock(&self.written))
    }

    pub fn activity(&self) -> Activity {
        lock(&self.activity).clone()
    }

    pub fn set_busy(&self, profile: &str, busy: bool) {
        let mut activity = lock(&self.activity);
        activity.busy.retain(|p| p != profile);
        if busy {
            activity.busy.push(profile.to_string());
        }
    }

    pub fn set_last_error(&self, error: Option<String>) {
        lock(&self.activity).last_error = error;
    }

    pub fn record_written(&self, profile: &str, target: &str) {
        lock(&self.written)
            .entry(profile.to_string())
            .or_default()
            .insert(target.to_string());
    }

    pub fn written_to(&self, profile: &str) -> Vec<String> {
        lock(&self.written)
            .get(profile)
            .map(|w| w.iter().cloned().collect())
            .unwrap_or_default()
    }

    pub fn take_written(&self, profile: &str) -> BTreeSet<String> {
        lock(&self.written).remove(profile).unwrap_or_default()
    }

    /// Asks the tray to refresh now (a permit is kept if the refresher is busy, so none is lost).
    pub fn touch(&self) {
        self.changed.notify_one();
    }
}

/// A poisoned lock only means a panic elsewhere; the data (lists of names) is still usable.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

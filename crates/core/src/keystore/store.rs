//! Where secrets live: the OS keyring (Secret Service, Keychain, Credential Manager), or memory
//! for unit tests. Never a plain file.

use crate::error::{Error, Result};
use crate::sensitive::Secret;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// `ROLEBAR_KEYRING=memory`: keep secrets in this process's memory only (the demo sandbox, a
/// machine without a keyring to try Rolebar on). Nothing survives the process.
pub const STORE_VAR: &str = "ROLEBAR_KEYRING";

/// The store the front ends use: the OS keyring ([`OsKeyring::default`]), or memory when
/// [`STORE_VAR`] says `memory`.
pub fn from_env() -> std::sync::Arc<dyn SecretStore> {
    match std::env::var(STORE_VAR).as_deref() {
        Ok("memory") => {
            tracing::warn!("{STORE_VAR}=memory: keys and sessions are kept in memory only, and lost at exit");
            std::sync::Arc::new(MemoryStore::new())
        }
        _ => std::sync::Arc::new(OsKeyring::default()),
    }
}

/// The keyring service name Rolebar's entries are filed under.
pub const DEFAULT_SERVICE: &str = "rolebar";

/// How long one keyring call may take before Rolebar gives up on it. A Secret Service can be
/// on the bus and yet never answer (gnome-keyring waiting on a create or unlock prompt that no
/// display shows); without a bound every command would hang with it.
pub const DEFAULT_KEYRING_TIMEOUT: Duration = Duration::from_secs(10);

/// A seam over the keyring. Entry names are Rolebar's (`keys:default`, `session:…`).
pub trait SecretStore: Send + Sync + std::fmt::Debug {
    /// `Ok(None)` when there is no such entry: absence is not an error.
    fn get(&self, entry: &str) -> Result<Option<Secret>>;
    fn set(&self, entry: &str, value: &Secret) -> Result<()>;
    /// `Ok(false)` when there was nothing to delete.
    fn delete(&self, entry: &str) -> Result<bool>;
}

/// The platform keyring through the `keyring` crate (v4: the platform store is chosen for us,
/// so no silent in-memory fallback as some 3.x set-ups had). Every call is bounded by a timeout
/// (see `bounded` below).
#[derive(Debug, Clone)]
pub struct OsKeyring {
    service: String,
    timeout: Duration,
}

impl OsKeyring {
    pub fn new(service: impl Into<String>) -> Self {
        OsKeyring {
            service: service.into(),
            timeout: DEFAULT_KEYRING_TIMEOUT,
        }
    }

    /// Bounds each call by `timeout` instead of [`DEFAULT_KEYRING_TIMEOUT`].
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Runs `op` on the entry named `entry`, within the timeout. The entry is made on the
    /// keyring thread too: the first one connects to the Secret Service, which can hang as well.
    fn call<T: Send + 'static>(
        &self,
        entry: &str,
        op: impl FnOnce(keyring::Entry, &str) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let (service, name) = (self.service.clone(), entry.to_string());
        bounded(self.timeout, move || {
            let handle = keyring::Entry::new(&service, &name).map_err(|e| map_keyring_error(&name, e))?;
            op(handle, &name)
        })
        .unwrap_or_else(|failure| Err(failure.into_error(entry, self.timeout)))
    }
}

/// `ROLEBAR_KEYRING_SERVICE` names another namespace (the demo sandbox, tests, a second
/// identity); otherwise [`DEFAULT_SERVICE`]. `ROLEBAR_KEYRING_TIMEOUT` (seconds) replaces
/// [`DEFAULT_KEYRING_TIMEOUT`], for a keyring whose unlock prompt needs longer.
impl Default for OsKeyring {
    fn default() -> Self {
        let keyring = match std::env::var("ROLEBAR_KEYRING_SERVICE") {
            Ok(service) if !service.is_empty() => OsKeyring::new(service),
            _ => OsKeyring::new(DEFAULT_SERVICE),
        };
        let timeout = std::env::var("ROLEBAR_KEYRING_TIMEOUT")
            .ok()
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s > 0.0)
            .and_then(|s| Duration::try_from_secs_f64(s).ok());
        match timeout {
            Some(timeout) => keyring.with_timeout(timeout),
            None => keyring,
        }
    }
}

/// Why a bounded call brought no answer.
#[derive(Debug)]
enum Unanswered {
    TimedOut,
    /// The keyring library panicked, or the keyring thread could not be started.
    Broken(String),
}

impl Unanswered {
    fn into_error(self, entry: &str, timeout: Duration) -> Error {
        match self {
            Unanswered::TimedOut => Error::KeyringTimeout {
                waited_ms: u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX),
            },
            Unanswered::Broken(detail) => Error::KeyringFailed {
                entry: entry.to_string(),
                detail,
            },
        }
    }
}

/// Runs `f` on the process's one keyring thread and waits at most `timeout` for it.
///
/// Why a thread and not a D-Bus timeout: the keyring crate opens its own bus connection and
/// offers no way to set a method timeout on it, and the longest waits are not method calls at
/// all but a prompt's `Completed` signal, which no method timeout covers. A thread bounds every
/// kind of wait, on every platform.
///
/// Why one thread for all calls: the Secret Service store serialises its calls behind a mutex
/// anyway, so nothing is lost, and a hung keyring then holds one thread, not one per call. A job
/// whose caller has already given up is skipped when its turn comes, so a stale `set` or
/// `delete` never lands late; only the call in progress when the caller gave up may still
/// finish. That thread is left behind while the keyring hangs: it cannot be interrupted from
/// outside, it holds no lock of ours, and a command ends with its process anyway, while the
/// tray's later calls fail within their own bound and resume once the keyring answers.
fn bounded<T: Send + 'static>(
    timeout: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> std::result::Result<T, Unanswered> {
    use std::sync::mpsc::{sync_channel, RecvTimeoutError};
    use std::time::Instant;

    let started = Instant::now();
    let deadline = started.checked_add(timeout);
    let (answer, answered) = sync_channel(1);
    keyring_thread::submit(Box::new(move || {
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return;
        }
        // The caller may have given up meanwhile: then nobody reads this, which is fine.
        let _ = answer.send(f());
    }))
    .map_err(Unanswered::Broken)?;
    match answered.recv_timeout(timeout) {
        Ok(value) => Ok(value),
        Err(RecvTimeoutError::Timeout) => Err(Unanswered::TimedOut),
        // Skipped for being late (just past the deadline), or the job panicked.
        Err(RecvTimeoutError::Disconnected) if started.elapsed() >= timeout => Err(Unanswered::TimedOut),
        Err(RecvTimeoutError::Disconnected) => Err(Unanswered::Broken(
            "the keyring library failed unexpectedly (see the log above)".into(),
        )),
    }
}

mod keyring_thread {
    use std::panic::{catch_unwind, AssertUnwindSafe};
    use std::sync::mpsc::{channel, Sender};
    use std::sync::Mutex;

    type Job = Box<dyn FnOnce() + Send>;

    static JOBS: Mutex<Option<Sender<Job>>> = Mutex::new(None);

    /// Queues `job` for the keyring thread, starting it on first use (or again, should it
    /// ever have ended).
    pub(super) fn submit(job: Job) -> Result<(), String> {
        let mut jobs = JOBS.lock().unwrap_or_else(|p| p.into_inner());
        let job = match jobs.as_ref() {
            Some(tx) => match tx.send(job) {
                Ok(()) => return Ok(()),
                Err(returned) => returned.0,
            },
            None => job,
        };
        let (tx, rx) = channel::<Job>();
        std::thread::Builder::new()
            .name("rolebar-keyring".into())
            .spawn(move || {
                for job in rx {
                    // A panicking job drops its answer channel, which its caller reports.
                    let _ = catch_unwind(AssertUnwindSafe(job));
                }
            })
            .map_err(|e| format!("cannot start the keyring thread: {e}"))?;
        tx.send(job)
            .map_err(|_| "the keyring thread ended at once".to_string())?;
        *jobs = Some(tx);
        Ok(())
    }
}

/// Maps keyring errors to ours. Store errors never contain the secret itself (checked: the
/// variants carrying bytes are formatted by length only below).
fn map_keyring_error(entry: &str, error: keyring::Error) -> Error {
    use keyring::Error as K;
    match error {
        // The store is made once per process; why it could not be is kept aside.
        K::NoDefaultStore => Error::KeyringUnavailable {
            detail: match keyring::Entry::store_status() {
                Err(e) => e.to_string(),
                Ok(()) => "no Secret Service / keychain could be reached".into(),
            },
        },
        K::NoStorageAccess(e) => platform_error(&*e, true),
        K::PlatformFailure(e) => platform_error(&*e, false),
        K::BadEncoding(bytes) | K::BadDataFormat(bytes, _) => Error::CorruptCacheEntry {
            entry: entry.to_string(),
            detail: format!("{} bytes that are not what Rolebar stored", bytes.len()),
        },
        other => Error::KeyringFailed {
            entry: entry.to_string(),
            detail: match other {
                K::Ambiguous(found) => format!("{} entries match; remove the duplicates", found.len()),
                e => e.to_string(),
            },
        },
    }
}

/// Sorts what the platform store said by what the user can do about it: unlock the keyring,
/// answer its prompt, or get a keyring running.
fn platform_error(e: &(dyn std::error::Error + Send + Sync + 'static), no_access: bool) -> Error {
    let detail = e.to_string();
    #[cfg(all(unix, not(any(target_os = "macos", target_os = "ios", target_os = "android"))))]
    if let Some(ss) = e.downcast_ref::<secret_service::Error>() {
        use secret_service::Error as S;
        match ss {
            S::Prompt => return Error::KeyringPromptDismissed { detail },
            S::Locked => return Error::KeyringLocked { detail },
            S::NoResult => {
                return Error::KeyringUnavailable {
                    detail: format!(
                        "{detail}: the Secret Service has no default keyring; create a login keyring (e.g. in Passwords and Keys)"
                    ),
                }
            }
            _ => {}
        }
    }
    // The Secret Service's own error for reading an item of a locked collection.
    if detail.contains("org.freedesktop.Secret.Error.IsLocked")
        || (no_access && detail.to_ascii_lowercase().contains("lock"))
    {
        return Error::KeyringLocked { detail };
    }
    Error::KeyringUnavailable { detail }
}

impl SecretStore for OsKeyring {
    fn get(&self, entry: &str) -> Result<Option<Secret>> {
        self.call(entry, |handle, name| match handle.get_password() {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_keyring_error(name, e)),
        })
    }

    fn set(&self, entry: &str, value: &Secret) -> Result<()> {
        let value = value.clone();
        self.call(entry, move |handle, name| {
            handle
                .set_password(value.expose())
                .map_err(|e| map_keyring_error(name, e))
        })
    }

    fn delete(&self, entry: &str) -> Result<bool> {
        self.call(entry, |handle, name| match handle.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(map_keyring_error(name, e)),
        })
    }
}

/// An in-memory store (tests, and [`STORE_VAR`]`=memory`), which tests can tell to fail like a
/// locked keyring.
#[derive(Debug, Default)]
pub struct MemoryStore {
    entries: Mutex<HashMap<String, Secret>>,
    locked: Mutex<bool>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes every later call fail as a locked keyring does, until unlocked.
    pub fn set_locked(&self, locked: bool) {
        *self.locked.lock().unwrap_or_else(|p| p.into_inner()) = locked;
    }

    pub fn entry_names(&self) -> Vec<String> {
        let mut names: Vec<_> = self.entries().keys().cloned().collect();
        names.sort();
        names
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<String, Secret>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn check(&self) -> Result<()> {
        if *self.locked.lock().unwrap_or_else(|p| p.into_inner()) {
            return Err(Error::KeyringLocked {
                detail: "the test store is locked".into(),
            });
        }
        Ok(())
    }
}

impl SecretStore for MemoryStore {
    fn get(&self, entry: &str) -> Result<Option<Secret>> {
        self.check()?;
        Ok(self.entries().get(entry).cloned())
    }

    fn set(&self, entry: &str, value: &Secret) -> Result<()> {
        self.check()?;
        self.entries().insert(entry.to_string(), value.clone());
        Ok(())
    }

    fn delete(&self, entry: &str) -> Result<bool> {
        self.check()?;
        Ok(self.entries().remove(entry).is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error_code::HasCode;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{mpsc, Arc};

    // One test: the keyring thread is shared by the whole process, and this one blocks it on
    // purpose.
    #[test]
    fn bounded_calls_answer_give_up_and_never_run_late() {
        let long = Duration::from_secs(10);
        assert_eq!(bounded(long, || 42).ok(), Some(42));
        assert!(matches!(
            bounded(long, || -> u8 { panic!("a keyring library bug") }),
            Err(Unanswered::Broken(_))
        ));

        // A call that hangs, and one queued behind it: both give up within their bound.
        let (release, released) = mpsc::channel::<()>();
        let short = Duration::from_millis(200);
        assert!(matches!(
            bounded(short, move || released.recv().is_ok()),
            Err(Unanswered::TimedOut)
        ));
        let ran = Arc::new(AtomicBool::new(false));
        let late = ran.clone();
        assert!(matches!(
            bounded(short, move || late.store(true, Ordering::SeqCst)),
            Err(Unanswered::TimedOut)
        ));
        // Once the keyring answers again, calls go through, and the abandoned one was dropped
        // (jobs run in order, so it had its turn before this one).
        release.send(()).expect("release the hung call");
        assert_eq!(bounded(long, || 7).ok(), Some(7));
        assert!(!ran.load(Ordering::SeqCst), "an abandoned call never runs late");
    }

    #[test]
    fn a_timeout_says_the_keyring_did_not_answer_and_what_to_check() {
        let err = Unanswered::TimedOut.into_error("keys:x", Duration::from_secs(10));
        assert_eq!(err.code(), "keyring_timeout");
        let text = err.to_string();
        assert!(text.contains("did not answer within 10 s"), "{text}");
        assert!(text.contains("unlocked") && text.contains("try again"), "{text}");
    }
}

//! Where secrets live: the OS keyring (Secret Service, Keychain, Credential Manager), or memory
//! for unit tests. Never a plain file.

use crate::error::{Error, Result};
use crate::sensitive::Secret;
use std::collections::HashMap;
use std::sync::Mutex;

/// The keyring service name Rolebar's entries are filed under.
pub const DEFAULT_SERVICE: &str = "rolebar";

/// A seam over the keyring. Entry names are Rolebar's (`keys:default`, `session:…`).
pub trait SecretStore: Send + Sync + std::fmt::Debug {
    /// `Ok(None)` when there is no such entry: absence is not an error.
    fn get(&self, entry: &str) -> Result<Option<Secret>>;
    fn set(&self, entry: &str, value: &Secret) -> Result<()>;
    /// `Ok(false)` when there was nothing to delete.
    fn delete(&self, entry: &str) -> Result<bool>;
}

/// The platform keyring through the `keyring` crate (v4: the platform store is chosen for us,
/// so no silent in-memory fallback as some 3.x set-ups had).
#[derive(Debug, Clone)]
pub struct OsKeyring {
    service: String,
}

impl OsKeyring {
    pub fn new(service: impl Into<String>) -> Self {
        OsKeyring {
            service: service.into(),
        }
    }

    fn entry(&self, entry: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, entry).map_err(|e| map_keyring_error(entry, e))
    }
}

/// `ROLEBAR_KEYRING_SERVICE` names another namespace (the demo sandbox, tests, a second
/// identity); otherwise [`DEFAULT_SERVICE`].
impl Default for OsKeyring {
    fn default() -> Self {
        match std::env::var("ROLEBAR_KEYRING_SERVICE") {
            Ok(service) if !service.is_empty() => OsKeyring::new(service),
            _ => OsKeyring::new(DEFAULT_SERVICE),
        }
    }
}

/// Maps keyring errors to ours. Store errors never contain the secret itself (checked: the
/// variants carrying bytes are formatted by length only below).
fn map_keyring_error(entry: &str, error: keyring::Error) -> Error {
    use keyring::Error as K;
    match error {
        K::NoDefaultStore => Error::KeyringUnavailable {
            detail: "no Secret Service / keychain could be reached".into(),
        },
        K::NoStorageAccess(e) => {
            let detail = e.to_string();
            if detail.to_ascii_lowercase().contains("lock") {
                Error::KeyringLocked { detail }
            } else {
                Error::KeyringUnavailable { detail }
            }
        }
        K::PlatformFailure(e) => Error::KeyringUnavailable { detail: e.to_string() },
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

impl SecretStore for OsKeyring {
    fn get(&self, entry: &str) -> Result<Option<Secret>> {
        match self.entry(entry)?.get_password() {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_keyring_error(entry, e)),
        }
    }

    fn set(&self, entry: &str, value: &Secret) -> Result<()> {
        self.entry(entry)?
            .set_password(value.expose())
            .map_err(|e| map_keyring_error(entry, e))
    }

    fn delete(&self, entry: &str) -> Result<bool> {
        match self.entry(entry)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(map_keyring_error(entry, e)),
        }
    }
}

/// An in-memory store for tests, which can be told to fail like a locked keyring.
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

//! Cached STS sessions in the keyring, reused until they are within the expiry window
//! (aws-vault's 5 minutes by default), also across restarts.

use super::{Session, SessionKind};
use crate::clock::Clock;
use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::keystore::index::{Index, SessionRecord};
use crate::keystore::store::SecretStore;
use crate::sensitive::Secret;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use time::{Duration, OffsetDateTime};
use zeroize::Zeroizing;

/// aws-vault's rule: a session with 5 minutes or less left is not handed out.
pub const DEFAULT_EXPIRY_WINDOW: Duration = Duration::minutes(5);

/// What a cached session is filed under.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CacheKey {
    /// A role session, per role profile.
    Role { profile: String },
    /// A GetSessionToken session, per key-holding profile and MFA device (one code serves every
    /// role with that device).
    SessionToken {
        profile: String,
        mfa_serial: Option<String>,
    },
    /// An SSO role's credentials, per profile.
    Sso { profile: String },
}

impl CacheKey {
    /// The key a session of `kind` for `profile` is filed under (with the device of a
    /// GetSessionToken session), e.g. rebuilt from what the index says of an entry.
    pub fn of(kind: SessionKind, profile: &str, mfa_serial: Option<&str>) -> CacheKey {
        match kind {
            SessionKind::AssumeRole => CacheKey::Role {
                profile: profile.to_string(),
            },
            // A credential_process session is never cached; named like the keys' session it
            // stands for, should an index ever say otherwise.
            SessionKind::GetSessionToken | SessionKind::CredentialProcess => CacheKey::SessionToken {
                profile: profile.to_string(),
                mfa_serial: mfa_serial.map(str::to_string),
            },
            SessionKind::SsoRole => CacheKey::Sso {
                profile: profile.to_string(),
            },
        }
    }

    pub fn entry(&self) -> String {
        match self {
            CacheKey::Role { profile } => format!("session:AssumeRole:{profile}"),
            CacheKey::Sso { profile } => format!("session:SsoRole:{profile}"),
            CacheKey::SessionToken { profile, mfa_serial } => {
                format!(
                    "session:GetSessionToken:{profile}:{}",
                    mfa_serial.as_deref().unwrap_or("-")
                )
            }
        }
    }
}

/// The keyring's copy of a session; private so nothing else can serialise a secret.
#[derive(Serialize, Deserialize)]
struct StoredSession {
    profile: String,
    kind: SessionKind,
    access_key_id: String,
    secret_access_key: Zeroizing<String>,
    session_token: Zeroizing<String>,
    #[serde(with = "time::serde::rfc3339")]
    expires_at: OffsetDateTime,
    /// Absent in entries an older Rolebar wrote (their length is then unknown); an older Rolebar
    /// reading a newer entry skips it.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    issued_at: Option<OffsetDateTime>,
    mfa_serial: Option<String>,
    role_arn: Option<String>,
    region: Option<String>,
}

/// A cached session as `list` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedSessionInfo {
    pub entry: String,
    pub record: SessionRecord,
    pub time_left: Duration,
}

#[derive(Debug, Clone)]
pub struct SessionCache {
    store: Arc<dyn SecretStore>,
    index: Index,
    clock: Arc<dyn Clock>,
    window: Duration,
    /// With [`in_memory`](Self::in_memory): the sessions this process read or wrote, by entry.
    memory: Option<Arc<Mutex<HashMap<String, Session>>>>,
}

impl SessionCache {
    pub fn new(store: Arc<dyn SecretStore>, index: Index, clock: Arc<dyn Clock>) -> Self {
        SessionCache {
            store,
            index,
            clock,
            window: DEFAULT_EXPIRY_WINDOW,
            memory: None,
        }
    }

    /// Keeps the sessions read or written in this process's memory too, so a long-running
    /// process (the tray, answering the agent) reads the keyring — a D-Bus round trip, a few
    /// milliseconds — once per session rather than per request. A kept session is used only
    /// while the index still files the same one under its entry (same kind, profile and expiry):
    /// a session renewed, cleared or logged out by another process is read afresh.
    pub fn in_memory(mut self) -> Self {
        self.memory = Some(Arc::default());
        self
    }

    pub fn with_window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    pub fn window(&self) -> Duration {
        self.window
    }

    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// A session that is still fresh (more than the window left), else `None`.
    /// An unreadable entry is dropped and reported, so one bad entry never blocks a new session.
    pub fn get(&self, key: &CacheKey) -> Result<Option<Session>> {
        Ok(self.get_any(key)?.filter(|s| s.is_fresh(self.clock.now(), self.window)))
    }

    /// The cached session whatever its time left (to tell "expired" from "never had one").
    pub fn get_any(&self, key: &CacheKey) -> Result<Option<Session>> {
        let entry = key.entry();
        let Some(memory) = &self.memory else {
            return self.read_store(&entry);
        };
        let filed = self.index.read().sessions.remove(&entry);
        let same =
            |s: &Session, r: &SessionRecord| s.expires_at == r.expires_at && s.kind == r.kind && s.profile == r.profile;
        if let Some(record) = &filed {
            if let Some(kept) = lock(memory).get(&entry).filter(|s| same(s, record)) {
                return Ok(Some(kept.clone()));
            }
        }
        let session = self.read_store(&entry)?;
        let mut memory = lock(memory);
        match (&session, &filed) {
            (Some(s), Some(record)) if same(s, record) => {
                memory.insert(entry, s.clone());
            }
            _ => {
                memory.remove(&entry);
            }
        }
        Ok(session)
    }

    fn read_store(&self, entry: &str) -> Result<Option<Session>> {
        let entry = entry.to_string();
        let Some(secret) = self.store.get(&entry)? else {
            return Ok(None);
        };
        let stored: StoredSession = match serde_json::from_str(secret.expose()) {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(entry = %entry, error = %e, "dropping an unreadable cached session");
                self.remove_entry(&entry)?;
                return Ok(None);
            }
        };
        let session = Session {
            profile: stored.profile,
            kind: stored.kind,
            credentials: Credentials {
                access_key_id: stored.access_key_id,
                secret_access_key: Secret::new(stored.secret_access_key.as_str()),
                session_token: Some(Secret::new(stored.session_token.as_str())),
            },
            expires_at: stored.expires_at,
            issued_at: stored.issued_at,
            mfa_serial: stored.mfa_serial,
            role_arn: stored.role_arn,
            region: stored.region,
        };
        Ok(Some(session))
    }

    pub fn put(&self, key: &CacheKey, session: &Session) -> Result<()> {
        let entry = key.entry();
        let stored = StoredSession {
            profile: session.profile.clone(),
            kind: session.kind,
            access_key_id: session.credentials.access_key_id.clone(),
            secret_access_key: Zeroizing::new(session.credentials.secret_access_key.expose().to_string()),
            session_token: Zeroizing::new(
                session
                    .credentials
                    .session_token
                    .as_ref()
                    .map(|t| t.expose().to_string())
                    .unwrap_or_default(),
            ),
            expires_at: session.expires_at,
            issued_at: session.issued_at,
            mfa_serial: session.mfa_serial.clone(),
            role_arn: session.role_arn.clone(),
            region: session.region.clone(),
        };
        let json = serde_json::to_string(&stored)
            .map(Secret::new)
            .map_err(|e| Error::KeyringFailed {
                entry: entry.clone(),
                detail: e.to_string(),
            })?;
        self.store.set(&entry, &json)?;
        if let Some(memory) = &self.memory {
            lock(memory).insert(entry.clone(), session.clone());
        }
        self.index.update(|data| {
            data.sessions.insert(
                entry,
                SessionRecord {
                    profile: session.profile.clone(),
                    kind: session.kind,
                    expires_at: session.expires_at,
                    mfa_serial: session.mfa_serial.clone(),
                    role_arn: session.role_arn.clone(),
                },
            );
        })
    }

    /// Cached sessions with their time left, soonest to expire first; expired ones included
    /// (with zero left) until cleared, as `aws-vault list` shows them.
    pub fn list(&self) -> Vec<CachedSessionInfo> {
        let now = self.clock.now();
        let mut all: Vec<_> = self
            .index
            .read()
            .sessions
            .into_iter()
            .map(|(entry, record)| CachedSessionInfo {
                time_left: (record.expires_at - now).max(Duration::ZERO),
                entry,
                record,
            })
            .collect();
        all.sort_by_key(|s| (s.record.expires_at, s.entry.clone()));
        all
    }

    /// Removes the sessions of `profile` (its role sessions and the GetSessionToken sessions of
    /// its keys). Returns how many were removed.
    pub fn clear(&self, profile: &str) -> Result<usize> {
        let entries: Vec<String> = self
            .list()
            .into_iter()
            .filter(|s| s.record.profile == profile)
            .map(|s| s.entry)
            .collect();
        for entry in &entries {
            self.remove_entry(entry)?;
        }
        Ok(entries.len())
    }

    pub fn clear_all(&self) -> Result<usize> {
        let entries: Vec<String> = self.list().into_iter().map(|s| s.entry).collect();
        for entry in &entries {
            self.remove_entry(entry)?;
        }
        Ok(entries.len())
    }

    fn remove_entry(&self, entry: &str) -> Result<()> {
        if let Some(memory) = &self.memory {
            lock(memory).remove(entry);
        }
        self.store.delete(entry)?;
        self.index.update(|data| {
            data.sessions.remove(entry);
        })
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use crate::keystore::store::MemoryStore;
    use time::macros::datetime;

    fn session(profile: &str, expires_at: OffsetDateTime) -> Session {
        Session {
            profile: profile.into(),
            kind: SessionKind::AssumeRole,
            credentials: Credentials::temporary("ASIAEXAMPLE000000001", "secret", "token"),
            expires_at,
            issued_at: None,
            mfa_serial: Some("arn:aws:iam::111111111111:mfa/oppara".into()),
            role_arn: Some("arn:aws:iam::222222222222:role/developer".into()),
            region: None,
        }
    }

    /// A store that counts reads, over memory.
    #[derive(Debug, Default)]
    struct CountingStore {
        inner: MemoryStore,
        gets: std::sync::atomic::AtomicUsize,
    }

    impl SecretStore for CountingStore {
        fn get(&self, entry: &str) -> Result<Option<Secret>> {
            self.gets.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            self.inner.get(entry)
        }
        fn set(&self, entry: &str, value: &Secret) -> Result<()> {
            self.inner.set(entry, value)
        }
        fn delete(&self, entry: &str) -> Result<bool> {
            self.inner.delete(entry)
        }
    }

    #[test]
    fn in_memory_reads_the_keyring_once_and_follows_the_index() {
        let dir = tempfile::tempdir().expect("tempdir");
        let clock = ManualClock::new(datetime!(2026-11-25 12:00 UTC));
        let store = Arc::new(CountingStore::default());
        let index = Index::at(dir.path().join("index.json"));
        let writer = SessionCache::new(store.clone(), index.clone(), Arc::new(clock.clone()));
        let reader = SessionCache::new(store.clone(), index, Arc::new(clock.clone())).in_memory();
        let key = CacheKey::Role { profile: "dev".into() };
        writer
            .put(&key, &session("dev", datetime!(2026-11-25 13:00 UTC)))
            .expect("put");
        let gets = || store.gets.load(std::sync::atomic::Ordering::SeqCst);
        for _ in 0..5 {
            assert!(reader.get(&key).expect("get").is_some());
        }
        assert_eq!(gets(), 1, "read from the keyring once, then from memory");

        // Renewed by another process: the index files a new expiry, so the keyring is read again.
        writer
            .put(&key, &session("dev", datetime!(2026-11-25 14:00 UTC)))
            .expect("renew");
        let renewed = reader.get(&key).expect("get").expect("session");
        assert_eq!(renewed.expires_at, datetime!(2026-11-25 14:00 UTC));
        assert_eq!(gets(), 2);

        // Cleared by another process: gone here too.
        writer.clear("dev").expect("clear");
        assert!(reader.get(&key).expect("get").is_none());
    }

    fn cache() -> (SessionCache, ManualClock, Arc<MemoryStore>, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("tempdir");
        let clock = ManualClock::new(datetime!(2026-11-25 12:00 UTC));
        let store = Arc::new(MemoryStore::new());
        let cache = SessionCache::new(
            store.clone(),
            Index::at(dir.path().join("index.json")),
            Arc::new(clock.clone()),
        );
        (cache, clock, store, dir)
    }

    #[test]
    fn a_session_is_reused_until_five_minutes_before_expiry() {
        let (cache, clock, _, _dir) = cache();
        let key = CacheKey::Role {
            profile: "oppara-dev".into(),
        };
        let s = session("oppara-dev", datetime!(2026-11-25 13:00 UTC));
        cache.put(&key, &s).expect("put");
        assert_eq!(cache.get(&key).expect("get"), Some(s.clone()));
        clock.set(datetime!(2026-11-25 12:54:59 UTC));
        assert!(cache.get(&key).expect("get").is_some(), "5m01s left: still served");
        clock.set(datetime!(2026-11-25 12:55 UTC));
        assert!(cache.get(&key).expect("get").is_none(), "5m left: not served");
        assert_eq!(cache.list()[0].time_left, Duration::minutes(5));
    }

    #[test]
    fn the_window_is_configurable() {
        let (cache, clock, _, _dir) = cache();
        let cache = cache.with_window(Duration::minutes(15));
        let key = CacheKey::Role { profile: "p".into() };
        cache
            .put(&key, &session("p", datetime!(2026-11-25 13:00 UTC)))
            .expect("put");
        clock.set(datetime!(2026-11-25 12:45 UTC));
        assert!(cache.get(&key).expect("get").is_none());
    }

    #[test]
    fn clear_one_and_all() {
        let (cache, _, store, _dir) = cache();
        for p in ["a", "b", "c"] {
            cache
                .put(
                    &CacheKey::Role { profile: p.into() },
                    &session(p, datetime!(2026-11-25 13:00 UTC)),
                )
                .expect("put");
        }
        assert_eq!(cache.clear("b").expect("clear"), 1);
        assert_eq!(cache.list().len(), 2);
        assert_eq!(cache.clear_all().expect("clear all"), 2);
        assert!(cache.list().is_empty());
        assert!(store.entry_names().is_empty());
    }

    #[test]
    fn an_unreadable_entry_is_dropped_not_fatal() {
        let (cache, _, store, _dir) = cache();
        let key = CacheKey::Role { profile: "p".into() };
        store.set(&key.entry(), &Secret::new("{not json")).expect("set");
        assert!(cache.get(&key).expect("get").is_none());
        assert!(store.entry_names().is_empty());
    }

    #[test]
    fn a_session_keeps_when_it_was_issued_and_an_entry_without_it_still_reads() {
        let (cache, clock, store, _dir) = cache();
        let key = CacheKey::Role { profile: "p".into() };
        let issued = clock.now();
        let short = Session {
            issued_at: Some(issued),
            ..session("p", issued + Duration::seconds(900))
        };
        cache.put(&key, &short).expect("put");
        let read = cache.get_any(&key).expect("get").expect("session");
        assert_eq!(read.issued_at, Some(issued));
        assert_eq!(read.lifetime(), Some(Duration::seconds(900)));
        // Served with its 5-minute margin, not the 15 minutes a caller may want of a long one.
        clock.set(issued + Duration::seconds(599));
        assert!(read.is_fresh(clock.now(), Duration::minutes(15)));

        // What Rolebar wrote before sessions carried `issued_at`.
        let old = r#"{"profile":"p","kind":"AssumeRole","access_key_id":"ASIAFAKE0000000OLD01","secret_access_key":"s","session_token":"t","expires_at":"2026-11-25T13:00:00Z","mfa_serial":null,"role_arn":null,"region":null}"#;
        store.set(&key.entry(), &Secret::new(old)).expect("set");
        let read = cache.get_any(&key).expect("get").expect("an old entry still reads");
        assert_eq!(read.issued_at, None);
        assert_eq!(read.credentials.access_key_id, "ASIAFAKE0000000OLD01");
    }
}

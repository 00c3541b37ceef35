//! What every command needs: the profiles, the keyring, the cache and STS, wired once.

use rolebar_core::clock::SystemClock;
use rolebar_core::index::Index;
use rolebar_core::keys::KeyStore;
use rolebar_core::profile::{AwsPaths, ProfileSet};
use rolebar_core::session::cache::SessionCache;
use rolebar_core::sts::SdkSts;
use rolebar_core::vault::Vault;
use rolebar_core::Result;
use std::sync::Arc;

#[derive(Debug)]
pub struct Context {
    pub paths: AwsPaths,
    pub vault: Vault,
}

impl Context {
    pub fn new() -> Result<Self> {
        Self::with_window(rolebar_core::session::cache::DEFAULT_EXPIRY_WINDOW)
    }

    /// `window`: how much time a cached session must have left to be handed out.
    pub fn with_window(window: time::Duration) -> Result<Self> {
        let paths = AwsPaths::from_env()?;
        let store = rolebar_core::store::from_env();
        let index = Index::default_location()?;
        let clock = Arc::new(SystemClock);
        let keys = KeyStore::new(store.clone(), index.clone());
        let cache = SessionCache::new(store, index, clock.clone()).with_window(window);
        let vault = Vault::new(keys, cache, Arc::new(SdkSts::default()), clock);
        Ok(Context { paths, vault })
    }

    /// The profiles of both files and those only in the keyring (read from the index: nothing is
    /// unlocked), so a profile kept only in the keyring is one to list, exec and source.
    pub fn profiles(&self) -> Result<ProfileSet> {
        Ok(ProfileSet::load(&self.paths)?.with_keyring_profiles(self.vault.keys().list().into_keys()))
    }
}

/// Shortest session STS hands out (AssumeRole and GetSessionToken alike).
const MIN_SESSION: time::Duration = time::Duration::minutes(15);
/// Longest GetSessionToken session for an IAM user; roles stop at their MaxSessionDuration
/// (1 h unless raised, 12 h at most), which STS itself enforces.
const MAX_SESSION: time::Duration = time::Duration::hours(36);

/// `exec --duration`: `90m`, `8h`, `1h30m`, `3600s` (rolebar-core's duration syntax) or plain
/// seconds, between 15 minutes and 36 hours.
pub fn parse_duration(text: &str) -> Result<time::Duration, String> {
    let duration = match text.trim().parse::<i64>() {
        Ok(secs) => time::Duration::seconds(secs),
        Err(_) => rolebar_core::schedule::parse_duration(text)?,
    };
    if duration < MIN_SESSION || duration > MAX_SESSION {
        return Err(format!("`{text}`: sessions last between 15m and 36h"));
    }
    Ok(duration)
}

#[cfg(test)]
mod tests {
    use super::parse_duration;
    use time::Duration;

    #[test]
    fn exec_durations_read_as_aws_vault_users_write_them() {
        assert_eq!(parse_duration("2h"), Ok(Duration::hours(2)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::minutes(90)));
        assert_eq!(parse_duration("3600"), Ok(Duration::hours(1)));
        assert_eq!(parse_duration("36h"), Ok(Duration::hours(36)));
    }

    #[test]
    fn durations_sts_would_refuse_are_refused_here_with_the_range() {
        for text in ["10m", "899", "37h", "0s"] {
            let err = parse_duration(text).expect_err(text);
            assert!(err.contains("between 15m and 36h"), "{text}: {err}");
        }
        assert!(parse_duration("2 hours").is_err());
        assert!(parse_duration("").is_err());
    }
}

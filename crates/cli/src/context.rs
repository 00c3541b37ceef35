//! What every command needs: the profiles, the keyring, the cache and STS, wired once.

use rolebar_core::clock::SystemClock;
use rolebar_core::index::Index;
use rolebar_core::keys::KeyStore;
use rolebar_core::profile::{AwsPaths, ProfileSet};
use rolebar_core::session::cache::SessionCache;
use rolebar_core::store::OsKeyring;
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
        let store = Arc::new(OsKeyring::default());
        let index = Index::default_location()?;
        let clock = Arc::new(SystemClock);
        let keys = KeyStore::new(store.clone(), index.clone());
        let cache = SessionCache::new(store, index, clock.clone()).with_window(window);
        let vault = Vault::new(keys, cache, Arc::new(SdkSts::default()), clock);
        Ok(Context { paths, vault })
    }

    pub fn profiles(&self) -> Result<ProfileSet> {
        ProfileSet::load(&self.paths)
    }
}

/// `90m`, `8h`, `1h30m`, `3600s` or plain seconds.
pub fn parse_duration(text: &str) -> Result<time::Duration, String> {
    if let Ok(secs) = text.parse::<i64>() {
        return Ok(time::Duration::seconds(secs));
    }
    let mut total = 0i64;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let n: i64 = number
            .parse()
            .map_err(|_| format!("`{text}`: expected e.g. 8h, 90m, 1h30m"))?;
        number.clear();
        total += match c {
            'h' => n * 3600,
            'm' => n * 60,
            's' => n,
            _ => return Err(format!("`{text}`: unknown unit `{c}` (use h, m, s)")),
        };
    }
    if !number.is_empty() {
        return Err(format!("`{text}`: a number needs a unit (h, m, s)"));
    }
    Ok(time::Duration::seconds(total))
}

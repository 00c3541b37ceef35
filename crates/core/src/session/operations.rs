//! `Sessions`: what every front end does with the user's sessions — the command line, the tray's
//! menu and windows, and the agent — as one set of operations over the vault and the AWS files:
//! get a session, renew one, find a cached one, say where sessions are written, log out, and
//! rewrite written sections after a renewal. The front ends add only their prompts, their
//! messages and their redraws.
//!
//! Log out has one meaning everywhere: `log_out(NAME)` ends what Rolebar holds for NAME — the
//! profile's cached sessions and the credentials-file sections Rolebar wrote with its session
//! (`rolebar_source_profile = NAME`) — and, when NAME is itself a section Rolebar wrote, takes
//! that section back. Sections Rolebar did not write are never touched.

use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::error_code::{ErrorCode, HasCode};
use crate::keystore::index::Index;
use crate::keystore::keys::KeyStore;
use crate::mfa::MfaPrompt;
use crate::outputs::{self, Durability, OutputError};
use crate::profile::{AwsPaths, ProfileSet, ResolvedProfile};
use crate::schedule::SessionRef;
use crate::session::cache::{CacheKey, SessionCache};
use crate::session::sts::SdkSts;
use crate::session::vault::{SsoAccess, Vault};
use crate::session::Session;
use crate::sso::{SignInFlow, Sso};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

/// The user's sessions: the vault (keys, cache, STS) and the AWS files it serves.
#[derive(Debug)]
pub struct Sessions {
    pub paths: AwsPaths,
    pub vault: Vault,
}

/// What a log out ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogOut {
    pub sessions_cleared: usize,
    /// Credentials-file sections removed (those written with the profile's session, or the
    /// section named itself).
    pub sections_removed: Vec<String>,
}

/// What rewriting the written sections after a renewal did.
#[derive(Debug, Default)]
pub struct Rewritten {
    pub rewritten: Vec<String>,
    /// Sections that could not be rewritten, and why.
    pub failed: Vec<(String, OutputError)>,
}

impl Sessions {
    pub fn new(paths: AwsPaths, vault: Vault) -> Sessions {
        Sessions { paths, vault }
    }

    /// Wired from the environment, as every front end runs for real: the AWS files
    /// (`AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`), the OS keyring (or the memory store
    /// with `ROLEBAR_KEYRING=memory`), the index under `ROLEBAR_STATE_DIR` (or the XDG state
    /// folder), STS through aws-sdk-sts and the system clock. `window`: how much time a cached
    /// session must have left to be handed out. `lasting`: a long-running process (the tray),
    /// which keeps the sessions it reads in memory (`SessionCache::in_memory`).
    pub fn from_env(window: Duration, lasting: bool) -> Result<Sessions> {
        let paths = AwsPaths::from_env()?;
        let store = crate::keystore::store::from_env();
        let index = Index::default_location()?;
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let keys = KeyStore::new(store.clone(), index.clone());
        let mut cache = SessionCache::new(store, index, clock.clone()).with_window(window);
        if lasting {
            cache = cache.in_memory();
        }
        let vault = Vault::new(keys, cache, Arc::new(SdkSts::default()), clock.clone());
        // IAM Identity Center's token cache is the AWS CLI's (~/.aws/sso/cache); no front end
        // signs in until it says how (`Vault::set_sign_in_ui`). A malformed SSO endpoint
        // variable fails only what needs SSO.
        let vault = match Sso::from_env(clock) {
            Ok(sso) => vault.with_sso(SsoAccess {
                sso: Arc::new(sso),
                ui: None,
                flow: SignInFlow::Pkce,
            }),
            Err(e) => {
                tracing::warn!(code = e.code(), "IAM Identity Center is unavailable: {e}");
                vault.without_sso(&e)
            }
        };
        Ok(Sessions { paths, vault })
    }

    pub fn now(&self) -> OffsetDateTime {
        self.vault.cache().now()
    }

    /// The profiles of both files and those only in the keyring (read from the index: nothing
    /// is unlocked).
    pub fn profiles(&self) -> Result<ProfileSet> {
        Ok(ProfileSet::load(&self.paths)?.with_keyring_profiles(self.vault.keys().list().into_keys()))
    }

    /// A session for `profile`: from the cache when one serves, else through STS, asking
    /// `prompt` for a code when one is needed.
    pub async fn session(&self, profile: &str, prompt: &dyn MfaPrompt) -> Result<Session> {
        let resolved = self.profiles()?.resolve(profile)?;
        self.vault.session(&resolved, prompt).await
    }

    /// A new session for `profile` even if the cached one is still fresh (the vault hands out a
    /// cached session until its last minutes): drops the profile's own cached sessions, then
    /// asks the vault, which uses `prompt` only when a code is needed. A role assumed from a
    /// still valid MFA session of its source therefore renews without a code; that MFA session
    /// (filed under the profile holding the keys) is kept.
    ///
    /// If the renewal fails (the code cancelled or needed, STS refused) the dropped sessions are
    /// put back: a failed renewal must not end a session that still has time left. `hold` is
    /// given the dropped sessions first and its guard kept until the end, so a caller watching
    /// expiries (the tray's warnings) does not take them for gone meanwhile.
    pub async fn renew<H>(
        &self,
        profile: &ResolvedProfile,
        prompt: &dyn MfaPrompt,
        hold: impl FnOnce(Vec<SessionRef>) -> H,
    ) -> Result<Session> {
        let cache = self.vault.cache();
        let saved: Vec<(CacheKey, Session)> = cache
            .list()
            .into_iter()
            .filter(|info| info.record.profile == profile.name)
            .filter_map(|info| {
                let key = CacheKey::of(
                    info.record.kind,
                    &info.record.profile,
                    info.record.mfa_serial.as_deref(),
                );
                // An entry the key cannot be rebuilt for, or unreadable: dropped, not restored.
                let session = (key.entry() == info.entry)
                    .then(|| cache.get_any(&key).ok().flatten())
                    .flatten()?;
                Some((key, session))
            })
            .collect();
        let _held = hold(
            saved
                .iter()
                .map(|(key, s)| SessionRef::new(key.entry(), &s.profile, s.expires_at))
                .collect(),
        );
        let result = match cache.clear(&profile.name) {
            Ok(_) => self.vault.session(profile, prompt).await,
            Err(e) => Err(e),
        };
        if let Err(e) = &result {
            let now = self.now();
            let mut restored = 0;
            for (key, session) in saved.iter().filter(|(_, s)| s.expires_at > now) {
                match cache.put(key, session) {
                    Ok(()) => restored += 1,
                    Err(put) => tracing::warn!(entry = %key.entry(), error = %put, "cannot put a session back"),
                }
            }
            tracing::info!(profile = %profile.name, code = e.code(), restored, "renewal failed; the previous session stays");
        }
        result
    }

    /// The cached session filed as `entry` (`session:AssumeRole:oppara-dev`), if it still has
    /// time left.
    pub fn cached(&self, entry: &str) -> Result<Session> {
        let not_found = || Error::SessionNotFound {
            entry: entry.to_string(),
        };
        let cache = self.vault.cache();
        let info = cache
            .list()
            .into_iter()
            .find(|s| s.entry == entry)
            .ok_or_else(not_found)?;
        let key = CacheKey::of(
            info.record.kind,
            &info.record.profile,
            info.record.mfa_serial.as_deref(),
        );
        if key.entry() != entry {
            return Err(not_found());
        }
        let session = cache.get_any(&key)?.ok_or_else(not_found)?;
        if session.expires_at <= self.now() {
            return Err(OutputError::SessionExpired {
                profile: session.profile,
            }
            .into());
        }
        Ok(session)
    }

    /// The credentials-file sections Rolebar wrote, by the profile whose session each holds
    /// (`rolebar_source_profile`), read from the file each time: it is the truth whoever wrote
    /// it (the app, an earlier run, the CLI) and whatever was removed by hand since. Expired
    /// sections only with `include_expired`.
    pub fn written(&self, include_expired: bool) -> Result<BTreeMap<String, BTreeSet<String>>> {
        let now = self.now();
        let mut written: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for section in outputs::rolebar_sections(&self.paths.credentials)? {
            let live = section.expires_at.is_none_or(|at| at > now);
            if let Some(source) = section.source_profile.filter(|_| live || include_expired) {
                written.entry(source).or_default().insert(section.name);
            }
        }
        Ok(written)
    }

    /// Where `profile`'s live session is written.
    pub fn written_to(&self, profile: &str) -> Result<Vec<String>> {
        Ok(self
            .written(false)?
            .remove(profile)
            .map(|w| w.into_iter().collect())
            .unwrap_or_default())
    }

    /// Ends what Rolebar holds for `name` (see the module doc).
    pub fn log_out(&self, name: &str) -> Result<LogOut> {
        // Read first: an unreadable credentials file fails the log out before anything is
        // dropped, so it can be retried and no written session is forgotten on disk.
        let written = self.written(true)?.remove(name).unwrap_or_default();
        let is_written = outputs::rolebar_sections(&self.paths.credentials)?
            .iter()
            .any(|s| s.name == name);
        let sessions_cleared = self.vault.cache().clear(name)?;
        let mut sections_removed = Vec::new();
        if is_written && !written.contains(name) {
            match outputs::remove_profile(&self.paths.credentials, name) {
                Ok(_) => sections_removed.push(name.to_string()),
                // Taken back by someone else meanwhile: nothing left to do.
                Err(OutputError::ProfileNotFound { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        for target in written {
            match outputs::remove_profile_of(&self.paths.credentials, &target, name) {
                Ok(_) => sections_removed.push(target),
                // Edited, taken over or removed by hand since: left to the user.
                Err(e)
                    if matches!(
                        e.error_code(),
                        ErrorCode::SectionNotFound | ErrorCode::SectionNotManaged | ErrorCode::SectionChanged
                    ) => {}
                Err(e) => tracing::warn!(target = %target, error = %e, "cannot remove a written section"),
            }
        }
        tracing::info!(name, sessions_cleared, removed = sections_removed.len(), "logged out");
        Ok(LogOut {
            sessions_cleared,
            sections_removed,
        })
    }

    /// Rewrites with `session` the sections Rolebar wrote its profile's session to (after a
    /// renewal), each only while it still holds that profile's session.
    pub fn rewrite_written(&self, session: &Session, sections: BTreeSet<String>, set: &ProfileSet) -> Rewritten {
        let mut report = Rewritten::default();
        for target in sections {
            let rewritten = outputs::refresh_profile(
                &self.paths.credentials,
                &target,
                session,
                Some(set.config_file()),
                self.now(),
                Durability::Fsync,
            );
            match rewritten {
                Ok(_) => report.rewritten.push(target),
                Err(e) => {
                    tracing::warn!(profile = %session.profile, target = %target, error = %e, "cannot rewrite a refreshed session");
                    report.failed.push((target, e));
                }
            }
        }
        report
    }
}

/// The profiles of `set` whose sessions come from the sign-in `session`: its SSO profiles and
/// the roles chained from them (their sessions end with it).
pub fn sso_profiles(set: &ProfileSet, session: &crate::profile::SsoSessionConfig) -> Vec<String> {
    set.names()
        .filter(|name| {
            set.resolve(name)
                .is_ok_and(|r| r.sso_root().is_some_and(|(_, role)| role.session == *session))
        })
        .map(str::to_string)
        .collect()
}

//! Rotating the long-term access key of a profile whose keys are in the keyring (aws-vault's
//! `rotate`), and reminding when a key is old (`reminders`).
//!
//! The steps of [`Rotator::rotate`], and what each failure leaves behind:
//! 1. The signer: the profile's keys, or, when the profile has `mfa_serial`, an MFA session
//!    (GetSessionToken with a code) as aws-vault does, since accounts commonly deny IAM calls
//!    without MFA. A cached MFA session serves, so no code is asked at all; otherwise one code
//!    is asked, and that same session also deletes the old key: a second code within the same
//!    30-second window would be refused by AWS as a reused code (aws-vault #1110).
//! 2. ListAccessKeys (when allowed): a user already at two keys is refused before anything is
//!    created, naming the other key (masked).
//! 3. CreateAccessKey, tried once (it is not idempotent). A clear refusal (AccessDenied,
//!    LimitExceeded, a connection never made) changed nothing. Any other failure (no answer in
//!    time, the connection cut, an unreadable reply, a 5xx) may hide a key IAM made whose secret
//!    never arrived: ListAccessKeys again, and a key not listed in 2 is deleted (it cannot be
//!    used), or named with the commands to delete it if that fails; if IAM cannot be asked, the
//!    error says a stray key may exist and how to check. "Nothing was changed" only when known.
//!    Once the new key is received, a failure deletes it again (signed as in 1) and says the
//!    old key still works; if even that fails, it names the new key to delete.
//! 4. GetCallerIdentity with the new key until AWS accepts it (IAM is eventually consistent),
//!    for up to 15 s, waiting through an injected [`Sleeper`].
//! 5. The new key replaces the old one in the keyring, and IAM's creation date goes to the index.
//! 6. The profile's cached sessions are dropped (they were made with the old key).
//! 7. DeleteAccessKey of the old key (NoSuchEntity, as a retry after a lost reply gets, is
//!    success). If that fails the new key is kept (it works) and the error
//!    says the old one is still active and how to delete it (`rolebar rotate PROFILE
//!    --delete-key ****OLD1`, which [`Rotator::delete_key`] serves).
//!
//! Keys written in a credentials file are not rotated: the file would keep the deleted key.
//! The error says to move them into the keyring first (`rolebar add --from-credentials-file`).

pub(crate) mod error;
mod iam;
pub mod reminders;
mod sdk;

pub use error::{IamFailure, LostReply, RotationError};
pub use iam::{AccessKeyMeta, IamAt, KeyApi, NewAccessKey};
pub use reminders::{KeySettings, Reminder, ReminderFile};
pub use sdk::SdkIam;

use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::keystore::keys::KeyAge;
use crate::mfa::{MfaCode, MfaPrompt, MfaRequest};
use crate::profile::{CredentialSource, ResolvedProfile};
use crate::schedule::{Sleeper, TokioSleeper};
use crate::sensitive::mask_key_id;
use crate::session::operations::Sessions;
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;
use time::OffsetDateTime;

/// How long and how often the new key is tried before giving up.
#[derive(Debug, Clone)]
pub struct RotateOptions {
    /// The whole wait for IAM to accept the new key.
    pub wait_budget: StdDuration,
    /// The first wait; each next one doubles, up to `max_step`.
    pub first_wait: StdDuration,
    pub max_step: StdDuration,
    /// After CreateAccessKey failed without a clear answer, how long ListAccessKeys is asked
    /// again for a key it may have made (IAM is eventually consistent), the same steps apart.
    pub relist_budget: StdDuration,
}

impl Default for RotateOptions {
    fn default() -> Self {
        RotateOptions {
            // New keys usually work within a few seconds; 15 s is aws-vault's order of magnitude.
            wait_budget: StdDuration::from_secs(15),
            first_wait: StdDuration::from_millis(500),
            max_step: StdDuration::from_secs(3),
            // IAM's own reads catch up within a second or two; this is a margin, not a wait
            // every rotation pays: only a CreateAccessKey without an answer does.
            relist_budget: StdDuration::from_secs(4),
        }
    }
}

/// How the rotation got past MFA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MfaUse {
    /// The profile has no `mfa_serial`: its keys signed the IAM calls.
    NotNeeded,
    /// A cached MFA session signed them: no code was asked.
    ReusedSession,
    /// One code was asked, at this time.
    Asked { at: OffsetDateTime },
}

/// What a rotation did. Key ids are masked.
#[derive(Debug, Clone)]
pub struct RotationReport {
    pub profile: String,
    pub user_name: Option<String>,
    pub old_key: String,
    pub new_key: String,
    /// IAM's creation date of the new key.
    pub created_at: OffsetDateTime,
    pub mfa: MfaUse,
    /// GetCallerIdentity attempts until the new key worked.
    pub checks: u32,
    /// Time waited for IAM between them.
    pub waited: StdDuration,
    pub sessions_cleared: usize,
    /// Things the user should know, one sentence each (no secrets).
    pub notes: Vec<String>,
}

/// What `delete_key` deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletedKey {
    pub profile: String,
    pub user_name: Option<String>,
    pub key: String,
}

/// The next 30-second TOTP window after `at`: the first moment a new code can be had.
pub fn next_code_window(at: OffsetDateTime) -> OffsetDateTime {
    let secs = at.unix_timestamp();
    let next = secs - secs.rem_euclid(30) + 30;
    OffsetDateTime::from_unix_timestamp(next).unwrap_or(at)
}

/// Asks the caller's prompt, and remembers when a code was asked.
struct Counting<'a> {
    inner: &'a dyn MfaPrompt,
    now: Box<dyn Fn() -> OffsetDateTime + Send + Sync + 'a>,
    asked: Mutex<Option<OffsetDateTime>>,
}

#[async_trait::async_trait]
impl MfaPrompt for Counting<'_> {
    async fn code(&self, request: &MfaRequest) -> Result<MfaCode> {
        let code = self.inner.code(request).await?;
        *self.asked.lock().unwrap_or_else(|p| p.into_inner()) = Some((self.now)());
        Ok(code)
    }
}

/// The profile, its keyring keys and how IAM is reached.
struct Target {
    resolved: ResolvedProfile,
    mfa_serial: Option<String>,
    current: Credentials,
    at: IamAt,
}

/// Rotates keys and answers key questions through a [`KeyApi`], waiting with a [`Sleeper`].
#[derive(Debug, Clone)]
pub struct Rotator {
    api: Arc<dyn KeyApi>,
    sleeper: Arc<dyn Sleeper>,
    options: RotateOptions,
}

impl Default for Rotator {
    fn default() -> Self {
        Rotator::new(Arc::new(SdkIam), Arc::new(TokioSleeper))
    }
}

impl Rotator {
    pub fn new(api: Arc<dyn KeyApi>, sleeper: Arc<dyn Sleeper>) -> Self {
        Rotator {
            api,
            sleeper,
            options: RotateOptions::default(),
        }
    }

    pub fn with_options(mut self, options: RotateOptions) -> Self {
        self.options = options;
        self
    }

    fn target(&self, sessions: &Sessions, profile: &str) -> Result<Target> {
        let resolved = sessions.profiles()?.resolve(profile)?;
        let not_keyring = |reason: String| -> Error {
            RotationError::NotKeyringKeys {
                profile: profile.to_string(),
                reason,
            }
            .into()
        };
        let (keys, mfa_serial) = match &resolved.source {
            // Only keys in the keyring are rotated; the command's own keys are its business.
            CredentialSource::Keys(k) => (k.clone(), None),
            CredentialSource::Process(p) => (p.keys.clone(), None),
            CredentialSource::SessionToken { keys, mfa_serial } => (keys.clone(), Some(mfa_serial.clone())),
            CredentialSource::Role(_) => {
                let root = key_profile(&resolved);
                return Err(not_keyring(format!(
                    "it is a role profile; the key it uses is `{root}`'s: run `rolebar rotate {root}`"
                )));
            }
            CredentialSource::Sso(_) => {
                return Err(not_keyring(
                    "it signs in to IAM Identity Center and has no access key to rotate".to_string(),
                ))
            }
            CredentialSource::Unsupported { what, reason } => {
                return Err(Error::UnsupportedProfile {
                    profile: profile.to_string(),
                    what,
                    reason: reason.clone(),
                })
            }
        };
        if keys.profile != profile {
            return Err(not_keyring(format!(
                "the key it uses is `{}`'s: run `rolebar rotate {}`",
                keys.profile, keys.profile
            )));
        }
        let current = match sessions.vault.keys().get(profile)? {
            Some(k) => k,
            None => match &keys.file_keys {
                Some(f) => {
                    return Err(not_keyring(format!(
                        "its key is written in {} (line {}), not stored in the keyring, and Rolebar rotates only keys it holds (the file would keep the deleted key). Move it first: `rolebar add {profile} --from-credentials-file`, then remove it from the file, then `rolebar rotate {profile}`",
                        f.path.display(),
                        f.line
                    )))
                }
                None => {
                    return Err(Error::NoKeys {
                        profile: profile.to_string(),
                        credentials: keys.credentials_path.clone(),
                    })
                }
            },
        };
        let at = IamAt::for_profile(&resolved)?;
        Ok(Target {
            resolved,
            mfa_serial,
            current,
            at,
        })
    }

    /// The credentials that sign IAM calls: the keys, or an MFA session when the profile has
    /// `mfa_serial` (a cached one when it serves).
    async fn signer(&self, sessions: &Sessions, t: &Target, prompt: &dyn MfaPrompt) -> Result<(Credentials, MfaUse)> {
        if t.mfa_serial.is_none() {
            return Ok((t.current.clone(), MfaUse::NotNeeded));
        }
        let counting = Counting {
            inner: prompt,
            now: Box::new(|| sessions.now()),
            asked: Mutex::new(None),
        };
        let session = sessions.vault.session(&t.resolved, &counting).await?;
        let asked = *counting.asked.lock().unwrap_or_else(|p| p.into_inner());
        let mfa = match asked {
            Some(at) => MfaUse::Asked { at },
            None => MfaUse::ReusedSession,
        };
        Ok((session.credentials, mfa))
    }

    fn refused(&self, t: &Target, profile: &str, action: &'static str, failure: IamFailure) -> Error {
        let current = t.current.masked_key_id();
        match failure {
            IamFailure::AccessDenied { message } => {
                let hint = if t.mfa_serial.is_some() {
                    "The call was made with an MFA session: check that the user's policy allows it".to_string()
                } else {
                    format!("If the account's policy allows it only with MFA, set `mfa_serial` on profile `{profile}` so Rolebar makes the calls through an MFA session")
                };
                RotationError::AccessDenied {
                    profile: profile.to_string(),
                    action,
                    message,
                    hint,
                }
                .into()
            }
            failure => RotationError::Failed {
                profile: profile.to_string(),
                action,
                failure,
                current,
            }
            .into(),
        }
    }

    /// Rotates the key of `profile` (see the module doc). `prompt` is asked for at most one
    /// code, and none when a cached MFA session serves.
    pub async fn rotate(&self, sessions: &Sessions, profile: &str, prompt: &dyn MfaPrompt) -> Result<RotationReport> {
        let t = self.target(sessions, profile)?;
        let (signer, mfa) = self.signer(sessions, &t, prompt).await?;
        let old_key = t.current.masked_key_id();
        let mut notes = Vec::new();
        match mfa {
            MfaUse::ReusedSession => notes.push(format!(
                "Used the cached MFA session of `{profile}`: no MFA code was asked."
            )),
            MfaUse::Asked { at } => notes.push(format!(
                "One MFA code was used for the whole rotation. AWS accepts a code only once: the next MFA prompt needs a new code (from {} UTC on).",
                hms(next_code_window(at))
            )),
            MfaUse::NotNeeded => {}
        }

        // Two keys already: refused before anything is created. The ids listed also tell a key
        // IAM makes for a lost CreateAccessKey reply from the ones the user had.
        let mut before: Option<Vec<String>> = None;
        match self.api.list_access_keys(&t.at, &signer).await {
            Ok(listed) => {
                before = Some(listed.iter().map(|k| k.access_key_id.clone()).collect());
                let others: Vec<&AccessKeyMeta> = listed
                    .iter()
                    .filter(|k| k.access_key_id != t.current.access_key_id)
                    .collect();
                if listed.len() >= 2 {
                    return Err(RotationError::TwoKeys {
                        profile: profile.to_string(),
                        user: listed.iter().find_map(|k| k.user_name.clone()),
                        current: old_key,
                        other: others.first().map(|k| mask_key_id(&k.access_key_id)),
                    }
                    .into());
                }
            }
            Err(IamFailure::AccessDenied { .. }) => {
                notes.push("IAM did not allow ListAccessKeys: the number of keys was not checked first.".to_string())
            }
            Err(f) => return Err(self.refused(&t, profile, "ListAccessKeys", f)),
        }

        let new = match self.api.create_access_key(&t.at, &signer).await {
            Ok(new) => new,
            Err(IamFailure::KeyLimit { .. }) => {
                return Err(RotationError::TwoKeys {
                    profile: profile.to_string(),
                    user: None,
                    current: old_key,
                    other: None,
                }
                .into())
            }
            Err(f) if f.may_have_taken_effect() => {
                return Err(self.after_lost_reply(&t, profile, &signer, before.as_deref(), f).await)
            }
            Err(f) => return Err(self.refused(&t, profile, "CreateAccessKey", f)),
        };
        let new_key = new.keys.masked_key_id();
        tracing::info!(profile, old = %old_key, new = %new_key, "access key created");

        // Until AWS accepts the new key: IAM is eventually consistent.
        let (checks, waited) = match self.wait_until_accepted(&t.at, &new.keys).await {
            Ok(done) => done,
            Err(cause) => return Err(self.undo_create(&t, profile, &signer, &new, cause).await),
        };

        // The new key replaces the old one in the keyring.
        let keys = sessions.vault.keys();
        let now = sessions.now();
        if let Err(e) = keys.add(profile, &new.keys, now) {
            match keys.get(profile) {
                // Stored, the index update failed: the keyring is what counts.
                Ok(Some(k)) if k.access_key_id == new.keys.access_key_id => {
                    tracing::warn!(profile, error = %e, "new key stored, index not updated");
                    notes.push(format!("The key index could not be updated ({e}); `rolebar list` may show the old key until the next change."));
                }
                Ok(Some(k)) if k.access_key_id == t.current.access_key_id => {
                    let cause = format!("storing the new key in the keyring failed ({e})");
                    return Err(self.undo_create(&t, profile, &signer, &new, cause).await);
                }
                // Unknown which key the keyring holds: deleting either could lose the only one.
                _ => {
                    return Err(RotationError::NewKeyLeft {
                        profile: profile.to_string(),
                        cause: format!(
                            "storing the new key in the keyring failed ({e}), and the keyring could not be read back"
                        ),
                        new_tail: tail(&new_key),
                        new_key,
                        old_key,
                        user: new.user_name.clone(),
                        cleanup: "not tried: it is unknown which key the keyring holds now; check with `rolebar list`"
                            .into(),
                    }
                    .into())
                }
            }
        }
        let created_at = new.created_at.unwrap_or(now);
        if let Err(e) = keys.set_created(profile, &new_key, created_at) {
            tracing::warn!(profile, error = %e, "cannot record the key's creation date");
        }

        // Sessions made with the old key would outlive it in the cache.
        let sessions_cleared = match sessions.vault.cache().clear(profile) {
            Ok(n) => n,
            Err(e) => {
                notes.push(format!(
                    "The cached sessions of `{profile}` could not be dropped ({e}): run `rolebar clear {profile}`."
                ));
                0
            }
        };

        match self
            .api
            .delete_access_key(&t.at, &signer, &t.current.access_key_id)
            .await
        {
            Ok(()) => {}
            // The SDK retries a delete whose reply was lost; the retry then finds no key. Either
            // way the old key is not active any more.
            Err(IamFailure::NoSuchKey { message }) => {
                tracing::info!(profile, old = %old_key, %message, "the old key was already gone");
                notes.push(format!("IAM reported the old key {old_key} as already deleted."));
            }
            Err(f) => {
                return Err(RotationError::OldKeyLeft {
                    profile: profile.to_string(),
                    cause: f.to_string(),
                    new_key,
                    old_tail: tail(&old_key),
                    old_key,
                    user: new.user_name,
                }
                .into())
            }
        }
        tracing::info!(profile, old = %old_key, new = %new_key, checks, "access key rotated");
        Ok(RotationReport {
            profile: profile.to_string(),
            user_name: new.user_name,
            old_key,
            new_key,
            created_at,
            mfa,
            checks,
            waited,
            sessions_cleared,
            notes,
        })
    }

    /// GetCallerIdentity with `keys` until AWS accepts them, within the wait budget. The error
    /// is the reason, as a clause.
    async fn wait_until_accepted(&self, at: &IamAt, keys: &Credentials) -> Result<(u32, StdDuration), String> {
        let budget = self.options.wait_budget;
        let mut waited = StdDuration::ZERO;
        let mut step = self.options.first_wait;
        let mut checks = 0;
        loop {
            checks += 1;
            match self.api.check_key(at, keys).await {
                Ok(()) => return Ok((checks, waited)),
                Err(IamFailure::KeyRejected { .. }) if waited < budget => {
                    let pause = step.min(budget - waited);
                    self.sleeper.sleep(pause).await;
                    waited += pause;
                    step = (step * 2).min(self.options.max_step);
                }
                Err(IamFailure::KeyRejected { code }) => {
                    return Err(format!(
                        "AWS still did not accept the new key after {} s ({checks} tries, last answer {code}; IAM is eventually consistent)",
                        waited.as_secs()
                    ))
                }
                Err(f) => return Err(format!("checking the new key failed ({f})")),
            }
        }
    }

    /// After CreateAccessKey failed without a clear answer: IAM may have made a key whose
    /// secret never arrived. ListAccessKeys tells: a key not among `before` (the ids listed
    /// before; unknown when listing was not allowed) is that key, and is deleted. IAM is
    /// eventually consistent, so an empty answer is asked again within `relist_budget`.
    async fn after_lost_reply(
        &self,
        t: &Target,
        profile: &str,
        signer: &Credentials,
        before: Option<&[String]>,
        failure: IamFailure,
    ) -> Error {
        let old_key = t.current.masked_key_id();
        tracing::warn!(profile, %failure, "CreateAccessKey without a clear answer; looking for a key it made");
        let lost = |outcome: LostReply, user: Option<String>| -> Error {
            RotationError::CreateReplyLost {
                profile: profile.to_string(),
                failure: failure.clone(),
                outcome,
                old_key: old_key.clone(),
                user,
            }
            .into()
        };
        let mut waited = StdDuration::ZERO;
        let mut step = self.options.first_wait;
        let listed = loop {
            let listed = match self.api.list_access_keys(&t.at, signer).await {
                Ok(listed) => listed,
                Err(f) => {
                    let reason = match f {
                        IamFailure::AccessDenied { .. } => format!("IAM does not allow ListAccessKeys ({f})"),
                        f => format!("ListAccessKeys failed too ({f})"),
                    };
                    return lost(
                        LostReply::Unknown {
                            reason,
                            candidates: Vec::new(),
                        },
                        None,
                    );
                }
            };
            let fresh = listed.iter().any(|k| {
                k.access_key_id != t.current.access_key_id && before.is_none_or(|b| !b.contains(&k.access_key_id))
            });
            if fresh || waited >= self.options.relist_budget {
                break listed;
            }
            let pause = step.min(self.options.relist_budget - waited);
            self.sleeper.sleep(pause).await;
            waited += pause;
            step = (step * 2).min(self.options.max_step);
        };
        let user = listed.iter().find_map(|k| k.user_name.clone());
        let new: Vec<&AccessKeyMeta> = listed
            .iter()
            .filter(|k| k.access_key_id != t.current.access_key_id)
            .filter(|k| before.is_none_or(|b| !b.contains(&k.access_key_id)))
            .collect();
        let made = match (before, new.as_slice()) {
            (_, []) => return lost(LostReply::NothingCreated, user),
            (Some(_), [made]) => *made,
            // Without the keys from before, any other key may be one the user relies on; and
            // two new ones mean someone else made one too: which is Rolebar's is unknown.
            (_, several) => {
                let reason = if before.is_none() {
                    "IAM did not allow ListAccessKeys before CreateAccessKey, so a key made now cannot be told from one the user had".to_string()
                } else {
                    "IAM lists more than one new key".to_string()
                };
                return lost(
                    LostReply::Unknown {
                        reason,
                        candidates: several.iter().map(|k| mask_key_id(&k.access_key_id)).collect(),
                    },
                    user,
                );
            }
        };
        let key = mask_key_id(&made.access_key_id);
        tracing::warn!(profile, new = %key, "CreateAccessKey made a key whose reply was lost; deleting it");
        match self.api.delete_access_key(&t.at, signer, &made.access_key_id).await {
            // Gone already is as good as deleted.
            Ok(()) | Err(IamFailure::NoSuchKey { .. }) => lost(LostReply::Deleted { key }, user),
            Err(f) => lost(
                LostReply::Left {
                    tail: tail(&key),
                    key,
                    cleanup: f.to_string(),
                },
                user,
            ),
        }
    }

    /// After a failure following CreateAccessKey: deletes the new key again (the keyring still
    /// holds the old one), or says what is left.
    async fn undo_create(
        &self,
        t: &Target,
        profile: &str,
        signer: &Credentials,
        new: &NewAccessKey,
        cause: String,
    ) -> Error {
        let new_key = new.keys.masked_key_id();
        let old_key = t.current.masked_key_id();
        tracing::warn!(profile, new = %new_key, %cause, "rotation failed after CreateAccessKey; deleting the new key");
        match self.api.delete_access_key(&t.at, signer, &new.keys.access_key_id).await {
            Ok(()) => RotationError::Aborted {
                profile: profile.to_string(),
                cause,
                new_key,
                old_key,
            }
            .into(),
            Err(f) => RotationError::NewKeyLeft {
                profile: profile.to_string(),
                cause,
                new_tail: tail(&new_key),
                new_key,
                old_key,
                user: new.user_name.clone(),
                cleanup: f.to_string(),
            }
            .into(),
        }
    }

    /// Deletes the user's access key ending in `key` (`****OLD1`, `OLD1` or the whole id), which
    /// must not be the one in the keyring: what a failed rotation left behind.
    pub async fn delete_key(
        &self,
        sessions: &Sessions,
        profile: &str,
        key: &str,
        prompt: &dyn MfaPrompt,
    ) -> Result<DeletedKey> {
        let t = self.target(sessions, profile)?;
        let suffix = key.trim().trim_start_matches('*');
        let not_found = |reason: String| -> Error {
            RotationError::KeyNotFound {
                profile: profile.to_string(),
                reason,
            }
            .into()
        };
        if suffix.len() < 4 {
            return Err(not_found(format!(
                "`{key}` is too short to name a key: give at least its last 4 characters, as `rolebar` prints them (****ABCD)"
            )));
        }
        if t.current.access_key_id.ends_with(suffix) {
            return Err(not_found(format!(
                "{} is the key in the keyring, in use: to replace it run `rolebar rotate {profile}`",
                t.current.masked_key_id()
            )));
        }
        let (signer, _) = self.signer(sessions, &t, prompt).await?;
        let listed = self
            .api
            .list_access_keys(&t.at, &signer)
            .await
            .map_err(|f| self.refused(&t, profile, "ListAccessKeys", f))?;
        let matching: Vec<&AccessKeyMeta> = listed
            .iter()
            .filter(|k| k.access_key_id.ends_with(suffix) && k.access_key_id != t.current.access_key_id)
            .collect();
        let [found] = matching.as_slice() else {
            let known: Vec<String> = listed.iter().map(|k| mask_key_id(&k.access_key_id)).collect();
            return Err(not_found(format!(
                "{} of the user's keys ({}) end in `{suffix}`",
                if matching.is_empty() { "none" } else { "several" },
                known.join(", ")
            )));
        };
        self.api
            .delete_access_key(&t.at, &signer, &found.access_key_id)
            .await
            .map_err(|f| self.refused(&t, profile, "DeleteAccessKey", f))?;
        let deleted = DeletedKey {
            profile: profile.to_string(),
            user_name: found.user_name.clone(),
            key: mask_key_id(&found.access_key_id),
        };
        tracing::info!(profile, key = %deleted.key, "access key deleted");
        Ok(deleted)
    }

    /// Asks IAM when the keyring's key of `profile` was created (ListAccessKeys) and records it
    /// in the index; the key's age as now known. When IAM does not say (not allowed, or the key
    /// is not listed) the age stays the date the key was added, and that is returned.
    pub async fn refresh_age(&self, sessions: &Sessions, profile: &str, prompt: &dyn MfaPrompt) -> Result<KeyAge> {
        let t = self.target(sessions, profile)?;
        let (signer, _) = self.signer(sessions, &t, prompt).await?;
        match self.api.list_access_keys(&t.at, &signer).await {
            Ok(listed) => {
                let created = listed
                    .iter()
                    .find(|k| k.access_key_id == t.current.access_key_id)
                    .and_then(|k| k.created_at);
                if let Some(created) = created {
                    sessions
                        .vault
                        .keys()
                        .set_created(profile, &t.current.masked_key_id(), created)?;
                }
            }
            Err(IamFailure::AccessDenied { message }) => {
                tracing::info!(profile, %message, "ListAccessKeys not allowed; key age from when it was added");
            }
            Err(f) => return Err(self.refused(&t, profile, "ListAccessKeys", f)),
        }
        sessions
            .vault
            .keys()
            .ages()
            .into_iter()
            .find(|a| a.profile == profile)
            .ok_or_else(|| Error::NoKeys {
                profile: profile.to_string(),
                credentials: sessions.paths.credentials.clone(),
            })
    }
}

/// The profile whose keys are at the root of a role chain.
fn key_profile(profile: &ResolvedProfile) -> String {
    match &profile.source {
        CredentialSource::Keys(k) | CredentialSource::SessionToken { keys: k, .. } => k.profile.clone(),
        CredentialSource::Process(p) => p.keys.profile.clone(),
        CredentialSource::Role(r) => key_profile(&r.source),
        CredentialSource::Sso(_) | CredentialSource::Unsupported { .. } => profile.name.clone(),
    }
}

/// `ABCD` of `****ABCD`.
fn tail(masked: &str) -> String {
    masked.trim_start_matches('*').to_string()
}

fn hms(t: OffsetDateTime) -> String {
    format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second())
}

#[cfg(test)]
mod tests;

//! Getting a session for a profile: from the cache when fresh, else from STS with at most one
//! MFA prompt per device, following aws-vault's rules.

use crate::clock::Clock;
use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::error_code::{ErrorCode, HasCode};
use crate::keystore::keys::KeyStore;
use crate::mfa::{MfaCode, MfaPrompt, MfaReason, MfaRequest};
use crate::profile::resolve::{ROLE_DEFAULT_DURATION, SESSION_TOKEN_DEFAULT_DURATION};
use crate::profile::{CredentialSource, KeySource, ProcessSource, ResolvedProfile, RoleSpec, SsoRoleSpec, StsEndpoint};
use crate::programs::credential_source::{self, CredentialProcessError, ProcessCredentials};
use crate::session::cache::{CacheKey, SessionCache};
use crate::session::sts::{
    reply_problem, AssumeRoleRequest, FederationTokenRequest, RoleAssumer, SessionTokenRequest, StsCredentials,
};
use crate::session::{Session, SessionKind};
use crate::sso::{SignInFlow, SignInUi, Sso};
use std::sync::Arc;
use time::Duration;

/// AWS caps a role session assumed with temporary credentials (role chaining, and Rolebar's
/// one-code-for-many-roles path through GetSessionToken) at one hour.
pub const CHAINED_ROLE_MAX: Duration = Duration::hours(1);

/// How long keys a `credential_process` printed without `Expiration` are handed out for before
/// the command is run again (its callers then ask again, as they would for a session).
pub const PROCESS_KEYS_HANDED_OUT_FOR: Duration = Duration::hours(1);

#[derive(Debug, Clone)]
pub struct VaultOptions {
    /// GetSessionToken duration (aws-vault's default: 8 hours).
    pub session_token_duration: Duration,
    /// Overrides `duration_seconds` for roles when set.
    pub role_duration: Option<Duration>,
    /// How often a rejected MFA code is asked again before giving up.
    pub mfa_attempts: u32,
    /// How long a profile's `credential_process` may run.
    pub credential_process_timeout: std::time::Duration,
}

impl Default for VaultOptions {
    fn default() -> Self {
        VaultOptions {
            session_token_duration: SESSION_TOKEN_DEFAULT_DURATION,
            role_duration: None,
            mfa_attempts: 3,
            credential_process_timeout: credential_source::TIMEOUT,
        }
    }
}

#[derive(Debug)]
pub struct Vault {
    keys: KeyStore,
    cache: SessionCache,
    sts: Arc<dyn RoleAssumer>,
    clock: Arc<dyn Clock>,
    options: VaultOptions,
    /// One request at a time: two roles sharing a device then ask for one code, not two.
    busy: tokio::sync::Mutex<()>,
    /// IAM Identity Center, for SSO profiles: why it cannot be reached when it cannot.
    sso: std::result::Result<SsoAccess, (ErrorCode, String)>,
}

/// How the vault reaches IAM Identity Center, and how the front end signs in when it must.
#[derive(Debug, Clone)]
pub struct SsoAccess {
    pub sso: Arc<Sso>,
    /// Opens the browser (or shows a device code) for a sign-in; none: a sign-in that is needed
    /// is an error saying to run `rolebar login-sso`.
    pub ui: Option<Arc<dyn SignInUi>>,
    pub flow: SignInFlow,
}

/// Where source credentials came from, which decides the role's MFA and duration cap.
struct SourceCredentials {
    credentials: Credentials,
    /// Temporary credentials (role chaining or a GetSessionToken session): the 1-hour cap applies.
    temporary: bool,
    /// The device the source session was made with.
    mfa_serial: Option<String>,
}

impl Vault {
    pub fn new(keys: KeyStore, cache: SessionCache, sts: Arc<dyn RoleAssumer>, clock: Arc<dyn Clock>) -> Self {
        Vault {
            keys,
            cache,
            sts,
            clock,
            options: VaultOptions::default(),
            busy: tokio::sync::Mutex::new(()),
            sso: Err((
                ErrorCode::UnsupportedProfile,
                "IAM Identity Center is not set up in this program".into(),
            )),
        }
    }

    pub fn with_sso(mut self, access: SsoAccess) -> Self {
        self.sso = Ok(access);
        self
    }

    /// IAM Identity Center could not be set up (`error`): SSO profiles fail with its message,
    /// everything else works.
    pub fn without_sso(mut self, error: &Error) -> Self {
        self.sso = Err((error.error_code(), error.to_string()));
        self
    }

    /// IAM Identity Center as this vault reaches it.
    pub fn sso_access(&self) -> Result<&SsoAccess> {
        self.sso.as_ref().map_err(|(code, message)| Error::SsoUnavailable {
            code: *code,
            message: message.clone(),
        })
    }

    /// How a needed sign-in is shown (none: it is an error saying to run `rolebar login-sso`).
    pub fn set_sign_in_ui(&mut self, ui: Option<Arc<dyn SignInUi>>, flow: SignInFlow) {
        if let Ok(access) = &mut self.sso {
            access.ui = ui;
            access.flow = flow;
        }
    }

    pub fn with_options(mut self, options: VaultOptions) -> Self {
        self.options = options;
        self
    }

    pub fn keys(&self) -> &KeyStore {
        &self.keys
    }

    pub fn cache(&self) -> &SessionCache {
        &self.cache
    }

    /// A fresh cached session for `profile` if there is one: no STS call, no prompt.
    pub fn cached_session(&self, profile: &ResolvedProfile) -> Result<Option<Session>> {
        self.cached_session_with(profile, self.cache.window())
    }

    /// [`cached_session`](Self::cached_session) with more than `min_left` left (at least the
    /// cache's window). Takes no lock: it answers while another request waits for a code.
    pub fn cached_session_with(&self, profile: &ResolvedProfile, min_left: Duration) -> Result<Option<Session>> {
        // Temporary keys in the files serve as they are: never a session made from them.
        if let CredentialSource::Keys(keys) | CredentialSource::SessionToken { keys, .. } = &profile.source {
            if self.temporary_file_keys(keys)?.is_some() {
                return self.temporary_keys_session(profile, keys).map(Some);
            }
        }
        let Some(key) = top_cache_key(profile) else {
            return Ok(None);
        };
        let window = min_left.max(self.cache.window());
        Ok(self
            .cache
            .get_any(&key)?
            .filter(|s| s.is_fresh(self.clock.now(), window))
            .filter(|s| matches_profile(s, profile))
            .map(|s| with_region(s, profile)))
    }

    /// A session for `profile`, asking `prompt` for an MFA code only when no cached session serves.
    pub async fn session(&self, profile: &ResolvedProfile, prompt: &dyn MfaPrompt) -> Result<Session> {
        self.session_with(profile, prompt, self.cache.window()).await
    }

    /// [`session`](Self::session) handing out only a session with more than `min_left` left
    /// (at least the cache's window): a caller such as a `credential_process` client, which
    /// renews at 15 minutes, gets a new one rather than one it would refuse.
    pub async fn session_with(
        &self,
        profile: &ResolvedProfile,
        prompt: &dyn MfaPrompt,
        min_left: Duration,
    ) -> Result<Session> {
        let window = min_left.max(self.cache.window());
        // A sign-in to IAM Identity Center may wait minutes for the browser: it is made before
        // taking the vault's turn, so requests for other profiles (an MFA dialog, a cached
        // session) are not held behind it. The sign-in has its own one-at-a-time rule.
        if let Some((root, role)) = profile.sso_root() {
            let served = self.cached_session_with(profile, window)?.is_some()
                || self.fresh_sso_session(root, role, window)?.is_some();
            if !served {
                let access = self.sso_access()?;
                access
                    .sso
                    .access_token(&role.session, access.ui.as_deref(), access.flow)
                    .await?;
            }
        }
        let _one_at_a_time = self.busy.lock().await;
        // A code asked for a source profile's device is still asked on behalf of the profile the
        // user chose: the prompt names that one.
        let prompt = &AskedFor {
            inner: prompt,
            profile: &profile.name,
        };
        let session = match &profile.source {
            CredentialSource::Unsupported { what, reason } => {
                return Err(Error::UnsupportedProfile {
                    profile: profile.name.clone(),
                    what,
                    reason: reason.clone(),
                })
            }
            // Temporary keys in the files are handed out as they are, as the AWS CLI does:
            // GetSessionToken takes only an IAM user's long-term keys (AWS refuses session
            // credentials), and the session they belong to needs no second MFA code.
            CredentialSource::Keys(keys) | CredentialSource::SessionToken { keys, .. }
                if self.temporary_file_keys(keys)?.is_some() =>
            {
                self.temporary_keys_session(profile, keys)?
            }
            CredentialSource::Keys(keys) => self.session_token(profile, keys, None, prompt, window).await?,
            CredentialSource::SessionToken { keys, mfa_serial } => {
                self.session_token(profile, keys, Some(mfa_serial), prompt, window)
                    .await?
            }
            CredentialSource::Role(role) => self.role_session(profile, role, prompt, window).await?,
            CredentialSource::Sso(role) => self.sso_session(profile, role, window).await?,
            CredentialSource::Process(process) => self.process_session(profile, process, prompt, window).await?,
        };
        Ok(with_region(session, profile))
    }

    /// GetFederationToken with the long-term keys of `keys`, for a console sign-in of `asked`
    /// (a profile with keys and no role). The call takes no MFA code, so none is asked. The
    /// reply is not cached: a federated user's session serves only the console (see `console`).
    pub async fn federation_token(
        &self,
        asked: &ResolvedProfile,
        keys: &KeySource,
        name: &str,
        policy: &str,
        duration: Duration,
    ) -> Result<StsCredentials> {
        let credentials = self.long_term_keys(keys)?;
        let reply = self
            .sts
            .get_federation_token(FederationTokenRequest {
                profile: &asked.name,
                credentials: &credentials,
                endpoint: &asked.sts,
                name,
                policy,
                duration,
            })
            .await?;
        match reply_problem(&reply, self.clock.now(), duration) {
            None => Ok(reply),
            Some(detail) => {
                tracing::warn!(profile = %asked.name, %detail, "refusing a GetFederationToken reply");
                Err(Error::IncompleteReply {
                    profile: asked.name.clone(),
                    endpoint: asked.sts.url(),
                    detail,
                })
            }
        }
    }

    fn long_term_keys(&self, keys: &KeySource) -> Result<Credentials> {
        if let Some(stored) = self.keys.get(&keys.profile)? {
            return Ok(stored);
        }
        keys.file_keys
            .as_ref()
            .map(|f| f.credentials.clone())
            .ok_or_else(|| Error::NoKeys {
                profile: keys.profile.clone(),
                credentials: keys.credentials_path.clone(),
            })
    }

    /// The keys written in the files for `keys.profile` when they are temporary (they carry
    /// `aws_session_token`) and the keyring holds none for it (keyring keys win, as for any
    /// profile). The keyring is asked only when its index lists the profile.
    fn temporary_file_keys<'k>(&self, keys: &'k KeySource) -> Result<Option<&'k Credentials>> {
        let Some(file) = keys
            .file_keys
            .as_ref()
            .filter(|f| f.credentials.session_token.is_some())
        else {
            return Ok(None);
        };
        if self.stored_keys(&keys.profile)?.is_some() {
            return Ok(None);
        }
        Ok(Some(&file.credentials))
    }

    /// Temporary keys from the files as a session, without calling AWS: their end is unknown
    /// (the files do not say), so they are handed out for [`PROCESS_KEYS_HANDED_OUT_FOR`], after
    /// which callers ask again and the files are read again. Never cached: the files are the cache.
    fn temporary_keys_session(&self, asked: &ResolvedProfile, keys: &KeySource) -> Result<Session> {
        let credentials = self.temporary_file_keys(keys)?.cloned().ok_or_else(|| Error::NoKeys {
            profile: keys.profile.clone(),
            credentials: keys.credentials_path.clone(),
        })?;
        tracing::info!(profile = %asked.name, key_profile = %keys.profile, "temporary keys from the files, handed out as they are");
        Ok(Session {
            profile: asked.name.clone(),
            // Credentials made outside Rolebar and used as they are, like a credential_process's.
            kind: SessionKind::CredentialProcess,
            credentials,
            expires_at: self.clock.now() + PROCESS_KEYS_HANDED_OUT_FOR,
            // Their real length is unknown: the caller's own margin applies as it is.
            issued_at: None,
            mfa_serial: None,
            role_arn: None,
            region: asked.region.clone(),
        })
    }

    /// A `credential_process` profile's session: from Rolebar's keyring keys for the profile
    /// when it holds some (as for any profile with keys), else what the command prints, used as
    /// it is and never cached (the AWS CLI runs the command again too).
    async fn process_session(
        &self,
        asked: &ResolvedProfile,
        process: &ProcessSource,
        prompt: &dyn MfaPrompt,
        window: Duration,
    ) -> Result<Session> {
        if self.stored_keys(&process.keys.profile)?.is_some() {
            return self.session_token(asked, &process.keys, None, prompt, window).await;
        }
        let printed = self.run_credential_process(process).await?;
        Ok(Session {
            profile: asked.name.clone(),
            kind: SessionKind::CredentialProcess,
            credentials: printed.credentials,
            expires_at: printed
                .expires_at
                .unwrap_or_else(|| self.clock.now() + PROCESS_KEYS_HANDED_OUT_FOR),
            issued_at: None,
            mfa_serial: None,
            role_arn: None,
            region: asked.region.clone(),
        })
    }

    /// Keys Rolebar stored for `profile`, the keyring asked only when its index lists some: a
    /// `credential_process` profile then works where there is no keyring (a server, a container).
    fn stored_keys(&self, profile: &str) -> Result<Option<Credentials>> {
        if !self.keys.list().contains_key(profile) {
            return Ok(None);
        }
        self.keys.get(profile)
    }

    /// Runs the profile's `credential_process`, unless it would only ask Rolebar for this very
    /// profile again (its keyring has no keys for it: the caller checked).
    async fn run_credential_process(&self, process: &ProcessSource) -> Result<ProcessCredentials> {
        let profile = &process.keys.profile;
        if process.command.calls_rolebar_for(profile) {
            return Err(CredentialProcessError::CallsItself {
                profile: profile.clone(),
                path: process.command.path.clone(),
                line: process.command.line,
            }
            .into());
        }
        Ok(credential_source::run(
            profile,
            &process.command,
            self.options.credential_process_timeout,
            self.clock.now(),
        )
        .await?)
    }

    /// GetSessionToken for the keys of `keys.profile`, with `mfa_serial` when given; cached per
    /// key profile and device.
    async fn session_token(
        &self,
        asked: &ResolvedProfile,
        keys: &KeySource,
        mfa_serial: Option<&String>,
        prompt: &dyn MfaPrompt,
        window: Duration,
    ) -> Result<Session> {
        let key = CacheKey::SessionToken {
            profile: keys.profile.clone(),
            mfa_serial: mfa_serial.cloned(),
        };
        let previous = self.cache.get_any(&key)?;
        if let Some(s) = &previous {
            if s.is_fresh(self.clock.now(), window) {
                return Ok(s.clone());
            }
        }
        let credentials = self.long_term_keys(keys)?;
        let reason = if previous.is_some() {
            MfaReason::SessionExpired
        } else {
            MfaReason::NoSession
        };
        let endpoint = &asked.sts;
        let duration = self.options.session_token_duration;
        let sts = self
            .with_mfa(
                &asked.name,
                mfa_serial.map(String::as_str),
                reason,
                prompt,
                StsCall::SessionToken(SessionTokenRequest {
                    profile: &keys.profile,
                    credentials: &credentials,
                    endpoint,
                    mfa: None,
                    duration,
                }),
            )
            .await?;
        let session = Session {
            profile: keys.profile.clone(),
            kind: SessionKind::GetSessionToken,
            credentials: sts.credentials,
            expires_at: sts.expires_at,
            issued_at: Some(self.clock.now()),
            mfa_serial: mfa_serial.cloned(),
            role_arn: None,
            region: asked.region.clone(),
        };
        self.cache.put(&key, &session)?;
        Ok(session)
    }

    fn role_session<'a>(
        &'a self,
        profile: &'a ResolvedProfile,
        role: &'a RoleSpec,
        prompt: &'a dyn MfaPrompt,
        window: Duration,
    ) -> futures_like::BoxFuture<'a, Result<Session>> {
        Box::pin(async move {
            let key = CacheKey::Role {
                profile: profile.name.clone(),
            };
            let previous = self.cache.get_any(&key)?.filter(|s| matches_profile(s, profile));
            if let Some(s) = &previous {
                if s.is_fresh(self.clock.now(), window) {
                    return Ok(s.clone());
                }
            }
            let mut reason = if previous.is_some() {
                MfaReason::SessionExpired
            } else {
                MfaReason::NoSession
            };
            let mut role_mfa = role.mfa_serial.clone();
            let source = match &role.source.source {
                // Temporary keys assume the role themselves (no GetSessionToken first), with
                // the role's own MFA device if it has one; AWS caps the role at an hour.
                CredentialSource::Keys(keys) | CredentialSource::SessionToken { keys, .. }
                    if self.temporary_file_keys(keys)?.is_some() =>
                {
                    SourceCredentials {
                        credentials: self.temporary_keys_session(&role.source, keys)?.credentials,
                        temporary: true,
                        mfa_serial: None,
                    }
                }
                CredentialSource::Keys(keys) => SourceCredentials {
                    credentials: self.long_term_keys(keys)?,
                    temporary: false,
                    mfa_serial: None,
                },
                CredentialSource::SessionToken { keys, mfa_serial } => {
                    if role.mfa_serial.as_ref() == Some(mfa_serial) {
                        // Same device: one GetSessionToken with MFA serves every role using it.
                        let base = self
                            .session_token(&role.source, keys, Some(mfa_serial), prompt, window)
                            .await?;
                        role_mfa = None;
                        SourceCredentials {
                            credentials: base.credentials,
                            temporary: true,
                            mfa_serial: base.mfa_serial,
                        }
                    } else if role.mfa_serial.is_some() {
                        reason = MfaReason::DifferentDevice;
                        SourceCredentials {
                            credentials: self.long_term_keys(keys)?,
                            temporary: false,
                            mfa_serial: None,
                        }
                    } else {
                        // The role needs no MFA: use the device's session if one is cached, else the keys.
                        let cached = self.cache.get(&CacheKey::SessionToken {
                            profile: keys.profile.clone(),
                            mfa_serial: Some(mfa_serial.clone()),
                        })?;
                        match cached {
                            Some(base) => SourceCredentials {
                                credentials: base.credentials,
                                temporary: true,
                                mfa_serial: base.mfa_serial,
                            },
                            None => SourceCredentials {
                                credentials: self.long_term_keys(keys)?,
                                temporary: false,
                                mfa_serial: None,
                            },
                        }
                    }
                }
                CredentialSource::Role(source_role) => {
                    let base = self.role_session(&role.source, source_role, prompt, window).await?;
                    SourceCredentials {
                        credentials: base.credentials,
                        temporary: true,
                        mfa_serial: base.mfa_serial,
                    }
                }
                CredentialSource::Process(process) => match self.stored_keys(&process.keys.profile)? {
                    Some(stored) => SourceCredentials {
                        credentials: stored,
                        temporary: false,
                        mfa_serial: None,
                    },
                    None => {
                        let printed = self.run_credential_process(process).await?;
                        SourceCredentials {
                            // AWS caps a role assumed with temporary credentials, whoever made them.
                            temporary: printed.expires_at.is_some() || printed.credentials.session_token.is_some(),
                            credentials: printed.credentials,
                            mfa_serial: None,
                        }
                    }
                },
                CredentialSource::Sso(sso_role) => {
                    let base = self.sso_session(&role.source, sso_role, window).await?;
                    SourceCredentials {
                        credentials: base.credentials,
                        temporary: true,
                        mfa_serial: None,
                    }
                }
                CredentialSource::Unsupported { what, reason } => {
                    return Err(Error::UnsupportedProfile {
                        profile: role.source.name.clone(),
                        what,
                        reason: reason.clone(),
                    })
                }
            };
            if let Some(device) = &role_mfa {
                if source.mfa_serial.as_ref() == Some(device) {
                    // The session making the call was itself made with this device's code, so
                    // AWS already sees `aws:MultiFactorAuthPresent` (and its age) on this
                    // AssumeRole: a second code would add nothing (aws-vault's chained MFA).
                    role_mfa = None;
                } else if source.temporary && reason != MfaReason::DifferentDevice {
                    // A session from a role (or a device session) carrying no MFA, or another
                    // device's: AWS needs this code again, and the prompt says why.
                    reason = match &source.mfa_serial {
                        None => MfaReason::SourceWithoutMfa,
                        Some(_) => MfaReason::DifferentDevice,
                    };
                }
            }
            let mut duration = self
                .options
                .role_duration
                .or(role.duration)
                .unwrap_or(ROLE_DEFAULT_DURATION);
            if source.temporary && duration > CHAINED_ROLE_MAX {
                tracing::info!(profile = %profile.name, "role session capped at 1 hour: assumed from temporary credentials");
                duration = CHAINED_ROLE_MAX;
            }
            let session_name = role
                .role_session_name
                .clone()
                .unwrap_or_else(|| default_session_name(self.clock.now()));
            let key_profile = key_profile_name(&role.source);
            let endpoint: &StsEndpoint = &profile.sts;
            let sts = self
                .with_mfa(
                    &profile.name,
                    role_mfa.as_deref(),
                    reason,
                    prompt,
                    StsCall::AssumeRole(AssumeRoleRequest {
                        profile: &profile.name,
                        key_profile: &key_profile,
                        credentials: &source.credentials,
                        endpoint,
                        role_arn: &role.role_arn,
                        session_name: &session_name,
                        external_id: role.external_id.as_deref(),
                        mfa: None,
                        duration,
                    }),
                )
                .await?;
            let session = Session {
                profile: profile.name.clone(),
                kind: SessionKind::AssumeRole,
                credentials: sts.credentials,
                expires_at: sts.expires_at,
                issued_at: Some(self.clock.now()),
                mfa_serial: role_mfa.or(source.mfa_serial),
                role_arn: Some(role.role_arn.clone()),
                region: profile.region.clone(),
            };
            self.cache.put(&key, &session)?;
            Ok(session)
        })
    }

    /// An SSO role's credentials: from the cache when fresh, else GetRoleCredentials with the
    /// sign-in's token (refreshed when it can be; a sign-in through the front end's
    /// [`SignInUi`] is made before the vault's turn is taken, in `session_with`).
    async fn sso_session(&self, profile: &ResolvedProfile, role: &SsoRoleSpec, window: Duration) -> Result<Session> {
        if let Some(s) = self.fresh_sso_session(profile, role, window)? {
            return Ok(s);
        }
        let key = CacheKey::Sso {
            profile: profile.name.clone(),
        };
        let role_arn = role.role_arn();
        let access = self.sso_access()?;
        // No browser from here, where every other request waits for its turn.
        let token = access.sso.access_token(&role.session, None, access.flow).await?;
        let reply = access.sso.role_credentials(role, &token).await?;
        let session = Session {
            profile: profile.name.clone(),
            kind: SessionKind::SsoRole,
            credentials: reply.credentials,
            expires_at: reply.expires_at,
            issued_at: Some(self.clock.now()),
            mfa_serial: None,
            role_arn: Some(role_arn),
            region: profile.region.clone(),
        };
        self.cache.put(&key, &session)?;
        Ok(session)
    }

    /// The SSO profile's cached role session, if it is for this role and has more than `window`.
    fn fresh_sso_session(
        &self,
        profile: &ResolvedProfile,
        role: &SsoRoleSpec,
        window: Duration,
    ) -> Result<Option<Session>> {
        let key = CacheKey::Sso {
            profile: profile.name.clone(),
        };
        let role_arn = role.role_arn();
        Ok(self
            .cache
            .get_any(&key)?
            .filter(|s| s.role_arn.as_deref() == Some(&role_arn) && s.is_fresh(self.clock.now(), window)))
    }

    /// Calls STS, first asking for a code when `mfa_serial` is set, and again (up to
    /// `mfa_attempts`) when AWS rejects it. A reply that is not a whole, live session is an
    /// error. Nothing is cached by a failed call.
    async fn with_mfa(
        &self,
        profile: &str,
        mfa_serial: Option<&str>,
        mut reason: MfaReason,
        prompt: &dyn MfaPrompt,
        call: StsCall<'_>,
    ) -> Result<StsCredentials> {
        let Some(serial) = mfa_serial else {
            let reply = call.send(self.sts.as_ref(), None).await?;
            return self.checked(&call, reply);
        };
        let mut attempt = 1;
        loop {
            let request = MfaRequest {
                profile: profile.to_string(),
                mfa_serial: serial.to_string(),
                reason,
                attempt,
            };
            let code = prompt.code(&request).await?;
            match call.send(self.sts.as_ref(), Some((serial, &code))).await {
                Err(Error::MfaRejected { .. }) if attempt < self.options.mfa_attempts => {
                    tracing::info!(profile, attempt, "MFA code rejected; asking again");
                    attempt += 1;
                    reason = MfaReason::Rejected;
                }
                Ok(reply) => return self.checked(&call, reply),
                Err(e) => return Err(e),
            }
        }
    }

    /// The reply, if it can serve as a session now (checked here, where the clock is, so every
    /// `RoleAssumer` is held to it).
    fn checked(&self, call: &StsCall<'_>, reply: StsCredentials) -> Result<StsCredentials> {
        let (profile, endpoint, asked) = match call {
            StsCall::AssumeRole(r) => (r.profile, r.endpoint, r.duration),
            StsCall::SessionToken(r) => (r.profile, r.endpoint, r.duration),
        };
        match reply_problem(&reply, self.clock.now(), asked) {
            None => Ok(reply),
            Some(detail) => {
                tracing::warn!(profile, %detail, "refusing an STS reply");
                Err(Error::IncompleteReply {
                    profile: profile.to_string(),
                    endpoint: endpoint.url(),
                    detail,
                })
            }
        }
    }
}

/// An STS request waiting for its MFA code.
enum StsCall<'a> {
    AssumeRole(AssumeRoleRequest<'a>),
    SessionToken(SessionTokenRequest<'a>),
}

impl StsCall<'_> {
    async fn send(&self, sts: &dyn RoleAssumer, mfa: Option<(&str, &MfaCode)>) -> Result<StsCredentials> {
        match self {
            StsCall::AssumeRole(r) => {
                let mut r = r.clone();
                r.mfa = mfa;
                sts.assume_role(r).await
            }
            StsCall::SessionToken(r) => {
                let mut r = r.clone();
                r.mfa = mfa;
                sts.get_session_token(r).await
            }
        }
    }
}

/// Names the profile the user asked for in every MFA request of one `session` call.
struct AskedFor<'a> {
    inner: &'a dyn MfaPrompt,
    profile: &'a str,
}

#[async_trait::async_trait]
impl MfaPrompt for AskedFor<'_> {
    async fn code(&self, request: &MfaRequest) -> Result<MfaCode> {
        let mut request = request.clone();
        request.profile = self.profile.to_string();
        self.inner.code(&request).await
    }
}

/// The profile whose long-term keys are at the root of a chain.
fn key_profile_name(profile: &ResolvedProfile) -> String {
    match &profile.source {
        CredentialSource::Keys(k) | CredentialSource::SessionToken { keys: k, .. } => k.profile.clone(),
        CredentialSource::Process(p) => p.keys.profile.clone(),
        CredentialSource::Role(r) => key_profile_name(&r.source),
        CredentialSource::Sso(_) | CredentialSource::Unsupported { .. } => profile.name.clone(),
    }
}

/// aws-vault names role sessions after the time in nanoseconds; so do we, prefixed so CloudTrail
/// readers see the tool.
fn default_session_name(now: time::OffsetDateTime) -> String {
    format!("rolebar-{}", now.unix_timestamp_nanos())
}

fn top_cache_key(profile: &ResolvedProfile) -> Option<CacheKey> {
    match &profile.source {
        CredentialSource::Role(_) => Some(CacheKey::Role {
            profile: profile.name.clone(),
        }),
        CredentialSource::SessionToken { keys, mfa_serial } => Some(CacheKey::SessionToken {
            profile: keys.profile.clone(),
            mfa_serial: Some(mfa_serial.clone()),
        }),
        CredentialSource::Keys(keys) => Some(CacheKey::SessionToken {
            profile: keys.profile.clone(),
            mfa_serial: None,
        }),
        CredentialSource::Sso(_) => Some(CacheKey::Sso {
            profile: profile.name.clone(),
        }),
        // Never cached when the command serves; a session from the keyring's keys is found
        // by `session`, which checks the keyring first.
        CredentialSource::Process(_) | CredentialSource::Unsupported { .. } => None,
    }
}

/// A cached role session still serves only if the config still asks for the same role.
fn matches_profile(session: &Session, profile: &ResolvedProfile) -> bool {
    match &profile.source {
        CredentialSource::Role(role) => session.role_arn.as_deref() == Some(role.role_arn.as_str()),
        CredentialSource::Sso(role) => session.role_arn.as_deref() == Some(role.role_arn().as_str()),
        _ => true,
    }
}

fn with_region(mut session: Session, profile: &ResolvedProfile) -> Session {
    session.region = profile.region.clone();
    session
}

/// A boxed future for the recursive role chain (no extra crate for one type alias).
mod futures_like {
    pub type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;
}

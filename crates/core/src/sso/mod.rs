//! IAM Identity Center (SSO): the sign-in, its token cache shared with the AWS CLI, and the
//! portal that turns the sign-in into role credentials.
//!
//! - [`Sso::access_token`] is what credential resolution calls: the cached token while it is
//!   good; a refresh with the refresh token within 15 minutes of its end (botocore's window, and
//!   like botocore only for `[sso-session]` sign-ins); a browser sign-in when a [`SignInUi`] is
//!   given; else [`SsoError::SignInRequired`]. One sign-in at a time per session in the process:
//!   callers that waited use the token the first one got (20 terminals, one browser tab).
//! - [`Sso::sign_in`] always signs in anew: PKCE through the browser and a loopback redirect
//!   (the AWS CLI's default since 2.22), or the device code ([`SignInFlow::DeviceCode`]).
//! - [`Sso::role_credentials`], [`Sso::accounts`], [`Sso::account_roles`]: the portal. A 401 is
//!   [`SsoError::TokenRejected`], and the cached token is marked expired so it is not used again.
//! - [`Sso::sign_out`]: Logout (best effort, bounded) and the cache file removed.
//!
//! Every network call is bounded ([`SsoOptions`]); the sign-in waits for the user at most
//! [`SsoOptions::sign_in_timeout`].

mod cache;
mod endpoints;
pub(crate) mod error;
pub(crate) mod loopback;
mod oidc;
mod pkce;
mod portal;
mod sdk;
mod ui;

pub use cache::{cache_key, default_cache_dir, parse_timestamp};
/// A token file's bytes read and written as this module does (for tests of every input).
pub use cache::{parse as parse_token_file, serialize as serialize_token_file};
pub use endpoints::SsoEndpoints;
pub use error::{SsoError, SsoService};
pub use portal::SsoAccount;
pub use sdk::SsoOptions;
pub use ui::{BrowserSignInUi, SignInPrompt, SignInUi};

use crate::clock::Clock;
use crate::error::Result;
use crate::profile::sso::{SsoRoleSpec, SsoSessionConfig};
use crate::session::sts::StsCredentials;
use crate::Secret;
use cache::{CachedToken, Lookup, Registration, TokenCache};
use loopback::{Callback, Loopback};
use oidc::{Grant, Oidc, TokenFailure};
use portal::{Portal, PortalFailure};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use time::{Duration, OffsetDateTime};

/// A token with less than this left is refreshed when it can be (botocore's window).
pub const REFRESH_WINDOW: Duration = Duration::minutes(15);
/// A token with less than this left is not handed out: the call it is for could outlive it.
pub const USABLE_MARGIN: Duration = Duration::minutes(1);
/// The scope a token needs for the portal, and the AWS CLI's default for a browser sign-in.
pub const DEFAULT_SCOPE: &str = "sso:account:access";
/// The longest role session Identity Center hands out (a permission set's maximum): a reply
/// beyond it is not a real one.
const MAX_ROLE_SESSION: Duration = Duration::hours(12);
/// The device flow's back-off when told to slow down (RFC 8628 3.5).
const SLOW_DOWN_STEP: std::time::Duration = std::time::Duration::from_secs(5);

/// How an interactive sign-in proceeds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SignInFlow {
    /// The browser on this machine, PKCE and a loopback redirect.
    #[default]
    Pkce,
    /// A code the user enters on any device (`--use-device-code`, hosts without a browser).
    DeviceCode,
}

/// What the cache says about a sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInState {
    /// The sign-in's name (`sso-session`, or the legacy form's start URL).
    pub session: String,
    /// When the access token ends.
    pub expires_at: OffsetDateTime,
    /// Whether Rolebar can renew it without the user: a refresh token, an unexpired client
    /// registration, and the sso-session form.
    pub can_refresh: bool,
    /// When the client registration ends (no refresh after it), when known.
    pub registration_expires_at: Option<OffsetDateTime>,
}

/// A sign-in's access token, for the portal. `Debug` shows no token.
#[derive(Debug, Clone)]
pub struct AccessToken {
    session: SsoSessionConfig,
    token: Secret,
    expires_at: OffsetDateTime,
}

impl AccessToken {
    pub fn session(&self) -> &SsoSessionConfig {
        &self.session
    }

    pub fn expires_at(&self) -> OffsetDateTime {
        self.expires_at
    }

    /// The token itself: only to hand to IAM Identity Center.
    pub fn expose(&self) -> &str {
        self.token.expose()
    }
}

/// The command that signs in to `session`, for messages.
pub fn login_command(session: &SsoSessionConfig) -> String {
    match &session.name {
        Some(name) => format!("`rolebar login-sso {name}`"),
        None => format!(
            "`rolebar login-sso PROFILE` (a profile whose sso_start_url is {})",
            session.start_url
        ),
    }
}

/// What to do with a cached token at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    Use,
    /// Refresh it; `usable`: the old token may still serve if the refresh cannot be made.
    Refresh {
        usable: bool,
    },
    SignIn,
}

fn can_refresh(token: &CachedToken, session: &SsoSessionConfig, now: OffsetDateTime) -> bool {
    session.name.is_some()
        && token.refresh_token.is_some()
        && token.registration.as_ref().is_some_and(|r| r.expires_at > now)
}

pub(crate) fn decide(token: &CachedToken, session: &SsoSessionConfig, now: OffsetDateTime) -> Decision {
    let left = token.expires_at - now;
    if left >= REFRESH_WINDOW {
        Decision::Use
    } else if can_refresh(token, session, now) {
        Decision::Refresh {
            usable: left > USABLE_MARGIN,
        }
    } else if left > USABLE_MARGIN {
        Decision::Use
    } else {
        Decision::SignIn
    }
}

/// Why a refresh gave no token.
enum RefreshFailure {
    /// The refresh token or registration is no longer good: only a sign-in helps.
    Rejected,
    Other(crate::Error),
}

/// The loopback's waiter, stopped with the sign-in (an error, or a caller that gave up and
/// dropped it): the port closes, so a browser finishing later is not told "signed in" for a
/// code nobody will exchange.
struct StopOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for StopOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The grant types a client registers for a sign-in with `grant`: the refresh grant too for the
/// sso-session form (the legacy form is never renewed, as in the AWS CLI).
fn grants_for(grant: &'static str, session: &SsoSessionConfig) -> Vec<&'static str> {
    let mut grants = vec![grant];
    if session.name.is_some() {
        grants.push(oidc::GRANT_REFRESH_TOKEN);
    }
    grants
}

fn state_of(session: &SsoSessionConfig, token: &CachedToken, now: OffsetDateTime) -> SignInState {
    SignInState {
        session: session.display_name().to_string(),
        expires_at: token.expires_at,
        can_refresh: can_refresh(token, session, now),
        registration_expires_at: token.registration.as_ref().map(|r| r.expires_at),
    }
}

/// IAM Identity Center for one user: the token cache, the endpoints, the clock.
#[derive(Debug)]
pub struct Sso {
    cache: TokenCache,
    endpoints: SsoEndpoints,
    clock: Arc<dyn Clock>,
    options: SsoOptions,
    /// One async lock per cache file: sign-ins and refreshes of a session take turns.
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Refresh tokens AWS refused (SHA-256 of each): not sent again, so a token's last minutes
    /// cost no refused call per request.
    refused: Mutex<std::collections::HashSet<[u8; 32]>>,
}

impl Sso {
    /// With the token cache in `cache_dir` (the AWS CLI's is [`default_cache_dir`] of HOME).
    pub fn new(cache_dir: impl Into<PathBuf>, endpoints: SsoEndpoints, clock: Arc<dyn Clock>) -> Sso {
        Sso {
            cache: TokenCache::new(cache_dir),
            endpoints,
            clock,
            options: SsoOptions::default(),
            locks: Mutex::default(),
            refused: Mutex::default(),
        }
    }

    /// The AWS CLI's cache under HOME; each sign-in is reached where its profile's
    /// configuration (environment and files) says.
    pub fn from_env(clock: Arc<dyn Clock>) -> Result<Sso> {
        let cache = TokenCache::from_home()?;
        Ok(Sso::new(cache.dir(), SsoEndpoints::aws(), clock))
    }

    pub fn with_options(mut self, options: SsoOptions) -> Sso {
        self.options = options;
        self
    }

    /// The cache file of `session`.
    pub fn cache_path(&self, session: &SsoSessionConfig) -> PathBuf {
        self.cache.path(session)
    }

    fn lock_for(&self, session: &SsoSessionConfig) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.locks.lock().unwrap_or_else(|p| p.into_inner());
        locks.entry(cache_key(session)).or_default().clone()
    }

    fn oidc(&self, session: &SsoSessionConfig) -> Result<Oidc> {
        Ok(Oidc::new(
            self.endpoints.oidc_url(session)?,
            &session.region,
            &self.options,
        ))
    }

    fn portal(&self, session: &SsoSessionConfig) -> Result<Portal> {
        Ok(Portal::new(
            self.endpoints.portal_url(session)?,
            &session.region,
            &self.options,
        ))
    }

    /// The sign-in as the cache has it (no network); `None` when not signed in.
    pub fn state(&self, session: &SsoSessionConfig) -> Result<Option<SignInState>> {
        let now = self.clock.now();
        Ok(self.cache.load(session)?.map(|token| state_of(session, &token, now)))
    }

    /// Renews the sign-in's token now with its refresh token, whatever time it has left (the
    /// tray does this before the token ends, so the user hears of an ended sign-in in time):
    /// `None` when there is nothing to renew it with, or AWS refused (the sign-in has ended).
    pub async fn renew(&self, session: &SsoSessionConfig) -> Result<Option<SignInState>> {
        let lock = self.lock_for(session);
        let _turn = lock.lock().await;
        let Some(token) = self.cache.load(session)? else {
            return Ok(None);
        };
        if !can_refresh(&token, session, self.clock.now()) {
            return Ok(None);
        }
        match self.refresh(session, &token).await {
            Ok(fresh) => Ok(Some(state_of(session, &fresh, self.clock.now()))),
            // Another tool may have renewed it first with the same refresh token.
            Err(RefreshFailure::Rejected) => Ok(self
                .cache
                .load(session)?
                .filter(|now_cached| now_cached.access_token.expose() != token.access_token.expose())
                .map(|now_cached| state_of(session, &now_cached, self.clock.now()))),
            Err(RefreshFailure::Other(e)) => Err(e),
        }
    }

    fn handed_out(session: &SsoSessionConfig, token: &CachedToken) -> AccessToken {
        AccessToken {
            session: session.clone(),
            token: token.access_token.clone(),
            expires_at: token.expires_at,
        }
    }

    /// A good access token for `session` (see the module doc): cached, refreshed, or from a
    /// sign-in through `ui` with `flow` when one is needed and `ui` is given.
    pub async fn access_token(
        &self,
        session: &SsoSessionConfig,
        ui: Option<&dyn SignInUi>,
        flow: SignInFlow,
    ) -> Result<AccessToken> {
        // A malformed endpoint is the first thing to fix, before "sign in" (the sign-in would
        // fail on it too): named with where it was written.
        self.endpoints.oidc_url(session)?;
        self.endpoints.portal_url(session)?;
        // Most calls find a good token: no lock for them.
        if let Some(token) = self.cache.load(session)? {
            if decide(&token, session, self.clock.now()) == Decision::Use {
                return Ok(Self::handed_out(session, &token));
            }
        }
        let lock = self.lock_for(session);
        let _turn = lock.lock().await;
        // Read again: a caller that held the lock may have refreshed or signed in meanwhile.
        if let Some(token) = self.cache.load(session)? {
            match decide(&token, session, self.clock.now()) {
                Decision::Use => return Ok(Self::handed_out(session, &token)),
                Decision::Refresh { usable } => match self.refresh(session, &token).await {
                    Ok(fresh) => return Ok(Self::handed_out(session, &fresh)),
                    Err(RefreshFailure::Rejected) => {
                        // Another tool (the AWS CLI) may have refreshed first with the same
                        // refresh token: its new token is in the file now.
                        if let Some(now_cached) = self.cache.load(session)? {
                            if now_cached.access_token.expose() != token.access_token.expose()
                                && decide(&now_cached, session, self.clock.now()) == Decision::Use
                            {
                                return Ok(Self::handed_out(session, &now_cached));
                            }
                        }
                        // The sign-in has ended at AWS, but this token still works for a while:
                        // it serves until its end (botocore's behaviour too).
                        if usable {
                            tracing::info!(
                                session = session.display_name(),
                                "the SSO sign-in can no longer be renewed; its token serves until it ends"
                            );
                            return Ok(Self::handed_out(session, &token));
                        }
                    }
                    // The old token still serves while the service cannot be reached.
                    Err(RefreshFailure::Other(e)) if usable => {
                        tracing::warn!(session = session.display_name(), error = %e, "could not refresh the SSO token; using the current one");
                        return Ok(Self::handed_out(session, &token));
                    }
                    Err(RefreshFailure::Other(e)) => return Err(e),
                },
                Decision::SignIn => {}
            }
        }
        let Some(ui) = ui else {
            return Err(SsoError::SignInRequired {
                session: session.display_name().to_string(),
                login: login_command(session),
            }
            .into());
        };
        let token = self.sign_in_locked(session, flow, ui).await?;
        Ok(Self::handed_out(session, &token))
    }

    /// CreateToken with the refresh token; the cache rewritten with the new tokens.
    async fn refresh(
        &self,
        session: &SsoSessionConfig,
        token: &CachedToken,
    ) -> std::result::Result<CachedToken, RefreshFailure> {
        let (Some(refresh), Some(registration)) = (&token.refresh_token, &token.registration) else {
            return Err(RefreshFailure::Rejected);
        };
        let fingerprint: [u8; 32] = <sha2::Sha256 as sha2::Digest>::digest(refresh.expose().as_bytes()).into();
        if self.refused_lock().contains(&fingerprint) {
            return Err(RefreshFailure::Rejected);
        }
        let now = self.clock.now();
        let oidc = self.oidc(session).map_err(RefreshFailure::Other)?;
        match oidc.create_token(registration, Grant::RefreshToken(refresh), now).await {
            Ok(reply) => {
                let fresh = CachedToken {
                    start_url: Some(session.start_url.clone()),
                    region: Some(session.region.clone()),
                    access_token: reply.access_token,
                    expires_at: reply.expires_at,
                    // The service may rotate the refresh token; when it does not, the old one
                    // stays good.
                    refresh_token: reply.refresh_token.or_else(|| token.refresh_token.clone()),
                    registration: token.registration.clone(),
                    other_fields: token.other_fields.clone(),
                };
                self.cache.save(session, &fresh).map_err(RefreshFailure::Other)?;
                tracing::info!(session = session.display_name(), expires_at = %fresh.expires_at, "refreshed the SSO token");
                Ok(fresh)
            }
            Err(TokenFailure::Other(e)) => Err(RefreshFailure::Other(e.into())),
            Err(other) => {
                tracing::info!(session = session.display_name(), why = ?other, "the SSO refresh token was refused; a sign-in is needed");
                self.refused_lock().insert(fingerprint);
                Err(RefreshFailure::Rejected)
            }
        }
    }

    fn refused_lock(&self) -> std::sync::MutexGuard<'_, std::collections::HashSet<[u8; 32]>> {
        self.refused.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A new interactive sign-in to `session`, whatever the cache holds (a corrupt cache file is
    /// replaced: the user asked for this sign-in).
    pub async fn sign_in(
        &self,
        session: &SsoSessionConfig,
        flow: SignInFlow,
        ui: &dyn SignInUi,
    ) -> Result<SignInState> {
        let before = self.cache.load(session).ok().flatten().map(|t| t.access_token);
        let lock = self.lock_for(session);
        let _turn = lock.lock().await;
        // A sign-in that finished while this one waited for its turn (a second click, or a
        // request of the agent) serves: no second browser tab.
        let now = self.clock.now();
        let finished_meanwhile = self.cache.load(session).ok().flatten().filter(|t| {
            before.as_ref().is_none_or(|b| b.expose() != t.access_token.expose())
                && decide(t, session, now) == Decision::Use
        });
        let token = match finished_meanwhile {
            Some(token) => token,
            None => self.sign_in_locked(session, flow, ui).await?,
        };
        Ok(state_of(session, &token, self.clock.now()))
    }

    async fn sign_in_locked(
        &self,
        session: &SsoSessionConfig,
        flow: SignInFlow,
        ui: &dyn SignInUi,
    ) -> Result<CachedToken> {
        // The legacy form (sso_start_url in the profile) signs in with a device code, as the AWS
        // CLI signs it in: its registration has no scopes, so no redirect-based client for it.
        let flow = match session.name {
            None => SignInFlow::DeviceCode,
            Some(_) => flow,
        };
        let previous = match self.cache.lookup(session)? {
            Lookup::Token(token) => Some(*token),
            Lookup::Missing => None,
            Lookup::Corrupt(problem) => {
                tracing::warn!(session = session.display_name(), path = %self.cache.path(session).display(), %problem, "replacing an unreadable SSO token cache file with this sign-in");
                None
            }
        };
        let oidc = self.oidc(session)?;
        let (reply, registration) = match flow {
            SignInFlow::Pkce => self.pkce_sign_in(session, &oidc, previous.as_ref(), ui).await?,
            SignInFlow::DeviceCode => self.device_sign_in(session, &oidc, previous.as_ref(), ui).await?,
        };
        let token = CachedToken {
            start_url: Some(session.start_url.clone()),
            region: Some(session.region.clone()),
            access_token: reply.access_token,
            expires_at: reply.expires_at,
            refresh_token: reply.refresh_token,
            registration: Some(registration),
            other_fields: previous.map(|p| p.other_fields).unwrap_or_default(),
        };
        self.cache.save(session, &token)?;
        tracing::info!(session = session.display_name(), ?flow, expires_at = %token.expires_at, "signed in to IAM Identity Center");
        Ok(token)
    }

    /// The scopes a sign-in registers for: the configured ones; for the sso-session form (which
    /// refreshes) or a browser sign-in, the portal's scope when none is configured, as the AWS CLI
    /// does.
    fn scopes(session: &SsoSessionConfig, flow: SignInFlow) -> Vec<String> {
        if !session.scopes.is_empty() {
            session.scopes.clone()
        } else if session.name.is_some() || flow == SignInFlow::Pkce {
            vec![DEFAULT_SCOPE.to_string()]
        } else {
            Vec::new()
        }
    }

    fn client_name(&self, session: &SsoSessionConfig) -> String {
        match &session.name {
            Some(name) => format!("rolebar-{name}"),
            None => format!("rolebar-{}", self.clock.now().unix_timestamp()),
        }
    }

    /// The previous sign-in's registration when it is good for a while yet and was made for
    /// these grants and scopes; else a new one.
    async fn registration(
        &self,
        session: &SsoSessionConfig,
        oidc: &Oidc,
        previous: Option<&CachedToken>,
        grants: &[&str],
        redirect_uri: Option<&str>,
        scopes: &[String],
    ) -> Result<Registration> {
        let now = self.clock.now();
        if let Some(reg) = previous.and_then(|p| p.registration.as_ref()) {
            let fits = reg.expires_at - now > REFRESH_WINDOW
                && reg
                    .grant_types
                    .as_ref()
                    .is_some_and(|g| grants.iter().all(|wanted| g.iter().any(|have| have == wanted)))
                && reg.scopes.as_deref() == Some(scopes);
            if fits {
                return Ok(reg.clone());
            }
        }
        let issuer = redirect_uri.map(|_| session.start_url.as_str());
        Ok(oidc
            .register(&self.client_name(session), grants, redirect_uri, issuer, scopes)
            .await?)
    }

    async fn pkce_sign_in(
        &self,
        session: &SsoSessionConfig,
        oidc: &Oidc,
        previous: Option<&CachedToken>,
        ui: &dyn SignInUi,
    ) -> Result<(oidc::TokenReply, Registration)> {
        let name = session.display_name().to_string();
        let login = login_command(session);
        let loopback = Loopback::bind()
            .await
            .map_err(|e| SsoError::Loopback { detail: e.to_string() })?;
        let redirect_uri = loopback.redirect_uri();
        let scopes = Self::scopes(session, SignInFlow::Pkce);
        let grants = grants_for(oidc::GRANT_AUTHORIZATION_CODE, session);
        let registration = self
            .registration(
                session,
                oidc,
                previous,
                &grants,
                Some(loopback::REGISTERED_REDIRECT_URI),
                &scopes,
            )
            .await?;
        let verifier = pkce::new_verifier()?;
        let state = pkce::new_state()?;
        let query: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("response_type", "code")
            .append_pair("client_id", &registration.client_id)
            .append_pair("redirect_uri", &redirect_uri)
            .append_pair("state", &state)
            .append_pair("code_challenge_method", "S256")
            .append_pair("scopes", &scopes.join(" "))
            .append_pair("code_challenge", &pkce::challenge(&verifier))
            .finish();
        let url = format!("{}?{query}", self.endpoints.authorize_url(session)?);
        // Listening before the browser is opened, and while `show` runs: a browser command may
        // not return before the redirect has been answered.
        let mut waiter = StopOnDrop(tokio::spawn({
            let state = state.clone();
            let within = self.options.sign_in_timeout;
            async move { loopback.wait(&state, within).await }
        }));
        let prompt = SignInPrompt::OpenUrl {
            session: name.clone(),
            url,
        };
        if let Err(e) = ui.show(&prompt).await {
            // A browser command that reports failure after the redirect came back (a page that
            // answered an error, say) did open the sign-in: its outcome is the one to report.
            if !waiter.0.is_finished() {
                return Err(e);
            }
            tracing::debug!(error = %e, "the browser command failed after the redirect came back");
        }
        let callback = (&mut waiter.0)
            .await
            .map_err(|e| SsoError::Loopback { detail: e.to_string() })?;
        let code = match callback {
            Callback::Code(code) => code,
            Callback::Declined(detail) => {
                return Err(SsoError::SignInDeclined {
                    session: name,
                    detail,
                    login,
                }
                .into())
            }
            // A forged or stale answer did not end the wait (any local process can reach the
            // port), but when only such answers came, that is what the user needs to hear.
            Callback::TimedOut { refused } if refused > 0 => {
                return Err(SsoError::StateMismatch {
                    session: name,
                    waited_s: self.options.sign_in_timeout.as_secs(),
                    login,
                }
                .into())
            }
            Callback::TimedOut { .. } => {
                return Err(SsoError::SignInTimedOut {
                    session: name,
                    waited_s: self.options.sign_in_timeout.as_secs(),
                    login,
                }
                .into())
            }
        };
        let grant = Grant::AuthorizationCode {
            code: &code,
            verifier: &verifier,
            redirect_uri: &redirect_uri,
        };
        match oidc.create_token(&registration, grant, self.clock.now()).await {
            Ok(reply) => Ok((reply, registration)),
            Err(failure) => Err(self.sign_in_failure(session, failure)),
        }
    }

    async fn device_sign_in(
        &self,
        session: &SsoSessionConfig,
        oidc: &Oidc,
        previous: Option<&CachedToken>,
        ui: &dyn SignInUi,
    ) -> Result<(oidc::TokenReply, Registration)> {
        let scopes = Self::scopes(session, SignInFlow::DeviceCode);
        let grants = grants_for(oidc::GRANT_DEVICE_CODE, session);
        let registration = self
            .registration(session, oidc, previous, &grants, None, &scopes)
            .await?;
        let device = oidc
            .start_device_authorization(&registration, &session.start_url, self.clock.now())
            .await?;
        ui.show(&SignInPrompt::DeviceCode {
            session: session.display_name().to_string(),
            verification_uri: device.verification_uri.clone(),
            verification_uri_complete: device.verification_uri_complete.clone(),
            user_code: device.user_code.clone(),
        })
        .await?;
        let code_life = (device.expires_at - self.clock.now()).max(Duration::ZERO);
        let within = self
            .options
            .sign_in_timeout
            .min(std::time::Duration::try_from(code_life).unwrap_or_default());
        let deadline = tokio::time::Instant::now() + within;
        let mut interval = device.interval;
        loop {
            match oidc
                .create_token(&registration, Grant::DeviceCode(&device.device_code), self.clock.now())
                .await
            {
                Ok(reply) => return Ok((reply, registration)),
                Err(TokenFailure::Pending) => {}
                Err(TokenFailure::SlowDown) => interval += SLOW_DOWN_STEP,
                Err(failure) => return Err(self.sign_in_failure(session, failure)),
            }
            if tokio::time::Instant::now() + interval > deadline {
                // Past the code's life: the service would only say it expired.
                return Err(if within < self.options.sign_in_timeout {
                    SsoError::DeviceCodeExpired {
                        session: session.display_name().to_string(),
                        login: login_command(session),
                    }
                } else {
                    SsoError::SignInTimedOut {
                        session: session.display_name().to_string(),
                        waited_s: within.as_secs(),
                        login: login_command(session),
                    }
                }
                .into());
            }
            tokio::time::sleep(interval).await;
        }
    }

    fn sign_in_failure(&self, session: &SsoSessionConfig, failure: TokenFailure) -> crate::Error {
        let name = session.display_name().to_string();
        let login = login_command(session);
        match failure {
            TokenFailure::Other(e) => e.into(),
            TokenFailure::Expired => SsoError::DeviceCodeExpired { session: name, login }.into(),
            TokenFailure::Denied(detail) => SsoError::SignInDeclined {
                session: name,
                detail,
                login,
            }
            .into(),
            TokenFailure::Rejected(detail) => SsoError::SignInRejected {
                session: name,
                detail,
                login,
            }
            .into(),
            TokenFailure::Pending | TokenFailure::SlowDown => SsoError::SignInRejected {
                session: name,
                detail: "the authorization is still pending".into(),
                login,
            }
            .into(),
        }
    }

    /// Ends the sign-in: Logout at the portal (best effort, bounded by
    /// [`SsoOptions::logout_timeout`]) and the cache file removed. `false`: not signed in.
    pub async fn sign_out(&self, session: &SsoSessionConfig) -> Result<bool> {
        let lock = self.lock_for(session);
        let _turn = lock.lock().await;
        match self.cache.lookup(session)? {
            Lookup::Missing => return Ok(false),
            Lookup::Corrupt(_) => {}
            Lookup::Token(token) if token.expires_at > self.clock.now() => {
                let portal = self.portal(session)?;
                match tokio::time::timeout(self.options.logout_timeout, portal.logout(&token.access_token)).await {
                    Ok(Ok(())) => tracing::info!(session = session.display_name(), "logged out of IAM Identity Center"),
                    Ok(Err(failure)) => {
                        tracing::info!(
                            session = session.display_name(),
                            ?failure,
                            "Logout failed; removing the cached token anyway"
                        )
                    }
                    Err(_) => tracing::info!(
                        session = session.display_name(),
                        "Logout did not answer in time; removing the cached token anyway"
                    ),
                }
            }
            Lookup::Token(_) => {}
        }
        self.cache.remove(session)
    }

    /// A 401 from the portal: the token must not be used again.
    fn rejected(&self, token: &AccessToken) -> crate::Error {
        let session = &token.session;
        match self.cache.expire(session, &token.token, self.clock.now()) {
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(session = session.display_name(), error = %e, "could not mark the rejected SSO token expired")
            }
        }
        SsoError::TokenRejected {
            session: session.display_name().to_string(),
            login: login_command(session),
        }
        .into()
    }

    fn portal_error(&self, token: &AccessToken, failure: PortalFailure) -> crate::Error {
        match failure {
            PortalFailure::Unauthorized => self.rejected(token),
            PortalFailure::NoAccess { refused, .. } => refused.into(),
            PortalFailure::Other(e) => e.into(),
        }
    }

    /// GetRoleCredentials for `role` with `token`: the role's session, checked whole and live.
    pub async fn role_credentials(&self, role: &SsoRoleSpec, token: &AccessToken) -> Result<StsCredentials> {
        let portal = self.portal(&token.session)?;
        let (credentials, expires_at) = match portal
            .role_credentials(&role.account_id, &role.role_name, &token.token)
            .await
        {
            Ok(reply) => reply,
            Err(PortalFailure::NoAccess { detail, .. }) => {
                return Err(SsoError::RoleAccessDenied {
                    session: token.session.display_name().to_string(),
                    account_id: role.account_id.clone(),
                    role_name: role.role_name.clone(),
                    detail,
                }
                .into())
            }
            Err(failure) => return Err(self.portal_error(token, failure)),
        };
        let reply = StsCredentials {
            credentials,
            expires_at,
            assumed_role_arn: None,
        };
        if let Some(problem) = crate::session::sts::reply_problem(&reply, self.clock.now(), MAX_ROLE_SESSION) {
            return Err(SsoError::BadReply {
                service: SsoService::Portal,
                endpoint: self.endpoints.portal_url(&token.session)?,
                detail: format!("GetRoleCredentials: {problem}"),
            }
            .into());
        }
        tracing::info!(session = token.session.display_name(), account = %role.account_id, role = %role.role_name, key = %reply.credentials.masked_key_id(), expires_at = %reply.expires_at, "got SSO role credentials");
        Ok(reply)
    }

    /// ListAccounts: every account the sign-in reaches.
    pub async fn accounts(&self, token: &AccessToken) -> Result<Vec<SsoAccount>> {
        self.portal(&token.session)?
            .accounts(&token.token)
            .await
            .map_err(|f| self.portal_error(token, f))
    }

    /// ListAccountRoles: the roles of `account_id` the sign-in reaches.
    pub async fn account_roles(&self, token: &AccessToken, account_id: &str) -> Result<Vec<String>> {
        self.portal(&token.session)?
            .account_roles(&token.token, account_id)
            .await
            .map_err(|f| self.portal_error(token, f))
    }
}

#[cfg(test)]
mod tests;

//! What can go wrong signing in to IAM Identity Center and using its portal: each error says
//! what to do, and none carries an access token, refresh token, client secret, authorization or
//! user code, or role keys.

use crate::error_code::{ErrorCode, HasCode};
use std::path::PathBuf;

/// Which IAM Identity Center service a call went to, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SsoService {
    /// SSO OIDC: RegisterClient, StartDeviceAuthorization, CreateToken.
    Oidc,
    /// The SSO portal: GetRoleCredentials, ListAccounts, ListAccountRoles, Logout.
    Portal,
}

impl SsoService {
    /// The variable that points it elsewhere, named in messages about reaching it.
    pub fn endpoint_variable(self) -> &'static str {
        match self {
            SsoService::Oidc => "AWS_ENDPOINT_URL_SSO_OIDC",
            SsoService::Portal => "AWS_ENDPOINT_URL_SSO",
        }
    }
}

impl std::fmt::Display for SsoService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SsoService::Oidc => "the IAM Identity Center sign-in service (SSO OIDC)",
            SsoService::Portal => "the IAM Identity Center portal",
        })
    }
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SsoError {
    #[error("{variable} is `{value}`, not a base URL such as https://oidc.eu-west-1.amazonaws.com: fix or unset it")]
    InvalidEndpoint { variable: &'static str, value: String },
    #[error("no home directory for the SSO token cache (~/.aws/sso/cache): set HOME")]
    NoCacheDir,
    #[error("the SSO token cache file {} for `{session}` is unreadable ({problem}); Rolebar leaves it as it is: sign in again with {login} to replace it", path.display())]
    CacheCorrupt {
        session: String,
        path: PathBuf,
        /// What is wrong, never quoting a value of the file.
        problem: String,
        /// The command that signs in (`rolebar login-sso NAME`).
        login: String,
    },
    #[error("not signed in to IAM Identity Center `{session}` (or the sign-in has expired): sign in with {login}")]
    SignInRequired { session: String, login: String },
    #[error("IAM Identity Center `{session}` rejected the sign-in (it was revoked or has expired): sign in again with {login}")]
    TokenRejected { session: String, login: String },
    #[error("IAM Identity Center `{session}`: you have no access to role `{role_name}` in account {account_id} ({detail}); ask your administrator for the permission set, or check sso_account_id and sso_role_name")]
    RoleAccessDenied {
        session: String,
        account_id: String,
        role_name: String,
        detail: String,
    },
    #[error("the sign-in to IAM Identity Center `{session}` was declined in the browser ({detail}); sign in again with {login} and allow access")]
    SignInDeclined {
        session: String,
        detail: String,
        login: String,
    },
    #[error("the sign-in to IAM Identity Center `{session}` was not completed within {} minutes; sign in again with {login}", waited_s / 60)]
    SignInTimedOut {
        session: String,
        waited_s: u64,
        login: String,
    },
    #[error("the sign-in to IAM Identity Center `{session}` was not completed within {} minutes, and a sign-in answer Rolebar did not ask for (its state does not match) was refused meanwhile; sign in again with {login}, and use only the browser tab Rolebar opens", waited_s / 60)]
    StateMismatch {
        session: String,
        waited_s: u64,
        login: String,
    },
    #[error("IAM Identity Center `{session}` refused to complete the sign-in ({detail}); sign in again with {login}")]
    SignInRejected {
        session: String,
        detail: String,
        login: String,
    },
    #[error("the code for IAM Identity Center `{session}` expired before it was approved; sign in again with {login}")]
    DeviceCodeExpired { session: String, login: String },
    #[error("cannot listen on 127.0.0.1 for the sign-in's redirect ({detail}); use the device code instead (`--use-device-code`)")]
    Loopback { detail: String },
    #[error("cannot open a browser with `{command}` ({detail}); open the sign-in URL yourself, set BROWSER, or sign in with `--use-device-code`")]
    BrowserFailed {
        /// The program only, never its arguments (the URL is one).
        command: String,
        detail: String,
    },
    #[error("cannot reach {service} at {endpoint} ({detail}); check the network, proxy or {}", service.endpoint_variable())]
    Unreachable {
        service: SsoService,
        endpoint: String,
        detail: String,
    },
    #[error("{service} at {endpoint} did not answer within {} s; check the network or proxy, then try again", waited_ms / 1000)]
    Timeout {
        service: SsoService,
        endpoint: String,
        waited_ms: u64,
    },
    #[error("{service} at {endpoint} refused the request (HTTP {status}, {code}: {message})")]
    Refused {
        service: SsoService,
        endpoint: String,
        status: u16,
        code: String,
        message: String,
    },
    #[error("{service} at {endpoint} sent a reply Rolebar cannot use ({detail}); nothing was saved. Try again; if it keeps happening, a proxy may be rewriting replies")]
    BadReply {
        service: SsoService,
        endpoint: String,
        detail: String,
    },
    #[error("cannot make a random value for the sign-in ({detail})")]
    Random { detail: String },
}

impl HasCode for SsoError {
    fn error_code(&self) -> ErrorCode {
        match self {
            SsoError::InvalidEndpoint { .. } => ErrorCode::SsoEndpointInvalid,
            SsoError::NoCacheDir => ErrorCode::NoHome,
            SsoError::CacheCorrupt { .. } => ErrorCode::SsoCacheCorrupt,
            SsoError::SignInRequired { .. } => ErrorCode::SsoSignInRequired,
            SsoError::TokenRejected { .. } => ErrorCode::SsoTokenRejected,
            SsoError::RoleAccessDenied { .. } => ErrorCode::SsoRoleDenied,
            SsoError::SignInDeclined { .. } => ErrorCode::SsoSignInDeclined,
            SsoError::SignInTimedOut { .. } => ErrorCode::SsoSignInTimeout,
            SsoError::StateMismatch { .. } => ErrorCode::SsoStateMismatch,
            SsoError::SignInRejected { .. } => ErrorCode::SsoSignInRejected,
            SsoError::DeviceCodeExpired { .. } => ErrorCode::SsoDeviceCodeExpired,
            SsoError::Loopback { .. } => ErrorCode::SsoLoopbackFailed,
            SsoError::BrowserFailed { .. } => ErrorCode::BrowserFailed,
            SsoError::Unreachable { .. } => ErrorCode::SsoUnreachable,
            SsoError::Timeout { .. } => ErrorCode::SsoTimeout,
            SsoError::Refused { .. } => ErrorCode::SsoRefused,
            SsoError::BadReply { .. } => ErrorCode::SsoBadReply,
            SsoError::Random { .. } => ErrorCode::SsoRandomFailed,
        }
    }
}

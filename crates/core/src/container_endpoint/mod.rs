//! A local container-credentials endpoint (`rolebar exec --server`, aws-vault's `--ecs-server`):
//! the HTTP protocol of the AWS SDKs' container credential provider, on 127.0.0.1, so a long run
//! or a container gets credentials that renew instead of static keys in its environment.
//!
//! The SDKs read `AWS_CONTAINER_CREDENTIALS_FULL_URI` and send `AWS_CONTAINER_AUTHORIZATION_TOKEN`
//! as the `Authorization` header of a `GET`; the reply is
//! `{"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}` (RFC 3339, UTC). Every request
//! must carry the random token made at start (compared in constant time): another local user or
//! a web page cannot read the credentials by guessing the port. Each request asks the
//! [`CredentialSource`] again, which hands out its cached session or renews it (through the tray's
//! agent, whose dialog asks when a code is needed).
//!
//! A request that gets no credentials is answered as the SDKs read it: a JSON body with `Code`
//! and `Message` (what the JavaScript SDK attaches to its error and botocore prints), and a
//! status that says whether asking again can help. 4xx when someone must act first (the token or
//! the path is wrong, an MFA code or a sign-in is needed, the dialog was denied, the profile
//! cannot give credentials as configured): the Rust and JavaScript SDKs do not retry those.
//! 503 when asking again later can work (STS or the tray app cannot be reached, throttling), 500
//! for anything else: the SDKs retry those. See [`failure_status`].
//!
//! Another local process cannot wear it down: at most [`EndpointOptions::max_connections`] are
//! served at once (more wait in the kernel's backlog), a connection that does not send a whole
//! request head in [`EndpointOptions::idle_timeout`] (after it opens, or after its last answer)
//! is closed, and out of file descriptors the accept loop pauses instead of spinning.

pub mod error;

pub use error::EndpointError;

use crate::accept_guard::{AcceptGuard, Throttle, WARN_EVERY};
use crate::error_code::{ErrorCode, HasCode};
use crate::session::Session;
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderValue, ALLOW, AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde::Serialize;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use subtle::ConstantTimeEq;
use tokio::net::TcpListener;
use zeroize::Zeroizing;

/// The environment variables a program is given to find the endpoint.
pub const FULL_URI_ENV: &str = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
pub const TOKEN_ENV: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN";

/// How long and how many connections the endpoint serves.
#[derive(Debug, Clone)]
pub struct EndpointOptions {
    /// A connection that has not sent a whole request head this long after it opened, or after
    /// its last answer (an idle keep-alive), is closed: sending nothing, or a byte now and
    /// then, does not keep it. The time an answer takes (an MFA dialog) does not count.
    pub idle_timeout: Duration,
    /// Connections served at once; more wait in the kernel's backlog until one ends.
    pub max_connections: usize,
}

impl Default for EndpointOptions {
    fn default() -> Self {
        EndpointOptions {
            idle_timeout: Duration::from_secs(30),
            max_connections: 64,
        }
    }
}

/// Where the endpoint's sessions come from.
#[async_trait::async_trait]
pub trait CredentialSource: Send + Sync {
    /// A session with enough time left for an SDK to use it (renewed when needed), or why not
    /// (its message is shown to the program asking, e.g. "the code was denied"; its code decides
    /// the HTTP status).
    async fn session(&self) -> Result<Session, SourceFailure>;
}

/// Why a [`CredentialSource`] has no session: Rolebar's stable error code and its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFailure {
    pub code: ErrorCode,
    pub message: String,
}

impl SourceFailure {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        SourceFailure {
            code,
            message: message.into(),
        }
    }
}

impl From<crate::Error> for SourceFailure {
    fn from(error: crate::Error) -> Self {
        SourceFailure::new(error.error_code(), error.to_string())
    }
}

impl From<&crate::Error> for SourceFailure {
    fn from(error: &crate::Error) -> Self {
        SourceFailure::new(error.error_code(), error.to_string())
    }
}

/// The HTTP status a source's failure is answered with: whether the SDK should ask again.
///
/// The SDKs' container providers retry a 5xx and give up on a 4xx (aws-sdk-rust's
/// `HttpCredentialProvider` and the JavaScript SDK's `fromHttp`; botocore retries any non-200
/// three times and prints the body). So a failure only a person can end (a code to type, a
/// sign-in, a denied dialog, keys to store, a profile to fix) is a 4xx, and one that asking
/// again later can end is a 503 (or a 500 when nothing says which it is).
pub fn failure_status(code: ErrorCode) -> StatusCode {
    use ErrorCode as C;
    match code {
        // Someone said no, or must say yes first: the dialog, AWS, IAM Identity Center.
        C::AgentDenied
        | C::MfaCancelled
        | C::MfaRequired
        | C::MfaRejected
        | C::MfaSourceUnavailable
        | C::MfaSourceFailed
        | C::MfaSourceNoCode
        | C::AccessDenied
        | C::ExpiredToken
        | C::InvalidClientTokenId
        | C::SignatureMismatch
        | C::RegionDisabled
        | C::SsoSignInRequired
        | C::SsoTokenRejected
        | C::SsoRoleDenied
        | C::SsoSignInDeclined
        | C::KeyringLocked
        | C::KeyringPromptDismissed => StatusCode::FORBIDDEN,
        // The profile cannot give credentials as it is configured: the files must change.
        C::ConfigSyntax
        | C::ProfileNotFound
        | C::ProfileReferenceNotFound
        | C::ProfileCycle
        | C::InvalidSetting
        | C::UnsupportedProfile
        | C::WrittenByRolebar
        | C::NoKeys
        | C::InvalidProfileName
        | C::SsoEndpointInvalid
        | C::CredentialProcessUnavailable
        | C::CredentialProcessLoop => StatusCode::BAD_REQUEST,
        // Asking again later can work: a service or the tray app is slow, busy or away.
        C::Throttled
        | C::Timeout
        | C::Unreachable
        | C::AgentUnavailable
        | C::AgentTimeout
        | C::AgentBusy
        | C::KeyringTimeout
        | C::KeyringUnavailable
        | C::SsoUnreachable
        | C::SsoTimeout
        | C::CredentialProcessTimeout
        | C::MfaSourceTimeout => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// A bound endpoint, before it serves: its address and token go into the program's environment.
pub struct Endpoint {
    listener: TcpListener,
    address: SocketAddr,
    token: Zeroizing<String>,
    options: EndpointOptions,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("address", &self.address)
            .field("token", &"<redacted>")
            .field("options", &self.options)
            .finish()
    }
}

impl Endpoint {
    /// Listens on 127.0.0.1 on a free port, with a new random token (32 bytes, hex).
    pub async fn bind() -> Result<Endpoint, EndpointError> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .map_err(EndpointError::Bind)?;
        let address = listener.local_addr().map_err(EndpointError::Bind)?;
        let mut bytes = Zeroizing::new([0u8; 32]);
        getrandom::fill(bytes.as_mut_slice()).map_err(|e| EndpointError::Random(e.to_string()))?;
        let mut token = Zeroizing::new(String::with_capacity(64));
        for b in bytes.iter() {
            token.push_str(&format!("{b:02x}"));
        }
        Ok(Endpoint {
            listener,
            address,
            token,
            options: EndpointOptions::default(),
        })
    }

    pub fn with_options(mut self, options: EndpointOptions) -> Self {
        self.options = options;
        self
    }

    /// `http://127.0.0.1:PORT/`, for `AWS_CONTAINER_CREDENTIALS_FULL_URI`.
    pub fn uri(&self) -> String {
        format!("http://{}/", self.address)
    }

    /// The bearer token, for `AWS_CONTAINER_AUTHORIZATION_TOKEN` (a secret: never log it).
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Answers requests until `shutdown` resolves.
    pub async fn serve(self, source: Arc<dyn CredentialSource>, shutdown: impl std::future::Future<Output = ()>) {
        let Endpoint {
            listener,
            token,
            options,
            ..
        } = self;
        let shared = Arc::new(Shared {
            token,
            source,
            refusals: Mutex::new(Throttle::new(WARN_EVERY)),
        });
        let mut guard = AcceptGuard::new("container-credentials endpoint", options.max_connections);
        let idle_timeout = options.idle_timeout;
        tokio::pin!(shutdown);
        loop {
            let (stream, slot) = tokio::select! {
                () = &mut shutdown => return,
                taken = guard.accept(&listener) => taken,
            };
            let shared = shared.clone();
            tokio::spawn(async move {
                let _slot = slot;
                let service = hyper::service::service_fn(move |request| {
                    let shared = shared.clone();
                    async move { Ok::<_, std::convert::Infallible>(answer(request, &shared).await) }
                });
                let connection = hyper::server::conn::http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(idle_timeout)
                    .serve_connection(TokioIo::new(stream), service);
                if let Err(e) = connection.await {
                    tracing::debug!(error = %e, "container-credentials endpoint: connection ended");
                }
            });
        }
    }
}

/// What every connection's requests are answered with.
struct Shared {
    token: Zeroizing<String>,
    source: Arc<dyn CredentialSource>,
    /// Requests without the token cost another process nothing: their warnings are throttled,
    /// or a flood of them would be a flood of log lines.
    refusals: Mutex<Throttle>,
}

async fn answer(request: Request<Incoming>, shared: &Shared) -> Response<Full<Bytes>> {
    let (token, source) = (shared.token.as_str(), shared.source.as_ref());
    if request.method() != Method::GET {
        let mut response = error(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "only GET is served: the AWS SDKs read credentials with a GET",
        );
        response.headers_mut().insert(ALLOW, HeaderValue::from_static("GET"));
        return response;
    }
    // The address given in AWS_CONTAINER_CREDENTIALS_FULL_URI ends in `/`, and the SDKs ask it as it is.
    if request.uri().path() != "/" {
        return error(
            StatusCode::NOT_FOUND,
            "NotFound",
            "no such path: credentials are served at `/`, the address in AWS_CONTAINER_CREDENTIALS_FULL_URI",
        );
    }
    let Some(given) = request.headers().get(AUTHORIZATION).map(|v| v.as_bytes()) else {
        warn_refused(shared);
        let mut response = error(
            StatusCode::UNAUTHORIZED,
            "MissingAuthorization",
            "no Authorization header: send the token in AWS_CONTAINER_AUTHORIZATION_TOKEN (the AWS SDKs do when it is set)",
        );
        response
            .headers_mut()
            .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"rolebar\""));
        return response;
    };
    // Some SDKs send the token as it is, some as `Bearer TOKEN`.
    let given = given.strip_prefix(b"Bearer ").unwrap_or(given);
    if !bool::from(given.ct_eq(token.as_bytes())) {
        warn_refused(shared);
        return error(
            StatusCode::FORBIDDEN,
            "InvalidAuthorization",
            "wrong authorization token: use the AWS_CONTAINER_AUTHORIZATION_TOKEN this endpoint was started with",
        );
    }
    match source.session().await {
        Ok(session) => match body(&session) {
            Ok(json) => Response::builder()
                .status(StatusCode::OK)
                .header(CONTENT_TYPE, "application/json")
                .body(Full::new(Bytes::from(json.as_bytes().to_vec())))
                .unwrap_or_else(|_| internal("cannot build the reply")),
            Err(e) => internal(&e),
        },
        Err(failure) => {
            let status = failure_status(failure.code);
            tracing::warn!(
                status = status.as_u16(),
                code = failure.code.as_str(),
                "container-credentials endpoint: no session: {}",
                failure.message
            );
            error(status, &pascal_case(failure.code.as_str()), &failure.message)
        }
    }
}

/// A request without the right token costs another process nothing: at most one warning
/// every [`WARN_EVERY`].
fn warn_refused(shared: &Shared) {
    let allowed = shared.refusals.lock().ok().and_then(|mut t| t.allow());
    if let Some(suppressed) = allowed {
        tracing::warn!(
            suppressed,
            "container-credentials endpoint: a request without the right token was refused \
             (at most one such warning every {} s)",
            WARN_EVERY.as_secs()
        );
    }
}

/// The SDKs' `Code` spelling of one of Rolebar's codes: `mfa_required` → `MfaRequired`.
fn pascal_case(code: &str) -> String {
    code.split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn internal(message: &str) -> Response<Full<Bytes>> {
    error(StatusCode::INTERNAL_SERVER_ERROR, "InternalError", message)
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ContainerCredentials<'a> {
    access_key_id: &'a str,
    secret_access_key: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<&'a str>,
    expiration: &'a str,
}

/// The JSON for `session` (the one place its secrets become this JSON).
fn body(session: &Session) -> Result<Zeroizing<String>, String> {
    let expiration = crate::outputs::text::rfc3339_utc(session.expires_at).map_err(|e| e.to_string())?;
    let credentials = &session.credentials;
    let reply = ContainerCredentials {
        access_key_id: &credentials.access_key_id,
        secret_access_key: credentials.secret_access_key.expose(),
        token: credentials.session_token.as_ref().map(|t| t.expose()),
        expiration: &expiration,
    };
    serde_json::to_string(&reply)
        .map(Zeroizing::new)
        .map_err(|e| e.to_string())
}

/// An error reply as the SDKs read it: `{"Code": …, "Message": …}`.
fn error(status: StatusCode, code: &str, message: &str) -> Response<Full<Bytes>> {
    let json = serde_json::json!({ "Code": code, "Message": message });
    let mut response = Response::new(Full::new(Bytes::from(json.to_string())));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_spelled_as_the_sdks_spell_theirs() {
        assert_eq!(pascal_case("mfa_required"), "MfaRequired");
        assert_eq!(pascal_case("agent_denied"), "AgentDenied");
        assert_eq!(pascal_case("timeout"), "Timeout");
    }

    #[test]
    fn only_what_asking_again_can_end_is_a_5xx() {
        assert_eq!(failure_status(ErrorCode::MfaRequired), StatusCode::FORBIDDEN);
        assert_eq!(failure_status(ErrorCode::AgentDenied), StatusCode::FORBIDDEN);
        assert_eq!(failure_status(ErrorCode::NoKeys), StatusCode::BAD_REQUEST);
        assert_eq!(failure_status(ErrorCode::Unreachable), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            failure_status(ErrorCode::AgentUnavailable),
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(
            failure_status(ErrorCode::MalformedReply),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        for code in ErrorCode::ALL {
            let status = failure_status(*code);
            assert!(
                status.is_client_error() || status.is_server_error(),
                "{code:?}: {status}"
            );
            assert_ne!(status, StatusCode::NOT_FOUND, "404 is for a wrong path only");
            assert_ne!(status, StatusCode::UNAUTHORIZED, "401 is for a missing token only");
        }
    }
}

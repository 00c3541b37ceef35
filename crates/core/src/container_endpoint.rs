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
//! Another local process cannot wear it down: at most [`EndpointOptions::max_connections`] are
//! served at once (more wait in the kernel's backlog), a connection that does not send a whole
//! request head in [`EndpointOptions::idle_timeout`] (after it opens, or after its last answer)
//! is closed, and out of file descriptors the accept loop pauses instead of spinning.

use crate::accept_guard::{AcceptGuard, Throttle, WARN_EVERY};
use crate::session::Session;
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{AUTHORIZATION, CONTENT_TYPE};
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
    /// A session with enough time left for an SDK to use it (renewed when needed), or a
    /// message saying why not (shown to the program asking, e.g. "the code was denied").
    async fn session(&self) -> Result<Session, String>;
}

#[derive(Debug, thiserror::Error)]
pub enum EndpointError {
    #[error("cannot listen on 127.0.0.1 for the container-credentials endpoint: {0}")]
    Bind(std::io::Error),
    #[error("cannot make a random token for the container-credentials endpoint: {0}")]
    Random(String),
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
        return error(StatusCode::METHOD_NOT_ALLOWED, "only GET is served");
    }
    let given = request
        .headers()
        .get(AUTHORIZATION)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    // Some SDKs send the token as it is, some as `Bearer TOKEN`.
    let given = given.strip_prefix(b"Bearer ").unwrap_or(given);
    if !bool::from(given.ct_eq(token.as_bytes())) {
        let allowed = shared.refusals.lock().ok().and_then(|mut t| t.allow());
        if let Some(suppressed) = allowed {
            tracing::warn!(
                suppressed,
                "container-credentials endpoint: a request without the right token was refused \
                 (at most one such warning every {} s)",
                WARN_EVERY.as_secs()
            );
        }
        return error(StatusCode::FORBIDDEN, "missing or wrong authorization token");
    }
    match source.session().await {
        Ok(session) => match body(&session) {
            Ok(json) => Response::builder()
                .status(StatusCode::OK)
                .header(CONTENT_TYPE, "application/json")
                .body(Full::new(Bytes::from(json.as_bytes().to_vec())))
                .unwrap_or_else(|_| error(StatusCode::INTERNAL_SERVER_ERROR, "cannot build the reply")),
            Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, &e),
        },
        Err(message) => {
            tracing::warn!("container-credentials endpoint: no session: {message}");
            error(StatusCode::INTERNAL_SERVER_ERROR, &message)
        }
    }
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
    let expiration = crate::outputs::rfc3339_utc(session.expires_at).map_err(|e| e.to_string())?;
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

fn error(status: StatusCode, message: &str) -> Response<Full<Bytes>> {
    let json = serde_json::json!({ "code": status.canonical_reason().unwrap_or("Error"), "message": message });
    let mut response = Response::new(Full::new(Bytes::from(json.to_string())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    response
}

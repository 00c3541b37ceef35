//! What the SSO OIDC and portal clients share: their bounds (connect, per attempt, whole call;
//! retries as `sts` sets them) and how an SDK failure becomes an error that tells "cannot reach",
//! "did not answer in time", "answered with an error" and "answered nonsense" apart, naming the
//! endpoint.

use super::error::{SsoError, SsoService};
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::http::Response;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use std::time::{Duration, Instant};

/// A client of one of the two SDKs (`aws_sdk_ssooidc`, `aws_sdk_sso`), whose config builders
/// are different types with the same methods: the endpoint, the region and Rolebar's retries
/// and timeouts, set the same way for both.
macro_rules! sdk_client {
    ($sdk:ident, $endpoint:expr, $region:expr, $options:expr) => {
        $sdk::Client::from_conf(
            $sdk::Config::builder()
                .behavior_version($sdk::config::BehaviorVersion::latest())
                .region($sdk::config::Region::new($region.to_string()))
                .endpoint_url($endpoint)
                .retry_config($options.retry_config())
                .timeout_config($options.timeout_config())
                .build(),
        )
    };
}
pub(crate) use sdk_client;

/// Bounds of every IAM Identity Center call, and of the interactive sign-in.
#[derive(Debug, Clone)]
pub struct SsoOptions {
    /// Attempts in all per call (the SDK retries throttling and server errors with back-off).
    pub max_attempts: u32,
    pub initial_backoff: Duration,
    pub connect_timeout: Duration,
    /// Per attempt.
    pub attempt_timeout: Duration,
    /// The whole call, retries included.
    pub total_timeout: Duration,
    /// How long a browser or device sign-in may wait for the user (the AWS CLI's 10 minutes).
    pub sign_in_timeout: Duration,
    /// Logout at sign-out is best effort: it may not hold the sign-out up longer than this.
    pub logout_timeout: Duration,
}

impl Default for SsoOptions {
    fn default() -> Self {
        SsoOptions {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(500),
            connect_timeout: Duration::from_secs(5),
            attempt_timeout: Duration::from_secs(10),
            total_timeout: Duration::from_secs(30),
            sign_in_timeout: Duration::from_secs(600),
            logout_timeout: Duration::from_secs(5),
        }
    }
}

impl SsoOptions {
    pub(crate) fn retry_config(&self) -> RetryConfig {
        RetryConfig::standard()
            .with_max_attempts(self.max_attempts)
            .with_initial_backoff(self.initial_backoff)
    }

    pub(crate) fn timeout_config(&self) -> TimeoutConfig {
        TimeoutConfig::builder()
            .connect_timeout(self.connect_timeout)
            .operation_attempt_timeout(self.attempt_timeout)
            .operation_timeout(self.total_timeout)
            .build()
    }
}

/// One call's context, for its errors.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub service: SsoService,
    pub endpoint: String,
    pub started: Instant,
}

/// An error reply of the service (it was reached, and answered with an error it means).
#[derive(Debug, Clone)]
pub(crate) struct ServiceReply {
    pub status: u16,
    /// The exception name (`UnauthorizedException`), when the reply carries one.
    pub code: Option<String>,
    /// The service's message, control characters removed (it carries no secret).
    pub message: String,
}

impl Call {
    pub fn new(service: SsoService, endpoint: String) -> Call {
        Call {
            service,
            endpoint,
            started: Instant::now(),
        }
    }

    pub fn bad_reply(&self, detail: impl Into<String>) -> SsoError {
        SsoError::BadReply {
            service: self.service,
            endpoint: self.endpoint.clone(),
            detail: detail.into(),
        }
    }

    pub fn refused(&self, reply: ServiceReply) -> SsoError {
        SsoError::Refused {
            service: self.service,
            endpoint: self.endpoint.clone(),
            status: reply.status,
            code: reply.code.unwrap_or_else(|| "no error code".into()),
            message: reply.message,
        }
    }

    /// The service's error reply, or the error for a failure that is not one.
    pub fn classify<E>(&self, error: SdkError<E, Response>) -> Result<ServiceReply, SsoError>
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let timeout = || SsoError::Timeout {
            service: self.service,
            endpoint: self.endpoint.clone(),
            waited_ms: u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX),
        };
        let chain = crate::session::sts::source_chain(&error);
        match error {
            SdkError::TimeoutError(_) => Err(timeout()),
            SdkError::DispatchFailure(d) if d.is_timeout() => Err(timeout()),
            SdkError::DispatchFailure(d) => Err(SsoError::Unreachable {
                service: self.service,
                endpoint: self.endpoint.clone(),
                detail: d
                    .as_connector_error()
                    .map(|e| crate::session::sts::source_chain(e))
                    .unwrap_or_else(|| "connection failed".into()),
            }),
            SdkError::ResponseError(r) => Err(self.bad_reply(format!("HTTP {}: {chain}", r.raw().status().as_u16()))),
            SdkError::ServiceError(s) => {
                let status = s.raw().status().as_u16();
                let code = s.err().code().map(str::to_string);
                let message: String = s
                    .err()
                    .message()
                    .unwrap_or_default()
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(300)
                    .collect();
                // A success status, or an error with neither code nor a 4xx/5xx the service
                // means, is not IAM Identity Center talking (a proxy or captive portal).
                if (200..300).contains(&status) || (code.is_none() && !matches!(status, 401 | 403)) {
                    let body: String = s
                        .raw()
                        .body()
                        .bytes()
                        .map(|b| {
                            String::from_utf8_lossy(b)
                                .chars()
                                .filter(|c| !c.is_control())
                                .take(80)
                                .collect()
                        })
                        .unwrap_or_default();
                    return Err(self.bad_reply(format!("HTTP {status}, body starts {body:?}")));
                }
                Ok(ServiceReply { status, code, message })
            }
            _ => Err(self.bad_reply(chain)),
        }
    }
}

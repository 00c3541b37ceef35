//! STS calls: the `RoleAssumer` seam and its aws-sdk-sts implementation.
//!
//! The SDK's own profile chain never asks for MFA codes (aws-sdk-rust#527), so we build the STS
//! client from explicit credentials and call AssumeRole / GetSessionToken ourselves.

use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::mfa::MfaCode;
use crate::profile::StsEndpoint;
use aws_sdk_sts::config::{BehaviorVersion, Region};
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use std::time::Duration as StdDuration;
use time::{Duration, OffsetDateTime};

/// Short-lived credentials as STS returned them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StsCredentials {
    pub credentials: Credentials,
    pub expires_at: OffsetDateTime,
    /// The assumed-role ARN AWS reports (AssumeRole only).
    pub assumed_role_arn: Option<String>,
}

#[derive(Debug, Clone)]
pub struct AssumeRoleRequest<'a> {
    /// The profile asked for, for error messages.
    pub profile: &'a str,
    /// The profile whose keys sign the call, for error messages that say which keys to fix.
    pub key_profile: &'a str,
    pub credentials: &'a Credentials,
    pub endpoint: &'a StsEndpoint,
    pub role_arn: &'a str,
    pub session_name: &'a str,
    pub external_id: Option<&'a str>,
    pub mfa: Option<(&'a str, &'a MfaCode)>,
    pub duration: Duration,
}

#[derive(Debug, Clone)]
pub struct SessionTokenRequest<'a> {
    pub profile: &'a str,
    pub credentials: &'a Credentials,
    pub endpoint: &'a StsEndpoint,
    pub mfa: Option<(&'a str, &'a MfaCode)>,
    pub duration: Duration,
}

/// The seam tests replace: anything that can make STS sessions.
#[async_trait::async_trait]
pub trait RoleAssumer: Send + Sync + std::fmt::Debug {
    async fn assume_role(&self, request: AssumeRoleRequest<'_>) -> Result<StsCredentials>;
    async fn get_session_token(&self, request: SessionTokenRequest<'_>) -> Result<StsCredentials>;
}

/// Retry and timeout settings for STS calls.
#[derive(Debug, Clone)]
pub struct StsOptions {
    /// Attempts in all, throttling included (the SDK backs off exponentially with jitter).
    pub max_attempts: u32,
    pub initial_backoff: StdDuration,
    pub connect_timeout: StdDuration,
    /// Per attempt; the whole call is bounded by `max_attempts` times this plus back-off.
    pub attempt_timeout: StdDuration,
}

impl Default for StsOptions {
    fn default() -> Self {
        StsOptions {
            max_attempts: 4,
            initial_backoff: StdDuration::from_millis(500),
            connect_timeout: StdDuration::from_secs(5),
            attempt_timeout: StdDuration::from_secs(10),
        }
    }
}

/// AWS STS through aws-sdk-sts.
#[derive(Debug, Clone, Default)]
pub struct SdkSts {
    options: StsOptions,
}

impl SdkSts {
    pub fn new(options: StsOptions) -> Self {
        SdkSts { options }
    }

    fn client(&self, credentials: &Credentials, endpoint: &StsEndpoint) -> aws_sdk_sts::Client {
        let provider = aws_sdk_sts::config::Credentials::new(
            credentials.access_key_id.clone(),
            credentials.secret_access_key.expose().to_string(),
            credentials.session_token.as_ref().map(|t| t.expose().to_string()),
            None,
            "rolebar",
        );
        let config = aws_sdk_sts::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(endpoint.region.clone()))
            .endpoint_url(endpoint.url())
            .credentials_provider(provider)
            .retry_config(
                RetryConfig::standard()
                    .with_max_attempts(self.options.max_attempts)
                    .with_initial_backoff(self.options.initial_backoff),
            )
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(self.options.connect_timeout)
                    .operation_attempt_timeout(self.options.attempt_timeout)
                    .build(),
            )
            .build();
        aws_sdk_sts::Client::from_conf(config)
    }

    fn error_context<'a>(
        &self,
        profile: &'a str,
        key_profile: &'a str,
        credentials: &'a Credentials,
        endpoint: &'a StsEndpoint,
        mfa: Option<(&'a str, &MfaCode)>,
    ) -> ErrorContext<'a> {
        ErrorContext {
            profile,
            key_profile,
            credentials,
            endpoint,
            mfa_serial: mfa.map(|(s, _)| s),
            attempts: self.options.max_attempts,
            timeout_seconds: self.seconds(),
        }
    }

    fn seconds(&self) -> u64 {
        self.options.attempt_timeout.as_secs().max(1)
    }
}

fn duration_seconds(d: Duration) -> i32 {
    i32::try_from(d.whole_seconds()).unwrap_or(i32::MAX)
}

#[async_trait::async_trait]
impl RoleAssumer for SdkSts {
    async fn assume_role(&self, r: AssumeRoleRequest<'_>) -> Result<StsCredentials> {
        let mut call = self
            .client(r.credentials, r.endpoint)
            .assume_role()
            .role_arn(r.role_arn)
            .role_session_name(r.session_name)
            .duration_seconds(duration_seconds(r.duration))
            .set_external_id(r.external_id.map(str::to_string));
        if let Some((serial, code)) = r.mfa {
            call = call.serial_number(serial).token_code(code.expose());
        }
        let ctx = self.error_context(r.profile, r.key_profile, r.credentials, r.endpoint, r.mfa);
        let out = call.send().await.map_err(|e| ctx.map(e))?;
        let role_arn = out.assumed_role_user().map(|u| u.arn().to_string());
        ctx.sts_credentials(out.credentials(), "AssumeRole", role_arn)
    }

    async fn get_session_token(&self, r: SessionTokenRequest<'_>) -> Result<StsCredentials> {
        let mut call = self
            .client(r.credentials, r.endpoint)
            .get_session_token()
            .duration_seconds(duration_seconds(r.duration));
        if let Some((serial, code)) = r.mfa {
            call = call.serial_number(serial).token_code(code.expose());
        }
        let ctx = self.error_context(r.profile, r.profile, r.credentials, r.endpoint, r.mfa);
        let out = call.send().await.map_err(|e| ctx.map(e))?;
        ctx.sts_credentials(out.credentials(), "GetSessionToken", None)
    }
}

fn to_credentials(c: &aws_sdk_sts::types::Credentials) -> Credentials {
    Credentials::temporary(c.access_key_id(), c.secret_access_key(), c.session_token())
}

fn to_time(t: &aws_smithy_types::DateTime) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(t.secs()).ok()
}

struct ErrorContext<'a> {
    profile: &'a str,
    key_profile: &'a str,
    credentials: &'a Credentials,
    endpoint: &'a StsEndpoint,
    mfa_serial: Option<&'a str>,
    attempts: u32,
    timeout_seconds: u64,
}

impl ErrorContext<'_> {
    /// The reply's credentials, or why the reply is unusable.
    fn sts_credentials(
        &self,
        creds: Option<&aws_sdk_sts::types::Credentials>,
        action: &str,
        assumed_role_arn: Option<String>,
    ) -> Result<StsCredentials> {
        let creds = creds.ok_or_else(|| self.malformed(&format!("no Credentials in the {action} reply")))?;
        Ok(StsCredentials {
            credentials: to_credentials(creds),
            expires_at: to_time(creds.expiration()).ok_or_else(|| self.malformed("Expiration out of range"))?,
            assumed_role_arn,
        })
    }

    fn malformed(&self, detail: &str) -> Error {
        Error::MalformedReply {
            profile: self.profile.to_string(),
            endpoint: self.endpoint.url(),
            detail: detail.to_string(),
        }
    }

    fn map<E>(&self, error: SdkError<E, aws_smithy_runtime_api::http::Response>) -> Error
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let profile = self.profile.to_string();
        let endpoint = self.endpoint.url();
        let chain = source_chain(&error);
        match error {
            SdkError::TimeoutError(_) => Error::Timeout {
                profile,
                endpoint,
                seconds: self.timeout_seconds,
            },
            SdkError::DispatchFailure(d) if d.is_timeout() => Error::Timeout {
                profile,
                endpoint,
                seconds: self.timeout_seconds,
            },
            SdkError::DispatchFailure(d) => Error::Unreachable {
                profile,
                endpoint,
                detail: d
                    .as_connector_error()
                    .map(|e| source_chain(e))
                    .unwrap_or_else(|| "connection failed".into()),
            },
            SdkError::ResponseError(r) => Error::MalformedReply {
                profile,
                endpoint,
                detail: format!("HTTP {}: {}", r.raw().status().as_u16(), chain),
            },
            SdkError::ServiceError(s) => {
                let status = s.raw().status().as_u16();
                // Some servers (moto) wrap errors so the SDK finds no code: read the raw body.
                let body = s.raw().body().bytes().map(String::from_utf8_lossy).unwrap_or_default();
                let code = s.err().code().map(str::to_string).or_else(|| xml_text(&body, "Code"));
                let message = s
                    .err()
                    .message()
                    .map(str::to_string)
                    .or_else(|| xml_text(&body, "Message"));
                // A success status or a body without an STS error is not STS talking (a proxy or
                // captive portal, or a broken server).
                if (200..300).contains(&status) || (code.is_none() && !body.contains("<Error")) {
                    let mut start: String = body.chars().take(80).collect();
                    start.retain(|c| !c.is_control());
                    return Error::MalformedReply {
                        profile,
                        endpoint,
                        detail: format!("HTTP {status}, body starts {start:?}"),
                    };
                }
                self.error_for_code(code.as_deref(), message.unwrap_or_default(), status)
            }
            _ => Error::Sts {
                profile,
                code: "request_failed".into(),
                message: chain,
            },
        }
    }

    fn error_for_code(&self, code: Option<&str>, message: String, status: u16) -> Error {
        let profile = self.profile.to_string();
        let key_profile = self.key_profile.to_string();
        let masked_key_id = self.credentials.masked_key_id();
        match code {
            Some("AccessDenied") if self.mfa_serial.is_some() && message.contains("MultiFactorAuthentication") => {
                Error::MfaRejected {
                    mfa_serial: self.mfa_serial.unwrap_or_default().to_string(),
                }
            }
            Some("AccessDenied" | "AccessDeniedException") => Error::AccessDenied { profile, message },
            Some("ExpiredToken" | "ExpiredTokenException" | "RequestExpired") => {
                Error::ExpiredToken { profile, message }
            }
            Some("InvalidClientTokenId" | "UnrecognizedClientException") => Error::InvalidClientTokenId {
                profile,
                key_profile,
                masked_key_id,
            },
            Some("SignatureDoesNotMatch") => Error::SignatureMismatch {
                profile,
                key_profile,
                masked_key_id,
            },
            Some("RegionDisabledException") => Error::RegionDisabled {
                profile,
                region: self.endpoint.region.clone(),
            },
            Some("Throttling" | "ThrottlingException" | "RequestLimitExceeded" | "TooManyRequestsException") => {
                Error::Throttled {
                    profile,
                    attempts: self.attempts,
                }
            }
            Some(code) => Error::Sts {
                profile,
                code: code.to_string(),
                message,
            },
            None => Error::Sts {
                profile,
                code: format!("HTTP {status}"),
                message,
            },
        }
    }
}

/// An error and its sources on one line (the SDK's top-level message alone is often "dispatch failure").
fn source_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut next = error.source();
    while let Some(e) = next {
        text.push_str(": ");
        text.push_str(&e.to_string());
        next = e.source();
    }
    text
}

/// The text of the first `<tag>…</tag>` in an XML body.
fn xml_text(body: &str, tag: &str) -> Option<String> {
    let start = body.find(&format!("<{tag}>"))? + tag.len() + 2;
    let end = body[start..].find(&format!("</{tag}>"))? + start;
    Some(body[start..end].trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_text_finds_moto_style_wrapped_codes() {
        let body = "<ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch</Code><Message>m</Message></Error></Errors></ErrorResponse>";
        assert_eq!(xml_text(body, "Code").as_deref(), Some("SignatureDoesNotMatch"));
        assert_eq!(xml_text(body, "Message").as_deref(), Some("m"));
        assert_eq!(xml_text("<a/>", "Code"), None);
    }
}

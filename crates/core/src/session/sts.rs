//! STS calls: the `RoleAssumer` seam and its aws-sdk-sts implementation.
//!
//! The SDK's own profile chain never asks for MFA codes (aws-sdk-rust#527), so we build the STS
//! client from explicit credentials and call AssumeRole / GetSessionToken ourselves.

use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::mfa::MfaCode;
use crate::profile::StsEndpoint;
use aws_sdk_sts::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_sts::config::{BehaviorVersion, ConfigBag, Intercept, Region, RuntimeComponents};
use aws_sdk_sts::error::{BoxError, ProvideErrorMetadata, SdkError};
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};
use time::{Duration, OffsetDateTime};

/// How much later than asked a session may expire: AWS's clock and ours may disagree a little
/// (SigV4 itself refuses requests more than 5 minutes off). More than this is not a reply to
/// what was asked.
pub const EXPIRY_SLACK: Duration = Duration::minutes(5);

/// Short-lived credentials as STS returned them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StsCredentials {
    pub credentials: Credentials,
    pub expires_at: OffsetDateTime,
    /// The ARN AWS reports: the assumed role's (AssumeRole) or the federated user's
    /// (GetFederationToken); none for GetSessionToken.
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

/// GetFederationToken: a federated user's session made with an IAM user's long-term keys, the
/// only session of a user without a role that the console's sign-in accepts (`console`).
#[derive(Debug, Clone)]
pub struct FederationTokenRequest<'a> {
    pub profile: &'a str,
    pub credentials: &'a Credentials,
    pub endpoint: &'a StsEndpoint,
    /// The federated user's name (2 to 32 characters of `[\w+=,.@-]`).
    pub name: &'a str,
    /// The inline session policy (JSON), which can only narrow the user's own permissions.
    pub policy: &'a str,
    pub duration: Duration,
}

/// The seam tests replace: anything that can make STS sessions.
#[async_trait::async_trait]
pub trait RoleAssumer: Send + Sync + std::fmt::Debug {
    async fn assume_role(&self, request: AssumeRoleRequest<'_>) -> Result<StsCredentials>;
    async fn get_session_token(&self, request: SessionTokenRequest<'_>) -> Result<StsCredentials>;

    /// GetFederationToken. Has a default (a clear refusal) so test doubles that only make role
    /// and MFA sessions need not implement it.
    async fn get_federation_token(&self, request: FederationTokenRequest<'_>) -> Result<StsCredentials> {
        Err(Error::Sts {
            profile: request.profile.to_string(),
            code: "federation_not_supported".into(),
            message: format!("{self:?} cannot call GetFederationToken"),
        })
    }
}

/// Why a reply from STS cannot serve as a session, if it cannot: a session needs a plausible key
/// id, a secret, a session token and an expiry after `now` and no later than `asked` from now
/// (plus [`EXPIRY_SLACK`]). The reason never quotes a secret.
pub fn reply_problem(reply: &StsCredentials, now: OffsetDateTime, asked: Duration) -> Option<String> {
    let c = &reply.credentials;
    if c.access_key_id.is_empty() {
        return Some("no AccessKeyId".into());
    }
    if !plausible_key_id(&c.access_key_id) {
        return Some(format!(
            "the AccessKeyId is not a key id ({} characters)",
            c.access_key_id.chars().count()
        ));
    }
    if c.secret_access_key.expose().is_empty() {
        return Some("no SecretAccessKey".into());
    }
    if c.session_token.as_ref().is_none_or(|t| t.expose().is_empty()) {
        return Some("no SessionToken".into());
    }
    // aws-sdk-sts fills a missing Expiration with the Unix epoch rather than failing.
    if reply.expires_at == OffsetDateTime::UNIX_EPOCH {
        return Some("no Expiration".into());
    }
    if reply.expires_at <= now {
        return Some(format!(
            "Expiration {} is already past by this machine's clock ({}); if the clock is wrong, fix it",
            rfc3339(reply.expires_at),
            rfc3339(now)
        ));
    }
    if reply.expires_at > now + asked + EXPIRY_SLACK {
        return Some(format!(
            "Expiration {} is further away than the {} s asked for, by this machine's clock ({}); if the clock is wrong, fix it",
            rfc3339(reply.expires_at),
            asked.whole_seconds(),
            rfc3339(now)
        ));
    }
    None
}

/// The AccessKeyId shape of the STS API reference: 16 to 128 word characters. (AWS's own ids
/// are upper-case letters and digits; STS-compatible servers are allowed the rest of `\w`.)
fn plausible_key_id(id: &str) -> bool {
    (16..=128).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

/// Retry and timeout settings for STS calls.
#[derive(Debug, Clone)]
pub struct StsOptions {
    /// Attempts in all, throttling included (the SDK backs off exponentially with jitter).
    pub max_attempts: u32,
    pub initial_backoff: StdDuration,
    pub connect_timeout: StdDuration,
    /// Per attempt.
    pub attempt_timeout: StdDuration,
    /// The whole call, retries and back-off included: without it a hung STS would hold a
    /// command for `max_attempts` times `attempt_timeout` and more.
    pub total_timeout: StdDuration,
}

impl Default for StsOptions {
    fn default() -> Self {
        StsOptions {
            max_attempts: 4,
            initial_backoff: StdDuration::from_millis(500),
            connect_timeout: StdDuration::from_secs(5),
            attempt_timeout: StdDuration::from_secs(10),
            // Also about as long as one MFA code stays valid: retrying past it rarely helps.
            total_timeout: StdDuration::from_secs(30),
        }
    }
}

/// Counts the attempts of one call, so a timeout can say how many were made.
#[derive(Debug, Clone, Default)]
struct AttemptCounter(Arc<AtomicU32>);

impl AttemptCounter {
    fn get(&self) -> u32 {
        self.0.load(Ordering::Relaxed)
    }
}

impl Intercept for AttemptCounter {
    fn name(&self) -> &'static str {
        "rolebar-attempt-counter"
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Ok(())
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

    fn client(
        &self,
        credentials: &Credentials,
        endpoint: &StsEndpoint,
        attempts: &AttemptCounter,
    ) -> aws_sdk_sts::Client {
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
                    .operation_timeout(self.options.total_timeout)
                    .build(),
            )
            .interceptor(attempts.clone())
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
            attempt_timeout: self.options.attempt_timeout,
            started: Instant::now(),
            attempts: AttemptCounter::default(),
        }
    }
}

fn duration_seconds(d: Duration) -> i32 {
    i32::try_from(d.whole_seconds()).unwrap_or(i32::MAX)
}

#[async_trait::async_trait]
impl RoleAssumer for SdkSts {
    async fn assume_role(&self, r: AssumeRoleRequest<'_>) -> Result<StsCredentials> {
        let ctx = self.error_context(r.profile, r.key_profile, r.credentials, r.endpoint, r.mfa);
        let mut call = self
            .client(r.credentials, r.endpoint, &ctx.attempts)
            .assume_role()
            .role_arn(r.role_arn)
            .role_session_name(r.session_name)
            .duration_seconds(duration_seconds(r.duration))
            .set_external_id(r.external_id.map(str::to_string));
        if let Some((serial, code)) = r.mfa {
            call = call.serial_number(serial).token_code(code.expose());
        }
        let out = call.send().await.map_err(|e| ctx.map(e))?;
        let role_arn = out.assumed_role_user().map(|u| u.arn().to_string());
        ctx.sts_credentials(out.credentials(), "AssumeRole", role_arn)
    }

    async fn get_session_token(&self, r: SessionTokenRequest<'_>) -> Result<StsCredentials> {
        let ctx = self.error_context(r.profile, r.profile, r.credentials, r.endpoint, r.mfa);
        let mut call = self
            .client(r.credentials, r.endpoint, &ctx.attempts)
            .get_session_token()
            .duration_seconds(duration_seconds(r.duration));
        if let Some((serial, code)) = r.mfa {
            call = call.serial_number(serial).token_code(code.expose());
        }
        let out = call.send().await.map_err(|e| ctx.map(e))?;
        ctx.sts_credentials(out.credentials(), "GetSessionToken", None)
    }

    async fn get_federation_token(&self, r: FederationTokenRequest<'_>) -> Result<StsCredentials> {
        let ctx = self.error_context(r.profile, r.profile, r.credentials, r.endpoint, None);
        let out = self
            .client(r.credentials, r.endpoint, &ctx.attempts)
            .get_federation_token()
            .name(r.name)
            .policy(r.policy)
            .duration_seconds(duration_seconds(r.duration))
            .send()
            .await
            .map_err(|e| ctx.map(e))?;
        let user_arn = out.federated_user().map(|u| u.arn().to_string());
        ctx.sts_credentials(out.credentials(), "GetFederationToken", user_arn)
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
    attempt_timeout: StdDuration,
    /// When the call began, so a timeout says how long it really waited.
    started: Instant,
    attempts: AttemptCounter,
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
        let timeout = || Error::Timeout {
            profile: profile.clone(),
            endpoint: endpoint.clone(),
            waited_ms: millis(self.started.elapsed()),
            attempts: self.attempts.get().max(1),
            attempt_timeout_ms: millis(self.attempt_timeout),
        };
        match error {
            SdkError::TimeoutError(_) => timeout(),
            SdkError::DispatchFailure(d) if d.is_timeout() => timeout(),
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
                let (status, body, code, message) = service_error_parts(&s);
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
                    attempts: self.attempts.get().max(1),
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

fn millis(d: StdDuration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// An error and its sources on one line (the SDK's top-level message alone is often "dispatch failure").
pub(crate) fn source_chain(error: &(dyn std::error::Error + 'static)) -> String {
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
/// A service error's HTTP status, raw body, code and message. Some servers (moto) wrap errors so the SDK
/// finds no code: then they are read from the raw XML body.
pub(crate) fn service_error_parts<E: ProvideErrorMetadata>(
    error: &aws_smithy_runtime_api::client::result::ServiceError<
        E,
        aws_smithy_runtime_api::client::orchestrator::HttpResponse,
    >,
) -> (u16, String, Option<String>, Option<String>) {
    let status = error.raw().status().as_u16();
    let body = error
        .raw()
        .body()
        .bytes()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default();
    let code = error
        .err()
        .code()
        .map(str::to_string)
        .or_else(|| xml_text(&body, "Code"));
    let message = error
        .err()
        .message()
        .map(str::to_string)
        .or_else(|| xml_text(&body, "Message"));
    (status, body, code, message)
}

pub(crate) fn xml_text(body: &str, tag: &str) -> Option<String> {
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

    fn reply(key_id: &str, secret: &str, token: Option<&str>, expires_at: OffsetDateTime) -> StsCredentials {
        StsCredentials {
            credentials: Credentials {
                access_key_id: key_id.into(),
                secret_access_key: crate::Secret::new(secret),
                session_token: token.map(crate::Secret::new),
            },
            expires_at,
            assumed_role_arn: None,
        }
    }

    #[test]
    fn a_reply_must_be_a_whole_live_session_within_what_was_asked() {
        let now = time::macros::datetime!(2026-11-25 12:00 UTC);
        let hour = Duration::hours(1);
        let at = |d: Duration| now + d;
        let ok = reply("ASIAEXAMPLE000000001", "s", Some("t"), at(hour));
        assert_eq!(reply_problem(&ok, now, hour), None);
        assert_eq!(
            reply_problem(&reply("ASIA_minio_Style_key", "s", Some("t"), at(hour)), now, hour),
            None
        );
        assert_eq!(
            reply_problem(
                &reply("ASIAEXAMPLE000000001", "s", Some("t"), at(hour + EXPIRY_SLACK)),
                now,
                hour
            ),
            None
        );
        for (bad, why) in [
            (reply("", "s", Some("t"), at(hour)), "no AccessKeyId"),
            (reply("ASIASHORT", "s", Some("t"), at(hour)), "not a key id"),
            (reply("ASIA EXAMPLE/0000001", "s", Some("t"), at(hour)), "not a key id"),
            (reply(&"A".repeat(129), "s", Some("t"), at(hour)), "not a key id"),
            (
                reply("ASIAEXAMPLE000000001", "", Some("t"), at(hour)),
                "no SecretAccessKey",
            ),
            (reply("ASIAEXAMPLE000000001", "s", None, at(hour)), "no SessionToken"),
            (
                reply("ASIAEXAMPLE000000001", "s", Some(""), at(hour)),
                "no SessionToken",
            ),
            (
                reply("ASIAEXAMPLE000000001", "s", Some("t"), OffsetDateTime::UNIX_EPOCH),
                "no Expiration",
            ),
            (reply("ASIAEXAMPLE000000001", "s", Some("t"), now), "already past"),
            (
                reply(
                    "ASIAEXAMPLE000000001",
                    "s",
                    Some("t"),
                    at(hour + EXPIRY_SLACK + Duration::SECOND),
                ),
                "further away",
            ),
        ] {
            let problem = reply_problem(&bad, now, hour).unwrap_or_default();
            assert!(problem.contains(why), "{why}: {problem:?}");
            assert!(!problem.contains("ASIA"), "no key id in {problem:?}");
        }
    }
}

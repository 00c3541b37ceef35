//! The [`KeyApi`] of real AWS: IAM through aws-sdk-iam, the new key's check through
//! aws-sdk-sts (GetCallerIdentity), both built from explicit credentials as `sts` does.

use super::error::IamFailure;
use super::iam::{AccessKeyMeta, IamAt, KeyApi, NewAccessKey};
use crate::credentials::Credentials;
use crate::session::sts::{service_error_parts, source_chain};
use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use std::time::Duration as StdDuration;
use time::OffsetDateTime;

/// IAM and STS through the AWS SDK. Calls are bounded: 3 attempts (the SDK retries throttling,
/// 5xx and broken connections), 5 s to connect, 10 s an attempt, 30 s in all. CreateAccessKey
/// is tried once: it is not idempotent, so a retry after a lost reply would make a second key.
#[derive(Debug, Clone, Default)]
pub struct SdkIam;

fn retry(attempts: u32) -> RetryConfig {
    RetryConfig::standard().with_max_attempts(attempts)
}

fn timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(StdDuration::from_secs(5))
        .operation_attempt_timeout(StdDuration::from_secs(10))
        .operation_timeout(StdDuration::from_secs(30))
        .build()
}

fn provider(c: &Credentials) -> aws_credential_types::Credentials {
    aws_credential_types::Credentials::new(
        c.access_key_id.clone(),
        c.secret_access_key.expose().to_string(),
        c.session_token.as_ref().map(|t| t.expose().to_string()),
        None,
        "rolebar",
    )
}

fn iam(at: &IamAt, signer: &Credentials, attempts: u32) -> aws_sdk_iam::Client {
    let mut config = aws_sdk_iam::Config::builder()
        .behavior_version(aws_sdk_iam::config::BehaviorVersion::latest())
        .region(aws_sdk_iam::config::Region::new(at.region.clone()))
        .credentials_provider(provider(signer))
        .retry_config(retry(attempts))
        .timeout_config(timeouts());
    // Without an explicit endpoint the SDK picks IAM's own for the region's partition.
    if let Some(url) = &at.iam_url {
        config = config.endpoint_url(url.clone());
    }
    aws_sdk_iam::Client::from_conf(config.build())
}

fn sts(at: &IamAt, keys: &Credentials) -> aws_sdk_sts::Client {
    let config = aws_sdk_sts::Config::builder()
        .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
        .region(aws_sdk_sts::config::Region::new(at.sts.region.clone()))
        .endpoint_url(at.sts.url())
        .credentials_provider(provider(keys))
        // One attempt each: the rotation's own loop retries a key IAM does not know yet.
        .retry_config(retry(1))
        .timeout_config(timeouts())
        .build();
    aws_sdk_sts::Client::from_conf(config)
}

fn to_time(t: Option<&aws_smithy_types::DateTime>) -> Option<OffsetDateTime> {
    t.and_then(|t| OffsetDateTime::from_unix_timestamp(t.secs()).ok())
}

/// An SDK error as the rotation tells failures apart.
fn failure<E>(endpoint: &str, error: SdkError<E, aws_smithy_runtime_api::http::Response>) -> IamFailure
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let chain = source_chain(&error);
    let endpoint = endpoint.to_string();
    match error {
        // The request may have gone out before the time ran out.
        SdkError::TimeoutError(_) => IamFailure::NoReply {
            endpoint,
            detail: "no answer in time".into(),
        },
        SdkError::DispatchFailure(d) => {
            let detail = d
                .as_connector_error()
                .map(|e| source_chain(e))
                .unwrap_or_else(|| "connection failed".into());
            if d.as_connector_error().is_some_and(|e| never_sent(e)) {
                IamFailure::Unreachable { endpoint, detail }
            } else {
                IamFailure::NoReply { endpoint, detail }
            }
        }
        SdkError::ResponseError(_) => IamFailure::NoReply {
            endpoint,
            detail: format!("the reply could not be read: {chain}"),
        },
        SdkError::ServiceError(s) => {
            let (status, _, code, message) = service_error_parts(&s);
            let message = message.unwrap_or_default();
            // A success status whose body the SDK could not read: the call was carried out.
            if (200..300).contains(&status) && code.is_none() {
                return IamFailure::NoReply {
                    endpoint,
                    detail: format!("HTTP {status} with a body that is not IAM's reply"),
                };
            }
            classify(code.as_deref(), message, status)
        }
        // Built wrong, so never sent.
        SdkError::ConstructionFailure(_) => IamFailure::Other {
            code: "request_failed".into(),
            message: chain,
        },
        _ => IamFailure::NoReply {
            endpoint,
            detail: chain,
        },
    }
}

/// Whether a connection failure happened before the request could be sent: no connection was
/// made (refused, no route, the name not resolved, the TLS handshake failed, the connect
/// timeout). Anything else (a connection reset or closed while waiting for the reply, a failure
/// not recognised) is taken as possibly sent: that costs a ListAccessKeys where a wrong guess
/// would cost a stray key nobody knows of.
fn never_sent(error: &(dyn std::error::Error + 'static)) -> bool {
    use std::io::ErrorKind;
    let mut next = Some(error);
    while let Some(e) = next {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if matches!(
                io.kind(),
                ErrorKind::ConnectionRefused
                    | ErrorKind::NetworkUnreachable
                    | ErrorKind::HostUnreachable
                    | ErrorKind::AddrNotAvailable
            ) {
                return true;
            }
        }
        if e.is::<aws_smithy_runtime_api::client::dns::ResolveDnsError>() {
            return true;
        }
        // The connect timeout (aws-smithy-http-client's private error) and hyper-util's
        // failures to connect (DNS, TCP, proxy) are told only by their text, which names the
        // phase. Should the text change, such a failure is taken as possibly sent: safe.
        let text = e.to_string();
        if text.contains("HTTP connect timeout") || text.starts_with("client error (Connect)") {
            return true;
        }
        next = e.source();
    }
    false
}

/// IAM's and STS's error codes, by what the rotation does about them.
pub(super) fn classify(code: Option<&str>, message: String, status: u16) -> IamFailure {
    if status >= 500 {
        return IamFailure::ServerFault {
            code: code.map_or_else(|| format!("HTTP {status}"), str::to_string),
            message,
        };
    }
    match code {
        Some("AccessDenied" | "AccessDeniedException") => IamFailure::AccessDenied { message },
        Some("LimitExceeded") => IamFailure::KeyLimit { message },
        Some(c @ ("InvalidClientTokenId" | "SignatureDoesNotMatch" | "UnrecognizedClientException")) => {
            IamFailure::KeyRejected { code: c.to_string() }
        }
        Some("NoSuchEntity") => IamFailure::NoSuchKey { message },
        Some(c) => IamFailure::Other {
            code: c.to_string(),
            message,
        },
        None => IamFailure::Other {
            code: format!("HTTP {status}"),
            message,
        },
    }
}

#[async_trait::async_trait]
impl KeyApi for SdkIam {
    async fn list_access_keys(&self, at: &IamAt, signer: &Credentials) -> Result<Vec<AccessKeyMeta>, IamFailure> {
        let out = iam(at, signer, 3)
            .list_access_keys()
            .send()
            .await
            .map_err(|e| failure(&at.iam_endpoint(), e))?;
        Ok(out
            .access_key_metadata()
            .iter()
            .filter_map(|k| {
                Some(AccessKeyMeta {
                    access_key_id: k.access_key_id()?.to_string(),
                    user_name: k.user_name().map(str::to_string),
                    created_at: to_time(k.create_date()),
                    active: k.status().is_none_or(|s| s.as_str() == "Active"),
                })
            })
            .collect())
    }

    async fn create_access_key(&self, at: &IamAt, signer: &Credentials) -> Result<NewAccessKey, IamFailure> {
        let out = iam(at, signer, 1)
            .create_access_key()
            .send()
            .await
            .map_err(|e| failure(&at.iam_endpoint(), e))?;
        // A success reply without the key: IAM made one, and it is lost.
        let malformed = |what: &str| IamFailure::NoReply {
            endpoint: at.iam_endpoint(),
            detail: format!("the CreateAccessKey reply has no {what}"),
        };
        let key = out.access_key().ok_or_else(|| malformed("AccessKey"))?;
        if key.access_key_id().trim().is_empty() {
            return Err(malformed("AccessKeyId"));
        }
        if key.secret_access_key().is_empty() {
            return Err(malformed("SecretAccessKey"));
        }
        Ok(NewAccessKey {
            keys: Credentials::long_term(key.access_key_id(), key.secret_access_key()),
            user_name: Some(key.user_name().to_string()).filter(|u| !u.is_empty()),
            created_at: to_time(key.create_date()),
        })
    }

    async fn delete_access_key(&self, at: &IamAt, signer: &Credentials, key_id: &str) -> Result<(), IamFailure> {
        iam(at, signer, 3)
            .delete_access_key()
            .access_key_id(key_id)
            .send()
            .await
            .map_err(|e| failure(&at.iam_endpoint(), e))?;
        Ok(())
    }

    async fn check_key(&self, at: &IamAt, keys: &Credentials) -> Result<(), IamFailure> {
        sts(at, keys)
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| failure(&at.sts.url(), e))?;
        Ok(())
    }
}

//! The [`KeyApi`] of real AWS: IAM through aws-sdk-iam, the new key's check through
//! aws-sdk-sts (GetCallerIdentity), both built from explicit credentials as `sts` does.

use super::{AccessKeyMeta, IamAt, IamFailure, KeyApi, NewAccessKey};
use crate::credentials::Credentials;
use crate::sts::{service_error_parts, source_chain};
use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use std::time::Duration as StdDuration;
use time::OffsetDateTime;

/// IAM and STS through the AWS SDK. Calls are bounded: 3 attempts (the SDK retries throttling
/// and 5xx), 5 s to connect, 10 s an attempt, 30 s in all.
#[derive(Debug, Clone, Default)]
pub struct SdkIam;

fn retry() -> RetryConfig {
    RetryConfig::standard().with_max_attempts(3)
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

fn iam(at: &IamAt, signer: &Credentials) -> aws_sdk_iam::Client {
    let mut config = aws_sdk_iam::Config::builder()
        .behavior_version(aws_sdk_iam::config::BehaviorVersion::latest())
        .region(aws_sdk_iam::config::Region::new(at.region.clone()))
        .credentials_provider(provider(signer))
        .retry_config(retry())
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
        .retry_config(aws_smithy_types::retry::RetryConfig::standard().with_max_attempts(1))
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
    match error {
        SdkError::TimeoutError(_) => IamFailure::Unreachable {
            endpoint: endpoint.to_string(),
            detail: "no answer in time".into(),
        },
        SdkError::DispatchFailure(d) => IamFailure::Unreachable {
            endpoint: endpoint.to_string(),
            detail: d
                .as_connector_error()
                .map(|e| source_chain(e))
                .unwrap_or_else(|| "connection failed".into()),
        },
        SdkError::ServiceError(s) => {
            let (status, _, code, message) = service_error_parts(&s);
            let message = message.unwrap_or_default();
            classify(code.as_deref(), message, status)
        }
        _ => IamFailure::Other {
            code: "request_failed".into(),
            message: chain,
        },
    }
}

/// IAM's and STS's error codes, by what the rotation does about them.
pub(super) fn classify(code: Option<&str>, message: String, status: u16) -> IamFailure {
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
        let out = iam(at, signer)
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
        let out = iam(at, signer)
            .create_access_key()
            .send()
            .await
            .map_err(|e| failure(&at.iam_endpoint(), e))?;
        let key = out.access_key().ok_or_else(|| IamFailure::Other {
            code: "malformed_reply".into(),
            message: "no AccessKey in the CreateAccessKey reply".into(),
        })?;
        Ok(NewAccessKey {
            keys: Credentials::long_term(key.access_key_id(), key.secret_access_key()),
            user_name: Some(key.user_name().to_string()).filter(|u| !u.is_empty()),
            created_at: to_time(key.create_date()),
        })
    }

    async fn delete_access_key(&self, at: &IamAt, signer: &Credentials, key_id: &str) -> Result<(), IamFailure> {
        iam(at, signer)
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

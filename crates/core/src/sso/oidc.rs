//! SSO OIDC through aws-sdk-ssooidc: RegisterClient, StartDeviceAuthorization, CreateToken.
//! The calls take no AWS credentials (the service's model says so); the client secret and the
//! grant are the proof.

use super::cache::Registration;
use super::error::{SsoError, SsoService};
use super::sdk::{sdk_client, Call, SsoOptions};
use crate::Secret;
use time::{Duration, OffsetDateTime};

pub const GRANT_AUTHORIZATION_CODE: &str = "authorization_code";
pub const GRANT_REFRESH_TOKEN: &str = "refresh_token";
pub const GRANT_DEVICE_CODE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// A grant CreateToken exchanges for a token.
#[derive(Debug)]
pub enum Grant<'a> {
    AuthorizationCode {
        code: &'a Secret,
        verifier: &'a Secret,
        redirect_uri: &'a str,
    },
    DeviceCode(&'a Secret),
    RefreshToken(&'a Secret),
}

/// CreateToken's reply.
#[derive(Debug)]
pub struct TokenReply {
    pub access_token: Secret,
    pub expires_at: OffsetDateTime,
    pub refresh_token: Option<Secret>,
}

/// Why CreateToken gave no token.
#[derive(Debug)]
pub enum TokenFailure {
    /// Device flow: not approved yet.
    Pending,
    /// Device flow: poll less often.
    SlowDown,
    /// The device code (or authorization) expired.
    Expired,
    /// The user denied the authorization.
    Denied(String),
    /// The grant or the client is no longer good (expired or revoked refresh token, spent or
    /// wrong code, wrong verifier, expired registration): only a new sign-in helps.
    Rejected(String),
    Other(SsoError),
}

/// StartDeviceAuthorization's reply.
#[derive(Debug)]
pub struct DeviceAuthorization {
    pub device_code: Secret,
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: Option<String>,
    pub expires_at: OffsetDateTime,
    pub interval: std::time::Duration,
}

#[derive(Debug)]
pub struct Oidc {
    client: aws_sdk_ssooidc::Client,
    endpoint: String,
}

impl Oidc {
    pub fn new(endpoint: String, region: &str, options: &SsoOptions) -> Oidc {
        Oidc {
            client: sdk_client!(aws_sdk_ssooidc, &endpoint, region, options),
            endpoint,
        }
    }

    fn call(&self) -> Call {
        Call::new(SsoService::Oidc, self.endpoint.clone())
    }

    /// RegisterClient for `grant_types` (a public client).
    pub async fn register(
        &self,
        client_name: &str,
        grant_types: &[&str],
        redirect_uri: Option<&str>,
        issuer_url: Option<&str>,
        scopes: &[String],
    ) -> Result<Registration, SsoError> {
        let call = self.call();
        let out = self
            .client
            .register_client()
            .client_name(client_name)
            .client_type("public")
            .set_grant_types(Some(grant_types.iter().map(|g| g.to_string()).collect()))
            .set_redirect_uris(redirect_uri.map(|u| vec![u.to_string()]))
            .set_issuer_url(issuer_url.map(str::to_string))
            .set_scopes((!scopes.is_empty()).then(|| scopes.to_vec()))
            .send()
            .await
            .map_err(|e| match call.classify(e) {
                Ok(reply) => call.refused(reply),
                Err(e) => e,
            })?;
        let client_id = out
            .client_id()
            .filter(|c| !c.is_empty())
            .ok_or_else(|| call.bad_reply("RegisterClient: no clientId"))?;
        let client_secret = out
            .client_secret()
            .filter(|c| !c.is_empty())
            .ok_or_else(|| call.bad_reply("RegisterClient: no clientSecret"))?;
        let expires_at = OffsetDateTime::from_unix_timestamp(out.client_secret_expires_at())
            .map_err(|_| call.bad_reply("RegisterClient: clientSecretExpiresAt out of range"))?;
        Ok(Registration {
            client_id: client_id.to_string(),
            client_secret: Secret::new(client_secret),
            expires_at,
            grant_types: Some(grant_types.iter().map(|g| g.to_string()).collect()),
            scopes: Some(scopes.to_vec()),
        })
    }

    pub async fn start_device_authorization(
        &self,
        registration: &Registration,
        start_url: &str,
        now: OffsetDateTime,
    ) -> Result<DeviceAuthorization, SsoError> {
        let call = self.call();
        let out = self
            .client
            .start_device_authorization()
            .client_id(&registration.client_id)
            .client_secret(registration.client_secret.expose())
            .start_url(start_url)
            .send()
            .await
            .map_err(|e| match call.classify(e) {
                Ok(reply) => call.refused(reply),
                Err(e) => e,
            })?;
        let missing = |what: &str| call.bad_reply(format!("StartDeviceAuthorization: no {what}"));
        let device_code = out
            .device_code()
            .filter(|c| !c.is_empty())
            .ok_or_else(|| missing("deviceCode"))?;
        let user_code = out
            .user_code()
            .filter(|c| !c.is_empty())
            .ok_or_else(|| missing("userCode"))?;
        let verification_uri = out
            .verification_uri()
            .filter(|c| !c.is_empty())
            .ok_or_else(|| missing("verificationUri"))?;
        // RFC 8628: 5 seconds when the service names no interval.
        let interval = match out.interval() {
            n if n > 0 => std::time::Duration::from_secs(n.unsigned_abs().into()),
            _ => std::time::Duration::from_secs(5),
        };
        let expires_in = match out.expires_in() {
            n if n > 0 => Duration::seconds(n.into()),
            _ => Duration::minutes(10),
        };
        Ok(DeviceAuthorization {
            device_code: Secret::new(device_code),
            user_code: user_code.to_string(),
            verification_uri: verification_uri.to_string(),
            verification_uri_complete: out.verification_uri_complete().map(str::to_string),
            expires_at: now + expires_in,
            interval,
        })
    }

    /// CreateToken with `grant`; `now` dates the reply's expiry.
    pub async fn create_token(
        &self,
        registration: &Registration,
        grant: Grant<'_>,
        now: OffsetDateTime,
    ) -> Result<TokenReply, TokenFailure> {
        let call = self.call();
        let request = self
            .client
            .create_token()
            .client_id(&registration.client_id)
            .client_secret(registration.client_secret.expose());
        let request = match grant {
            Grant::AuthorizationCode {
                code,
                verifier,
                redirect_uri,
            } => request
                .grant_type(GRANT_AUTHORIZATION_CODE)
                .code(code.expose())
                .code_verifier(verifier.expose())
                .redirect_uri(redirect_uri),
            Grant::DeviceCode(device_code) => request.grant_type(GRANT_DEVICE_CODE).device_code(device_code.expose()),
            Grant::RefreshToken(refresh) => request.grant_type(GRANT_REFRESH_TOKEN).refresh_token(refresh.expose()),
        };
        let out = match request.send().await {
            Ok(out) => out,
            Err(e) => {
                let reply = call.classify(e).map_err(TokenFailure::Other)?;
                let detail = if reply.message.is_empty() {
                    reply.code.clone().unwrap_or_default()
                } else {
                    reply.message.clone()
                };
                return Err(match reply.code.as_deref() {
                    Some("AuthorizationPendingException") => TokenFailure::Pending,
                    Some("SlowDownException") => TokenFailure::SlowDown,
                    Some("ExpiredTokenException") => TokenFailure::Expired,
                    Some("AccessDeniedException") => TokenFailure::Denied(detail),
                    Some("InvalidGrantException" | "InvalidClientException" | "UnauthorizedClientException") => {
                        TokenFailure::Rejected(detail)
                    }
                    _ => TokenFailure::Other(call.refused(reply)),
                });
            }
        };
        let access_token = out
            .access_token()
            .filter(|t| !t.is_empty())
            .ok_or_else(|| TokenFailure::Other(call.bad_reply("CreateToken: no accessToken")))?;
        if out.expires_in() <= 0 {
            return Err(TokenFailure::Other(call.bad_reply(
                "CreateToken: the token expires at once (expiresIn is not positive)",
            )));
        }
        Ok(TokenReply {
            access_token: Secret::new(access_token),
            expires_at: now + Duration::seconds(out.expires_in().into()),
            refresh_token: out.refresh_token().filter(|t| !t.is_empty()).map(Secret::new),
        })
    }
}

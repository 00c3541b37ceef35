//! The federation endpoint: `Action=getSigninToken` trades a session's keys for a sign-in token,
//! and `Action=login` with that token is the URL that opens the console.
//!
//! The HTTP client is the AWS SDK's own (`aws-smithy-http-client`, hyper 1 with rustls and the
//! platform's root certificates), already built for STS: no second HTTP or TLS stack is added
//! for one GET. The request URL carries the session's keys and the reply the token, so neither
//! is logged, put in an error, or kept longer than needed.

use super::error::ConsoleError;
use super::partition::{encode_query_value, ConsoleTarget};
use crate::credentials::Credentials;
use crate::sensitive::Secret;
use crate::session::sts::source_chain;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_runtime_api::client::http::{HttpConnector, HttpConnectorSettings};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use http_body_util::BodyExt;
use std::fmt;
use std::time::{Duration as StdDuration, Instant};
use zeroize::Zeroizing;

/// `Issuer`: who made the link, which the console shows when the session ends.
pub const ISSUER: &str = "Rolebar";

/// A getSigninToken reply is a short JSON object; anything much larger is not one.
const MAX_REPLY_BYTES: usize = 64 * 1024;

/// The sign-in URL: whoever has it is signed in to the console as the session, until the
/// token expires (15 minutes). `Debug` shows nothing; [`SigninUrl::expose`] is the only way to
/// read it, for the browser or `--stdout`.
#[derive(Clone, PartialEq, Eq)]
pub struct SigninUrl(Secret);

impl SigninUrl {
    pub(crate) fn new(url: &str) -> SigninUrl {
        SigninUrl(Secret::new(url))
    }

    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

impl fmt::Debug for SigninUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigninUrl(***)")
    }
}

/// Calls the federation endpoint, bounded in time.
#[derive(Debug, Clone)]
pub struct FederationClient {
    pub connect_timeout: StdDuration,
    /// The whole exchange: connecting, sending, and reading the reply.
    pub total_timeout: StdDuration,
}

impl Default for FederationClient {
    fn default() -> Self {
        FederationClient {
            connect_timeout: StdDuration::from_secs(5),
            // As STS calls: a sign-in should not hold a command or a menu click longer.
            total_timeout: StdDuration::from_secs(30),
        }
    }
}

impl FederationClient {
    /// The sign-in URL for `credentials` (a role's or a federated user's session) on `target`.
    /// `session_duration` is sent as `SessionDuration` only when given: AWS accepts it only for
    /// role sessions made from long-term keys (the caller decides, see `console`).
    pub async fn signin_url(
        &self,
        profile: &str,
        credentials: &Credentials,
        session_duration: Option<StdDuration>,
        target: &ConsoleTarget,
    ) -> Result<SigninUrl, ConsoleError> {
        let token = self
            .signin_token(profile, credentials, session_duration, target)
            .await?;
        let url = Zeroizing::new(format!(
            "{}?Action=login&Issuer={ISSUER}&Destination={}&SigninToken={}",
            target.federation_endpoint,
            encode_query_value(&target.destination),
            encode_query_value(token.expose())
        ));
        tracing::debug!(profile, endpoint = %target.federation_endpoint, destination = %target.destination, "made a console sign-in URL");
        Ok(SigninUrl::new(&url))
    }

    /// `Action=getSigninToken`: the token, or why there is none.
    async fn signin_token(
        &self,
        profile: &str,
        credentials: &Credentials,
        session_duration: Option<StdDuration>,
        target: &ConsoleTarget,
    ) -> Result<Secret, ConsoleError> {
        let endpoint = &target.federation_endpoint;
        let session = Zeroizing::new(session_json(credentials));
        let duration = session_duration
            .map(|d| format!("&SessionDuration={}", d.as_secs()))
            .unwrap_or_default();
        let url = Zeroizing::new(format!(
            "{endpoint}?Action=getSigninToken{duration}&Session={}",
            encode_query_value(&session)
        ));
        let bad_reply = |detail: &str| ConsoleError::SigninBadReply {
            profile: profile.to_string(),
            endpoint: endpoint.clone(),
            detail: detail.to_string(),
        };
        let unreachable = |detail: String| ConsoleError::SigninUnreachable {
            profile: profile.to_string(),
            endpoint: endpoint.clone(),
            detail,
        };
        // The error of a bad URL could quote it, and this one holds the session's keys.
        let mut request = HttpRequest::get(url.as_str())
            .map_err(|_| unreachable("the request URL could not be built from the endpoint".into()))?;
        request.headers_mut().insert("accept", "application/json");
        request
            .headers_mut()
            .insert("user-agent", concat!("rolebar/", env!("CARGO_PKG_VERSION")));
        drop(url);

        let connector = aws_smithy_http_client::Connector::builder()
            .connector_settings(
                HttpConnectorSettings::builder()
                    .connect_timeout(self.connect_timeout)
                    .build(),
            )
            // HTTPS_PROXY / NO_PROXY, as the SDK's own client reads them.
            .proxy_config(aws_smithy_http_client::proxy::ProxyConfig::from_env())
            .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
            .build();
        let started = Instant::now();
        let exchange = async {
            let response = connector.call(request).await.map_err(|e| {
                if e.is_timeout() {
                    Exchange::Timeout
                } else {
                    Exchange::Unreachable(source_chain(&e))
                }
            })?;
            let status = response.status().as_u16();
            let body = http_body_util::Limited::new(response.into_body(), MAX_REPLY_BYTES)
                .collect()
                .await
                .map_err(|e| Exchange::CutShort(source_chain(e.as_ref())))?
                .to_bytes();
            Ok::<_, Exchange>((status, Zeroizing::new(body.to_vec())))
        };
        let (status, body) = match tokio::time::timeout(self.total_timeout, exchange).await {
            Err(_) | Ok(Err(Exchange::Timeout)) => {
                return Err(ConsoleError::SigninTimeout {
                    profile: profile.to_string(),
                    endpoint: endpoint.clone(),
                    waited_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
                })
            }
            Ok(Err(Exchange::Unreachable(detail))) => return Err(unreachable(detail)),
            Ok(Err(Exchange::CutShort(detail))) => {
                return Err(bad_reply(&format!("the reply was cut short or too long: {detail}")))
            }
            Ok(Ok(reply)) => reply,
        };
        if !(200..300).contains(&status) {
            return Err(ConsoleError::SigninRefused {
                profile: profile.to_string(),
                endpoint: endpoint.clone(),
                status,
                body: body_start(&body),
                hint: refusal_hint(profile, status, session_duration.is_some()),
            });
        }
        let reply: serde_json::Value =
            serde_json::from_slice(&body).map_err(|_| bad_reply(&format!("not JSON: {:?}", body_start(&body))))?;
        match reply.get("SigninToken").and_then(serde_json::Value::as_str) {
            Some(token) if !token.is_empty() => Ok(Secret::new(token)),
            Some(_) => Err(bad_reply("an empty SigninToken")),
            None => Err(bad_reply("no SigninToken in the JSON reply")),
        }
    }
}

/// How the exchange failed before a whole reply was read.
enum Exchange {
    Timeout,
    Unreachable(String),
    CutShort(String),
}

/// The `Session` parameter: the session's three parts as the federation endpoint names them.
fn session_json(credentials: &Credentials) -> String {
    serde_json::json!({
        "sessionId": credentials.access_key_id,
        "sessionKey": credentials.secret_access_key.expose(),
        "sessionToken": credentials.session_token.as_ref().map(Secret::expose).unwrap_or_default(),
    })
    .to_string()
}

/// What to do about an HTTP error, by what was asked.
fn refusal_hint(profile: &str, status: u16, sent_duration: bool) -> String {
    match status {
        400 if sent_duration => "AWS may refuse the console session length asked (longer than the role's maximum session duration): try a shorter --duration, or none".into(),
        400..=499 => format!(
            "the session may have expired or been revoked: run `rolebar clear {profile}` and try again"
        ),
        _ => "AWS's sign-in service failed: try again in a minute".into(),
    }
}

/// The start of a reply for an error message: AWS's error pages carry no secret, but a
/// successful reply does, so this is only called for bodies that are not a token.
fn body_start(body: &[u8]) -> String {
    let mut text: String = String::from_utf8_lossy(body).chars().take(120).collect();
    text.retain(|c| !c.is_control());
    // A reply that is JSON with a token in it is never quoted.
    if text.contains("SigninToken") {
        return "(a reply naming a SigninToken)".into();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_parameter_names_the_three_parts() {
        let c = Credentials::temporary("ASIAEXAMPLE000000001", "sec/ret+", "to=ken");
        let v: serde_json::Value = serde_json::from_str(&session_json(&c)).expect("json");
        assert_eq!(v["sessionId"], "ASIAEXAMPLE000000001");
        assert_eq!(v["sessionKey"], "sec/ret+");
        assert_eq!(v["sessionToken"], "to=ken");
    }

    #[test]
    fn a_sign_in_url_never_shows_in_debug_output() {
        let url = SigninUrl::new("https://signin.aws.amazon.com/federation?SigninToken=abc");
        assert_eq!(format!("{url:?}"), "SigninUrl(***)");
    }

    #[test]
    fn replies_that_name_a_token_are_never_quoted() {
        assert_eq!(
            body_start(br#"{"SigninToken":"abc"}"#),
            "(a reply naming a SigninToken)"
        );
        assert_eq!(body_start(b"<html>\nBad\r\n"), "<html>Bad");
    }
}

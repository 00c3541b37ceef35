//! The JSON a `credential_process` command prints for the AWS CLI and SDKs:
//!
//! ```json
//! {
//!   "Version": 1,
//!   "AccessKeyId": "ASIA…",
//!   "SecretAccessKey": "…",
//!   "SessionToken": "…",
//!   "Expiration": "2026-05-01T12:00:00Z"
//! }
//! ```
//!
//! Printed as `aws configure export-credentials --format process` prints it: two-space indent,
//! keys in this order, a final newline.

use super::error::OutputError;
use super::text::rfc3339_utc;
use crate::session::Session;
use serde::Serialize;
use time::{Duration, OffsetDateTime};
use zeroize::Zeroizing;

/// How much time a `credential_process` caller (and a container-credentials one) wants a session
/// to have left; a shorter session is held to a third of its life instead
/// ([`handout_margin`](crate::session::handout_margin), which every caller goes through).
///
/// botocore (under the AWS CLI) treats process and container credentials as refreshable and
/// refreshes them when fewer than 15 minutes are left (its "advisory" refresh window; the
/// "mandatory" one is 10 minutes). A session handed out with less than that is stale for it
/// the moment it arrives, so the CLI runs the process again on its next call: a long session
/// is renewed first. A session of 15 minutes (a role's `duration_seconds = 900`) never has
/// that much left: it is handed out while it has a third of its life (5 minutes), so those runs
/// are answered from the cache, not with a new session and a new MFA code each.
pub const CREDENTIAL_PROCESS_MIN_LEFT: Duration = Duration::minutes(15);

/// Whether `session` may be printed for a `credential_process` caller at `now`
/// ([`Session::is_fresh`] with [`CREDENTIAL_PROCESS_MIN_LEFT`]).
pub fn is_fresh_enough(session: &Session, now: OffsetDateTime) -> bool {
    session.is_fresh(now, CREDENTIAL_PROCESS_MIN_LEFT)
}

/// The wire shape. Crate-private and borrowing: `Session` and `Secret` have no `Serialize` on
/// purpose, so this (here, and flattened into the agent's reply) is where secrets become JSON.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ProcessCredentials<'a> {
    pub version: u8,
    pub access_key_id: &'a str,
    pub secret_access_key: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_token: Option<&'a str>,
    pub expiration: &'a str,
}

impl<'a> ProcessCredentials<'a> {
    /// `session`'s credentials, expiring at `expiration` (its RFC 3339 text).
    pub fn of(session: &'a Session, expiration: &'a str) -> Self {
        let credentials = &session.credentials;
        ProcessCredentials {
            version: 1,
            access_key_id: &credentials.access_key_id,
            secret_access_key: credentials.secret_access_key.expose(),
            session_token: credentials.session_token.as_ref().map(|t| t.expose()),
            expiration,
        }
    }
}

/// The `credential_process` JSON for `session`, with a final newline.
pub fn to_json(session: &Session) -> Result<Zeroizing<String>, OutputError> {
    let expiration = rfc3339_utc(session.expires_at)?;
    let body = ProcessCredentials::of(session, &expiration);
    // Room for the worst case (every byte escaped as `\u00XX`, six bytes) so the buffer never
    // reallocates and leaves an unwiped copy of a secret behind.
    let values = body.access_key_id.len()
        + body.secret_access_key.len()
        + body.session_token.map_or(0, str::len)
        + expiration.len();
    let mut buffer = Zeroizing::new(Vec::with_capacity(6 * values + 256));
    serde_json::to_writer_pretty(&mut *buffer, &body).map_err(|source| OutputError::Json { source })?;
    buffer.push(b'\n');
    // serde_json writes UTF-8 only; the check cannot fail, and moving the Vec keeps one allocation.
    let text = String::from_utf8(std::mem::take(&mut *buffer)).map_err(|e| {
        let mut bytes = e.into_bytes();
        zeroize::Zeroize::zeroize(&mut bytes);
        OutputError::Json {
            source: <serde_json::Error as serde::ser::Error>::custom("serde_json wrote bytes that are not UTF-8"),
        }
    })?;
    Ok(Zeroizing::new(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Credentials;
    use crate::session::SessionKind;
    use time::macros::datetime;

    fn session(credentials: Credentials) -> Session {
        Session {
            profile: "dev".into(),
            kind: SessionKind::AssumeRole,
            credentials,
            expires_at: datetime!(2026-05-01 12:00:00 UTC),
            issued_at: None,
            mfa_serial: None,
            role_arn: None,
            region: Some("eu-west-1".into()),
        }
    }

    #[test]
    fn prints_what_the_cli_prints_for_format_process() {
        let s = session(Credentials::temporary("ASIAEXAMPLE", "se\"cr\\et", "tok"));
        let json = to_json(&s).expect("json");
        assert_eq!(
            json.as_str(),
            "{\n  \"Version\": 1,\n  \"AccessKeyId\": \"ASIAEXAMPLE\",\n  \"SecretAccessKey\": \"se\\\"cr\\\\et\",\n  \"SessionToken\": \"tok\",\n  \"Expiration\": \"2026-05-01T12:00:00Z\"\n}\n"
        );
        let back: serde_json::Value = serde_json::from_str(&json).expect("parses");
        assert_eq!(back["SecretAccessKey"], "se\"cr\\et");
    }

    #[test]
    fn long_term_keys_have_no_session_token_field() {
        let json = to_json(&session(Credentials::long_term("AKIAEXAMPLE", "s"))).expect("json");
        assert!(!json.contains("SessionToken"), "{}", json.as_str());
    }

    #[test]
    fn fresh_enough_means_more_than_fifteen_minutes_left() {
        let s = session(Credentials::temporary("a", "b", "c"));
        let at = |left: Duration| s.expires_at - left;
        assert!(is_fresh_enough(&s, at(Duration::minutes(15) + Duration::seconds(1))));
        assert!(!is_fresh_enough(&s, at(Duration::minutes(15))));
        assert!(!is_fresh_enough(&s, at(Duration::minutes(3))));
        assert!(!is_fresh_enough(&s, at(-Duration::minutes(1))));
        let hour = Session {
            issued_at: Some(s.expires_at - Duration::hours(1)),
            ..s.clone()
        };
        assert!(
            !is_fresh_enough(&hour, at(Duration::minutes(15))),
            "a 1-hour session: 15 minutes"
        );
    }

    #[test]
    fn a_fifteen_minute_session_is_fresh_enough_while_a_third_of_it_is_left() {
        let s = Session {
            issued_at: Some(datetime!(2026-05-01 11:45:00 UTC)),
            ..session(Credentials::temporary("a", "b", "c"))
        };
        let at = |left: Duration| s.expires_at - left;
        assert!(is_fresh_enough(&s, at(Duration::seconds(895))), "just made");
        assert!(is_fresh_enough(&s, at(Duration::minutes(5) + Duration::seconds(1))));
        assert!(!is_fresh_enough(&s, at(Duration::minutes(5))));
    }
}

//! The agent's wire protocol: versioned JSON lines (docs/agent-protocol.md).
//!
//! One JSON object per `\n`-terminated line, at most [`MAX_FRAME`] bytes. Every request and reply
//! carries `"v"`. A reply is `{"v":1,"ok":…}` or `{"v":1,"error":{"code":…,"message":…}}`.
//!
//! Secrets become JSON in one place, [`encode_credentials`], the way `outputs::credential_process`
//! does it: borrowed from the `Session`, written into one buffer sized for the worst case, so no
//! reallocation leaves an unwiped copy behind. [`decode_credentials`] borrows the secret strings
//! from the (zeroized) line it is given and moves each into a `Secret` with one allocation.

use super::error::{AgentError, AgentFailure};
use crate::credentials::Credentials;
use crate::error_code::ErrorCode;
use crate::outputs::credential_process::ProcessCredentials;
use crate::outputs::text::rfc3339_utc;
use crate::sensitive::Secret;
use crate::session::{Session, SessionKind};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};
use zeroize::Zeroizing;

/// The protocol version this build speaks.
pub const PROTOCOL_VERSION: u64 = 1;

/// The longest line either side accepts, without its `\n`.
pub use super::frame::MAX_FRAME;

/// The most time left a request may ask for: the longest session STS hands out (36 hours).
pub const MAX_MIN_LEFT: Duration = Duration::hours(36);

/// A request, as the agent reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    Credentials(CredentialsRequest),
    /// The sessions the agent holds (no secrets).
    Sessions,
    /// Is an agent there, and which version.
    Ping,
    /// A front end's command (the window process asks the tray to do what a button says).
    Call(CallRequest),
    /// A front end that stays connected: the connection becomes a [`super::Link`] both ways.
    Subscribe(SubscribeRequest),
}

impl Request {
    /// The op's name, for logs.
    pub fn op(&self) -> &'static str {
        match self {
            Request::Credentials(_) => "credentials",
            Request::Sessions => "sessions",
            Request::Ping => "ping",
            Request::Call(_) => "call",
            Request::Subscribe(_) => "subscribe",
        }
    }
}

/// `{"v":1,"op":"credentials","profile":"dev","min_left_secs":900,"prompt":true,"client":{…}}`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialsRequest {
    pub profile: String,
    /// The session handed out must have more than this left; 0 (the default): the agent's own
    /// expiry window decides.
    pub min_left: Duration,
    /// Whether the agent may show its MFA dialog; `false` (the default) fails with
    /// `mfa_required` when a code is needed.
    pub prompt: bool,
    /// What the client says about itself (self-reported, unlike [`super::Peer`]).
    pub client: Option<ClientContext>,
}

/// Context a client may add to a request: shown to the user, never trusted for a decision.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientContext {
    /// The client's own command line (`rolebar credential-process dev`).
    #[serde(default)]
    pub argv: Vec<String>,
}

/// `{"v":1,"op":"call","command":"get_overview","args":{…}}`: a front end's command, with its
/// arguments as the JSON text they came in (they may hold a secret — an MFA code, a key being
/// added — so they stay in a buffer wiped on drop, and are never logged).
#[derive(Clone, PartialEq, Eq)]
pub struct CallRequest {
    pub command: String,
    /// A JSON object (`{}` when the request had no `args`).
    pub args: Zeroizing<String>,
}

impl std::fmt::Debug for CallRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallRequest")
            .field("command", &self.command)
            .field("args", &format_args!("<{} bytes>", self.args.len()))
            .finish()
    }
}

/// The longest command name a call may carry.
pub const MAX_COMMAND_NAME: usize = 64;

/// `{"v":1,"op":"subscribe","role":"window","pid":4242,"build":"0.1.0"}`: a front end that stays
/// connected. What it is told and may say is up to the [`super::Handler`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscribeRequest {
    /// What subscribes (`window`: the window process).
    pub role: String,
    /// Its process id, as it says (the peer's real one is in [`super::Peer`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
    /// The build it was made from, so a tray and a window process of different versions can tell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build: Option<String>,
}

/// A command's failure as the front end shows it: the front end's own code (not one of
/// rolebar-core's: the commands are the tray's) and a message for the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct CallFailure {
    pub code: String,
    pub message: String,
}

impl CallFailure {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        CallFailure {
            code: code.into(),
            message: message.into(),
        }
    }
}

impl From<AgentFailure> for CallFailure {
    fn from(failure: AgentFailure) -> Self {
        CallFailure::new(failure.code.as_str(), failure.message)
    }
}

/// A session as `sessions` lists it: no secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionSummary {
    pub profile: String,
    pub kind: SessionKind,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

/// The reply to `ping`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentInfo {
    /// The Rolebar version of the agent.
    pub version: String,
}

impl AgentInfo {
    pub fn current() -> Self {
        AgentInfo {
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SessionList {
    pub sessions: Vec<SessionSummary>,
}

// ---------------------------------------------------------------------------------------------
// Requests

#[derive(Deserialize)]
struct RequestHead {
    v: Option<u64>,
    op: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct CredentialsFields {
    profile: String,
    #[serde(default)]
    min_left_secs: u64,
    #[serde(default)]
    prompt: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    client: Option<ClientContext>,
}

/// One line (without its `\n`) as a request. Never panics, whatever the bytes (a property test
/// holds it to that): anything unreadable is an `agent_bad_request` failure, another version an
/// `agent_version` one. Unknown fields are ignored, so a later client can add optional ones.
pub fn decode_request(line: &[u8]) -> Result<Request, AgentFailure> {
    if line.len() > MAX_FRAME {
        return Err(frame_too_large());
    }
    let head: RequestHead = serde_json::from_slice(line)
        .map_err(|e| AgentFailure::bad_request(format!("a request must be one JSON object per line: {e}")))?;
    match head.v {
        Some(PROTOCOL_VERSION) => {}
        Some(other) => {
            return Err(AgentFailure::new(
                ErrorCode::AgentVersion,
                format!(
                    "this client speaks protocol version {other}, the Rolebar agent speaks {PROTOCOL_VERSION}: \
                     update Rolebar so both are the same version"
                ),
            ))
        }
        None => return Err(AgentFailure::bad_request("a request needs \"v\": the protocol version")),
    }
    match head.op.as_deref() {
        Some("ping") => Ok(Request::Ping),
        Some("sessions") => Ok(Request::Sessions),
        Some("credentials") => {
            let fields: CredentialsFields = serde_json::from_slice(line)
                .map_err(|e| AgentFailure::bad_request(format!("a credentials request: {e}")))?;
            crate::keystore::keys::check_profile_name(&fields.profile).map_err(AgentFailure::from)?;
            let min_left = i64::try_from(fields.min_left_secs)
                .ok()
                .map(Duration::seconds)
                .filter(|left| *left <= MAX_MIN_LEFT)
                .ok_or_else(|| {
                    AgentFailure::bad_request(format!(
                        "min_left_secs {} is more than any session lasts ({} s)",
                        fields.min_left_secs,
                        MAX_MIN_LEFT.whole_seconds()
                    ))
                })?;
            Ok(Request::Credentials(CredentialsRequest {
                profile: fields.profile,
                min_left,
                prompt: fields.prompt,
                client: fields.client,
            }))
        }
        Some("call") => decode_call(line).map(Request::Call),
        Some("subscribe") => {
            let request: SubscribeRequest = serde_json::from_slice(line)
                .map_err(|e| AgentFailure::bad_request(format!("a subscribe request: {e}")))?;
            Ok(Request::Subscribe(request))
        }
        Some(other) => Err(AgentFailure::bad_request(format!(
            "unknown op {:?}: this agent answers ping, sessions, credentials, call and subscribe",
            other.escape_debug().to_string()
        ))),
        None => Err(AgentFailure::bad_request("a request needs \"op\"")),
    }
}

fn decode_call(line: &[u8]) -> Result<CallRequest, AgentFailure> {
    #[derive(Deserialize)]
    struct CallFields<'a> {
        #[serde(borrow)]
        command: Cow<'a, str>,
        #[serde(borrow, default)]
        args: Option<&'a serde_json::value::RawValue>,
    }
    // serde_json's messages name positions and fields, never values: safe with a secret inside.
    let fields: CallFields<'_> =
        serde_json::from_slice(line).map_err(|e| AgentFailure::bad_request(format!("a call request: {e}")))?;
    let command = fields.command;
    let well_formed = !command.is_empty()
        && command.len() <= MAX_COMMAND_NAME
        && command
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !well_formed {
        return Err(AgentFailure::bad_request(format!(
            "a command is named with 1 to {MAX_COMMAND_NAME} of a-z, 0-9 and _, not {:?}",
            command.chars().take(MAX_COMMAND_NAME).collect::<String>()
        )));
    }
    let args = match fields.args {
        None => Zeroizing::new("{}".to_string()),
        Some(raw) if raw.get().starts_with('{') => Zeroizing::new(raw.get().to_string()),
        Some(_) => {
            return Err(AgentFailure::bad_request(format!(
                "the arguments of `{command}` must be a JSON object"
            )))
        }
    };
    Ok(CallRequest {
        command: command.into_owned(),
        args,
    })
}

pub(crate) fn frame_too_large() -> AgentFailure {
    AgentFailure::new(
        ErrorCode::FrameTooLarge,
        format!("a request line is longer than {MAX_FRAME} bytes; the connection is closed"),
    )
}

/// A request as one line with its `\n` (the client's side), in a buffer wiped on drop: a call's
/// arguments may hold a secret.
pub fn encode_request(request: &Request) -> Zeroizing<Vec<u8>> {
    #[derive(Serialize)]
    struct Out<'a, T: Serialize> {
        v: u64,
        op: &'a str,
        #[serde(flatten)]
        fields: T,
    }
    let written = match request {
        Request::Credentials(r) => serde_json::to_vec(&Out {
            v: PROTOCOL_VERSION,
            op: request.op(),
            fields: CredentialsFields {
                profile: r.profile.clone(),
                min_left_secs: u64::try_from(r.min_left.whole_seconds()).unwrap_or(0),
                prompt: r.prompt,
                client: r.client.clone(),
            },
        }),
        Request::Sessions | Request::Ping => serde_json::to_vec(&Out {
            v: PROTOCOL_VERSION,
            op: request.op(),
            fields: serde_json::Map::new(),
        }),
        Request::Subscribe(r) => serde_json::to_vec(&Out {
            v: PROTOCOL_VERSION,
            op: request.op(),
            fields: r,
        }),
        Request::Call(call) => return encode_call(call),
    };
    // Strings, numbers and booleans always serialise; an empty line would be a bad request.
    let mut line = written.unwrap_or_default();
    line.push(b'\n');
    Zeroizing::new(line)
}

/// A call line, written once into a buffer sized for it (no reallocation leaves a copy of the
/// arguments behind). The command name is checked as the agent checks it: a name that needs
/// escaping could not be a command.
fn encode_call(call: &CallRequest) -> Zeroizing<Vec<u8>> {
    let command: String = call
        .command
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
        .collect();
    let head = format!("{{\"v\":{PROTOCOL_VERSION},\"op\":\"call\",\"command\":\"{command}\",\"args\":");
    let mut line = Zeroizing::new(Vec::with_capacity(head.len() + call.args.len() + 2));
    line.extend_from_slice(head.as_bytes());
    line.extend_from_slice(call.args.as_bytes());
    line.extend_from_slice(b"}\n");
    line
}

// ---------------------------------------------------------------------------------------------
// Replies

#[derive(Serialize)]
struct OkOut<T> {
    v: u64,
    ok: T,
}

#[derive(Serialize, Deserialize)]
struct WireFailure {
    code: String,
    message: String,
}

/// `{"v":1,"ok":VALUE}` and its `\n`, for replies without secrets.
pub(crate) fn encode_ok<T: Serialize>(value: &T) -> Vec<u8> {
    match serde_json::to_vec(&OkOut {
        v: PROTOCOL_VERSION,
        ok: value,
    }) {
        Ok(mut line) => {
            line.push(b'\n');
            line
        }
        Err(e) => encode_failure(&AgentFailure::new(
            ErrorCode::Json,
            format!("the agent cannot write its reply: {e}"),
        )),
    }
}

/// `{"v":1,"error":{"code":…,"message":…}}` and its `\n`.
pub(crate) fn encode_failure(failure: &AgentFailure) -> Vec<u8> {
    #[derive(Serialize)]
    struct ErrOut {
        v: u64,
        error: WireFailure,
    }
    let out = ErrOut {
        v: PROTOCOL_VERSION,
        error: WireFailure {
            code: failure.code.as_str().to_string(),
            message: failure.message.clone(),
        },
    };
    let mut line = serde_json::to_vec(&out)
        .unwrap_or_else(|_| br#"{"v":1,"error":{"code":"json","message":"unwritable error"}}"#.to_vec());
    line.push(b'\n');
    line
}

/// The credentials reply's `ok`: the fields of `credential_process` JSON, plus what a `Session`
/// needs besides the secrets (all optional for a reader that only wants the former).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct CredentialsOut<'a> {
    #[serde(flatten)]
    process: ProcessCredentials<'a>,
    profile: &'a str,
    kind: SessionKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mfa_serial: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    role_arn: Option<&'a str>,
}

/// The credentials reply for `session`, one line with its `\n`, in a buffer wiped on drop.
pub fn encode_credentials(session: &Session) -> Result<Zeroizing<String>, AgentFailure> {
    let cannot = |what: String| AgentFailure::new(ErrorCode::Json, format!("the agent cannot write its reply: {what}"));
    let expiration = rfc3339_utc(session.expires_at).map_err(|e| cannot(e.to_string()))?;
    let body = OkOut {
        v: PROTOCOL_VERSION,
        ok: CredentialsOut {
            process: ProcessCredentials::of(session, &expiration),
            profile: &session.profile,
            kind: session.kind,
            region: session.region.as_deref(),
            mfa_serial: session.mfa_serial.as_deref(),
            role_arn: session.role_arn.as_deref(),
        },
    };
    // Worst case: every byte escaped as `\u00XX` (six bytes), plus the keys and punctuation.
    let values = [
        Some(body.ok.process.access_key_id),
        Some(body.ok.process.secret_access_key),
        body.ok.process.session_token,
        Some(expiration.as_str()),
        Some(body.ok.profile),
        body.ok.region,
        body.ok.mfa_serial,
        body.ok.role_arn,
    ]
    .into_iter()
    .flatten()
    .map(str::len)
    .sum::<usize>();
    let mut buffer = Zeroizing::new(Vec::with_capacity(6 * values + 512));
    serde_json::to_writer(&mut *buffer, &body).map_err(|e| cannot(e.to_string()))?;
    buffer.push(b'\n');
    let text = String::from_utf8(std::mem::take(&mut *buffer)).map_err(|e| {
        let mut bytes = e.into_bytes();
        zeroize::Zeroize::zeroize(&mut bytes);
        cannot("serde_json wrote bytes that are not UTF-8".into())
    })?;
    Ok(Zeroizing::new(text))
}

#[derive(Deserialize)]
struct ReplyHead {
    v: Option<u64>,
    #[serde(default)]
    error: Option<WireFailure>,
}

#[derive(Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
struct OkIn<T> {
    ok: T,
}

/// A string borrowed from the reply line when it has no escapes (secrets from STS never have
/// any), so no copy is made until it moves into a `Secret`.
#[derive(Deserialize)]
struct Text<'a>(#[serde(borrow)] Cow<'a, str>);

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CredentialsIn<'a> {
    #[serde(borrow)]
    access_key_id: Text<'a>,
    #[serde(borrow)]
    secret_access_key: Text<'a>,
    #[serde(borrow, default)]
    session_token: Option<Text<'a>>,
    #[serde(borrow)]
    expiration: Text<'a>,
    profile: String,
    kind: SessionKind,
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    mfa_serial: Option<String>,
    #[serde(default)]
    role_arn: Option<String>,
}

fn bad_reply(detail: impl std::fmt::Display) -> AgentError {
    AgentError::BadReply {
        detail: detail.to_string(),
    }
}

/// A reply's `"v"`: this protocol's, or the reply is not one this client can read.
fn check_version(v: Option<u64>) -> Result<(), AgentError> {
    match v {
        Some(PROTOCOL_VERSION) => Ok(()),
        Some(agent) => Err(AgentError::Version {
            agent,
            ours: PROTOCOL_VERSION,
        }),
        None => Err(bad_reply("no \"v\" in the reply")),
    }
}

/// Checks the version and turns an error reply into [`AgentError::Refused`].
fn check_reply(line: &[u8]) -> Result<(), AgentError> {
    let head: ReplyHead = serde_json::from_slice(line).map_err(bad_reply)?;
    check_version(head.v)?;
    match head.error {
        None => Ok(()),
        Some(WireFailure { code, message }) => Err(AgentError::Refused(match ErrorCode::from_code(&code) {
            Some(code) => AgentFailure { code, message },
            None => AgentFailure::new(
                ErrorCode::AgentBadReply,
                format!(
                    "{message} (error code `{}`, unknown to this Rolebar)",
                    code.escape_debug()
                ),
            ),
        })),
    }
}

/// A reply without secrets (`ping`, `sessions`).
pub(crate) fn decode_reply<T: DeserializeOwned>(line: &[u8]) -> Result<T, AgentError> {
    check_reply(line)?;
    let reply: OkIn<T> = serde_json::from_slice(line).map_err(bad_reply)?;
    Ok(reply.ok)
}

/// The reply to a call: the command's result, or its failure with the front end's own code
/// (`Err` only for a reply that is not one: another version, or not JSON).
pub(crate) fn decode_call_reply(line: &[u8]) -> Result<Result<serde_json::Value, CallFailure>, AgentError> {
    #[derive(Deserialize)]
    struct CallReply {
        v: Option<u64>,
        #[serde(default)]
        ok: Option<serde_json::Value>,
        #[serde(default)]
        error: Option<WireFailure>,
    }
    let reply: CallReply = serde_json::from_slice(line).map_err(bad_reply)?;
    check_version(reply.v)?;
    match (reply.ok, reply.error) {
        (_, Some(WireFailure { code, message })) => Ok(Err(CallFailure { code, message })),
        (Some(value), None) => Ok(Ok(value)),
        // `"ok": null` reads as absent: a command with nothing to return answers null.
        (None, None) => Ok(Ok(serde_json::Value::Null)),
    }
}

/// `{"v":1,"error":{"code":…,"message":…}}` for a failed call, with the front end's code.
pub(crate) fn encode_call_failure(failure: &CallFailure) -> Vec<u8> {
    #[derive(Serialize)]
    struct ErrOut<'a> {
        v: u64,
        error: &'a CallFailure,
    }
    let mut line = serde_json::to_vec(&ErrOut {
        v: PROTOCOL_VERSION,
        error: failure,
    })
    .unwrap_or_else(|_| br#"{"v":1,"error":{"code":"json","message":"unwritable error"}}"#.to_vec());
    line.push(b'\n');
    line
}

/// The credentials reply as a `Session`.
pub fn decode_credentials(line: &[u8]) -> Result<Session, AgentError> {
    check_reply(line)?;
    let reply: OkIn<CredentialsIn<'_>> = serde_json::from_slice(line).map_err(|e| {
        // serde_json's messages quote no values, only positions and field names.
        bad_reply(format!("credentials: {e}"))
    })?;
    let c = reply.ok;
    let expires_at = OffsetDateTime::parse(&c.expiration.0, &Rfc3339)
        .map_err(|e| bad_reply(format!("Expiration is not an RFC 3339 time: {e}")))?;
    Ok(Session {
        profile: c.profile,
        kind: c.kind,
        credentials: Credentials {
            access_key_id: c.access_key_id.0.into_owned(),
            secret_access_key: Secret::new(c.secret_access_key.0.into_owned()),
            session_token: c.session_token.map(|t| Secret::new(t.0.into_owned())),
        },
        expires_at,
        // The agent checked it was fresh enough for this request; the client only passes it on.
        issued_at: None,
        mfa_serial: c.mfa_serial,
        role_arn: c.role_arn,
        region: c.region,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error_code::HasCode;
    use proptest::prelude::*;
    use time::macros::datetime;

    fn session() -> Session {
        Session {
            profile: "oppara-dev".into(),
            kind: SessionKind::AssumeRole,
            credentials: Credentials::temporary("ASIAEXAMPLE000000001", "se/cr+et", "to/ken=="),
            expires_at: datetime!(2026-11-25 13:00:00.5 UTC),
            issued_at: None,
            mfa_serial: Some("arn:aws:iam::111111111111:mfa/alice".into()),
            role_arn: Some("arn:aws:iam::222222222222:role/dev".into()),
            region: Some("eu-west-1".into()),
        }
    }

    fn failure(line: &str) -> AgentFailure {
        decode_request(line.as_bytes()).expect_err(line)
    }

    #[test]
    fn requests_round_trip() {
        let credentials = Request::Credentials(CredentialsRequest {
            profile: "dev".into(),
            min_left: Duration::minutes(15),
            prompt: true,
            client: Some(ClientContext {
                argv: vec!["rolebar".into(), "credential-process".into(), "dev".into()],
            }),
        });
        for request in [credentials, Request::Sessions, Request::Ping] {
            let line = encode_request(&request);
            assert_eq!(line.last(), Some(&b'\n'));
            assert_eq!(line.iter().filter(|b| **b == b'\n').count(), 1);
            assert_eq!(decode_request(&line[..line.len() - 1]), Ok(request));
        }
        assert_eq!(
            decode_request(br#"{"v":1,"op":"credentials","profile":"dev"}"#),
            Ok(Request::Credentials(CredentialsRequest {
                profile: "dev".into(),
                min_left: Duration::ZERO,
                prompt: false,
                client: None,
            })),
            "defaults: no minimum, no prompt"
        );
        assert_eq!(
            decode_request(br#"{"op":"ping","v":1,"later":{"field":[1,2]}}"#),
            Ok(Request::Ping),
            "unknown fields are ignored"
        );
    }

    #[test]
    fn bad_requests_say_what_is_wrong() {
        for (line, code, says) in [
            ("not json", ErrorCode::AgentBadRequest, "one JSON object per line"),
            ("[1]", ErrorCode::AgentBadRequest, "one JSON object per line"),
            (r#"{"op":"ping"}"#, ErrorCode::AgentBadRequest, "needs \"v\""),
            (r#"{"v":"1","op":"ping"}"#, ErrorCode::AgentBadRequest, "JSON"),
            (
                r#"{"v":2,"op":"ping"}"#,
                ErrorCode::AgentVersion,
                "version 2, the Rolebar agent speaks 1",
            ),
            (r#"{"v":1}"#, ErrorCode::AgentBadRequest, "needs \"op\""),
            (
                r#"{"v":1,"op":"rm -rf"}"#,
                ErrorCode::AgentBadRequest,
                "unknown op \"rm -rf\"",
            ),
            (r#"{"v":1,"op":"credentials"}"#, ErrorCode::AgentBadRequest, "profile"),
            (
                r#"{"v":1,"op":"credentials","profile":"a\nb"}"#,
                ErrorCode::InvalidProfileName,
                "profile name",
            ),
            (
                r#"{"v":1,"op":"credentials","profile":"dev","min_left_secs":999999999999}"#,
                ErrorCode::AgentBadRequest,
                "more than any session lasts",
            ),
        ] {
            let f = failure(line);
            assert_eq!(f.code, code, "{line}: {f:?}");
            assert!(f.message.contains(says), "{line}: {}", f.message);
        }
        let long = vec![b' '; MAX_FRAME + 1];
        assert_eq!(decode_request(&long).expect_err("long").code, ErrorCode::FrameTooLarge);
    }

    #[test]
    fn credentials_round_trip_as_one_line_with_credential_process_fields() {
        let reply = encode_credentials(&session()).expect("encodes");
        assert!(reply.ends_with('\n') && reply.matches('\n').count() == 1);
        let value: serde_json::Value = serde_json::from_str(&reply).expect("json");
        let ok = &value["ok"];
        assert_eq!(value["v"], 1);
        assert_eq!(ok["Version"], 1);
        assert_eq!(ok["AccessKeyId"], "ASIAEXAMPLE000000001");
        assert_eq!(ok["SecretAccessKey"], "se/cr+et");
        assert_eq!(ok["SessionToken"], "to/ken==");
        assert_eq!(ok["Expiration"], "2026-11-25T13:00:00Z", "whole seconds, never later");
        let back = decode_credentials(reply.trim_end().as_bytes()).expect("decodes");
        let mut expected = session();
        expected.expires_at = datetime!(2026-11-25 13:00:00 UTC);
        assert_eq!(back, expected);
    }

    #[test]
    fn escaped_secrets_still_decode() {
        let mut s = session();
        s.credentials = Credentials::temporary("ASIAEXAMPLE000000001", "quote\"back\\slash\u{1}", "t");
        let reply = encode_credentials(&s).expect("encodes");
        let back = decode_credentials(reply.trim_end().as_bytes()).expect("decodes");
        assert_eq!(back.credentials.secret_access_key.expose(), "quote\"back\\slash\u{1}");
    }

    #[test]
    fn error_replies_become_refusals_with_their_code() {
        let line = encode_failure(&AgentFailure::denied("dev"));
        let err = decode_credentials(&line[..line.len() - 1]).expect_err("an error");
        assert_eq!(err.code(), "agent_denied");
        let err = decode_reply::<AgentInfo>(br#"{"v":1,"error":{"code":"from_the_future","message":"m"}}"#)
            .expect_err("unknown code");
        assert_eq!(err.code(), "agent_bad_reply");
        assert!(err.to_string().contains("from_the_future"), "{err}");
        let err = decode_reply::<AgentInfo>(br#"{"v":7,"ok":{}}"#).expect_err("version");
        assert_eq!(err.code(), "agent_version");
        assert!(err.to_string().contains("version 7, this command speaks 1"), "{err}");
        let err = decode_credentials(br#"{"v":1,"ok":{"AccessKeyId":"A"}}"#).expect_err("partial");
        assert_eq!(err.code(), "agent_bad_reply");
    }

    #[test]
    fn summaries_and_pings_round_trip() {
        let list = SessionList {
            sessions: vec![SessionSummary {
                profile: "dev".into(),
                kind: SessionKind::GetSessionToken,
                expires_at: datetime!(2026-11-25 13:00 UTC),
            }],
        };
        let line = encode_ok(&list);
        assert_eq!(
            std::str::from_utf8(&line).expect("utf8"),
            "{\"v\":1,\"ok\":{\"sessions\":[{\"profile\":\"dev\",\"kind\":\"GetSessionToken\",\"expires_at\":\"2026-11-25T13:00:00Z\"}]}}\n"
        );
        assert_eq!(decode_reply::<SessionList>(&line[..line.len() - 1]).expect("ok"), list);
        let ping = encode_ok(&AgentInfo::current());
        assert_eq!(
            decode_reply::<AgentInfo>(&ping[..ping.len() - 1]).expect("ok"),
            AgentInfo::current()
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn decoding_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = decode_request(&bytes);
            let _ = decode_credentials(&bytes);
            let _ = decode_reply::<SessionList>(&bytes);
        }

        #[test]
        fn decoding_never_panics_on_near_valid_requests(
            v in prop_oneof![Just("1".to_string()), any::<i64>().prop_map(|n| n.to_string()), Just("null".into())],
            op in prop_oneof![Just("credentials"), Just("sessions"), Just("ping"), Just("x")],
            profile in "\\PC{0,40}",
            min_left in any::<u64>(),
            tail in "[ -~]{0,20}",
        ) {
            let line = format!(
                r#"{{"v":{v},"op":"{op}","profile":{},"min_left_secs":{min_left},"prompt":true{tail}}}"#,
                serde_json::Value::from(profile),
            );
            let _ = decode_request(line.as_bytes());
        }
    }
}

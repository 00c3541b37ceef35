//! A fault-injecting STS double on 127.0.0.1, for what moto cannot do: reject a wrong MFA code,
//! throttle, hang, or answer garbage. It speaks the STS query protocol (form POST, XML reply).

use rolebar_core::clock::Clock;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use time::format_description::well_known::Rfc3339;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the double does with the next request (after `faults` run out it serves normally).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// HTTP 400 Throttling (retryable for the SDK).
    Throttle,
    /// Accept the connection, never answer.
    Hang,
    /// HTTP 200 with a body that is not STS XML.
    Malformed,
    /// An error reply with this HTTP status and code.
    Error(u16, &'static str),
    /// The normal reply cut in the middle of the SessionToken, with a Content-Length that
    /// matches the cut body (HTTP says complete, the XML is not).
    CutInToken,
    /// A Content-Length for the whole normal reply, but the connection closes in the middle of
    /// the SessionToken.
    CutConnection,
    /// The normal reply without this element of `<Credentials>` (e.g. "Expiration").
    Without(&'static str),
    /// The normal reply with this element of `<Credentials>` holding this text instead.
    Replace(&'static str, &'static str),
    /// The normal reply, expiring this long from now (negative: already past).
    ExpiresIn(time::Duration),
}

/// A request as the double saw it.
#[derive(Debug, Clone)]
pub struct SeenRequest {
    pub params: HashMap<String, String>,
    /// The access key id the request was signed with (SigV4's `Credential=KEY/…`).
    pub access_key: Option<String>,
}

impl SeenRequest {
    pub fn action(&self) -> &str {
        self.params.get("Action").map(String::as_str).unwrap_or("")
    }
    pub fn get(&self, key: &str) -> Option<&str> {
        self.params.get(key).map(String::as_str)
    }
}

#[derive(Debug)]
struct State {
    faults: VecDeque<Fault>,
    seen: Vec<SeenRequest>,
    /// The MFA code the double accepts.
    valid_code: String,
    issued: u32,
}

#[derive(Debug, Clone)]
pub struct StsDouble {
    pub url: String,
    state: Arc<Mutex<State>>,
}

impl StsDouble {
    /// Starts on a free loopback port; expirations are computed from `clock`.
    pub async fn start(clock: Arc<dyn Clock>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let state = Arc::new(Mutex::new(State {
            faults: VecDeque::new(),
            seen: Vec::new(),
            valid_code: "123456".into(),
            issued: 0,
        }));
        let shared = state.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, shared.clone(), clock.clone()));
            }
        });
        StsDouble { url, state }
    }

    pub fn push_faults(&self, faults: impl IntoIterator<Item = Fault>) {
        self.state.lock().expect("lock").faults.extend(faults);
    }

    pub fn seen(&self) -> Vec<SeenRequest> {
        self.state.lock().expect("lock").seen.clone()
    }

    pub fn actions(&self) -> Vec<String> {
        self.seen().iter().map(|r| r.action().to_string()).collect()
    }
}

async fn serve(mut stream: TcpStream, state: Arc<Mutex<State>>, clock: Arc<dyn Clock>) {
    let mut buffer = Vec::new();
    loop {
        let Some((head_end, length)) = read_head(&mut stream, &mut buffer).await else {
            return;
        };
        while buffer.len() < head_end + length {
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        }
        let body = String::from_utf8_lossy(&buffer[head_end..head_end + length]).to_string();
        let head = String::from_utf8_lossy(&buffer[..head_end]).to_string();
        let access_key = signing_key(&head);
        buffer.drain(..head_end + length);
        let mut params = parse_form(&body);
        // Which access key signed the request (SigV4's `Credential=KEY/date/…`), as a test sees it.
        if let Some(key) = access_key.clone() {
            params.insert(SIGNED_WITH.to_string(), key);
        }
        let (fault, status, reply) = {
            let mut s = state.lock().expect("lock");
            s.seen.push(SeenRequest {
                params: params.clone(),
                access_key,
            });
            let fault = s.faults.pop_front();
            let (status, reply) = match &fault {
                Some(Fault::Hang) => (0, String::new()),
                Some(f @ (Fault::Throttle | Fault::Malformed | Fault::Error(..))) => fault_reply(f),
                Some(Fault::ExpiresIn(left)) => answer(&mut s, &params, clock.now(), *left),
                _ => {
                    let (status, reply) = answer(&mut s, &params, clock.now(), asked(&params));
                    (status, mutate(fault.as_ref(), reply))
                }
            };
            (fault, status, reply)
        };
        if status == 0 {
            // Hang: hold the connection open until the client gives up.
            let mut sink = [0u8; 64];
            let _ = stream.read(&mut sink).await;
            return;
        }
        let (length, sent) = match fault {
            Some(Fault::CutConnection) => (reply.len(), cut_in_token(&reply)),
            _ => (reply.len(), reply.as_str()),
        };
        let response =
            format!("HTTP/1.1 {status} X\r\nContent-Type: text/xml\r\nContent-Length: {length}\r\n\r\n{sent}");
        if stream.write_all(response.as_bytes()).await.is_err() {
            return;
        }
        if sent.len() < length {
            // The rest never comes: close so the client sees a short body.
            let _ = stream.shutdown().await;
            return;
        }
    }
}

/// The access key id in the head's SigV4 `Authorization` header (case kept).
fn signing_key(head: &str) -> Option<String> {
    let value = head.lines().find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.trim().eq_ignore_ascii_case("authorization").then_some(value)
    })?;
    let after = &value[value.find("Credential=")? + "Credential=".len()..];
    Some(after.split('/').next()?.to_string())
}

async fn read_head(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<(usize, usize)> {
    loop {
        if let Some(pos) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffer[..pos]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            return Some((pos + 4, length));
        }
        let mut chunk = [0u8; 4096];
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
}

/// The parameter under which [`SeenRequest`]'s `params` also hold the access key id that signed
/// the request (the same as its `access_key`).
pub const SIGNED_WITH: &str = "X-Test-Signed-With";

fn parse_form(body: &str) -> HashMap<String, String> {
    body.split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect()
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).to_string()
}

const NS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

fn error_xml(code: &str, message: &str) -> String {
    format!(
        "<ErrorResponse xmlns=\"{NS}\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>double</RequestId></ErrorResponse>"
    )
}

fn fault_reply(fault: &Fault) -> (u16, String) {
    match fault {
        Fault::Throttle => (400, error_xml("Throttling", "Rate exceeded")),
        Fault::Malformed => (200, "<html><body>captive portal</body></html>".into()),
        Fault::Error(status, code) => (*status, error_xml(code, "injected by the test double")),
        other => unreachable!("{other:?} changes a normal reply"),
    }
}

/// The duration the request asked for (STS's default when it asked none).
fn asked(params: &HashMap<String, String>) -> time::Duration {
    time::Duration::seconds(
        params
            .get("DurationSeconds")
            .and_then(|d| d.parse().ok())
            .unwrap_or(3600),
    )
}

/// The reply up to the middle of its SessionToken's text.
fn cut_in_token(reply: &str) -> &str {
    let start = reply.find("<SessionToken>").expect("a reply with a token") + "<SessionToken>".len();
    let end = reply[start..].find("</SessionToken>").expect("closed") + start;
    &reply[..start + (end - start) / 2]
}

/// Applies a fault that changes a normal reply.
fn mutate(fault: Option<&Fault>, reply: String) -> String {
    match fault {
        Some(Fault::CutInToken) => cut_in_token(&reply).to_string(),
        Some(Fault::Without(tag)) => {
            let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
            match (reply.find(&open), reply.find(&close)) {
                (Some(start), Some(end)) => format!("{}{}", &reply[..start], &reply[end + close.len()..]),
                _ => reply,
            }
        }
        Some(Fault::Replace(tag, text)) => {
            let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
            match (reply.find(&open), reply.find(&close)) {
                (Some(start), Some(end)) => {
                    format!("{}{open}{text}{}", &reply[..start], &reply[end..])
                }
                _ => reply,
            }
        }
        _ => reply,
    }
}

fn answer(
    state: &mut State,
    params: &HashMap<String, String>,
    now: time::OffsetDateTime,
    expires_in: time::Duration,
) -> (u16, String) {
    let action = params.get("Action").map(String::as_str).unwrap_or("");
    if let Some(code) = params.get("TokenCode") {
        if *code != state.valid_code {
            return (
                403,
                error_xml(
                    "AccessDenied",
                    "MultiFactorAuthentication failed with invalid MFA one time pass code. ",
                ),
            );
        }
    }
    let expiration = (now + expires_in).format(&Rfc3339).expect("format");
    state.issued += 1;
    let n = state.issued;
    let creds = format!(
        "<Credentials><AccessKeyId>ASIADOUBLE{n:010}</AccessKeyId><SecretAccessKey>double-secret-{n}</SecretAccessKey><SessionToken>double-token-{n}</SessionToken><Expiration>{expiration}</Expiration></Credentials>"
    );
    match action {
        "AssumeRole" => {
            let arn = params.get("RoleArn").cloned().unwrap_or_default();
            let name = params.get("RoleSessionName").cloned().unwrap_or_default();
            (
                200,
                format!(
                    "<AssumeRoleResponse xmlns=\"{NS}\"><AssumeRoleResult>{creds}<AssumedRoleUser><AssumedRoleId>AROADOUBLE:{name}</AssumedRoleId><Arn>{arn}/{name}</Arn></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>double</RequestId></ResponseMetadata></AssumeRoleResponse>"
                ),
            )
        }
        "GetSessionToken" => (
            200,
            format!(
                "<GetSessionTokenResponse xmlns=\"{NS}\"><GetSessionTokenResult>{creds}</GetSessionTokenResult><ResponseMetadata><RequestId>double</RequestId></ResponseMetadata></GetSessionTokenResponse>"
            ),
        ),
        other => (400, error_xml("InvalidAction", &format!("the double does not do {other}"))),
    }
}

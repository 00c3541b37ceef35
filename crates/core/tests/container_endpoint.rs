//! The container-credentials endpoint over real TCP on 127.0.0.1: the token is required (as is,
//! or as `Bearer …`), only GET is served, every request asks the source again (so a renewed
//! session is what the SDK gets next), and a source's failure reaches the client as the SDKs
//! read it: `Code` and `Message`, with a 4xx when someone must act and a 5xx when asking again
//! can help.
//! Another local process cannot hold it: connections that send nothing, trickle, or idle after
//! an answer are closed within the idle timeout, and beyond the cap a request waits for a slot.
//! (Out of file descriptors: `accept_guard`'s flood tests, in a child process under `ulimit -n`.)

mod support;

use rolebar_core::container_endpoint::{CredentialSource, Endpoint, EndpointOptions, SourceFailure};
use rolebar_core::{Credentials, Error, ErrorCode, Session, SessionKind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use support::logs::Captured;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYENDPOINT";

#[derive(Default)]
struct Counting {
    calls: AtomicUsize,
    fail: Option<SourceFailure>,
}

#[async_trait::async_trait]
impl CredentialSource for Counting {
    async fn session(&self) -> Result<Session, SourceFailure> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        if let Some(failure) = &self.fail {
            return Err(failure.clone());
        }
        Ok(Session {
            profile: "dev".into(),
            kind: SessionKind::AssumeRole,
            credentials: Credentials::temporary(format!("ASIAENDPOINT{n:08}"), SECRET, "ENDPOINTTOKEN"),
            expires_at: time::macros::datetime!(2030-01-01 12:00 UTC),
            issued_at: None,
            mfa_serial: None,
            role_arn: None,
            region: None,
        })
    }
}

/// One raw HTTP/1.1 exchange: (status, body).
async fn http(uri: &str, method: &str, authorization: Option<&str>) -> (u16, String) {
    let (status, _, body) = http_at(uri, method, "/", authorization).await;
    (status, body)
}

/// One raw HTTP/1.1 exchange at `path`: (status, head, body).
async fn http_at(uri: &str, method: &str, path: &str, authorization: Option<&str>) -> (u16, String, String) {
    let address = uri.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = TcpStream::connect(address).await.expect("connect");
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
    if let Some(value) = authorization {
        request.push_str(&format!("Authorization: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut reply = String::new();
    stream.read_to_string(&mut reply).await.expect("read");
    let status = reply
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    let (head, body) = reply.split_once("\r\n\r\n").unwrap_or((&reply, ""));
    (status, head.to_ascii_lowercase(), body.to_string())
}

async fn start(source: Arc<Counting>) -> (String, String, tokio::sync::oneshot::Sender<()>) {
    start_with(source, EndpointOptions::default()).await
}

async fn start_with(
    source: Arc<Counting>,
    options: EndpointOptions,
) -> (String, String, tokio::sync::oneshot::Sender<()>) {
    let endpoint = Endpoint::bind().await.expect("bind").with_options(options);
    let (uri, token) = (endpoint.uri(), endpoint.token().to_string());
    assert!(uri.starts_with("http://127.0.0.1:"), "{uri}");
    assert_eq!(token.len(), 64);
    assert!(!format!("{endpoint:?}").contains(&token), "the token is not in Debug");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(endpoint.serve(source, async {
        let _ = stopped.await;
    }));
    (uri, token, stop)
}

#[tokio::test]
async fn the_token_gets_the_session_each_request_asks_again() {
    let source = Arc::new(Counting::default());
    let (uri, token, _stop) = start(source.clone()).await;

    let (status, body) = http(&uri, "GET", Some(&token)).await;
    assert_eq!(status, 200, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(json["AccessKeyId"], "ASIAENDPOINT00000000");
    assert_eq!(json["SecretAccessKey"], SECRET);
    assert_eq!(json["Token"], "ENDPOINTTOKEN");
    assert_eq!(json["Expiration"], "2030-01-01T12:00:00Z");

    // Asked again: what the source hands out now (a renewed session) is served.
    let (status, body) = http(&uri, "GET", Some(&format!("Bearer {token}"))).await;
    assert_eq!(status, 200, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(json["AccessKeyId"], "ASIAENDPOINT00000001");
    assert_eq!(source.calls.load(Ordering::SeqCst), 2);
}

/// The `Code` and `Message` of an error reply (the SDKs' fields), checking it is JSON.
fn sdk_fields(head: &str, body: &str) -> (String, String) {
    assert!(head.contains("content-type: application/json"), "{head}");
    let json: serde_json::Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
    let field = |name: &str| {
        json[name]
            .as_str()
            .unwrap_or_else(|| panic!("no {name} in {body}"))
            .to_string()
    };
    (field("Code"), field("Message"))
}

#[tokio::test]
async fn no_token_a_wrong_token_a_wrong_path_or_another_method_get_nothing_and_say_why() {
    let source = Arc::new(Counting::default());
    let (uri, token, _stop) = start(source.clone()).await;

    let (status, head, body) = http_at(&uri, "GET", "/", None).await;
    assert_eq!(status, 401, "no token: the caller must send one");
    assert!(head.contains("www-authenticate: bearer"), "{head}");
    let (code, message) = sdk_fields(&head, &body);
    assert_eq!(code, "MissingAuthorization");
    assert!(message.contains("AWS_CONTAINER_AUTHORIZATION_TOKEN"), "{message}");

    for authorization in ["wrong", &token[..63], "Bearer "] {
        let (status, head, body) = http_at(&uri, "GET", "/", Some(authorization)).await;
        assert_eq!(status, 403, "{authorization:?}");
        assert!(!body.contains(SECRET));
        assert_eq!(sdk_fields(&head, &body).0, "InvalidAuthorization");
    }

    let (status, head, body) = http_at(&uri, "GET", "/latest/meta-data/", Some(&token)).await;
    assert_eq!(status, 404);
    assert!(!body.contains(SECRET));
    assert_eq!(sdk_fields(&head, &body).0, "NotFound");

    let (status, head, body) = http_at(&uri, "POST", "/", Some(&token)).await;
    assert_eq!(status, 405);
    assert!(head.contains("allow: get"), "{head}");
    assert_eq!(sdk_fields(&head, &body).0, "MethodNotAllowed");
    assert_eq!(source.calls.load(Ordering::SeqCst), 0, "the source was never asked");
}

#[tokio::test]
async fn each_kind_of_failure_gets_the_status_the_sdks_act_on_with_code_and_message() {
    let needs_code = Error::MfaRequired {
        profile: "dev".into(),
        mfa_serial: "arn:aws:iam::111111111111:mfa/alice".into(),
        renew: false,
    };
    let no_keys = Error::NoKeys {
        profile: "base".into(),
        credentials: "/home/u/.aws/credentials".into(),
    };
    let cases: Vec<(SourceFailure, u16, &str, &str)> = vec![
        // Someone must act: the SDKs do not retry a 4xx.
        (SourceFailure::from(needs_code), 403, "MfaRequired", "needs an MFA code"),
        (
            SourceFailure::new(ErrorCode::AgentDenied, "the request was denied in the Rolebar dialog"),
            403,
            "AgentDenied",
            "denied in the Rolebar dialog",
        ),
        (SourceFailure::from(no_keys), 400, "NoKeys", "rolebar add base"),
        // Asking again later can work: a 5xx, which the SDKs retry.
        (
            SourceFailure::new(
                ErrorCode::AgentUnavailable,
                "the Rolebar tray app is gone: start it again",
            ),
            503,
            "AgentUnavailable",
            "start it again",
        ),
        (
            SourceFailure::new(ErrorCode::Throttled, "STS throttled the request"),
            503,
            "Throttled",
            "throttled",
        ),
        (
            SourceFailure::new(ErrorCode::MalformedReply, "STS sent a reply that is not STS XML"),
            500,
            "MalformedReply",
            "not STS XML",
        ),
    ];
    for (failure, want_status, want_code, in_message) in cases {
        let source = Arc::new(Counting {
            fail: Some(failure),
            ..Counting::default()
        });
        let (uri, token, _stop) = start(source).await;
        let (status, head, body) = http_at(&uri, "GET", "/", Some(&token)).await;
        assert_eq!(status, want_status, "{want_code}: {body}");
        let (code, message) = sdk_fields(&head, &body);
        assert_eq!(code, want_code);
        assert!(message.contains(in_message), "{want_code}: {message}");
    }
}

#[tokio::test]
async fn a_flood_of_requests_without_the_token_logs_one_warning() {
    let captured = Captured::default();
    // The test's runtime has one thread: the endpoint's tasks log through this subscriber.
    let _logging = captured.install();
    let source = Arc::new(Counting::default());
    let (uri, token, _stop) = start(source).await;
    for _ in 0..200 {
        let (status, _) = http(&uri, "GET", Some("wrong")).await;
        assert_eq!(status, 403);
    }
    let (status, _) = http(&uri, "GET", Some(&token)).await;
    assert_eq!(status, 200);
    let logs = captured.text();
    assert_eq!(logs.matches("without the right token was refused").count(), 1, "{logs}");
    assert!(!logs.contains(&token), "the token is in the logs");
}

/// Short, on tokio's paused clock: the tests take no real time waiting for it.
const IDLE: Duration = Duration::from_secs(5);

fn address(uri: &str) -> String {
    uri.trim_start_matches("http://").trim_end_matches('/').to_string()
}

/// What came until the endpoint closed the connection (EOF, or a reset when bytes it had not
/// read were left), and when.
async fn until_closed(mut read: impl AsyncRead + Unpin) -> (String, Instant) {
    let mut got = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match read.read(&mut chunk).await {
            Ok(0) | Err(_) => return (String::from_utf8_lossy(&got).into_owned(), Instant::now()),
            Ok(n) => got.extend_from_slice(&chunk[..n]),
        }
    }
}

#[tokio::test(start_paused = true)]
async fn silent_trickling_and_idle_connections_are_closed_within_the_idle_timeout() {
    let source = Arc::new(Counting::default());
    let options = EndpointOptions {
        idle_timeout: IDLE,
        ..EndpointOptions::default()
    };
    let (uri, token, _stop) = start_with(source.clone(), options).await;
    let address = address(&uri);
    let start = Instant::now();

    let silent = TcpStream::connect(&address).await.expect("connect");
    let silent = tokio::spawn(until_closed(silent));

    // A right request, a byte a second: whole, it would take over a minute.
    let (read, mut write) = TcpStream::connect(&address).await.expect("connect").into_split();
    let request = format!("GET / HTTP/1.1\r\nHost: {address}\r\nAuthorization: {token}\r\n\r\n");
    let trickle = tokio::spawn(async move {
        for byte in request.bytes() {
            if write.write_all(&[byte]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
    let trickled = tokio::spawn(until_closed(read));

    // Answered, then kept alive and left idle.
    let mut kept = TcpStream::connect(&address).await.expect("connect");
    kept.write_all(format!("GET / HTTP/1.1\r\nHost: {address}\r\nAuthorization: {token}\r\n\r\n").as_bytes())
        .await
        .expect("write");
    let kept = tokio::spawn(until_closed(kept));

    // A right request whose body (the endpoint does not read it) comes a byte a second.
    let mut body = TcpStream::connect(&address).await.expect("connect");
    body.write_all(
        format!("GET / HTTP/1.1\r\nHost: {address}\r\nAuthorization: {token}\r\nContent-Length: 100\r\n\r\n")
            .as_bytes(),
    )
    .await
    .expect("write");
    let (body_read, mut body_write) = body.into_split();
    let body_trickle = tokio::spawn(async move {
        for _ in 0..100 {
            if body_write.write_all(b"x").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
    let body_read = tokio::spawn(until_closed(body_read));

    for (name, closed) in [
        ("silent", silent),
        ("trickling", trickled),
        ("kept alive", kept),
        ("trickled body", body_read),
    ] {
        let (got, at) = tokio::time::timeout(IDLE * 4, closed)
            .await
            .unwrap_or_else(|_| panic!("a {name} connection was never closed"))
            .expect("join");
        let held = at - start;
        assert!(
            held <= IDLE + Duration::from_millis(10),
            "a {name} connection was held {held:?}: {got}"
        );
        match name {
            "kept alive" | "trickled body" => assert!(got.starts_with("HTTP/1.1 200"), "{name}: {got}"),
            _ => assert!(!got.contains("200 OK"), "{name}: {got}"),
        }
    }
    trickle.abort();
    body_trickle.abort();
    assert_eq!(
        source.calls.load(Ordering::SeqCst),
        2,
        "the kept-alive and the body request"
    );
}

#[tokio::test(start_paused = true)]
async fn beyond_the_cap_a_request_waits_in_the_backlog_for_a_free_slot() {
    let source = Arc::new(Counting::default());
    let options = EndpointOptions {
        idle_timeout: IDLE,
        max_connections: 2,
    };
    let (uri, token, _stop) = start_with(source, options).await;
    let address = address(&uri);
    let start = Instant::now();
    let _silent: Vec<TcpStream> = vec![
        TcpStream::connect(&address).await.expect("connect"),
        TcpStream::connect(&address).await.expect("connect"),
    ];
    let (status, body) = http(&uri, "GET", Some(&token)).await;
    let waited = start.elapsed();
    assert_eq!(status, 200, "{body}");
    // Served once the silent ones were closed for idling: not before, and not much after.
    assert!(
        waited >= IDLE && waited <= IDLE + Duration::from_secs(1),
        "answered after {waited:?}"
    );
}

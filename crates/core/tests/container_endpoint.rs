//! The container-credentials endpoint over real TCP on 127.0.0.1: the token is required (as is,
//! or as `Bearer …`), only GET is served, every request asks the source again (so a renewed
//! session is what the SDK gets next), and a source's failure reaches the client as its message.
//! Another local process cannot hold it: connections that send nothing, trickle, or idle after
//! an answer are closed within the idle timeout, and beyond the cap a request waits for a slot.
//! (Out of file descriptors: `accept_guard`'s flood tests, in a child process under `ulimit -n`.)

mod support;

use rolebar_core::container_endpoint::{CredentialSource, Endpoint, EndpointOptions};
use rolebar_core::{Credentials, Session, SessionKind};
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
    fail: bool,
}

#[async_trait::async_trait]
impl CredentialSource for Counting {
    async fn session(&self) -> Result<Session, String> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        if self.fail {
            return Err("profile `dev` needs an MFA code: start the Rolebar tray app".into());
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
    let address = uri.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = TcpStream::connect(address).await.expect("connect");
    let mut request = format!("{method} / HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
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
    let body = reply
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
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

#[tokio::test]
async fn no_token_a_wrong_token_or_another_method_get_nothing() {
    let source = Arc::new(Counting::default());
    let (uri, token, _stop) = start(source.clone()).await;
    for authorization in [None, Some("wrong"), Some(&token[..63]), Some("Bearer ")] {
        let (status, body) = http(&uri, "GET", authorization).await;
        assert_eq!(status, 403, "{authorization:?}");
        assert!(!body.contains(SECRET));
    }
    let (status, _) = http(&uri, "POST", Some(&token)).await;
    assert_eq!(status, 405);
    assert_eq!(source.calls.load(Ordering::SeqCst), 0, "the source was never asked");
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

#[tokio::test]
async fn a_source_that_cannot_give_a_session_is_an_error_with_its_reason() {
    let source = Arc::new(Counting {
        fail: true,
        ..Counting::default()
    });
    let (uri, token, _stop) = start(source).await;
    let (status, body) = http(&uri, "GET", Some(&token)).await;
    assert_eq!(status, 500);
    assert!(body.contains("start the Rolebar tray app"), "{body}");
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

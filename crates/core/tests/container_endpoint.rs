//! The container-credentials endpoint over real TCP on 127.0.0.1: the token is required (as is,
//! or as `Bearer …`), only GET is served, every request asks the source again (so a renewed
//! session is what the SDK gets next), and a source's failure reaches the client as its message.

use rolebar_core::container_endpoint::{CredentialSource, Endpoint};
use rolebar_core::{Credentials, Session, SessionKind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

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
    let endpoint = Endpoint::bind().await.expect("bind");
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

//! Issue 19, the parsers with a peer: what another program sends Rolebar is fed as arbitrary
//! bytes and near-valid forms, and must come out as a value or an error, never a panic (and the
//! peer's next right request is still answered).
//!
//! - the console federation endpoint's reply (`Action=getSigninToken`: status, headers, JSON);
//! - requests to the container-credentials endpoint (`exec --server`);
//! - an `mfa_process` command's output;
//! - the console target's region, path and endpoint override.
//!
//! Each case is a real exchange (a TCP connection, or a process), so the case counts are lower
//! than in `parsers_never_panic.rs`.
#![cfg(unix)]

use proptest::prelude::*;
use rolebar_core::console::{ConsoleTarget, FederationClient};
use rolebar_core::container_endpoint::{CredentialSource, Endpoint};
use rolebar_core::mfa::source::{OnSourceFailure, SourceOptions, SourcedPrompt};
use rolebar_core::mfa::{MfaPrompt, MfaReason, MfaRequest, NoPrompt};
use rolebar_core::profile::resolve::Environment;
use rolebar_core::profile::ProfileSet;
use rolebar_core::{Credentials, Session, SessionKind};
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use time::macros::datetime;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;

/// One runtime for all cases of a test binary (a case runs inside `block_on`).
fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime")
    })
}

/// A bound on each exchange: a failure of the test, not a wait (the peers here answer at once).
const BOUND: Duration = Duration::from_secs(20);

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![6 => 0x20u8..0x7f, 1 => Just(b'\n'), 1 => Just(b'\r'), 1 => any::<u8>()],
        0..max,
    )
}

// ---------------------------------------------------------------------------------------------
// The federation endpoint's reply

#[derive(Debug, Clone)]
enum Length {
    Right,
    Wrong(usize),
    None,
    Chunked,
}

fn federation_reply() -> impl Strategy<Value = Vec<u8>> {
    let body = prop_oneof![
        2 => bytes(200),
        3 => (
            prop_oneof![
                Just(serde_json::Value::from("tok+en/==")),
                Just(serde_json::Value::from("")),
                "\\PC{0,20}".prop_map(serde_json::Value::from),
                any::<i64>().prop_map(serde_json::Value::from),
                Just(serde_json::Value::Null),
            ],
            prop::sample::select(vec!["SigninToken", "signinToken", "Token", ""]),
            "[ -~]{0,10}",
        )
            .prop_map(|(token, key, tail)| format!("{{\"{key}\":{token}}}{tail}").into_bytes()),
    ];
    (
        prop_oneof![3 => Just(200u16), 1 => Just(400), 1 => Just(403), 1 => Just(500), 1 => 100u16..600],
        prop::sample::select(vec![
            "application/json",
            "text/html",
            "",
            "application/json; charset=\u{e9}",
        ]),
        prop_oneof![
            3 => Just(Length::Right),
            1 => (0usize..400).prop_map(Length::Wrong),
            1 => Just(Length::None),
            1 => Just(Length::Chunked),
        ],
        body,
    )
        .prop_map(|(status, content_type, length, body)| {
            let mut head = format!("HTTP/1.1 {status} X\r\nConnection: close\r\n");
            if !content_type.is_empty() {
                head.push_str(&format!("Content-Type: {content_type}\r\n"));
            }
            let body = match length {
                Length::Right => {
                    head.push_str(&format!("Content-Length: {}\r\n", body.len()));
                    body
                }
                Length::Wrong(n) => {
                    head.push_str(&format!("Content-Length: {n}\r\n"));
                    body
                }
                Length::None => body,
                Length::Chunked => {
                    head.push_str("Transfer-Encoding: chunked\r\n");
                    let mut chunked = format!("{:x}\r\n", body.len()).into_bytes();
                    chunked.extend_from_slice(&body);
                    chunked.extend_from_slice(b"\r\n0\r\n\r\n");
                    chunked
                }
            };
            let mut reply = format!("{head}\r\n").into_bytes();
            reply.extend_from_slice(&body);
            reply
        })
}

/// A server answering its one connection with `reply` after reading the request's head.
async fn serve_once(reply: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let Ok((mut socket, _)) = listener.accept().await else {
            return;
        };
        let mut head = Vec::new();
        let mut buf = [0u8; 4096];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            match socket.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
        let _ = socket.write_all(&reply).await;
        let _ = socket.shutdown().await;
    });
    base
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any reply is a sign-in URL carrying a token, or an error.
    #[test]
    fn any_federation_reply_is_a_url_or_an_error(reply in federation_reply()) {
        let client = FederationClient {
            connect_timeout: Duration::from_secs(5),
            total_timeout: Duration::from_secs(5),
        };
        let credentials = Credentials::temporary("ASIAFEDERATION000001", "secret/key", "session-token");
        let outcome = runtime().block_on(async {
            let base = serve_once(reply).await;
            let target = ConsoleTarget::new(Some("eu-west-1"), None, Some(&base)).expect("target");
            tokio::time::timeout(BOUND, client.signin_url("dev", &credentials, None, &target)).await
        });
        let outcome = outcome.expect("the sign-in returns within its own timeout");
        if let Ok(url) = outcome {
            let token = url.expose().split("SigninToken=").nth(1).unwrap_or_default();
            prop_assert!(!token.is_empty(), "a URL without a token");
        }
    }

    /// The console target's inputs (`--region`, the page path, `ROLEBAR_CONSOLE_ENDPOINT`).
    #[test]
    fn any_console_target_is_built_or_refused(
        region in prop_oneof!["[a-z0-9-]{0,20}", "\\PC{0,12}"],
        path in prop::option::of(prop_oneof!["[ -~]{0,40}", "\\PC{0,20}"]),
        endpoint in prop::option::of(prop_oneof![
            "(https?://)?[a-z0-9.:\\[\\]@-]{0,30}(/[ -~]{0,20})?",
            "\\PC{0,20}",
        ]),
    ) {
        let _ = ConsoleTarget::new(Some(&region), path.as_deref(), endpoint.as_deref());
    }
}

// ---------------------------------------------------------------------------------------------
// The container-credentials endpoint

struct Fixed;

#[async_trait::async_trait]
impl CredentialSource for Fixed {
    async fn session(&self) -> Result<Session, rolebar_core::container_endpoint::SourceFailure> {
        Ok(Session {
            profile: "dev".into(),
            kind: SessionKind::AssumeRole,
            credentials: Credentials::temporary("ASIAENDPOINT00000000", "endpoint/secret", "ENDPOINTTOKEN"),
            expires_at: datetime!(2030-01-01 12:00 UTC),
            issued_at: None,
            mfa_serial: None,
            role_arn: None,
            region: None,
        })
    }
}

/// The endpoint of this test binary: its address and token.
fn endpoint() -> &'static (String, String) {
    static ENDPOINT: OnceLock<(String, String)> = OnceLock::new();
    ENDPOINT.get_or_init(|| {
        runtime().block_on(async {
            let endpoint = Endpoint::bind().await.expect("bind");
            let address = endpoint
                .uri()
                .trim_start_matches("http://")
                .trim_end_matches('/')
                .to_string();
            let token = endpoint.token().to_string();
            tokio::spawn(endpoint.serve(Arc::new(Fixed), std::future::pending::<()>()));
            (address, token)
        })
    })
}

/// A request, well-formed or not, with the right token sometimes.
fn endpoint_request(token: String) -> impl Strategy<Value = Vec<u8>> {
    let line = (
        prop::sample::select(vec!["GET", "POST", "get", "HEAD", "OPTIONS", "", "GET GET"]),
        prop_oneof![Just("/".to_string()), "[ -~]{0,30}", "\\PC{0,10}"],
        prop::sample::select(vec!["HTTP/1.1", "HTTP/1.0", "HTTP/2", "", "HTTP/1.1 x"]),
    );
    let header = prop_oneof![
        3 => Just(format!("Authorization: {token}")),
        1 => Just(format!("Authorization: Bearer {token}")),
        1 => "Authorization: [ -~]{0,70}",
        1 => Just("Transfer-Encoding: chunked".to_string()),
        1 => (0u64..u64::MAX).prop_map(|n| format!("Content-Length: {n}")),
        1 => "[A-Za-z-]{0,12}: ?[ -~]{0,30}",
        1 => "\\PC{0,20}",
    ];
    prop_oneof![
        4 => (line, prop::collection::vec(header, 0..5), bytes(40), prop::sample::select(vec!["\r\n", "\n"]))
            .prop_map(|((method, path, version), headers, body, nl)| {
                let mut request = format!("{method} {path} {version}{nl}Host: x{nl}");
                for h in headers {
                    request.push_str(&h);
                    request.push_str(nl);
                }
                request.push_str(nl);
                let mut request = request.into_bytes();
                request.extend_from_slice(&body);
                request
            }),
        1 => bytes(400),
    ]
}

/// Sends `request` and reads until the endpoint closes. `half_close`: close the sending side
/// first, so a request that is not whole ends at once (hyper then closes without waiting for
/// more, and may close before answering: that is why a right request does not).
async fn exchange(address: &str, request: &[u8], half_close: bool) -> Vec<u8> {
    let mut stream = TcpStream::connect(address).await.expect("connect");
    let _ = stream.write_all(request).await;
    if half_close {
        let _ = stream.shutdown().await;
    }
    let mut reply = Vec::new();
    let _ = stream.read_to_end(&mut reply).await;
    reply
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any request is answered with HTTP or the connection closed, and the endpoint goes on:
    /// the right request after it gets the credentials.
    #[test]
    fn any_request_to_the_endpoint_is_answered_and_it_goes_on(request in endpoint_request(endpoint().1.clone())) {
        let (address, token) = endpoint();
        let (reply, after) = runtime().block_on(async {
            tokio::time::timeout(BOUND, async {
                let reply = exchange(address, &request, true).await;
                let right = format!("GET / HTTP/1.1\r\nHost: x\r\nAuthorization: {token}\r\nConnection: close\r\n\r\n");
                (reply, exchange(address, right.as_bytes(), false).await)
            })
            .await
            .expect("the endpoint answers")
        });
        prop_assert!(reply.is_empty() || reply.starts_with(b"HTTP/1."), "{:?}", String::from_utf8_lossy(&reply));
        let after = String::from_utf8_lossy(&after);
        prop_assert!(after.starts_with("HTTP/1.1 200") && after.contains("ASIAENDPOINT00000000"), "{after}");
    }
}

// ---------------------------------------------------------------------------------------------
// mfa_process output

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Whatever the command prints, the answer is a code it printed, or an error.
    #[test]
    fn any_mfa_process_output_is_its_code_or_an_error(
        output in prop_oneof![
            bytes(120),
            ("[ \t\r\n]{0,3}", "[0-9]{5,7}", "[ \t\r\n]{0,3}", "[ -~\n]{0,10}")
                .prop_map(|(a, code, b, tail)| format!("{a}{code}{b}{tail}").into_bytes()),
            Just(b"123456".to_vec()),
        ]
    ) {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("output");
        std::fs::write(&file, &output).expect("write");
        let config = format!(
            "[profile dev]\nmfa_serial = arn:aws:iam::1:mfa/alice\nmfa_process = cat '{}'\n",
            file.display()
        );
        let profile = ProfileSet::parse(Path::new("config"), &config, Path::new("credentials"), "[dev]\n")
            .expect("parses")
            .resolve_with("dev", &Environment::default())
            .expect("resolves");
        let request = MfaRequest {
            profile: "dev".into(),
            mfa_serial: "arn:aws:iam::1:mfa/alice".into(),
            reason: MfaReason::NoSession,
            attempt: 1,
        };
        let options = SourceOptions { on_failure: OnSourceFailure::Fail, ..SourceOptions::default() };
        let code = runtime().block_on(async {
            let sourced = SourcedPrompt::new(&profile, &NoPrompt).with_options(options);
            tokio::time::timeout(BOUND, sourced.code(&request)).await
        });
        let code = code.expect("the command's end is the answer");
        if output == b"123456" {
            prop_assert!(code.is_ok(), "{:?}", code.as_ref().err());
        }
        if let Ok(code) = code {
            let digits = code.expose().as_bytes();
            prop_assert!(digits.len() == 6 && digits.iter().all(u8::is_ascii_digit));
            prop_assert!(output.windows(6).any(|w| w == digits), "a code the command did not print");
        }
    }
}

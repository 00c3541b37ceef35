//! The loopback redirect of the browser sign-in (RFC 8252): a listener on 127.0.0.1 on a port
//! the OS picks, waiting for the browser's `GET /oauth/callback?code=…&state=…`, answering the
//! tab with a short page, and handing the code back once the state matches.
//!
//! Minimal HTTP/1.1 on purpose: one request line is all there is to read, and each connection
//! is its own task so a browser's idle speculative connection cannot hold the real one up.

use crate::Secret;
use std::time::Duration;
use subtle::ConstantTimeEq;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use zeroize::Zeroizing;

/// What is registered with RegisterClient, as the AWS CLI registers it: loopback redirect URIs
/// match whatever their port (RFC 8252 7.3), so a registration serves every later sign-in.
pub const REGISTERED_REDIRECT_URI: &str = "http://127.0.0.1/oauth/callback";
const CALLBACK_PATH: &str = "/oauth/callback";
/// How long one connection may take to send its request line and headers.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Longer requests are not a browser coming back from the sign-in.
const MAX_REQUEST: usize = 16 * 1024;

/// How the browser came back.
#[derive(Debug)]
pub enum Callback {
    /// The authorization code (for CreateToken), the state having matched.
    Code(Secret),
    /// `error=` (the user declined, or the service refused): its code and description.
    Declined(String),
    /// A code with a state this sign-in did not make.
    StateMismatch,
    /// Nothing came back in time.
    TimedOut,
}

/// The listener, bound before the browser is sent to the authorize URL.
#[derive(Debug)]
pub struct Loopback {
    listener: TcpListener,
    port: u16,
}

impl Loopback {
    pub async fn bind() -> std::io::Result<Loopback> {
        let listener = TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0)).await?;
        let port = listener.local_addr()?.port();
        Ok(Loopback { listener, port })
    }

    /// The redirect URI of this sign-in, with its port.
    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}{CALLBACK_PATH}", self.port)
    }

    /// Waits up to `within` for the callback of the sign-in whose state is `state`.
    pub async fn wait(self, state: &str, within: Duration) -> Callback {
        let deadline = tokio::time::Instant::now() + within;
        let (tx, mut rx) = mpsc::channel::<Callback>(4);
        let mut connections = JoinSet::new();
        let expected = std::sync::Arc::new(state.to_string());
        loop {
            tokio::select! {
                accepted = self.listener.accept() => {
                    let Ok((stream, _)) = accepted else { continue };
                    let tx = tx.clone();
                    let expected = expected.clone();
                    connections.spawn(async move {
                        if let Ok(Some(outcome)) =
                            tokio::time::timeout(REQUEST_TIMEOUT, answer(stream, &expected)).await
                        {
                            let _ = tx.send(outcome).await;
                        }
                    });
                }
                Some(outcome) = rx.recv() => return outcome,
                _ = tokio::time::sleep_until(deadline) => return Callback::TimedOut,
                // Reap finished connections so the set does not grow.
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
    }
}

/// Reads one request, answers it, and says what it meant (`None`: not the callback).
async fn answer(mut stream: TcpStream, expected_state: &str) -> Option<Callback> {
    let mut request = Zeroizing::new(Vec::with_capacity(2048));
    let mut chunk = Zeroizing::new([0u8; 2048]);
    while !request.windows(4).any(|w| w == b"\r\n\r\n") && !request.windows(2).any(|w| w == b"\n\n") {
        let n = stream.read(chunk.as_mut_slice()).await.ok()?;
        if n == 0 {
            break;
        }
        request.extend_from_slice(&chunk[..n]);
        if request.len() > MAX_REQUEST {
            respond(&mut stream, "431 Request Header Fields Too Large", PAGE_NOT_HERE).await;
            return None;
        }
    }
    let line_end = request.iter().position(|&b| b == b'\n')?;
    let line = std::str::from_utf8(&request[..line_end]).ok()?.trim_end();
    let mut words = line.split(' ');
    let (method, target) = (words.next()?, words.next()?);
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if method != "GET" || path != CALLBACK_PATH {
        respond(&mut stream, "404 Not Found", PAGE_NOT_HERE).await;
        return None;
    }
    let (outcome, status, page) = interpret(query, expected_state);
    respond(&mut stream, status, page).await;
    outcome
}

/// What a callback's query means, and the status and page the tab gets.
fn interpret(query: &str, expected_state: &str) -> (Option<Callback>, &'static str, &'static str) {
    let mut code = None;
    let mut state = None;
    let mut error = None;
    let mut description = None;
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        match name.as_ref() {
            "code" => code = Some(Secret::new(value.into_owned())),
            "state" => state = Some(value.into_owned()),
            "error" => error = Some(printable(&value)),
            "error_description" => description = Some(printable(&value)),
            _ => {}
        }
    }
    let state_matches = state
        .as_ref()
        .is_some_and(|s| bool::from(s.as_bytes().ct_eq(expected_state.as_bytes())));
    if let Some(error) = error {
        // Only the sign-in's own redirect may end it: anything else that finds the port (a
        // local process, a web page) is answered and ignored.
        if !state_matches {
            return (None, "400 Bad Request", PAGE_NOT_HERE);
        }
        let detail = match description {
            Some(d) if !d.is_empty() => format!("{error}: {d}"),
            _ => error,
        };
        return (Some(Callback::Declined(detail)), "200 OK", PAGE_DECLINED);
    }
    match (code, state) {
        (Some(code), Some(_)) if state_matches => (Some(Callback::Code(code)), "200 OK", PAGE_SIGNED_IN),
        (Some(_), _) => (Some(Callback::StateMismatch), "400 Bad Request", PAGE_STATE_MISMATCH),
        _ => (None, "400 Bad Request", PAGE_NOT_HERE),
    }
}

/// At most 200 characters, no control characters: a value shown in a message.
fn printable(value: &str) -> String {
    value.chars().filter(|c| !c.is_control()).take(200).collect()
}

async fn respond(stream: &mut TcpStream, status: &str, body: &str) {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(body.as_bytes()).await;
    let _ = stream.shutdown().await;
}

const PAGE_SIGNED_IN: &str = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Rolebar: signed in</title></head>\
<body style=\"font-family:sans-serif;margin:3em\"><h1>You are signed in</h1><p>Rolebar has your AWS IAM Identity Center sign-in. You can close this tab.</p></body></html>";
const PAGE_DECLINED: &str = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Rolebar: not signed in</title></head>\
<body style=\"font-family:sans-serif;margin:3em\"><h1>The sign-in was not completed</h1><p>Access was not allowed, so Rolebar is not signed in. You can close this tab and sign in again.</p></body></html>";
const PAGE_STATE_MISMATCH: &str = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Rolebar: refused</title></head>\
<body style=\"font-family:sans-serif;margin:3em\"><h1>This sign-in was refused</h1><p>Rolebar did not start this sign-in (its state does not match), so it was not used. Close this tab and sign in again from Rolebar.</p></body></html>";
const PAGE_NOT_HERE: &str = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Rolebar</title></head>\
<body style=\"font-family:sans-serif;margin:3em\"><p>Nothing here: this address only receives Rolebar's sign-in.</p></body></html>";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_decides_the_outcome() {
        let (outcome, status, _) = interpret("code=abc&state=s1", "s1");
        assert!(matches!(outcome, Some(Callback::Code(c)) if c.expose() == "abc"));
        assert_eq!(status, "200 OK");

        let (outcome, status, page) = interpret("code=abc&state=forged", "s1");
        assert!(matches!(outcome, Some(Callback::StateMismatch)));
        assert_eq!(status, "400 Bad Request");
        assert!(page.contains("refused"));
        assert!(matches!(interpret("code=abc", "s1").0, Some(Callback::StateMismatch)));

        let (outcome, _, page) = interpret("error=access_denied&error_description=User+said+no&state=s1", "s1");
        assert!(matches!(outcome, Some(Callback::Declined(d)) if d == "access_denied: User said no"));
        assert!(page.contains("not completed"));
        // An error without the sign-in's state ends nothing: anyone may find the port.
        for forged in ["error=access_denied", "error=access_denied&state=forged"] {
            let (outcome, status, _) = interpret(forged, "s1");
            assert!(outcome.is_none(), "{forged}");
            assert_eq!(status, "400 Bad Request");
        }

        assert!(interpret("", "s1").0.is_none());
    }

    async fn get(port: u16, target: &str) -> String {
        let mut s = TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
        s.write_all(format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").as_bytes())
            .await
            .expect("write");
        let mut reply = String::new();
        s.read_to_string(&mut reply).await.expect("read");
        reply
    }

    #[tokio::test]
    async fn a_forged_state_is_refused_and_the_tab_told_so() {
        let lb = Loopback::bind().await.expect("bind");
        let port = lb.port;
        assert_eq!(lb.redirect_uri(), format!("http://127.0.0.1:{port}/oauth/callback"));
        let waiter = tokio::spawn(lb.wait("right-state", Duration::from_secs(10)));
        // An idle connection (a browser's preconnect) does not hold the real one up.
        let _idle = TcpStream::connect(("127.0.0.1", port)).await.expect("idle");
        assert!(get(port, "/favicon.ico").await.starts_with("HTTP/1.1 404"));
        let reply = get(port, "/oauth/callback?code=c0de&state=wrong-state").await;
        assert!(reply.starts_with("HTTP/1.1 400"), "{reply}");
        assert!(reply.contains("refused"), "{reply}");
        assert!(matches!(waiter.await.expect("join"), Callback::StateMismatch));
    }

    #[tokio::test]
    async fn the_right_callback_gives_the_code_and_a_closing_page() {
        let lb = Loopback::bind().await.expect("bind");
        let port = lb.port;
        let waiter = tokio::spawn(lb.wait("st", Duration::from_secs(10)));
        let reply = get(port, "/oauth/callback?code=c0de&state=st").await;
        assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
        assert!(reply.contains("You can close this tab"), "{reply}");
        assert!(matches!(waiter.await.expect("join"), Callback::Code(c) if c.expose() == "c0de"));
    }

    #[tokio::test]
    async fn nothing_in_time_is_a_timeout() {
        let lb = Loopback::bind().await.expect("bind");
        assert!(matches!(
            lb.wait("st", Duration::from_millis(50)).await,
            Callback::TimedOut
        ));
    }
}

//! The loopback redirect of the browser sign-in (RFC 8252): a listener on 127.0.0.1 on a port
//! the OS picks, waiting for the browser's `GET /oauth/callback?code=…&state=…`, answering the
//! tab with a short page, and handing the code back once the state matches.
//!
//! Minimal HTTP/1.1 on purpose: one request line is all there is to read, and each connection
//! is its own task so a browser's idle speculative connection cannot hold the real one up.
//!
//! Any local process can find the port. Only the redirect carrying this sign-in's `state` ends
//! the wait: any other answer is refused (400) and the wait goes on. A flood cannot spin it: at
//! most [`MAX_CONNECTIONS`] are served at once (more wait in the kernel's backlog), each has
//! [`REQUEST_TIMEOUT`] in all, and out of file descriptors the accept loop pauses.

use crate::accept_guard::{AcceptGuard, Throttle, WARN_EVERY};
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
/// How long one connection may take in all, from accept to answer: one sending nothing, or a
/// byte now and then, is closed after this.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections served at once: a browser opens a few (speculative ones included).
const MAX_CONNECTIONS: usize = 16;
/// Longer requests are not a browser coming back from the sign-in.
const MAX_REQUEST: usize = 16 * 1024;

/// How the browser came back.
#[derive(Debug)]
pub enum Callback {
    /// The authorization code (for CreateToken), the state having matched.
    Code(Secret),
    /// `error=` (the user declined, or the service refused): its code and description.
    Declined(String),
    /// The right redirect did not come in time; `refused` answers with a state this sign-in did
    /// not make came meanwhile (a stale tab, or another local process).
    TimedOut { refused: u64 },
}

/// What one connection brought.
#[derive(Debug)]
enum Heard {
    /// The sign-in's own redirect: the wait ends with it.
    Callback(Callback),
    /// A code or an error with a state this sign-in did not make: refused, the wait goes on.
    Forged,
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

    /// Waits up to `within` for the callback of the sign-in whose state is `state`; answers
    /// with another state are refused and do not end the wait.
    pub async fn wait(self, state: &str, within: Duration) -> Callback {
        let deadline = tokio::time::Instant::now() + within;
        let (tx, mut rx) = mpsc::channel::<Heard>(4);
        let mut connections = JoinSet::new();
        let expected = std::sync::Arc::new(state.to_string());
        let mut guard = AcceptGuard::new("SSO sign-in redirect", MAX_CONNECTIONS);
        let mut warnings = Throttle::new(WARN_EVERY);
        let mut refused = 0;
        loop {
            tokio::select! {
                (stream, slot) = guard.accept(&self.listener) => {
                    let tx = tx.clone();
                    let expected = expected.clone();
                    connections.spawn(async move {
                        let _slot = slot;
                        if let Ok(Some(heard)) =
                            tokio::time::timeout(REQUEST_TIMEOUT, answer(stream, &expected)).await
                        {
                            let _ = tx.send(heard).await;
                        }
                    });
                }
                Some(heard) = rx.recv() => match heard {
                    Heard::Callback(callback) => return callback,
                    Heard::Forged => {
                        refused += 1;
                        // Neither the code nor either state: the log is no place for them.
                        if let Some(suppressed) = warnings.allow() {
                            tracing::warn!(
                                suppressed,
                                "SSO sign-in: refused an answer on the redirect whose state this sign-in did not make \
                                 (a stale browser tab, or another local process); still waiting for the right one"
                            );
                        }
                    }
                },
                _ = tokio::time::sleep_until(deadline) => return Callback::TimedOut { refused },
                // Reap finished connections so the set does not grow.
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
    }
}

/// Reads one request, answers it, and says what it meant (`None`: not a callback).
async fn answer(mut stream: TcpStream, expected_state: &str) -> Option<Heard> {
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
fn interpret(query: &str, expected_state: &str) -> (Option<Heard>, &'static str, &'static str) {
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
    let (callback, page) = match (code, error) {
        (None, None) => return (None, "400 Bad Request", PAGE_NOT_HERE),
        (_, Some(error)) => {
            let detail = match description {
                Some(d) if !d.is_empty() => format!("{error}: {d}"),
                _ => error,
            };
            (Callback::Declined(detail), PAGE_DECLINED)
        }
        (Some(code), None) => (Callback::Code(code), PAGE_SIGNED_IN),
    };
    // Only the sign-in's own redirect may end it: anything else that finds the port (a local
    // process, a web page, a stale tab) is refused, and the sign-in goes on.
    if !state_matches {
        return (Some(Heard::Forged), "400 Bad Request", PAGE_STATE_MISMATCH);
    }
    (Some(Heard::Callback(callback)), "200 OK", page)
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
<body style=\"font-family:sans-serif;margin:3em\"><h1>This sign-in was refused</h1><p>Rolebar did not start this sign-in (its state does not match), so it was not used. If Rolebar is waiting for a sign-in, finish it in the tab Rolebar opened; else close this tab and sign in again from Rolebar.</p></body></html>";
const PAGE_NOT_HERE: &str = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Rolebar</title></head>\
<body style=\"font-family:sans-serif;margin:3em\"><p>Nothing here: this address only receives Rolebar's sign-in.</p></body></html>";

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::sync::{Arc, Mutex};
    use tokio::time::Instant;

    #[test]
    fn the_query_decides_the_outcome() {
        let (outcome, status, _) = interpret("code=abc&state=s1", "s1");
        assert!(matches!(outcome, Some(Heard::Callback(Callback::Code(c))) if c.expose() == "abc"));
        assert_eq!(status, "200 OK");

        let (outcome, _, page) = interpret("error=access_denied&error_description=User+said+no&state=s1", "s1");
        assert!(matches!(outcome, Some(Heard::Callback(Callback::Declined(d))) if d == "access_denied: User said no"));
        assert!(page.contains("not completed"));

        // A code or an error without the sign-in's state ends nothing: anyone may find the port.
        for forged in [
            "code=abc&state=forged",
            "code=abc",
            "code=abc&state=",
            "code=abc&state=s",
            "code=abc&state=s1x",
            "error=access_denied",
            "error=access_denied&state=forged",
        ] {
            let (outcome, status, page) = interpret(forged, "s1");
            assert!(matches!(outcome, Some(Heard::Forged)), "{forged}");
            assert_eq!(status, "400 Bad Request", "{forged}");
            assert!(page.contains("refused"), "{forged}");
        }

        for nothing in ["", "state=s1", "foo=bar"] {
            let (outcome, status, _) = interpret(nothing, "s1");
            assert!(outcome.is_none(), "{nothing}");
            assert_eq!(status, "400 Bad Request");
        }
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

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("lock").extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Captured {
        /// Logs of this thread (the test's runtime has one) until the guard is dropped.
        fn install(&self) -> tracing::subscriber::DefaultGuard {
            let writer = self.clone();
            let subscriber = tracing_subscriber::fmt()
                .with_ansi(false)
                .with_writer(move || writer.clone())
                .finish();
            tracing::subscriber::set_default(subscriber)
        }

        fn text(&self) -> String {
            String::from_utf8_lossy(&self.0.lock().expect("lock")).into_owned()
        }
    }

    #[tokio::test]
    async fn forged_callbacks_are_refused_and_the_right_one_still_ends_the_wait() {
        let logs = Captured::default();
        let _logging = logs.install();
        let lb = Loopback::bind().await.expect("bind");
        let port = lb.port;
        assert_eq!(lb.redirect_uri(), format!("http://127.0.0.1:{port}/oauth/callback"));
        let waiter = tokio::spawn(lb.wait("right-state", Duration::from_secs(10)));
        // An idle connection (a browser's preconnect) does not hold the real one up.
        let _idle = TcpStream::connect(("127.0.0.1", port)).await.expect("idle");
        assert!(get(port, "/favicon.ico").await.starts_with("HTTP/1.1 404"));
        for forged in [
            "/oauth/callback?code=forged-c0de&state=wrong-state",
            "/oauth/callback?code=forged-c0de",
            "/oauth/callback?error=access_denied&state=wrong-state",
        ] {
            let reply = get(port, forged).await;
            assert!(reply.starts_with("HTTP/1.1 400"), "{forged}: {reply}");
            assert!(reply.contains("refused"), "{forged}: {reply}");
        }
        let reply = get(port, "/oauth/callback?code=right-c0de&state=right-state").await;
        assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
        let outcome = waiter.await.expect("join");
        assert!(
            matches!(&outcome, Callback::Code(c) if c.expose() == "right-c0de"),
            "{outcome:?}"
        );

        let logs = logs.text();
        // Logged once (three times refused: the others are counted, not written).
        assert_eq!(logs.matches("refused an answer on the redirect").count(), 1, "{logs}");
        for secret in ["c0de", "right-state", "wrong-state"] {
            assert!(!logs.contains(secret), "{secret} is in the logs: {logs}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_wait_with_only_forged_answers_times_out_saying_how_many_were_refused() {
        let lb = Loopback::bind().await.expect("bind");
        let port = lb.port;
        let waiter = tokio::spawn(lb.wait("st", Duration::from_secs(60)));
        for _ in 0..2 {
            let reply = get(port, "/oauth/callback?code=c&state=forged").await;
            assert!(reply.starts_with("HTTP/1.1 400"), "{reply}");
        }
        assert!(matches!(waiter.await.expect("join"), Callback::TimedOut { refused: 2 }));
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

    #[tokio::test(start_paused = true)]
    async fn nothing_in_time_is_a_timeout() {
        let lb = Loopback::bind().await.expect("bind");
        assert!(matches!(
            lb.wait("st", Duration::from_secs(600)).await,
            Callback::TimedOut { refused: 0 }
        ));
    }

    /// Reads until the server closes the connection (EOF, or a reset when bytes were left
    /// unread), and says when.
    async fn closed_at(mut read: impl tokio::io::AsyncRead + Unpin) -> Instant {
        let mut sink = Vec::new();
        let _ = read.read_to_end(&mut sink).await;
        Instant::now()
    }

    #[tokio::test(start_paused = true)]
    async fn silent_and_trickling_connections_are_closed_in_time_and_the_right_one_then_gets_in() {
        let lb = Loopback::bind().await.expect("bind");
        let port = lb.port;
        let waiter = tokio::spawn(lb.wait("st", Duration::from_secs(600)));
        let start = Instant::now();
        // Every slot taken: silent connections, and one sending the right callback a byte
        // every 2 s (it would take 90 s).
        let mut closing = Vec::new();
        for _ in 0..MAX_CONNECTIONS - 1 {
            let silent = TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
            closing.push(tokio::spawn(closed_at(silent)));
        }
        let trickling = TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
        let (read, mut write) = trickling.into_split();
        let trickle = tokio::spawn(async move {
            for byte in b"GET /oauth/callback?code=slow&state=st HTTP/1.1\r\n\r\n" {
                if write.write_all(&[*byte]).await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        });
        closing.push(tokio::spawn(closed_at(read)));
        // Beyond the cap: waits in the backlog until a slot is freed.
        let right = tokio::spawn(async move {
            let reply = get(port, "/oauth/callback?code=c0de&state=st").await;
            (reply, Instant::now())
        });

        for closed in closing {
            let waited = closed.await.expect("join") - start;
            assert!(waited <= REQUEST_TIMEOUT, "a connection was held for {waited:?}");
        }
        trickle.abort();
        let (reply, answered) = right.await.expect("join");
        assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
        let waited = answered - start;
        assert!(
            waited >= REQUEST_TIMEOUT && waited <= REQUEST_TIMEOUT + Duration::from_secs(1),
            "the right callback came in after {waited:?}: with all {MAX_CONNECTIONS} slots held it \
             waits for the first to be closed"
        );
        assert!(matches!(waiter.await.expect("join"), Callback::Code(c) if c.expose() == "c0de"));
    }
}

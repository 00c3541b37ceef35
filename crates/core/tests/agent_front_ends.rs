//! Front ends over the agent's real socket: `call` (a command and its answer, the front end's own
//! error codes, secrets in arguments) and `subscribe` (a link both ways that outlives the idle
//! bound and tells each side when the other is gone), and what hostile lines get.

use rolebar_core::agent::{
    Agent, AgentError, AgentFailure, CallFailure, CallRequest, Client, CredentialsRequest, Handler, Link, LinkError,
    Peer, ServerOptions, SessionSummary, SubscribeRequest, DEFAULT_CONNECT_TIMEOUT,
};
use rolebar_core::Session;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixStream;
use tokio::sync::{mpsc, oneshot};

const TIMEOUT: Duration = Duration::from_secs(10);

/// Serves `echo` (answers its arguments), `fail` (a front-end code) and a link that answers each
/// line with `{"echo": line}` and reports what it saw and when the other side left.
#[derive(Default)]
struct FrontEnd {
    calls: Mutex<Vec<CallRequest>>,
    link_events: Mutex<Option<mpsc::UnboundedSender<String>>>,
}

#[async_trait::async_trait]
impl Handler for FrontEnd {
    async fn credentials(&self, request: CredentialsRequest, _peer: &Peer) -> Result<Session, AgentFailure> {
        Err(AgentFailure::denied(&request.profile))
    }

    async fn sessions(&self) -> Vec<SessionSummary> {
        Vec::new()
    }

    async fn call(&self, request: CallRequest, _peer: &Peer) -> Result<serde_json::Value, CallFailure> {
        self.calls.lock().expect("lock").push(request.clone());
        match request.command.as_str() {
            "echo" => serde_json::from_str(&request.args).map_err(|e| CallFailure::new("invalid_input", e.to_string())),
            "nothing" => Ok(serde_json::Value::Null),
            // Longer than any request may be: the overview of hundreds of profiles.
            "big" => Ok(json!({ "rows": vec!["oppara-dev"; 40_000] })),
            _ => Err(CallFailure::new(
                "window_failed",
                "cannot open the Rolebar window: no display",
            )),
        }
    }

    async fn subscribe(&self, request: SubscribeRequest, _peer: &Peer, link: Link) {
        let events = self.link_events.lock().expect("lock").clone();
        let tell = |what: String| {
            if let Some(events) = &events {
                let _ = events.send(what);
            }
        };
        if request.role != "window" {
            let _ = link
                .writer
                .refuse(&CallFailure::new("window_process_running", "one at a time"))
                .await;
            return;
        }
        let Link { mut reader, writer } = link;
        writer.accept(&json!({ "welcome": request.pid })).await.expect("hello");
        loop {
            match reader.recv::<serde_json::Value>().await {
                Ok(Some(line)) => {
                    tell(format!("line {line}"));
                    writer.send(&json!({ "echo": line })).await.expect("echo");
                }
                Ok(None) => return tell("gone".into()),
                Err(e) => return tell(format!("error {e}")),
            }
        }
    }
}

struct Running {
    path: PathBuf,
    handler: Arc<FrontEnd>,
    _stop: oneshot::Sender<()>,
    _dir: tempfile::TempDir,
}

fn start(handler: FrontEnd, options: ServerOptions) -> Running {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("rolebar").join("agent.sock");
    let agent = Agent::bind(&path).expect("bind").with_options(options);
    let handler = Arc::new(handler);
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(agent.serve(handler.clone(), async move {
        let _ = stopped.await;
    }));
    Running {
        path,
        handler,
        _stop: stop,
        _dir: dir,
    }
}

async fn client(path: &Path) -> Client {
    Client::connect(path, DEFAULT_CONNECT_TIMEOUT)
        .await
        .expect("connect")
        .expect("an agent is there")
}

async fn raw_exchange(path: &Path, lines: &[&[u8]]) -> Vec<serde_json::Value> {
    let (read, mut write) = UnixStream::connect(path).await.expect("connect").into_split();
    let mut reader = BufReader::new(read);
    let mut replies = Vec::new();
    for line in lines {
        write.write_all(line).await.expect("write");
        let mut reply = String::new();
        reader.read_line(&mut reply).await.expect("read");
        replies.push(serde_json::from_str(&reply).expect("a JSON reply"));
    }
    replies
}

#[tokio::test]
async fn a_call_gets_its_commands_answer_or_the_front_ends_own_error_code() {
    let agent = start(FrontEnd::default(), ServerOptions::default());
    let mut client = client(&agent.path).await;
    let args = json!({"profile": "oppara-dev", "reveal": false});
    assert_eq!(client.call("echo", &args, TIMEOUT).await.expect("sent"), Ok(args));
    assert_eq!(
        client.call("nothing", &json!({}), TIMEOUT).await.expect("sent"),
        Ok(serde_json::Value::Null)
    );
    // A code rolebar-core does not know passes through as it is: the commands are the tray's.
    let failed = client.call("open_main", &json!({}), TIMEOUT).await.expect("sent");
    assert_eq!(
        failed,
        Err(CallFailure::new(
            "window_failed",
            "cannot open the Rolebar window: no display"
        ))
    );
    // The connection goes on after a failure.
    assert!(client.call("nothing", &json!({}), TIMEOUT).await.expect("sent").is_ok());
}

#[tokio::test]
async fn calls_that_are_not_commands_are_refused_and_the_connection_stays_usable() {
    let agent = start(FrontEnd::default(), ServerOptions::default());
    let replies = raw_exchange(
        &agent.path,
        &[
            b"{\"v\":1,\"op\":\"call\"}\n",
            b"{\"v\":1,\"op\":\"call\",\"command\":\"\"}\n",
            b"{\"v\":1,\"op\":\"call\",\"command\":\"../../etc\"}\n",
            b"{\"v\":1,\"op\":\"call\",\"command\":\"Echo\"}\n",
            b"{\"v\":1,\"op\":\"call\",\"command\":\"echo\",\"args\":[1,2]}\n",
            b"{\"v\":1,\"op\":\"call\",\"command\":\"echo\",\"args\":\"{}\"}\n",
            b"{\"v\":1,\"op\":\"call\",\"command\":\"echo\",\"args\":{\"a\":}}\n",
            b"{\"v\":1,\"op\":\"call\",\"command\":\"echo\"}\n",
        ],
    )
    .await;
    for reply in &replies[..7] {
        assert_eq!(reply["error"]["code"], "agent_bad_request", "{reply}");
    }
    assert_eq!(replies[7]["ok"], json!({}), "no args is an empty object");
    let seen = agent.handler.calls.lock().expect("lock");
    assert_eq!(seen.len(), 1, "only the well-formed call reached the handler");
}

#[tokio::test]
async fn a_secret_in_a_calls_arguments_reaches_the_handler_but_never_its_debug_text() {
    let agent = start(FrontEnd::default(), ServerOptions::default());
    let mut client = client(&agent.path).await;
    let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY";
    let args = json!({"secretAccessKey": secret});
    assert_eq!(client.call("echo", &args, TIMEOUT).await.expect("sent"), Ok(args));
    let seen = agent.handler.calls.lock().expect("lock");
    assert!(seen[0].args.contains(secret));
    let shown = format!("{:?}", seen[0]);
    assert!(!shown.contains(secret), "{shown}");
    assert!(shown.contains("echo"), "{shown}");
}

#[tokio::test]
async fn an_agent_without_front_ends_refuses_calls_and_subscriptions_with_a_reason() {
    struct Plain;
    #[async_trait::async_trait]
    impl Handler for Plain {
        async fn credentials(&self, request: CredentialsRequest, _peer: &Peer) -> Result<Session, AgentFailure> {
            Err(AgentFailure::denied(&request.profile))
        }
        async fn sessions(&self) -> Vec<SessionSummary> {
            Vec::new()
        }
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("rolebar").join("agent.sock");
    let agent = Agent::bind(&path).expect("bind");
    let (_stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(agent.serve(Arc::new(Plain), async move {
        let _ = stopped.await;
    }));
    let refused = client(&path)
        .await
        .call("get_overview", &json!({}), TIMEOUT)
        .await
        .expect("sent");
    let refused = refused.expect_err("no commands here");
    assert_eq!(refused.code, "agent_bad_request");
    assert!(refused.message.contains("get_overview"), "{}", refused.message);
    let subscribed = client(&path)
        .await
        .subscribe(window(), TIMEOUT)
        .await
        .expect("answered");
    let refused = subscribed.expect_err("no subscriptions here");
    assert_eq!(refused.code, "agent_bad_request");
}

fn window() -> SubscribeRequest {
    SubscribeRequest {
        role: "window".into(),
        pid: Some(4242),
        build: Some("test".into()),
    }
}

#[tokio::test(start_paused = true)]
async fn a_link_carries_lines_both_ways_past_the_idle_bound_and_tells_the_agent_when_the_window_goes() {
    let (events, mut seen) = mpsc::unbounded_channel();
    let handler = FrontEnd {
        link_events: Mutex::new(Some(events)),
        ..FrontEnd::default()
    };
    let options = ServerOptions {
        idle_timeout: Duration::from_secs(30),
        ..ServerOptions::default()
    };
    let agent = start(handler, options);
    let (hello, link) = client(&agent.path)
        .await
        .subscribe(window(), TIMEOUT)
        .await
        .expect("answered")
        .expect("accepted");
    assert_eq!(hello, json!({"welcome": 4242}));
    let Link { mut reader, writer } = link;
    // An hour of silence: a link is not an idle connection.
    tokio::time::sleep(Duration::from_secs(3600)).await;
    writer
        .send(&json!({"window": "mfa", "event": "created"}))
        .await
        .expect("send");
    let echoed: serde_json::Value = reader.recv().await.expect("read").expect("a line");
    assert_eq!(echoed, json!({"echo": {"window": "mfa", "event": "created"}}));
    assert_eq!(
        seen.recv().await.expect("event"),
        r#"line {"event":"created","window":"mfa"}"#
    );
    drop((reader, writer));
    assert_eq!(seen.recv().await.expect("event"), "gone");
}

#[tokio::test]
async fn the_window_learns_at_once_when_the_agent_is_gone() {
    let agent = start(FrontEnd::default(), ServerOptions::default());
    let (_, link) = client(&agent.path)
        .await
        .subscribe(window(), TIMEOUT)
        .await
        .expect("answered")
        .expect("accepted");
    let Link { mut reader, .. } = link;
    drop(agent);
    let end = tokio::time::timeout(TIMEOUT, reader.recv::<serde_json::Value>())
        .await
        .expect("told within the bound");
    assert!(matches!(end, Ok(None) | Err(LinkError::Io(_))), "{end:?}");
}

#[tokio::test]
async fn a_refused_subscription_says_why() {
    let agent = start(FrontEnd::default(), ServerOptions::default());
    let refused = client(&agent.path)
        .await
        .subscribe(
            SubscribeRequest {
                role: "spy".into(),
                pid: None,
                build: None,
            },
            TIMEOUT,
        )
        .await
        .expect("answered")
        .expect_err("refused");
    assert_eq!(refused.code, "window_process_running");
}

#[tokio::test]
async fn an_over_long_or_garbled_line_on_a_link_ends_it_on_the_agents_side() {
    let (events, mut seen) = mpsc::unbounded_channel();
    let handler = FrontEnd {
        link_events: Mutex::new(Some(events)),
        ..FrontEnd::default()
    };
    let agent = start(handler, ServerOptions::default());
    for (payload, expected) in [
        (
            vec![b'x'; 5 * 1024 * 1024],
            "error the other side sent a line longer than",
        ),
        (b"not json\n".to_vec(), "error the other side sent a line that is not"),
    ] {
        let (read, mut write) = UnixStream::connect(&agent.path).await.expect("connect").into_split();
        let mut reader = BufReader::new(read);
        write
            .write_all(b"{\"v\":1,\"op\":\"subscribe\",\"role\":\"window\"}\n")
            .await
            .expect("subscribe");
        let mut hello = String::new();
        reader.read_line(&mut hello).await.expect("hello");
        assert!(hello.contains("\"ok\""), "{hello}");
        let flood = tokio::spawn(async move { write.write_all(&payload).await });
        let event = seen.recv().await.expect("event");
        assert!(event.starts_with(expected), "{event}");
        let mut rest = Vec::new();
        assert!(matches!(reader.read_to_end(&mut rest).await, Ok(_) | Err(_)));
        let _ = flood.await;
    }
    // The agent goes on.
    assert!(client(&agent.path)
        .await
        .call("nothing", &json!({}), TIMEOUT)
        .await
        .expect("sent")
        .is_ok());
}

#[tokio::test]
async fn a_call_to_a_gone_agent_is_a_connection_error_not_a_command_error() {
    let agent = start(FrontEnd::default(), ServerOptions::default());
    let mut client = client(&agent.path).await;
    drop(agent);
    let result = client.call("nothing", &json!({}), TIMEOUT).await;
    assert!(
        matches!(result, Err(AgentError::Closed { .. } | AgentError::Unavailable { .. })),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_result_longer_than_a_request_may_be_reaches_the_front_end_whole() {
    let agent = start(FrontEnd::default(), ServerOptions::default());
    let mut client = client(&agent.path).await;
    let big = client
        .call("big", &json!({}), TIMEOUT)
        .await
        .expect("sent")
        .expect("ok");
    let rows = big["rows"].as_array().expect("rows");
    assert_eq!(
        rows.len(),
        40_000,
        "about 480 KiB of JSON, past the 64 KiB request frame"
    );
    // The connection reads the next reply after it as usual.
    assert!(client.call("nothing", &json!({}), TIMEOUT).await.expect("sent").is_ok());
}

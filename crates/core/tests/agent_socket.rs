//! The agent over a real Unix socket in a temporary folder: binding (permissions, stale and live
//! sockets, a user's file in the way), the protocol's replies, and hostile or careless clients
//! (garbage, a 10 MiB line, a half-written line, 200 connections, a client that hangs up, a
//! connection from another user). Waiting is on tokio's paused clock, never on sleeps.

use rolebar_core::agent::{
    Agent, AgentError, AgentFailure, ClientContext, CredentialsRequest, Handler, Peer, ServerOptions, SessionSummary,
};
use rolebar_core::agent::{Client, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT};
use rolebar_core::HasCode;
use rolebar_core::{Credentials, Session, SessionKind};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use time::macros::datetime;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::oneshot;
use tokio::task::JoinSet;
use tokio::time::Instant;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY";

fn session(profile: &str) -> Session {
    Session {
        profile: profile.into(),
        kind: SessionKind::AssumeRole,
        credentials: Credentials::temporary("ASIAEXAMPLE000000001", SECRET, "FwoGZXIvYXdzTOKEN=="),
        expires_at: datetime!(2026-11-25 13:00 UTC),
        issued_at: None,
        mfa_serial: Some("arn:aws:iam::111111111111:mfa/alice".into()),
        role_arn: Some("arn:aws:iam::222222222222:role/dev".into()),
        region: Some("eu-west-1".into()),
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Mode {
    #[default]
    Serve,
    Deny,
    /// Never answers; says when it starts and when its future is dropped.
    Hold,
}

#[derive(Default)]
struct Fake {
    mode: Mode,
    calls: AtomicUsize,
    seen: Mutex<Vec<(CredentialsRequest, Peer)>>,
    started: Mutex<Option<oneshot::Sender<()>>>,
    dropped: Mutex<Option<oneshot::Sender<()>>>,
}

/// Sends when dropped: tells the test a request's future was cancelled.
struct OnDrop(Option<oneshot::Sender<()>>);
impl Drop for OnDrop {
    fn drop(&mut self) {
        if let Some(tx) = self.0.take() {
            let _ = tx.send(());
        }
    }
}

#[async_trait::async_trait]
impl Handler for Fake {
    async fn credentials(&self, request: CredentialsRequest, peer: &Peer) -> Result<Session, AgentFailure> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.seen.lock().expect("lock").push((request.clone(), peer.clone()));
        match self.mode {
            Mode::Serve => Ok(session(&request.profile)),
            Mode::Deny => Err(AgentFailure::denied(&request.profile)),
            Mode::Hold => {
                let _guard = OnDrop(self.dropped.lock().expect("lock").take());
                if let Some(started) = self.started.lock().expect("lock").take() {
                    let _ = started.send(());
                }
                std::future::pending().await
            }
        }
    }

    async fn sessions(&self) -> Vec<SessionSummary> {
        vec![SessionSummary {
            profile: "dev".into(),
            kind: SessionKind::AssumeRole,
            expires_at: datetime!(2026-11-25 13:00 UTC),
        }]
    }
}

struct Running {
    path: PathBuf,
    fake: Arc<Fake>,
    stop: Option<oneshot::Sender<()>>,
    served: tokio::task::JoinHandle<Result<(), AgentError>>,
    _dir: tempfile::TempDir,
}

impl Running {
    async fn stop(mut self) {
        drop(self.stop.take());
        (&mut self.served).await.expect("joined").expect("served");
    }
}

fn start_with(fake: Fake, options: ServerOptions) -> Running {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("rolebar").join("agent.sock");
    let agent = Agent::bind(&path).expect("bind").with_options(options);
    let fake = Arc::new(fake);
    let (stop, stopped) = oneshot::channel::<()>();
    let served = tokio::spawn(agent.serve(fake.clone(), async move {
        let _ = stopped.await;
    }));
    Running {
        path,
        fake,
        stop: Some(stop),
        served,
        _dir: dir,
    }
}

fn start(fake: Fake) -> Running {
    start_with(fake, ServerOptions::default())
}

async fn client(path: &Path) -> Client {
    Client::connect(path, DEFAULT_CONNECT_TIMEOUT)
        .await
        .expect("connect")
        .expect("an agent is there")
}

async fn ping_ok(path: &Path) {
    let info = client(path).await.ping(DEFAULT_REQUEST_TIMEOUT).await.expect("pong");
    assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
}

/// A connection that speaks raw lines.
struct Raw {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
}

impl Raw {
    async fn connect(path: &Path) -> Raw {
        let (read, writer) = UnixStream::connect(path).await.expect("connect").into_split();
        Raw {
            reader: BufReader::new(read),
            writer,
        }
    }

    async fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).await.expect("write");
    }

    async fn reply(&mut self) -> serde_json::Value {
        reply_on(&mut self.reader).await
    }

    async fn closed(&mut self) -> bool {
        closed_on(&mut self.reader).await
    }
}

/// The next reply line, parsed.
async fn reply_on(reader: &mut BufReader<OwnedReadHalf>) -> serde_json::Value {
    let mut line = String::new();
    reader.read_line(&mut line).await.expect("read");
    assert!(line.ends_with('\n'), "a whole line: {line:?}");
    serde_json::from_str(&line).expect("a JSON reply")
}

/// Whether the agent closed the connection (end of stream or reset).
async fn closed_on(reader: &mut BufReader<OwnedReadHalf>) -> bool {
    let mut rest = Vec::new();
    matches!(reader.read_to_end(&mut rest).await, Ok(0) | Err(_))
}

/// A temporary folder closed to others, as the agent wants its socket's folder.
fn private_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).expect("chmod");
    dir
}

fn mode_of(path: &Path) -> u32 {
    std::fs::symlink_metadata(path).expect("meta").permissions().mode() & 0o777
}

#[tokio::test]
async fn answers_ping_sessions_and_credentials_from_a_private_socket() {
    let agent = start(Fake::default());
    assert_eq!(mode_of(&agent.path), 0o600);
    assert_eq!(mode_of(agent.path.parent().expect("dir")), 0o700);

    ping_ok(&agent.path).await;
    let mut c = client(&agent.path).await.with_context(ClientContext {
        argv: vec!["rolebar".into(), "credential-process".into(), "dev".into()],
    });
    let sessions = c.sessions(DEFAULT_REQUEST_TIMEOUT).await.expect("sessions");
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].profile, "dev");
    let got = c
        .request_credentials("dev", time::Duration::minutes(15), true, DEFAULT_REQUEST_TIMEOUT)
        .await
        .expect("credentials");
    assert_eq!(got, session("dev"));
    // The same connection serves another request.
    c.ping(DEFAULT_REQUEST_TIMEOUT).await.expect("pong again");

    let (request, peer) = agent.fake.seen.lock().expect("lock")[0].clone();
    assert_eq!(request.min_left, time::Duration::minutes(15));
    assert!(request.prompt);
    assert_eq!(
        request.client.expect("context").argv,
        ["rolebar", "credential-process", "dev"]
    );
    assert_eq!(
        peer.pid,
        i32::try_from(std::process::id()).ok(),
        "the kernel's pid of the client"
    );
    let process = peer.process.as_ref().expect("read from /proc");
    assert_eq!(process.exe, std::env::current_exe().ok());
    assert!(peer.describe().contains(" via "), "{}", peer.describe());

    let path = agent.path.clone();
    agent.stop().await;
    assert!(!path.exists(), "the socket goes with the agent");
}

#[tokio::test]
async fn error_replies_carry_the_handlers_code() {
    let agent = start(Fake {
        mode: Mode::Deny,
        ..Fake::default()
    });
    let err = client(&agent.path)
        .await
        .request_credentials("dev", time::Duration::ZERO, true, DEFAULT_REQUEST_TIMEOUT)
        .await
        .expect_err("denied");
    assert_eq!(err.code(), "agent_denied");
    assert!(err.to_string().contains("denied in the Rolebar dialog"), "{err}");
}

#[tokio::test]
async fn no_agent_is_none_at_once_whatever_is_left_at_the_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("none.sock");
    assert!(Client::connect(&missing, DEFAULT_CONNECT_TIMEOUT)
        .await
        .expect("ok")
        .is_none());
    // A socket whose agent was killed: the file stays, nobody listens.
    let stale = dir.path().join("stale.sock");
    drop(std::os::unix::net::UnixListener::bind(&stale).expect("bind"));
    assert!(stale.exists());
    assert!(Client::connect(&stale, DEFAULT_CONNECT_TIMEOUT)
        .await
        .expect("ok")
        .is_none());
    let file = dir.path().join("file.sock");
    std::fs::write(&file, "not a socket").expect("write");
    assert!(Client::connect(&file, DEFAULT_CONNECT_TIMEOUT)
        .await
        .expect("ok")
        .is_none());
}

#[tokio::test]
async fn a_stale_socket_is_replaced_and_a_live_one_is_left_alone() {
    let dir = private_dir();
    let path = dir.path().join("agent.sock");
    drop(std::os::unix::net::UnixListener::bind(&path).expect("bind"));
    let agent = Agent::bind(&path).expect("a stale socket is replaced");
    let err = Agent::bind(&path).expect_err("the first agent holds it");
    assert_eq!(err.code(), "agent_already_running");
    drop(agent);
    assert!(!path.exists());

    // Something else listening there (not an agent holding the lock) is not taken over either.
    let other = std::os::unix::net::UnixListener::bind(&path).expect("bind");
    let err = Agent::bind(&path).expect_err("live");
    assert_eq!(err.code(), "agent_already_running");
    assert!(err.to_string().contains("quit the other Rolebar"), "{err}");
    drop(other);
    Agent::bind(&path).expect("stale again, so replaced");
}

#[tokio::test]
async fn a_users_file_at_the_socket_path_is_never_deleted() {
    let dir = private_dir();
    let path = dir.path().join("agent.sock");
    std::fs::write(&path, "my notes").expect("write");
    let err = Agent::bind(&path).expect_err("not a socket");
    assert_eq!(err.code(), "agent_socket_unsafe");
    let shown = err.to_string();
    assert!(
        shown.contains("is a file, not a socket") && shown.contains("will not delete"),
        "{shown}"
    );
    assert_eq!(std::fs::read_to_string(&path).expect("kept"), "my notes");
}

#[tokio::test]
async fn a_folder_open_to_others_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let shared = dir.path().join("rolebar");
    std::fs::create_dir(&shared).expect("mkdir");
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o777)).expect("chmod");
    let err = Agent::bind(&shared.join("agent.sock")).expect_err("open folder");
    assert_eq!(err.code(), "agent_socket_unsafe");
    assert!(err.to_string().contains("mode 0777"), "{err}");
    assert!(!shared.join("agent.sock").exists());
}

#[tokio::test]
async fn garbage_gets_error_replies_and_the_connection_stays_usable() {
    let agent = start(Fake::default());
    let mut raw = Raw::connect(&agent.path).await;
    for (line, code) in [
        (&b"garbage\n"[..], "agent_bad_request"),
        (b"\xff\xfe\x00binary\n", "agent_bad_request"),
        (b"{\"v\":2,\"op\":\"ping\"}\n", "agent_version"),
        (b"{\"v\":1,\"op\":\"format-disk\"}\n", "agent_bad_request"),
        (
            b"{\"v\":1,\"op\":\"credentials\",\"profile\":\"\"}\n",
            "invalid_profile_name",
        ),
    ] {
        raw.send(line).await;
        let reply = raw.reply().await;
        assert_eq!(reply["v"], 1);
        assert_eq!(reply["error"]["code"], code, "{reply}");
    }
    raw.send(b"{\"v\":1,\"op\":\"ping\"}\n").await;
    assert_eq!(raw.reply().await["ok"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(agent.fake.calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_ten_mib_line_is_refused_without_being_read_and_the_agent_goes_on() {
    let agent = start(Fake::default());
    let Raw { mut reader, mut writer } = Raw::connect(&agent.path).await;
    let flood = tokio::spawn(async move {
        // Fails with a broken pipe once the agent hangs up, long before the end.
        writer.write_all(&vec![b'x'; 10 * 1024 * 1024]).await
    });
    assert_eq!(reply_on(&mut reader).await["error"]["code"], "frame_too_large");
    assert!(closed_on(&mut reader).await, "and closed the connection");
    assert!(flood.await.expect("joined").is_err(), "the agent stopped reading");
    ping_ok(&agent.path).await;
}

#[tokio::test(start_paused = true)]
async fn a_half_written_line_or_silence_is_dropped_at_the_idle_timeout() {
    let agent = start(Fake::default());
    let began = Instant::now();
    let mut half = Raw::connect(&agent.path).await;
    half.send(b"{\"v\":1,\"op\":\"pi").await;
    let mut silent = Raw::connect(&agent.path).await;
    assert!(half.closed().await);
    assert!(silent.closed().await);
    let waited = began.elapsed();
    assert!(
        (Duration::from_secs(30)..Duration::from_secs(31)).contains(&waited),
        "{waited:?}"
    );
    ping_ok(&agent.path).await;
}

impl Raw {
    /// Sends a ping and reads its answer: the connection holds a slot.
    async fn ping(&mut self) {
        self.send(b"{\"v\":1,\"op\":\"ping\"}\n").await;
        assert_eq!(self.reply().await["ok"]["version"], env!("CARGO_PKG_VERSION"));
    }
}

/// Issue 19, item 7a: 64 connections that only ping fill every slot. A real request is told
/// the agent is busy after the short grace (not two minutes later, blaming the dialog), and
/// works again once they are gone.
#[tokio::test(start_paused = true)]
async fn pinging_connections_filling_every_slot_get_a_prompt_busy_reply() {
    let agent = start(Fake::default());
    let mut hogs = Vec::new();
    for _ in 0..64 {
        let mut hog = Raw::connect(&agent.path).await;
        hog.ping().await;
        hogs.push(hog);
    }
    let began = Instant::now();
    let err = client(&agent.path)
        .await
        .request_credentials("dev", time::Duration::ZERO, true, DEFAULT_REQUEST_TIMEOUT)
        .await
        .expect_err("no slot");
    let waited = began.elapsed();
    assert_eq!(err.code(), "agent_busy", "{err}");
    let shown = err.to_string();
    assert!(
        shown.starts_with("the Rolebar agent is busy: 64 connections are open"),
        "{shown}"
    );
    assert!(!shown.contains("MFA dialog"), "{shown}");
    assert!(
        (Duration::from_secs(2)..Duration::from_secs(3)).contains(&waited),
        "the grace, then at once: {waited:?}"
    );
    assert_eq!(agent.fake.calls.load(Ordering::SeqCst), 0);
    // Still pinging: the hogs keep their slots (until their bound), the refusal changes nothing.
    hogs[0].ping().await;
    drop(hogs);
    let got = client(&agent.path)
        .await
        .request_credentials("dev", time::Duration::ZERO, true, DEFAULT_REQUEST_TIMEOUT)
        .await
        .expect("served once the slots are free");
    assert_eq!(got, session("dev"));
}

/// Pings do not keep a connection open: one that pings every 9 s is closed 30 s after it
/// opened. A credentials request does keep it: its answer starts the 30 s again.
#[tokio::test(start_paused = true)]
async fn a_connection_that_only_pings_is_closed_after_its_bound() {
    let agent = start(Fake::default());
    async fn pings_until_closed(raw: &mut Raw) -> Duration {
        let began = Instant::now();
        for _ in 0..20 {
            raw.ping().await;
            let mut rest = Vec::new();
            tokio::select! {
                () = tokio::time::sleep(Duration::from_secs(9)) => {}
                read = raw.reader.read_to_end(&mut rest) => {
                    assert!(matches!(read, Ok(0) | Err(_)), "only the end of the stream: {rest:?}");
                    return began.elapsed();
                }
            }
        }
        panic!("still open after 20 pings, {:?}", began.elapsed());
    }
    let mut pinger = Raw::connect(&agent.path).await;
    let lived = pings_until_closed(&mut pinger).await;
    assert!(
        (Duration::from_secs(30)..Duration::from_secs(31)).contains(&lived),
        "{lived:?}"
    );

    let mut asker = Raw::connect(&agent.path).await;
    tokio::time::sleep(Duration::from_secs(20)).await;
    asker
        .send(b"{\"v\":1,\"op\":\"credentials\",\"profile\":\"dev\"}\n")
        .await;
    assert_eq!(asker.reply().await["ok"]["Profile"], "dev");
    let lived = pings_until_closed(&mut asker).await;
    assert!(
        (Duration::from_secs(30)..Duration::from_secs(31)).contains(&lived),
        "30 s after the credentials answer: {lived:?}"
    );
}

/// Slots taken by requests waiting for the dialog are not hogs: a newcomer waits for one past
/// the grace (bursts behind one dialog are served), and gets it when one ends.
#[tokio::test(start_paused = true)]
async fn slots_held_by_requests_being_answered_make_newcomers_wait_not_fail() {
    let (started, is_started) = oneshot::channel();
    let agent = start_with(
        Fake {
            mode: Mode::Hold,
            started: Mutex::new(Some(started)),
            ..Fake::default()
        },
        ServerOptions {
            max_connections: 2,
            ..ServerOptions::default()
        },
    );
    let mut askers = Vec::new();
    for _ in 0..2 {
        let mut raw = Raw::connect(&agent.path).await;
        raw.send(b"{\"v\":1,\"op\":\"credentials\",\"profile\":\"dev\",\"prompt\":true}\n")
            .await;
        askers.push(raw);
    }
    is_started.await.expect("the dialog is open");
    let path = agent.path.clone();
    let newcomer = tokio::spawn(async move { client(&path).await.ping(DEFAULT_REQUEST_TIMEOUT).await });
    tokio::time::sleep(Duration::from_secs(20)).await;
    assert!(!newcomer.is_finished(), "still waiting, not refused");
    drop(askers.pop());
    newcomer.await.expect("joined").expect("served in the freed slot");
}

/// Past the connections that may wait, a new one is refused at once.
#[tokio::test(start_paused = true)]
async fn beyond_the_waiting_bound_the_refusal_is_immediate() {
    let agent = start_with(
        Fake::default(),
        ServerOptions {
            max_connections: 1,
            max_waiting: 1,
            ..ServerOptions::default()
        },
    );
    let mut hog = Raw::connect(&agent.path).await;
    hog.ping().await;
    let _waiter = Raw::connect(&agent.path).await;
    let began = Instant::now();
    let mut third = Raw::connect(&agent.path).await;
    let reply = third.reply().await;
    assert_eq!(reply["error"]["code"], "agent_busy", "{reply}");
    let message = reply["error"]["message"].as_str().expect("message");
    assert!(message.contains("more are already waiting"), "{message}");
    assert_eq!(began.elapsed(), Duration::ZERO);
    assert!(third.closed().await);
}

/// The busy reply may come before the client's request went out: the client still reads it
/// (rather than reporting the broken pipe).
#[tokio::test]
async fn a_busy_reply_sent_before_the_request_is_still_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("busy.sock");
    let listener = UnixListener::bind(&path).expect("bind");
    let (closed, is_closed) = oneshot::channel();
    tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.expect("accept");
        stream
            .write_all(b"{\"v\":1,\"error\":{\"code\":\"agent_busy\",\"message\":\"the Rolebar agent is busy: 64 connections are open\"}}\n")
            .await
            .expect("write");
        drop(stream);
        let _ = closed.send(());
    });
    let mut c = client(&path).await;
    is_closed.await.expect("the agent hung up");
    let err = c.ping(DEFAULT_REQUEST_TIMEOUT).await.expect_err("busy");
    assert_eq!(err.code(), "agent_busy", "{err}");
    assert!(err.to_string().contains("64 connections are open"), "{err}");
}

#[tokio::test]
async fn two_hundred_connections_at_once_are_all_answered() {
    let agent = start(Fake::default());
    let mut clients = JoinSet::new();
    for i in 0..200 {
        let path = agent.path.clone();
        clients.spawn(async move {
            let mut c = client(&path).await;
            if i % 2 == 0 {
                c.ping(DEFAULT_REQUEST_TIMEOUT).await.map(|_| ())
            } else {
                c.request_credentials("dev", time::Duration::ZERO, false, DEFAULT_REQUEST_TIMEOUT)
                    .await
                    .map(|s| assert_eq!(s, session("dev")))
            }
        });
    }
    for answered in clients.join_all().await {
        answered.expect("answered");
    }
    ping_ok(&agent.path).await;
}

#[tokio::test(start_paused = true)]
async fn a_server_that_never_answers_times_the_client_out() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("mute.sock");
    let listener = UnixListener::bind(&path).expect("bind");
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    let mut c = client(&path).await;
    let began = Instant::now();
    let err = c
        .request_credentials("dev", time::Duration::ZERO, true, DEFAULT_REQUEST_TIMEOUT)
        .await
        .expect_err("no answer");
    assert_eq!(err.code(), "agent_timeout");
    assert!(
        err.to_string()
            .starts_with("no answer from the Rolebar tray app in 2m: "),
        "{err}"
    );
    let waited = began.elapsed();
    assert!(
        (Duration::from_secs(120)..Duration::from_secs(121)).contains(&waited),
        "{waited:?}"
    );
    let again = c
        .ping(DEFAULT_REQUEST_TIMEOUT)
        .await
        .expect_err("a late answer must not be mistaken");
    assert_eq!(again.code(), "agent_unavailable");
}

#[tokio::test]
async fn a_client_that_hangs_up_withdraws_its_request() {
    let (started, is_started) = oneshot::channel();
    let (dropped, is_dropped) = oneshot::channel();
    let agent = start(Fake {
        mode: Mode::Hold,
        started: Mutex::new(Some(started)),
        dropped: Mutex::new(Some(dropped)),
        ..Fake::default()
    });
    let mut raw = Raw::connect(&agent.path).await;
    raw.send(b"{\"v\":1,\"op\":\"credentials\",\"profile\":\"dev\",\"prompt\":true}\n")
        .await;
    is_started.await.expect("the handler runs");
    drop(raw);
    is_dropped.await.expect("its future is dropped, closing the dialog");
    ping_ok(&agent.path).await;
}

fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|s| {
        s.lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|ids| ids.split_whitespace().nth(1).map(|euid| euid == "0"))
            .unwrap_or(false)
    })
}

/// The uid check is the last fence: the test opens the first two itself (the folder and the
/// socket's mode, which alone keep other users out) to prove the agent still refuses.
#[tokio::test]
async fn a_connection_from_another_user_is_refused() {
    if !running_as_root() {
        eprintln!("skipped: needs root to connect as another user (nobody)");
        return;
    }
    let agent = start(Fake::default());
    let dir = agent.path.parent().expect("dir");
    for open in [dir, dir.parent().expect("tempdir")] {
        std::fs::set_permissions(open, std::fs::Permissions::from_mode(0o711)).expect("chmod");
    }
    std::fs::set_permissions(&agent.path, std::fs::Permissions::from_mode(0o666)).expect("chmod");
    let script = "import socket, sys\n\
        s = socket.socket(socket.AF_UNIX)\n\
        s.connect(sys.argv[1])\n\
        try:\n    s.sendall(b'{\"v\":1,\"op\":\"credentials\",\"profile\":\"dev\"}\\n')\n\
        except BrokenPipeError:\n    pass\n\
        print(s.makefile().readline(), end='')\n";
    let out = tokio::process::Command::new("/usr/bin/python3")
        .arg("-c")
        .arg(script)
        .arg(&agent.path)
        .uid(65534)
        .gid(65534)
        .env_clear()
        .output()
        .await
        .expect("python3 runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let reply: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a JSON reply");
    assert_eq!(reply["error"]["code"], "agent_peer_refused", "{reply}");
    assert_eq!(agent.fake.calls.load(Ordering::SeqCst), 0, "the handler never saw it");
    ping_ok(&agent.path).await;
}

/// Issue 19, item 6: a requester that names itself `aws` (`exec -a aws`) is shown by the path of
/// what really runs. The requester is a copy of bash somewhere no PATH leads, calling itself
/// `aws`; its child (python3) connects and asks, as `rolebar credential-process` would.
#[tokio::test]
async fn a_requester_that_calls_itself_aws_is_shown_by_its_real_path() {
    if !Path::new("/usr/bin/python3").exists() {
        eprintln!("skipped: needs /usr/bin/python3");
        return;
    }
    let agent = start(Fake::default());
    let dir = tempfile::tempdir().expect("tempdir");
    let stealer = dir.path().join("aws-stealer");
    std::fs::copy("/usr/bin/bash", &stealer).expect("copy bash");
    std::fs::set_permissions(&stealer, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let script = "import socket, sys\n\
        s = socket.socket(socket.AF_UNIX)\n\
        s.connect(sys.argv[1])\n\
        s.sendall(b'{\"v\":1,\"op\":\"credentials\",\"profile\":\"dev\"}\\n')\n\
        print(s.makefile().readline(), end='')\n";
    // `; exit` keeps bash from exec-ing python3 in its place: python3's parent stays the requester.
    let out = tokio::process::Command::new(&stealer)
        .arg0("aws")
        .args(["-c", "/usr/bin/python3 -c \"$1\" \"$2\"; exit $?", "sts"])
        .arg(script)
        .arg(&agent.path)
        .output()
        .await
        .expect("the requester runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let reply: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a JSON reply");
    assert_eq!(reply["ok"]["Profile"], "dev", "{reply}");
    let (_, peer) = agent.fake.seen.lock().expect("lock")[0].clone();
    let shown = peer.describe();
    let parent = peer.parent.as_ref().expect("the requester, from /proc");
    assert_eq!(parent.exe.as_deref(), Some(stealer.as_path()));
    assert!(
        shown.starts_with(&format!("{} -c ", stealer.display())),
        "the dialog names what runs, not `aws`: {shown}"
    );
    assert!(!shown.starts_with("aws"), "{shown}");
}

/// Issue 19, item 7d: the socket's folder made first by another user (as anyone can in /tmp
/// when XDG_RUNTIME_DIR is unset). The agent does not start, with a typed error that says it is
/// off and what to do; a client does not even connect to what is there.
#[tokio::test]
async fn a_socket_folder_made_by_another_user_turns_the_agent_off_and_says_so() {
    if !running_as_root() {
        eprintln!("skipped: needs root to give a folder to another user (nobody)");
        return;
    }
    let base = tempfile::tempdir().expect("tempdir");
    let theirs = base.path().join("rolebar-1000");
    std::fs::create_dir(&theirs).expect("mkdir");
    std::fs::set_permissions(&theirs, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    // What they serve there, for a client to find.
    let socket = theirs.join("agent.sock");
    let _listener = std::os::unix::net::UnixListener::bind(&socket).expect("bind");
    std::os::unix::fs::chown(&theirs, Some(65534), Some(65534)).expect("chown");
    std::os::unix::fs::chown(&socket, Some(65534), Some(65534)).expect("chown");

    let err = Agent::bind(&socket).expect_err("not our folder");
    assert_eq!(err.code(), "agent_dir_taken");
    assert!(matches!(err, AgentError::DirTaken { owner: 65534, .. }), "{err:?}");
    let shown = err.to_string();
    assert!(
        shown.starts_with(&format!(
            "{} belongs to uid 65534, not to you (uid 0): the Rolebar agent is off.",
            theirs.display()
        )),
        "{shown}"
    );
    assert!(socket.exists(), "nothing of theirs is removed");

    let err = Client::connect(&socket, DEFAULT_CONNECT_TIMEOUT)
        .await
        .expect_err("their folder, whoever answers");
    assert_eq!(err.code(), "agent_dir_taken");
}

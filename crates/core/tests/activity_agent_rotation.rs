//! The activity log under load (issue 23: "log rotation under 10,000 requests"): 10,000
//! credentials requests through a real agent socket (rolebar-core's `Agent`, its handler wrapped
//! in `NotingHandler` as the tray wraps its own) leave two files, each within the rotation
//! bound, every line readable, the newest entry the last request. The append rate is printed.

use rolebar_core::activity::noting::{NotingHandler, Recorder};
use rolebar_core::activity::{ActivityLog, Entry, Outcome, Way, FILE_NAME, ROTATE_AT};
use rolebar_core::agent::{
    Agent, AgentFailure, Client, ClientContext, CredentialsRequest, Handler, Peer, SessionSummary,
};
use rolebar_core::clock::SystemClock;
use rolebar_core::{Credentials, Session, SessionKind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const REQUESTS: usize = 10_000;
const SECRET: &str = "rotation/secret+never+logged";
const TOKEN: &str = "rotation-token-never-logged";

/// Hands out a session for `p0`, `p1`, …: the profile says which request an entry is.
#[derive(Default)]
struct Counting {
    answered: AtomicUsize,
}

#[async_trait::async_trait]
impl Handler for Counting {
    async fn credentials(&self, request: CredentialsRequest, _peer: &Peer) -> Result<Session, AgentFailure> {
        self.answered.fetch_add(1, Ordering::SeqCst);
        let now = time::OffsetDateTime::now_utc();
        Ok(Session {
            profile: request.profile,
            kind: SessionKind::AssumeRole,
            credentials: Credentials::temporary("ASIAROTATION00000001", SECRET, TOKEN),
            expires_at: now + time::Duration::hours(1),
            issued_at: Some(now - time::Duration::minutes(1)),
            mfa_serial: None,
            role_arn: None,
            region: None,
        })
    }

    async fn sessions(&self) -> Vec<SessionSummary> {
        Vec::new()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_requests_rotate_the_log_within_its_bound() {
    let dir = tempfile::tempdir().expect("tempdir");
    let socket = dir.path().join("run/agent.sock");
    let log = ActivityLog::at(dir.path().join("state").join(FILE_NAME));
    let inner = Arc::new(Counting::default());
    let handler = Arc::new(NotingHandler::new(
        inner.clone(),
        Recorder::new(log.clone(), Arc::new(SystemClock)),
    ));
    let agent = Agent::bind(&socket).expect("bind");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(agent.serve(handler, async {
        let _ = stopped.await;
    }));

    // Each request on its own connection, as each `rolebar credential-process` makes one; in
    // turn, so none is folded into another's answer.
    let argv: Vec<String> = ["rolebar", "credential-process", "p"].map(String::from).to_vec();
    let started = Instant::now();
    for i in 0..REQUESTS {
        let mut client = Client::connect(&socket, Duration::from_secs(5))
            .await
            .expect("connect")
            .expect("the agent answers")
            .with_context(ClientContext { argv: argv.clone() });
        let session = client
            .request_credentials(&format!("p{i}"), time::Duration::ZERO, false, Duration::from_secs(10))
            .await
            .expect("credentials");
        assert_eq!(session.credentials.secret_access_key.expose(), SECRET);
    }
    let elapsed = started.elapsed();
    let _ = stop.send(());
    serving.await.expect("served").expect("no error");
    assert_eq!(inner.answered.load(Ordering::SeqCst), REQUESTS);

    let size = |path: &std::path::Path| std::fs::metadata(path).expect("the file is there").len();
    let (current, rotated) = (size(log.path()), size(log.rotated_path()));
    println!(
        "{REQUESTS} requests through the agent in {:.2} s: {:.0} requests/s noted; activity.jsonl {current} bytes, activity.1.jsonl {rotated} bytes (bound {ROTATE_AT})",
        elapsed.as_secs_f64(),
        REQUESTS as f64 / elapsed.as_secs_f64(),
    );
    let mut lines = Vec::new();
    for path in [log.rotated_path(), log.path()] {
        let text = std::fs::read_to_string(path).expect("read");
        let longest = text.lines().map(str::len).max().unwrap_or(0) as u64;
        assert!(
            size(path) <= ROTATE_AT + longest + 1,
            "{} has {} bytes",
            path.display(),
            size(path)
        );
        assert!(!text.contains(SECRET) && !text.contains(TOKEN) && !text.contains("ASIA"));
        lines.extend(text.lines().map(str::to_string));
    }
    assert!(current + rotated <= 2 * ROTATE_AT, "{current} + {rotated} bytes kept");
    let entries: Vec<Entry> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("unreadable line {l:?}: {e}")))
        .collect();
    assert!(entries.len() < REQUESTS, "older entries were rotated away");
    let last = entries.last().expect("entries");
    assert_eq!(
        last.profile,
        format!("p{}", REQUESTS - 1),
        "the newest entry is the last request"
    );
    assert_eq!((last.way, last.outcome), (Way::CredentialProcess, Outcome::Cached));
    // Nothing lost between the oldest kept and the newest.
    let first: usize = entries[0].profile[1..].parse().expect("p<n>");
    for (k, e) in entries.iter().enumerate() {
        assert_eq!(e.profile, format!("p{}", first + k));
    }
}

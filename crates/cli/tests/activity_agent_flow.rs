//! One activity entry per hand-out when the tray's agent answers (issue 23): the agent's handler
//! is wrapped in `NotingHandler` as the tray wraps its own, over the same log the command line
//! writes (`ROLEBAR_STATE_DIR`). `credential-process` and `export` served by the agent, and a
//! denial, each leave exactly one entry — the agent's, naming the program that ran the command
//! — and none holds the secret.

use rolebar_core::activity::noting::{NotingHandler, Recorder};
use rolebar_core::activity::{ActivityLog, FILE_NAME};
use rolebar_core::agent::{Agent, AgentFailure, CredentialsRequest, Handler, Peer, SessionSummary};
use rolebar_core::clock::SystemClock;
use rolebar_core::{Credentials, Session, SessionKind};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::time::Duration;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYNOTEDKEY";
const TOKEN: &str = "NOTEDAGENTTOKEN";
const CONFIG: &str = "[profile dev]\nsource_profile = base\nmfa_serial = arn:aws:iam::111111111111:mfa/me\nrole_arn = arn:aws:iam::222222222222:role/dev\n\n[profile prod]\nsource_profile = base\nrole_arn = arn:aws:iam::222222222222:role/prod\n";
const CREDENTIALS: &str = "[base]\naws_access_key_id = AKIAEXAMPLEBASE00001\naws_secret_access_key = base/secret\n";

/// Hands out `dev`, denies `prod` (as the dialog's Deny).
struct Scripted;

#[async_trait::async_trait]
impl Handler for Scripted {
    async fn credentials(&self, request: CredentialsRequest, _peer: &Peer) -> Result<Session, AgentFailure> {
        if request.profile == "prod" {
            return Err(AgentFailure::denied("prod"));
        }
        let now = time::OffsetDateTime::now_utc();
        Ok(Session {
            profile: request.profile,
            kind: SessionKind::AssumeRole,
            credentials: Credentials::temporary("ASIANOTEDBYTHEAGENT1", SECRET, TOKEN),
            expires_at: now + time::Duration::hours(1),
            issued_at: Some(now - time::Duration::minutes(3)),
            mfa_serial: None,
            role_arn: None,
            region: None,
        })
    }

    async fn sessions(&self) -> Vec<SessionSummary> {
        Vec::new()
    }
}

async fn rolebar(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rolebar"));
    cmd.args(args)
        .env("HOME", dir)
        .env("AWS_CONFIG_FILE", dir.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("credentials"))
        .env("ROLEBAR_STATE_DIR", dir.join("state"))
        .env("ROLEBAR_KEYRING", "memory")
        .env("ROLEBAR_AGENT_SOCKET", dir.join("run/rolebar/agent.sock"))
        .env("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9")
        .env_remove("ROLEBAR_NO_AGENT")
        .env_remove("ROLEBAR_PROFILE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let run = tokio::task::spawn_blocking(move || cmd.output().expect("run rolebar"));
    // A bound against a hang, not a speed check.
    tokio::time::timeout(Duration::from_secs(60), run)
        .await
        .expect("rolebar never finished")
        .expect("thread")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hand_out_by_the_agent_is_one_entry_the_agents() {
    let dir = tempfile::tempdir().expect("tempdir");
    let dir = dir.path();
    std::fs::write(dir.join("config"), CONFIG).expect("config");
    std::fs::write(dir.join("credentials"), CREDENTIALS).expect("credentials");
    let log = ActivityLog::at(dir.join("state").join(FILE_NAME));
    let handler = Arc::new(NotingHandler::new(
        Arc::new(Scripted),
        Recorder::new(log.clone(), Arc::new(SystemClock)),
    ));
    let agent = Agent::bind(&dir.join("run/rolebar/agent.sock")).expect("bind");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(agent.serve(handler, async {
        let _ = stopped.await;
    }));

    let out = rolebar(dir, &["credential-process", "dev"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let out = rolebar(dir, &["export", "dev", "--format", "env"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let out = rolebar(dir, &["credential-process", "prod"]).await;
    assert_ne!(out.status.code(), Some(0), "denied");

    let listed = rolebar(dir, &["activity", "--json"]).await;
    assert_eq!(
        listed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    let entries: Vec<serde_json::Value> = String::from_utf8_lossy(&listed.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    let summary: Vec<(&str, &str, &str)> = entries
        .iter()
        .map(|e| {
            (
                e["profile"].as_str().unwrap_or(""),
                e["way"].as_str().unwrap_or(""),
                e["outcome"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("dev", "credential_process", "cached"),
            ("dev", "export", "cached"),
            ("prod", "credential_process", "denied"),
        ],
        "one entry per hand-out, the agent's: {entries:#?}"
    );
    // The agent names the program that ran credential-process (this test), checked by the kernel.
    let program = entries[0]["program"].as_str().expect("program");
    assert!(program.contains("rolebar credential-process dev"), "{program}");
    assert!(
        program.contains(" via "),
        "the program that ran it, via the client: {program}"
    );
    let ours = std::env::current_exe().expect("exe");
    let ours = ours.file_name().expect("name").to_string_lossy().into_owned();
    assert!(program.contains(&ours), "names this test ({ours}): {program}");
    assert_eq!(entries[0]["pid"], std::process::id());
    let text = std::fs::read_to_string(log.path()).expect("log");
    for secret in [SECRET, TOKEN, "ASIANOTEDBYTHEAGENT1"] {
        assert!(!text.contains(secret), "`{secret}` in the log");
    }
    let _ = stop.send(());
}

//! The command line asking the tray's agent first, against a real agent socket served in the
//! test (rolebar-core's `Agent` with a scripted handler): `credential-process` and `export` print
//! the agent's session; `--no-agent`, no agent, or a stale socket left by a killed tray mean
//! working alone (and failing fast with what to do when a code is needed); a denial is passed on.
//! No keyring and no STS: the memory store, and the profile needs a code before any STS call.

#[path = "../../core/tests/support/federation.rs"]
mod federation;

use rolebar_core::agent::{Agent, AgentFailure, CredentialsRequest, Handler, Peer, ServerOptions, SessionSummary};
use rolebar_core::{Credentials, Session, SessionKind};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYAGENTKEY";
const CONFIG: &str = "[profile dev]\nsource_profile = base\nmfa_serial = arn:aws:iam::111111111111:mfa/me\nrole_arn = arn:aws:iam::222222222222:role/dev\n";
const CREDENTIALS: &str = "[base]\naws_access_key_id = AKIAEXAMPLEBASE00001\naws_secret_access_key = base/secret\n";

#[derive(Default)]
struct Scripted {
    deny: bool,
    seen: Mutex<Vec<CredentialsRequest>>,
}

#[async_trait::async_trait]
impl Handler for Scripted {
    async fn credentials(&self, request: CredentialsRequest, _peer: &Peer) -> Result<Session, AgentFailure> {
        let profile = request.profile.clone();
        self.seen.lock().expect("lock").push(request);
        if self.deny {
            return Err(AgentFailure::denied(&profile));
        }
        Ok(Session {
            profile,
            kind: SessionKind::AssumeRole,
            credentials: Credentials::temporary("ASIAFROMTHEAGENT0001", SECRET, "AGENTTOKEN"),
            expires_at: time::OffsetDateTime::now_utc() + time::Duration::hours(1),
            issued_at: None,
            mfa_serial: None,
            role_arn: Some("arn:aws:iam::222222222222:role/dev".into()),
            region: None,
        })
    }

    async fn sessions(&self) -> Vec<SessionSummary> {
        Vec::new()
    }
}

struct World {
    dir: tempfile::TempDir,
}

impl World {
    fn new() -> World {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("config"), CONFIG).expect("config");
        std::fs::write(dir.path().join("credentials"), CREDENTIALS).expect("credentials");
        World { dir }
    }

    fn socket(&self) -> PathBuf {
        self.dir.path().join("run/rolebar/agent.sock")
    }

    /// Runs `rolebar ARGS` on a blocking thread (the agent answers on the test's runtime).
    async fn rolebar(&self, args: &[&str]) -> Output {
        self.rolebar_with(args, &[]).await
    }

    /// [`Self::rolebar`] with extra environment variables.
    async fn rolebar_with(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rolebar"));
        cmd.envs(env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        cmd.args(args)
            .env("HOME", self.dir.path())
            .env("AWS_CONFIG_FILE", self.dir.path().join("config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", self.dir.path().join("credentials"))
            .env("ROLEBAR_STATE_DIR", self.dir.path().join("state"))
            .env("ROLEBAR_KEYRING", "memory")
            .env("ROLEBAR_AGENT_SOCKET", self.socket())
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
}

fn serve(socket: &Path, handler: Arc<Scripted>) -> tokio::sync::oneshot::Sender<()> {
    let agent = Agent::bind(socket).expect("bind");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = agent
            .serve(handler, async {
                let _ = stopped.await;
            })
            .await;
    });
    stop
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credential_process_and_export_print_the_agents_session() {
    let w = World::new();
    let handler = Arc::new(Scripted::default());
    let _stop = serve(&w.socket(), handler.clone());

    let out = w.rolebar(&["credential-process", "dev"]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["AccessKeyId"], "ASIAFROMTHEAGENT0001");
    assert_eq!(json["SecretAccessKey"], SECRET);

    let out = w.rolebar(&["export", "dev", "--format", "env"]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("export AWS_ACCESS_KEY_ID=ASIAFROMTHEAGENT0001"));

    let seen = handler.seen.lock().expect("lock");
    assert_eq!(seen.len(), 2);
    // credential_process clients renew at 15 minutes: the agent must hand out more than that.
    assert_eq!(seen[0].min_left, time::Duration::minutes(15));
    assert!(seen[0].prompt, "the tray may ask for a code");
    let argv = &seen[0].client.as_ref().expect("context").argv;
    assert!(argv.iter().any(|a| a == "credential-process"), "{argv:?}");
    assert_eq!(seen[1].min_left, time::Duration::ZERO);
    let stderr = text(&out.stderr);
    assert!(!stderr.contains(SECRET), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_signs_in_with_the_agents_role_session() {
    if !Path::new("/usr/bin/python3").exists() {
        eprintln!("skipped: the federation double needs /usr/bin/python3");
        return;
    }
    let w = World::new();
    let handler = Arc::new(Scripted::default());
    let _stop = serve(&w.socket(), handler.clone());
    // No moto here: the double takes the agent's session as it is.
    let double = federation::FederationDouble::start(None, &[]);
    let out = w
        .rolebar_with(
            &["login", "dev", "--stdout", "--region", "eu-west-1"],
            &[("AWS_ENDPOINT_URL_SIGNIN", &double.url)],
        )
        .await;
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let tokens = double.token_requests();
    assert_eq!(tokens.len(), 1, "{tokens:?}");
    assert_eq!(
        tokens[0]["session_id"], "ASIAFROMTHEAGENT0001",
        "the agent's session signed in"
    );
    let url = text(&out.stdout);
    assert_eq!(
        federation::query_param(url.trim(), "Destination").as_deref(),
        Some("https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1")
    );
    assert_eq!(double.visit(url.trim())["status"], 302);
    let seen = handler.seen.lock().expect("lock");
    assert_eq!(seen.len(), 1);
    assert!(seen[0].prompt, "the tray may ask for a code");
    assert!(!stderr.contains(SECRET), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_agent_flag_or_no_tray_work_alone_and_say_to_start_the_tray() {
    let w = World::new();
    // No agent at all.
    let out = w.rolebar(&["credential-process", "dev"]).await;
    let stderr = text(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("start Rolebar (the tray app)"), "{stderr}");

    // An agent that would answer, skipped.
    let handler = Arc::new(Scripted::default());
    let _stop = serve(&w.socket(), handler.clone());
    let out = w.rolebar(&["--no-agent", "credential-process", "dev"]).await;
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("start Rolebar"), "{}", text(&out.stderr));
    assert!(handler.seen.lock().expect("lock").is_empty(), "the agent was not asked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_socket_from_a_killed_tray_is_not_waited_on() {
    let w = World::new();
    let socket = w.socket();
    std::fs::create_dir_all(socket.parent().expect("parent")).expect("mkdir");
    // A socket file whose server is gone (as after SIGKILL): connecting is refused at once.
    drop(std::os::unix::net::UnixListener::bind(&socket).expect("bind"));
    assert!(socket.exists());
    let out = w.rolebar(&["credential-process", "dev"]).await;
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("start Rolebar"), "{}", text(&out.stderr));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_denial_in_the_trays_dialog_fails_the_command_with_its_message() {
    let w = World::new();
    let handler = Arc::new(Scripted {
        deny: true,
        ..Scripted::default()
    });
    let _stop = serve(&w.socket(), handler);
    let out = w.rolebar(&["credential-process", "dev"]).await;
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("denied in the Rolebar dialog"), "{stderr}");
}

/// Issue 19, item 7a: every slot of the agent held by a connection that only pings. The command
/// is told the agent is busy within seconds, not two minutes later blaming the MFA dialog.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_agent_is_reported_as_busy_at_once() {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
    let w = World::new();
    let handler = Arc::new(Scripted::default());
    let agent = Agent::bind(&w.socket()).expect("bind").with_options(ServerOptions {
        max_connections: 1,
        ..ServerOptions::default()
    });
    let (_stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(agent.serve(handler.clone(), async {
        let _ = stopped.await;
    }));
    let hog = tokio::net::UnixStream::connect(w.socket()).await.expect("connect");
    let (read, mut write) = hog.into_split();
    write.write_all(b"{\"v\":1,\"op\":\"ping\"}\n").await.expect("ping");
    let mut pong = String::new();
    tokio::io::BufReader::new(read)
        .read_line(&mut pong)
        .await
        .expect("pong");
    assert!(pong.contains("\"ok\""), "the hog holds the only slot: {pong}");

    let began = std::time::Instant::now();
    let out = w.rolebar(&["credential-process", "dev"]).await;
    let took = began.elapsed();
    let stderr = text(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("the Rolebar agent is busy: 1 connection is open"),
        "{stderr}"
    );
    assert!(!stderr.contains("MFA dialog"), "{stderr}");
    assert!(took < Duration::from_secs(20), "{took:?}");
    assert!(handler.seen.lock().expect("lock").is_empty());
    drop(write);
}

/// Issue 19, item 7d: the socket's folder belongs to another user (made first, as anyone can in
/// /tmp). The command says the tray is not asked and why, and works alone as with no tray.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_socket_folder_of_another_user_is_reported_and_the_command_works_alone() {
    let root = std::fs::read_to_string("/proc/self/status").is_ok_and(|s| {
        s.lines()
            .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(2) == Some("0"))
    });
    if !root {
        eprintln!("skipped: needs root to give a folder to another user (nobody)");
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let w = World::new();
    let theirs = w.socket().parent().expect("parent").to_path_buf();
    std::fs::create_dir_all(&theirs).expect("mkdir");
    std::fs::set_permissions(&theirs, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    std::os::unix::fs::chown(&theirs, Some(65534), Some(65534)).expect("chown");
    let out = w.rolebar(&["credential-process", "dev"]).await;
    let stderr = text(&out.stderr);
    assert!(!out.status.success(), "no tray, and a code is needed");
    assert!(
        stderr.contains(&format!(
            "not asking the Rolebar tray app: {} belongs to uid 65534",
            theirs.display()
        )),
        "{stderr}"
    );
    assert!(stderr.contains("the Rolebar agent is off"), "{stderr}");
    assert!(
        stderr.contains("start Rolebar (the tray app)"),
        "worked alone: {stderr}"
    );
}

/// Fetches the endpoint twice with its token, once without: prints the two key ids, the status
/// without the token, and whether static keys were in the environment.
const FETCH_TWICE: &str = r#"
import json, os, urllib.request, urllib.error
uri = os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
token = os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
def get(headers):
    try:
        with urllib.request.urlopen(urllib.request.Request(uri, headers=headers), timeout=20) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, None
keys = [get({"Authorization": token})[1]["AccessKeyId"] for _ in range(2)]
print(json.dumps({"keys": keys, "without": get({})[0], "wrong": get({"Authorization": "x"})[0],
                  "static": "AWS_ACCESS_KEY_ID" in os.environ or "AWS_SECRET_ACCESS_KEY" in os.environ}))
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_server_gives_the_command_a_renewing_endpoint_and_no_keys() {
    let w = World::new();
    let handler = Arc::new(Scripted::default());
    let _stop = serve(&w.socket(), handler.clone());
    let out = w
        .rolebar(&["exec", "--server", "dev", "--", "python3", "-c", FETCH_TWICE])
        .await;
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("the script's report");
    assert_eq!(
        report["keys"],
        serde_json::json!(["ASIAFROMTHEAGENT0001", "ASIAFROMTHEAGENT0001"])
    );
    assert_eq!(report["without"], 401, "no token: the SDK must send one");
    assert_eq!(report["wrong"], 403);
    assert_eq!(report["static"], false, "no keys in the command's environment");
    // The first session before the command, then one request per fetch, each asking the agent
    // again with the SDKs' 15 minutes.
    let seen = handler.seen.lock().expect("lock");
    assert_eq!(seen.len(), 3);
    assert!(seen.iter().all(|r| r.min_left == time::Duration::minutes(15)));
    assert!(!stderr.contains(SECRET), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_server_passes_the_commands_exit_status_on() {
    let w = World::new();
    let _stop = serve(&w.socket(), Arc::new(Scripted::default()));
    let out = w
        .rolebar(&["exec", "--server", "dev", "--", "sh", "-c", "exit 7"])
        .await;
    assert_eq!(out.status.code(), Some(7), "{}", text(&out.stderr));
}

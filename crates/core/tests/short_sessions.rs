//! Roles with `duration_seconds = 900` (AWS's shortest session) for the callers that want 15
//! minutes left (`credential-process`, the container endpoint, the tray's agent for them): one
//! MFA code and one STS call per session, counted at the STS fake, and a message that never
//! sends the user to make the session they have (issue 24 item 6).
//!
//! Before sessions carried their length, such a session was never handed out to those callers:
//! each request made a new one (and asked a new code), and without a prompt the request failed
//! with "start a session first".

mod support;

use rolebar_core::agent::{Agent, AgentFailure, CredentialsRequest, Handler, Peer, SessionSummary};
use rolebar_core::agent::{Client, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT};
use rolebar_core::clock::{Clock, ManualClock};
use rolebar_core::keystore::index::Index;
use rolebar_core::keystore::store::MemoryStore;
use rolebar_core::mfa::{MfaReason, NoPrompt};
use rolebar_core::outputs::credential_process::{self, CREDENTIAL_PROCESS_MIN_LEFT};
use rolebar_core::profile::resolve::Environment;
use rolebar_core::profile::{ProfileSet, ResolvedProfile};
use rolebar_core::session::cache::DEFAULT_EXPIRY_WINDOW;
use rolebar_core::session::sts::{AssumeRoleRequest, RoleAssumer, SessionTokenRequest, StsCredentials};
use rolebar_core::session::vault::Vault;
use rolebar_core::{Credentials, Error, Session};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use support::ScriptedPrompt;
use time::Duration;
use tokio::sync::oneshot;

const CONFIG: &str = "\
[profile short]
source_profile = base
role_arn = arn:aws:iam::222222222222:role/Short
mfa_serial = arn:aws:iam::111111111111:mfa/alice
duration_seconds = 900

[profile short-no-mfa]
source_profile = base
role_arn = arn:aws:iam::222222222222:role/ShortNoMfa
duration_seconds = 900

[profile hour]
source_profile = base
role_arn = arn:aws:iam::222222222222:role/Hour
";

const CREDENTIALS: &str = "\
[base]
aws_access_key_id = AKIAFAKE00000000BASE
aws_secret_access_key = base-secret
";

/// Counts STS calls; hands out sessions lasting what was asked, from the vault's clock.
#[derive(Debug)]
struct CountingSts {
    clock: ManualClock,
    calls: Mutex<Vec<(String, Duration)>>,
}

impl CountingSts {
    fn reply(&self, action: &str, duration: Duration) -> StsCredentials {
        let mut calls = self.calls.lock().expect("lock");
        calls.push((action.to_string(), duration));
        StsCredentials {
            credentials: Credentials::temporary(format!("ASIAFAKE{:012}", calls.len()), "secret", "token"),
            expires_at: self.clock.now() + duration,
            assumed_role_arn: None,
        }
    }

    fn calls(&self) -> Vec<(String, Duration)> {
        self.calls.lock().expect("lock").clone()
    }
}

#[async_trait::async_trait]
impl RoleAssumer for CountingSts {
    async fn assume_role(&self, request: AssumeRoleRequest<'_>) -> Result<StsCredentials, Error> {
        Ok(self.reply("AssumeRole", request.duration))
    }
    async fn get_session_token(&self, request: SessionTokenRequest<'_>) -> Result<StsCredentials, Error> {
        Ok(self.reply("GetSessionToken", request.duration))
    }
}

struct Setup {
    vault: Arc<Vault>,
    sts: Arc<CountingSts>,
    clock: ManualClock,
    set: ProfileSet,
    _dir: tempfile::TempDir,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = ManualClock::new(time::macros::datetime!(2026-11-25 12:00 UTC));
    let sts = Arc::new(CountingSts {
        clock: clock.clone(),
        calls: Mutex::default(),
    });
    let store = Arc::new(MemoryStore::new());
    let vault = support::rebuild(store, &Index::at(dir.path().join("index.json")), &clock, sts.clone());
    Setup {
        vault: Arc::new(vault),
        sts,
        clock,
        set: support::profiles(CONFIG, CREDENTIALS),
        _dir: dir,
    }
}

impl Setup {
    fn resolved(&self, name: &str) -> ResolvedProfile {
        self.set.resolve_with(name, &Environment::default()).expect("resolves")
    }
}

/// What the tray's agent does with a request (crates/tray/src/agent.rs): the cache first, then the
/// vault with the dialog, both for the request's `min_left`.
async fn as_the_tray_answers(
    vault: &Vault,
    profile: &ResolvedProfile,
    prompt: &dyn rolebar_core::mfa::MfaPrompt,
    min_left: Duration,
) -> Result<Session, Error> {
    if let Some(session) = vault.cached_session_with(profile, min_left)? {
        return Ok(session);
    }
    vault.session_with(profile, prompt, min_left).await
}

#[tokio::test]
async fn a_900_second_role_with_mfa_takes_one_code_and_one_sts_call_for_every_caller() {
    let s = setup();
    let profile = s.resolved("short");
    let prompt = ScriptedPrompt::new(&["123456", "654321"]);
    let mut keys = Vec::new();
    // Six SDK refreshes within the session's first 10 minutes, as a 15-minute-minded SDK makes
    // them (botocore re-runs credential_process on each call under 15 minutes left).
    for _ in 0..6 {
        let session = as_the_tray_answers(&s.vault, &profile, &prompt, CREDENTIAL_PROCESS_MIN_LEFT)
            .await
            .expect("a session");
        assert!(credential_process::is_fresh_enough(&session, s.clock.now()));
        keys.push(session.credentials.access_key_id.clone());
        s.clock.advance(Duration::seconds(99));
    }
    assert_eq!(s.sts.calls(), [("AssumeRole".to_string(), Duration::seconds(900))]);
    assert_eq!(prompt.asked().len(), 1, "one code: {:?}", prompt.asked());
    assert!(keys.iter().all(|k| k == &keys[0]), "one session: {keys:?}");

    // A third of its life left (5 minutes): the next caller gets a new session, with the code
    // asked because the old one is ending.
    s.clock.set(s.clock.now() + Duration::seconds(600 - 6 * 99));
    let renewed = as_the_tray_answers(&s.vault, &profile, &prompt, CREDENTIAL_PROCESS_MIN_LEFT)
        .await
        .expect("renewed");
    assert_ne!(renewed.credentials.access_key_id, keys[0]);
    assert_eq!(s.sts.calls().len(), 2);
    let asked = prompt.asked();
    assert_eq!(asked.len(), 2);
    assert_eq!(asked[1].reason, MfaReason::SessionExpired);
}

#[tokio::test]
async fn a_900_second_role_without_mfa_is_assumed_once_not_per_request() {
    let s = setup();
    let profile = s.resolved("short-no-mfa");
    for _ in 0..6 {
        let session = s
            .vault
            .session_with(&profile, &NoPrompt, CREDENTIAL_PROCESS_MIN_LEFT)
            .await
            .expect("a session");
        assert_eq!(session.credentials.access_key_id, "ASIAFAKE000000000001");
        s.clock.advance(Duration::seconds(30));
    }
    assert_eq!(s.sts.calls().len(), 1, "{:?}", s.sts.calls());
}

#[tokio::test]
async fn a_session_made_at_the_terminal_serves_credential_process_and_its_end_says_renew() {
    let s = setup();
    let profile = s.resolved("short");
    // `rolebar exec short -- true`: the terminal's prompt, aws-vault's 5-minute window.
    let made = s
        .vault
        .session_with(&profile, &ScriptedPrompt::new(&["123456"]), DEFAULT_EXPIRY_WINDOW)
        .await
        .expect("made");
    s.clock.advance(Duration::seconds(15));
    // `rolebar credential-process short` without the tray: never prompts.
    let served = s
        .vault
        .session_with(&profile, &NoPrompt, CREDENTIAL_PROCESS_MIN_LEFT)
        .await
        .expect("the session that exists is served");
    assert_eq!(served.credentials.access_key_id, made.credentials.access_key_id);

    // Its last third: a code is needed, and the message does not say to start a session.
    s.clock.advance(Duration::minutes(10));
    let err = s
        .vault
        .session_with(&profile, &NoPrompt, CREDENTIAL_PROCESS_MIN_LEFT)
        .await
        .expect_err("a code is needed");
    let message = err.to_string();
    assert!(matches!(err, Error::MfaRequired { renew: true, .. }), "{err:?}");
    assert!(!message.contains("start a session first"), "{message}");
    assert!(
        message.contains("rolebar clear short && rolebar exec short -- true"),
        "{message}"
    );
    assert_eq!(s.sts.calls().len(), 1);

    // No session at all: then starting one is the advice.
    let err = s
        .vault
        .session_with(&s.resolved("short"), &NoPrompt, CREDENTIAL_PROCESS_MIN_LEFT)
        .await;
    assert!(err.is_err());
    s.vault.cache().clear_all().expect("clear");
    let err = s
        .vault
        .session_with(&profile, &NoPrompt, CREDENTIAL_PROCESS_MIN_LEFT)
        .await
        .expect_err("a code is needed");
    assert!(
        err.to_string()
            .contains("start a session first with `rolebar exec short -- true`"),
        "{err}"
    );
}

#[tokio::test]
async fn a_one_hour_role_still_renews_15_minutes_before_its_end() {
    let s = setup();
    let profile = s.resolved("hour");
    let first = s
        .vault
        .session_with(&profile, &NoPrompt, CREDENTIAL_PROCESS_MIN_LEFT)
        .await
        .expect("first");
    s.clock.advance(Duration::minutes(44));
    let same = s
        .vault
        .session_with(&profile, &NoPrompt, CREDENTIAL_PROCESS_MIN_LEFT)
        .await
        .expect("same");
    assert_eq!(same.credentials.access_key_id, first.credentials.access_key_id);
    s.clock.advance(Duration::minutes(1));
    let renewed = s
        .vault
        .session_with(&profile, &NoPrompt, CREDENTIAL_PROCESS_MIN_LEFT)
        .await
        .expect("renewed");
    assert_ne!(renewed.credentials.access_key_id, first.credentials.access_key_id);
    assert_eq!(s.sts.calls().len(), 2);
}

/// The tray's agent in small: its handler over a vault and a dialog that answers codes.
struct TrayLike {
    vault: Arc<Vault>,
    set: ProfileSet,
    prompt: Arc<ScriptedPrompt>,
}

#[async_trait::async_trait]
impl Handler for TrayLike {
    async fn credentials(&self, request: CredentialsRequest, _peer: &Peer) -> Result<Session, AgentFailure> {
        let profile = self.set.resolve_with(&request.profile, &Environment::default())?;
        Ok(as_the_tray_answers(&self.vault, &profile, self.prompt.as_ref(), request.min_left).await?)
    }
    async fn sessions(&self) -> Vec<SessionSummary> {
        Vec::new()
    }
}

fn serve(dir: &Path, handler: TrayLike) -> (PathBuf, oneshot::Sender<()>) {
    let path = dir.join("rolebar").join("agent.sock");
    let agent = Agent::bind(&path).expect("bind");
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(agent.serve(Arc::new(handler), async move {
        let _ = stopped.await;
    }));
    (path, stop)
}

#[tokio::test]
async fn credential_process_through_the_agent_asks_one_code_for_a_900_second_role() {
    let s = setup();
    let prompt = Arc::new(ScriptedPrompt::new(&["123456", "654321"]));
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, _stop) = serve(
        dir.path(),
        TrayLike {
            vault: s.vault.clone(),
            set: s.set.clone(),
            prompt: prompt.clone(),
        },
    );
    let mut keys = Vec::new();
    for _ in 0..6 {
        // What `rolebar credential-process short` sends: 15 minutes wanted.
        let mut client = Client::connect(&path, DEFAULT_CONNECT_TIMEOUT)
            .await
            .expect("connect")
            .expect("an agent");
        let session = client
            .request_credentials("short", CREDENTIAL_PROCESS_MIN_LEFT, true, DEFAULT_REQUEST_TIMEOUT)
            .await
            .expect("a session");
        keys.push(session.credentials.access_key_id);
        s.clock.advance(Duration::seconds(20));
    }
    assert_eq!(prompt.asked().len(), 1, "{:?}", prompt.asked());
    assert_eq!(s.sts.calls().len(), 1);
    assert!(keys.iter().all(|k| k == &keys[0]), "{keys:?}");
}

//! Many callers, one prompt: concurrent requests through a real agent socket to a real `Vault`
//! (memory keyring, counting STS fake, a prompt that takes 30 s of virtual time to answer).
//!
//! Time is tokio's paused clock: it only moves when every task is parked, so by the time the
//! prompt answers, every request has reached the agent and is waiting. No sleeps synchronise.

mod support;

use rolebar_core::agent::{Agent, AgentFailure, CredentialsRequest, Handler, Peer, SessionSummary};
use rolebar_core::agent::{Client, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT};
use rolebar_core::clock::{Clock, ManualClock};
use rolebar_core::keystore::index::Index;
use rolebar_core::keystore::store::MemoryStore;
use rolebar_core::mfa::{MfaCode, MfaPrompt, MfaRequest, NoPrompt};
use rolebar_core::profile::resolve::Environment;
use rolebar_core::profile::ProfileSet;
use rolebar_core::session::sts::{AssumeRoleRequest, RoleAssumer, SessionTokenRequest, StsCredentials};
use rolebar_core::session::vault::Vault;
use rolebar_core::HasCode;
use rolebar_core::{Credentials, Error, Session};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;
use tokio::task::JoinSet;

const CONFIG: &str = "\
[profile base]
mfa_serial = arn:aws:iam::111111111111:mfa/alice

[profile dev]
source_profile = base
role_arn = arn:aws:iam::222222222222:role/Developer
mfa_serial = arn:aws:iam::111111111111:mfa/alice

[profile prod]
source_profile = base
role_arn = arn:aws:iam::444444444444:role/Admin
mfa_serial = arn:aws:iam::111111111111:mfa/alice
";

/// Counts STS calls; hands out sessions that expire `duration` after the vault's clock.
#[derive(Debug)]
struct CountingSts {
    clock: ManualClock,
    calls: Mutex<Vec<String>>,
}

impl CountingSts {
    fn reply(&self, action: &str, duration: time::Duration) -> StsCredentials {
        let mut calls = self.calls.lock().expect("lock");
        calls.push(action.to_string());
        StsCredentials {
            credentials: Credentials::temporary(format!("ASIA{:016}", calls.len()), "secret", "token"),
            expires_at: self.clock.now() + duration,
            assumed_role_arn: None,
        }
    }

    fn calls(&self) -> Vec<String> {
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

/// Takes 30 (virtual) seconds, like a person, then answers a code or Deny; counts the asks.
#[derive(Debug)]
struct ThinkingPrompt {
    deny: bool,
    asked: Mutex<Vec<MfaRequest>>,
}

impl ThinkingPrompt {
    fn new(deny: bool) -> Arc<Self> {
        Arc::new(ThinkingPrompt {
            deny,
            asked: Mutex::default(),
        })
    }
    fn asked(&self) -> usize {
        self.asked.lock().expect("lock").len()
    }
}

#[async_trait::async_trait]
impl MfaPrompt for ThinkingPrompt {
    async fn code(&self, request: &MfaRequest) -> Result<MfaCode, Error> {
        self.asked.lock().expect("lock").push(request.clone());
        tokio::time::sleep(std::time::Duration::from_secs(30)).await;
        if self.deny {
            Err(Error::MfaCancelled)
        } else {
            MfaCode::parse("123456")
        }
    }
}

/// The handler the tray app will be, in small: its vault, its profiles, its dialog.
struct VaultAgent {
    vault: Arc<Vault>,
    set: ProfileSet,
    prompt: Arc<ThinkingPrompt>,
}

#[async_trait::async_trait]
impl Handler for VaultAgent {
    async fn credentials(&self, request: CredentialsRequest, _peer: &Peer) -> Result<Session, AgentFailure> {
        let profile = self.set.resolve_with(&request.profile, &Environment::default())?;
        let session = if request.prompt {
            self.vault.session(&profile, self.prompt.as_ref()).await
        } else {
            self.vault.session(&profile, &NoPrompt).await
        };
        session.map_err(|e| match e {
            Error::MfaCancelled => AgentFailure::denied(&request.profile),
            e => AgentFailure::from(e),
        })
    }
    async fn sessions(&self) -> Vec<SessionSummary> {
        Vec::new()
    }
}

struct Setup {
    vault: Arc<Vault>,
    sts: Arc<CountingSts>,
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
    vault
        .keys()
        .add(
            "base",
            &Credentials::long_term("AKIAEXAMPLE000000001", "long-term-secret"),
            clock.now(),
        )
        .expect("keys");
    Setup {
        vault: Arc::new(vault),
        sts,
        _dir: dir,
    }
}

/// Serves `handler` at a new socket; the agent stops when the returned sender is dropped.
fn serve(dir: &Path, handler: VaultAgent) -> (PathBuf, oneshot::Sender<()>) {
    let path = dir.join("rolebar").join("agent.sock");
    let agent = Agent::bind(&path).expect("bind");
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(agent.serve(Arc::new(handler), async move {
        let _ = stopped.await;
    }));
    (path, stop)
}

async fn ask_all(path: &Path, profiles: &[&'static str]) -> Vec<(&'static str, Result<Session, String>)> {
    let mut asks = JoinSet::new();
    for profile in profiles.iter().copied() {
        let path = path.to_path_buf();
        asks.spawn(async move {
            let mut client = Client::connect(&path, DEFAULT_CONNECT_TIMEOUT)
                .await
                .expect("connect")
                .expect("an agent");
            let got = client
                .request_credentials(profile, time::Duration::ZERO, true, DEFAULT_REQUEST_TIMEOUT)
                .await
                .map_err(|e| e.code().to_string());
            (profile, got)
        });
    }
    asks.join_all().await
}

#[tokio::test(start_paused = true)]
async fn twenty_callers_for_one_profile_get_one_prompt_one_sts_call_and_one_session() {
    let s = setup();
    let prompt = ThinkingPrompt::new(false);
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, _stop) = serve(
        dir.path(),
        VaultAgent {
            vault: s.vault.clone(),
            set: support::profiles(CONFIG, ""),
            prompt: prompt.clone(),
        },
    );
    let answers = ask_all(&path, &["dev"; 20]).await;
    assert_eq!(prompt.asked(), 1);
    assert_eq!(s.sts.calls(), ["GetSessionToken", "AssumeRole"]);
    let first = answers[0].1.as_ref().expect("a session").clone();
    for (_, answer) in &answers {
        assert_eq!(
            answer.as_ref().expect("a session"),
            &first,
            "everyone got the same session"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn two_profiles_on_one_device_ask_once() {
    let s = setup();
    let prompt = ThinkingPrompt::new(false);
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, _stop) = serve(
        dir.path(),
        VaultAgent {
            vault: s.vault.clone(),
            set: support::profiles(CONFIG, ""),
            prompt: prompt.clone(),
        },
    );
    let mut profiles = vec!["dev"; 10];
    profiles.extend(["prod"; 10]);
    let answers = ask_all(&path, &profiles).await;
    assert_eq!(prompt.asked(), 1, "one code for the device");
    let mut calls = s.sts.calls();
    calls.sort();
    assert_eq!(calls, ["AssumeRole", "AssumeRole", "GetSessionToken"]);
    for (profile, answer) in answers {
        let session = answer.expect("a session");
        assert_eq!(session.profile, profile);
    }
}

#[tokio::test(start_paused = true)]
async fn a_denial_is_shared_by_every_waiting_caller() {
    let s = setup();
    let prompt = ThinkingPrompt::new(true);
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, _stop) = serve(
        dir.path(),
        VaultAgent {
            vault: s.vault.clone(),
            set: support::profiles(CONFIG, ""),
            prompt: prompt.clone(),
        },
    );
    let answers = ask_all(&path, &["dev"; 20]).await;
    assert_eq!(prompt.asked(), 1, "one dialog, not twenty in a row");
    assert!(s.sts.calls().is_empty());
    for (_, answer) in answers {
        assert_eq!(answer.expect_err("denied"), "agent_denied");
    }
}

/// What the agent's single flight is for: the vault alone serialises callers (its `busy` lock)
/// and re-reads its cache under the lock, so successes are shared; a failure is not, and each
/// waiter asks again.
#[tokio::test(start_paused = true)]
async fn the_vault_alone_shares_a_success_but_asks_again_after_a_denial() {
    let s = setup();
    let set = support::profiles(CONFIG, "");
    let dev = set.resolve_with("dev", &Environment::default()).expect("dev");

    let denying = ThinkingPrompt::new(true);
    let mut calls = JoinSet::new();
    for _ in 0..20 {
        let (vault, dev, prompt) = (s.vault.clone(), dev.clone(), denying.clone());
        calls.spawn(async move { vault.session(&dev, prompt.as_ref()).await.is_err() });
    }
    assert!(calls.join_all().await.into_iter().all(|failed| failed));
    assert_eq!(denying.asked(), 20, "each waiter asked again after the denial");

    let answering = ThinkingPrompt::new(false);
    let mut calls = JoinSet::new();
    for _ in 0..20 {
        let (vault, dev, prompt) = (s.vault.clone(), dev.clone(), answering.clone());
        calls.spawn(async move { vault.session(&dev, prompt.as_ref()).await.expect("session").credentials });
    }
    let sessions = calls.join_all().await;
    assert_eq!(answering.asked(), 1);
    assert_eq!(s.sts.calls(), ["GetSessionToken", "AssumeRole"]);
    assert!(sessions.iter().all(|c| c == &sessions[0]));
}

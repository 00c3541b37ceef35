//! The agent's logs at trace level name requests (op, profile, pid) and never a secret or a full
//! key id. A test binary of its own: it installs a log subscriber for its thread.

mod support;

use rolebar_core::agent::{Agent, AgentFailure, CredentialsRequest, Handler, Peer, SessionSummary};
use rolebar_core::agent::{Client, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT};
use rolebar_core::HasCode;
use rolebar_core::{Credentials, Session, SessionKind};
use std::sync::Arc;
use support::logs::Captured;

const KEY_ID: &str = "ASIAFULLKEYID0000042";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY";
const TOKEN: &str = "FwoGZXIvYXdzEBcaDSESSIONTOKEN==";

struct Fixed;

#[async_trait::async_trait]
impl Handler for Fixed {
    async fn credentials(&self, request: CredentialsRequest, _peer: &Peer) -> Result<Session, AgentFailure> {
        if request.profile == "denied" {
            return Err(AgentFailure::denied(&request.profile));
        }
        Ok(Session {
            profile: request.profile,
            kind: SessionKind::AssumeRole,
            credentials: Credentials::temporary(KEY_ID, SECRET, TOKEN),
            expires_at: time::macros::datetime!(2026-11-25 13:00 UTC),
            issued_at: None,
            mfa_serial: None,
            role_arn: None,
            region: None,
        })
    }
    async fn sessions(&self) -> Vec<SessionSummary> {
        Vec::new()
    }
}

#[tokio::test]
async fn trace_logs_name_requests_but_no_secret() {
    let captured = Captured::default();
    // The test's runtime has one thread: every task of the agent logs through this subscriber.
    let _logging = captured.install_at(tracing::Level::TRACE);

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("rolebar").join("agent.sock");
    let agent = Agent::bind(&path).expect("bind");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(agent.serve(Arc::new(Fixed), async move {
        let _ = stopped.await;
    }));
    let mut client = Client::connect(&path, DEFAULT_CONNECT_TIMEOUT)
        .await
        .expect("connect")
        .expect("agent");
    let session = client
        .request_credentials("oppara-dev", time::Duration::ZERO, true, DEFAULT_REQUEST_TIMEOUT)
        .await
        .expect("credentials");
    assert_eq!(session.credentials.secret_access_key.expose(), SECRET);
    let denied = client
        .request_credentials("denied", time::Duration::ZERO, true, DEFAULT_REQUEST_TIMEOUT)
        .await
        .expect_err("denied");
    assert_eq!(denied.code(), "agent_denied");
    drop(client);
    drop(stop);
    served.await.expect("joined").expect("served");

    let logs = captured.text();
    assert!(
        logs.contains("op=\"credentials\"") && logs.contains("profile=oppara-dev"),
        "requests are logged: {logs}"
    );
    assert!(logs.contains(&format!("pid=Some({})", std::process::id())), "{logs}");
    assert!(logs.contains("agent_denied"), "{logs}");
    for secret in [SECRET, TOKEN, KEY_ID] {
        assert!(!logs.contains(secret), "{secret} leaked into the logs: {logs}");
    }
}

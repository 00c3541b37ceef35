use super::*;
use crate::activity::{Filter, FILE_NAME};
use crate::agent::ProcessInfo;
use crate::clock::ManualClock;
use crate::credentials::Credentials;
use crate::session::SessionKind;
use std::sync::Mutex;
use time::macros::datetime;
use time::Duration;

const T0: OffsetDateTime = datetime!(2026-12-05 03:00:00 UTC);
const KEY_ID: &str = "ASIANOTEDKEY00000001";
const SECRET: &str = "noted/secret+never+in+the+log";
const TOKEN: &str = "noted-session-token-never-in-the-log==";

fn session(issued_at: Option<OffsetDateTime>) -> Session {
    Session {
        profile: "dev".into(),
        kind: SessionKind::AssumeRole,
        credentials: Credentials::temporary(KEY_ID, SECRET, TOKEN),
        expires_at: T0 + Duration::hours(1),
        issued_at,
        mfa_serial: None,
        role_arn: Some("arn:aws:iam::222222222222:role/dev".into()),
        region: None,
    }
}

/// Answers every request with the next of `answers`, the clock moved on by a second meanwhile
/// (as a real answer takes time).
struct Scripted {
    answers: Mutex<Vec<Result<Session, AgentFailure>>>,
    clock: ManualClock,
}

#[async_trait::async_trait]
impl Handler for Scripted {
    async fn credentials(&self, _request: CredentialsRequest, _peer: &Peer) -> Result<Session, AgentFailure> {
        self.clock.advance(Duration::seconds(1));
        self.answers.lock().expect("answers").remove(0)
    }

    async fn sessions(&self) -> Vec<SessionSummary> {
        vec![SessionSummary {
            profile: "listed".into(),
            kind: SessionKind::AssumeRole,
            expires_at: T0,
        }]
    }
}

fn peer() -> Peer {
    let info = |pid: i32, command: &str, exe: &str| ProcessInfo {
        pid,
        exe: Some(exe.into()),
        command: command.into(),
        script: None,
    };
    let mut peer = Peer::new(1000, Some(4300));
    peer.process = Some(info(4300, "rolebar credential-process dev", "/usr/bin/rolebar"));
    peer.parent = Some(info(4242, "aws sts get-caller-identity", "/usr/bin/aws"));
    peer
}

fn request(argv: Option<&[&str]>) -> CredentialsRequest {
    CredentialsRequest {
        profile: "dev".into(),
        min_left: Duration::ZERO,
        prompt: true,
        client: argv.map(|argv| ClientContext {
            argv: argv.iter().map(|a| a.to_string()).collect(),
        }),
    }
}

struct World {
    _dir: tempfile::TempDir,
    log: ActivityLog,
    handler: NotingHandler,
}

fn world(answers: Vec<Result<Session, AgentFailure>>) -> World {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = ActivityLog::at(dir.path().join("state").join(FILE_NAME));
    let clock = ManualClock::new(T0);
    let inner = Arc::new(Scripted {
        answers: Mutex::new(answers),
        clock: clock.clone(),
    });
    let handler = NotingHandler::new(inner, Recorder::new(log.clone(), Arc::new(clock)));
    World {
        _dir: dir,
        log,
        handler,
    }
}

fn entries(log: &ActivityLog) -> Vec<Entry> {
    log.read(&Filter::default(), &ManualClock::new(T0))
        .expect("read")
        .entries
}

const CREDENTIAL_PROCESS: &[&str] = &["rolebar", "credential-process", "dev"];

#[tokio::test]
async fn each_answer_is_one_entry_with_its_outcome_program_and_way() {
    let w = world(vec![
        // Issued a minute before the request: the cache's.
        Ok(session(Some(T0 - Duration::minutes(1)))),
        // Issued while the request ran: a new one.
        Ok(session(Some(T0 + Duration::seconds(1) + Duration::milliseconds(500)))),
        Err(AgentFailure::denied("dev")),
        Err(AgentFailure::new(ErrorCode::MfaRequired, "a code is needed")),
        // Not Rolebar's to cache (a credential_process profile's output).
        Ok(session(None)),
    ]);
    let argvs: [Option<&[&str]>; 5] = [
        Some(CREDENTIAL_PROCESS),
        Some(&["/usr/bin/rolebar", "exec", "dev", "--", "env"]),
        Some(&["rolebar", "exec", "--server", "dev", "--", "terraform", "apply"]),
        None,
        Some(&["rolebar", "export", "dev"]),
    ];
    for argv in argvs {
        let _ = w.handler.credentials(request(argv), &peer()).await;
    }
    let got = entries(&w.log);
    let summary: Vec<(Way, Outcome, Option<&str>, Option<u32>)> = got
        .iter()
        .map(|e| (e.way, e.outcome, e.error_code.as_deref(), e.pid))
        .collect();
    assert_eq!(
        summary,
        [
            (Way::CredentialProcess, Outcome::Cached, None, Some(4242)),
            (Way::Exec, Outcome::NewSession, None, Some(4300)),
            (Way::Endpoint, Outcome::Denied, Some("agent_denied"), Some(4300)),
            (Way::Agent, Outcome::Failed, Some("mfa_required"), Some(4300)),
            (Way::Export, Outcome::NewSession, None, Some(4300)),
        ]
    );
    assert_eq!(
        got[0].program.as_deref(),
        Some("aws sts get-caller-identity (pid 4242, /usr/bin/aws) via rolebar credential-process dev")
    );
    assert!(got.iter().all(|e| e.profile == "dev"));
    // Stamped when answered, by the recorder's clock.
    assert_eq!(got[0].time, T0 + Duration::seconds(1));
    assert_eq!(got[4].time, T0 + Duration::seconds(5));
}

#[tokio::test]
async fn the_log_never_holds_the_secret_the_token_or_the_key_id() {
    let w = world(vec![
        Ok(session(Some(T0 - Duration::minutes(1)))),
        Ok(session(Some(T0 + Duration::hours(1)))),
    ]);
    for _ in 0..2 {
        let answer = w.handler.credentials(request(Some(CREDENTIAL_PROCESS)), &peer()).await;
        let handed = answer.expect("handed out");
        assert_eq!(
            handed.credentials.secret_access_key.expose(),
            SECRET,
            "the answer is passed on"
        );
    }
    let text = std::fs::read_to_string(w.log.path()).expect("log");
    assert_eq!(text.lines().count(), 2, "{text}");
    for secret in [SECRET, TOKEN, KEY_ID, "ASIA"] {
        assert!(!text.contains(secret), "`{secret}` is in the log:\n{text}");
    }
}

#[tokio::test]
async fn a_log_that_cannot_be_written_fails_no_request() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A file where the log's folder should be.
    let blocker = dir.path().join("state");
    std::fs::write(&blocker, b"not a folder").expect("write");
    let clock = ManualClock::new(T0);
    let inner = Arc::new(Scripted {
        answers: Mutex::new(vec![Ok(session(None)), Ok(session(None))]),
        clock: clock.clone(),
    });
    let handler = NotingHandler::new(
        inner,
        Recorder::new(ActivityLog::at(blocker.join(FILE_NAME)), Arc::new(clock)),
    );
    for _ in 0..2 {
        let answer = handler.credentials(request(None), &peer()).await;
        assert!(answer.is_ok(), "{answer:?}");
    }
    assert_eq!(handler.sessions().await.len(), 1, "other ops are passed on");
}

#[tokio::test]
async fn an_endpoint_source_notes_each_request_as_the_endpoints() {
    struct Answers(Mutex<Vec<Result<Session, SourceFailure>>>);
    #[async_trait::async_trait]
    impl CredentialSource for Answers {
        async fn session(&self) -> Result<Session, SourceFailure> {
            self.0.lock().expect("answers").remove(0)
        }
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let log = ActivityLog::at(dir.path().join(FILE_NAME));
    let clock = ManualClock::new(T0);
    let source = NotingSource::new(
        Arc::new(Answers(Mutex::new(vec![
            Ok(session(Some(T0 - Duration::minutes(5)))),
            Err(SourceFailure::new(ErrorCode::MfaCancelled, "closed")),
            Err(SourceFailure::new(ErrorCode::StsError, "no")),
        ]))),
        Recorder::new(log.clone(), Arc::new(clock)),
        "dev",
        "terraform apply (pid 77, /usr/bin/terraform)".into(),
        Some(77),
    );
    for _ in 0..3 {
        let _ = source.session().await;
    }
    let got = entries(&log);
    let summary: Vec<(Way, Outcome, Option<&str>)> = got
        .iter()
        .map(|e| (e.way, e.outcome, e.error_code.as_deref()))
        .collect();
    assert_eq!(
        summary,
        [
            (Way::Endpoint, Outcome::Cached, None),
            (Way::Endpoint, Outcome::Denied, Some("mfa_cancelled")),
            (Way::Endpoint, Outcome::Failed, Some("sts_error")),
        ]
    );
    assert!(got
        .iter()
        .all(|e| e.pid == Some(77) && e.program.as_deref().is_some_and(|p| p.starts_with("terraform"))));
    let text = std::fs::read_to_string(log.path()).expect("log");
    assert!(!text.contains(SECRET) && !text.contains(TOKEN) && !text.contains(KEY_ID));
}

#[test]
fn the_way_is_read_from_the_clients_command_line() {
    let way = |argv: &[&str]| {
        way_of_client(Some(&ClientContext {
            argv: argv.iter().map(|a| a.to_string()).collect(),
        }))
    };
    assert_eq!(way(&["rolebar", "credential-process", "p"]), Way::CredentialProcess);
    assert_eq!(way(&["rolebar", "--verbose", "export", "p"]), Way::Export);
    assert_eq!(way(&["rolebar", "login", "p"]), Way::Console);
    assert_eq!(way(&["rolebar", "exec", "p", "--", "ls"]), Way::Exec);
    assert_eq!(way(&["rolebar", "exec", "--server", "p"]), Way::Endpoint);
    assert_eq!(way(&["rolebar", "exec", "p", "--", "tool", "--server"]), Way::Exec);
    assert_eq!(way(&["my-tool"]), Way::Agent);
    assert_eq!(way(&[]), Way::Agent);
    assert_eq!(way_of_client(None), Way::Agent);
}

#[test]
fn a_request_nobody_could_approve_is_noted_as_denied() {
    let (outcome, code) = crate::activity::noting::outcome_of_failure(crate::ErrorCode::ApprovalRequired);
    assert_eq!((outcome, code.as_deref()), (Outcome::Denied, Some("approval_required")));
}

//! A profile's `credential_process` as the source of its credentials (issue 21 item 2): real
//! scripts run by the vault, used directly and as a role's `source_profile` against the STS
//! double; failures named without echoing what the command printed; keyring keys win.

mod support;

use rolebar_core::clock::Clock;
use rolebar_core::profile::resolve::Environment;
use rolebar_core::profile::{ProfileSet, ResolvedProfile};
use rolebar_core::session::sts::{SdkSts, StsOptions};
use rolebar_core::session::vault::VaultOptions;
use rolebar_core::HasCode;
use rolebar_core::{Credentials, Error, SessionKind};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};
use support::sts_double::{StsDouble, SIGNED_WITH};
use support::{vault_with, ScriptedPrompt, TestVault};

/// The test clock's now is 2026-11-25 12:00 UTC: the process's session ends 45 minutes later.
const PROCESS_REPLY: &str = r#"{"Version": 1, "AccessKeyId": "ASIAPROCESSKEY000001", "SecretAccessKey": "process-secret", "SessionToken": "process-token", "Expiration": "2026-11-25T12:45:00Z"}"#;

struct Fixture {
    double: StsDouble,
    t: TestVault,
    dir: tempfile::TempDir,
    env: Environment,
}

impl Fixture {
    async fn new() -> Self {
        Self::with_options(VaultOptions::default()).await
    }

    async fn with_options(options: VaultOptions) -> Self {
        let sts = Arc::new(SdkSts::new(StsOptions {
            max_attempts: 1,
            initial_backoff: StdDuration::from_millis(1),
            connect_timeout: StdDuration::from_secs(2),
            attempt_timeout: StdDuration::from_secs(5),
            total_timeout: StdDuration::from_secs(10),
        }));
        let mut t = vault_with(sts.clone());
        t.vault = support::rebuild(t.store.clone(), &t.index, &t.clock, sts).with_options(options);
        let double = StsDouble::start(Arc::new(t.clock.clone())).await;
        let env = Environment {
            endpoint_url_sts: Some(double.url.clone()),
            ..Environment::default()
        };
        Fixture {
            double,
            t,
            dir: tempfile::tempdir().expect("tempdir"),
            env,
        }
    }

    /// An executable script `name` with `body` after the `#!/bin/sh` line.
    fn script(&self, name: &str, body: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("script");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        path
    }

    /// A script printing `reply` and counting its runs in `runs`.
    fn printing(&self, reply: &str) -> PathBuf {
        let runs = self.dir.path().join("runs");
        self.script(
            "creds",
            &format!(
                "echo run >> '{}'\necho \"$ROLEBAR_CREDENTIAL_PROCESS_DEPTH|$1\" > '{}'\ncat <<'EOF'\n{reply}\nEOF",
                runs.display(),
                self.dir.path().join("seen").display()
            ),
        )
    }

    fn runs(&self) -> usize {
        std::fs::read_to_string(self.dir.path().join("runs"))
            .map(|s| s.lines().count())
            .unwrap_or(0)
    }

    fn profiles(&self, config: &str) -> ProfileSet {
        support::profiles(config, "")
    }

    fn resolve(&self, set: &ProfileSet, name: &str) -> ResolvedProfile {
        set.resolve_with(name, &self.env).expect("resolves")
    }

    async fn session(&self, set: &ProfileSet, name: &str) -> Result<rolebar_core::Session, Error> {
        self.t
            .vault
            .session(&self.resolve(set, name), &ScriptedPrompt::new(&[]))
            .await
    }
}

fn config(line: &str) -> String {
    format!(
        "[profile proc]\ncredential_process = {line}\nregion = eu-west-1\n\n\
         [profile proc-role]\nsource_profile = proc\nrole_arn = arn:aws:iam::222222222222:role/FromProcess\n\
         duration_seconds = 7200\n"
    )
}

fn quoted(path: &Path) -> String {
    format!("'{}'", path.display())
}

#[tokio::test]
async fn a_credential_process_serves_its_profile_with_its_expiration_and_no_sts_call() {
    let f = Fixture::new().await;
    let script = f.printing(PROCESS_REPLY);
    // Split as a shell splits it, run without one: the quoted words arrive as one argument.
    let set = f.profiles(&config(&format!("{} 'two words' ignored", quoted(&script))));

    let session = f.session(&set, "proc").await.expect("served by the process");
    assert_eq!(session.kind, SessionKind::CredentialProcess);
    assert_eq!(session.credentials.access_key_id, "ASIAPROCESSKEY000001");
    assert_eq!(session.credentials.secret_access_key.expose(), "process-secret");
    assert_eq!(
        session.credentials.session_token.as_ref().map(|t| t.expose()),
        Some("process-token")
    );
    assert_eq!(session.expires_at, time::macros::datetime!(2026-11-25 12:45 UTC));
    assert_eq!(session.region.as_deref(), Some("eu-west-1"));
    assert!(f.double.actions().is_empty(), "{:?}", f.double.actions());
    assert_eq!(
        std::fs::read_to_string(f.dir.path().join("seen")).expect("ran").trim(),
        "1|two words",
        "the guard variable is set and the words are split as botocore splits them"
    );

    // Not cached, not stored: the AWS CLI runs the command again too.
    f.session(&set, "proc").await.expect("again");
    assert_eq!(f.runs(), 2);
    assert!(f.t.vault.keys().get("proc").expect("keyring").is_none());
    assert!(f.t.vault.cache().list().is_empty());
}

#[tokio::test]
async fn keys_without_expiration_are_served_for_an_hour_and_never_stored() {
    let f = Fixture::new().await;
    let script = f.printing(r#"{"Version": 1, "AccessKeyId": "AKIAFAKEPROCESSLONG1", "SecretAccessKey": "s"}"#);
    let set = f.profiles(&config(&quoted(&script)));
    let session = f.session(&set, "proc").await.expect("served");
    assert_eq!(session.credentials.session_token, None);
    assert_eq!(
        session.expires_at,
        f.t.clock.now() + rolebar_core::session::vault::PROCESS_KEYS_HANDED_OUT_FOR
    );
    assert!(f.t.vault.keys().get("proc").expect("keyring").is_none());
}

#[tokio::test]
async fn a_role_over_a_credential_process_is_assumed_with_its_credentials() {
    let f = Fixture::new().await;
    let script = f.printing(PROCESS_REPLY);
    let set = f.profiles(&config(&quoted(&script)));

    let session = f.session(&set, "proc-role").await.expect("role from the process");
    assert_eq!(session.kind, SessionKind::AssumeRole);
    let seen = f.double.seen();
    assert_eq!(seen.len(), 1, "{:?}", f.double.actions());
    assert_eq!(seen[0].action(), "AssumeRole");
    assert_eq!(seen[0].get(SIGNED_WITH), Some("ASIAPROCESSKEY000001"));
    assert_eq!(
        seen[0].get("DurationSeconds"),
        Some("3600"),
        "temporary source credentials: AWS's one-hour cap on chained roles"
    );

    // The role's session is cached as any role's is: the command is not run again.
    f.session(&set, "proc-role").await.expect("from the cache");
    assert_eq!((f.runs(), f.double.seen().len()), (1, 1));
}

#[tokio::test]
async fn keys_in_the_keyring_win_over_the_credential_process() {
    let f = Fixture::new().await;
    let script = f.printing(PROCESS_REPLY);
    // What a migration leaves: the line now asks Rolebar for the very profile it is on.
    let set = f.profiles(&format!(
        "{}\n[profile self]\ncredential_process = rolebar credential-process self\n\n\
         [profile self-role]\nsource_profile = self\nrole_arn = arn:aws:iam::222222222222:role/FromSelf\n",
        config(&quoted(&script))
    ));
    let now = f.t.clock.now();
    for profile in ["proc", "self"] {
        f.t.vault
            .keys()
            .add(
                profile,
                &Credentials::long_term(format!("AKIAKEYRING{:0>9}", profile.len()), "stored"),
                now,
            )
            .expect("add");
    }

    let session = f.session(&set, "proc").await.expect("from the keyring's keys");
    assert_eq!(session.kind, SessionKind::GetSessionToken);
    f.session(&set, "self").await.expect("no loop: the keys serve");
    f.session(&set, "self-role").await.expect("role from the keys");
    f.session(&set, "proc-role").await.expect("role from the keys");
    assert_eq!(f.runs(), 0, "the command was never run");
    let signed: Vec<_> = f
        .double
        .seen()
        .iter()
        .map(|r| r.get(SIGNED_WITH).map(str::to_string))
        .collect();
    assert!(
        signed
            .iter()
            .all(|k| k.as_deref().is_some_and(|k| k.starts_with("AKIAKEYRING"))),
        "{signed:?}"
    );
}

#[tokio::test]
async fn a_failing_command_is_named_with_its_status_and_nothing_it_printed() {
    let f = Fixture::new().await;
    let script = f.script(
        "fails",
        "echo 'AKIALEAKED secret-on-stdout'\necho 'stderr-goes-to-the-terminal' >&2\nexit 3",
    );
    let set = f.profiles(&config(&quoted(&script)));
    for name in ["proc", "proc-role"] {
        let err = f.session(&set, name).await.expect_err("exit 3");
        assert_eq!(err.code(), "credential_process_failed", "{err}");
        let text = err.to_string();
        assert!(
            text.contains("exit status 3") && text.contains("profile `proc`"),
            "{text}"
        );
        assert!(text.contains("line 2"), "the setting's place: {text}");
        assert!(
            !text.contains("secret-on-stdout") && !text.contains("stderr-goes"),
            "{text}"
        );
    }
    assert!(f.double.seen().is_empty());

    let missing = f.profiles(&config("/nonexistent/credential-helper --x"));
    let err = f.session(&missing, "proc").await.expect_err("no such program");
    assert_eq!(err.code(), "credential_process_unavailable", "{err}");
    assert!(err.to_string().contains("/nonexistent/credential-helper"), "{err}");
}

#[tokio::test]
async fn replies_that_are_not_version_1_are_refused_without_being_echoed() {
    let f = Fixture::new().await;
    for (i, (printed, says)) in [
        (r#"{"Version": 1, "AccessKeyId": "AKIA", "SecretAccessKey": "hunter2-secret""#, "not a JSON object"),
        ("hunter2-secret is all I say", "not a JSON object"),
        (r#"{"Version": 2, "AccessKeyId": "AKIA", "SecretAccessKey": "hunter2-secret"}"#, "Version 2"),
        (r#"{"Version": 1, "SecretAccessKey": "hunter2-secret"}"#, "without AccessKeyId"),
        (r#"{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": ["hunter2-secret"]}"#, "wrong types"),
        (
            r#"{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "hunter2-secret", "Expiration": "2026-11-25T11:00:00Z"}"#,
            "expired",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let script = f.script(&format!("bad{i}"), &format!("cat <<'EOF'\n{printed}\nEOF"));
        let set = f.profiles(&config(&quoted(&script)));
        let err = f.session(&set, "proc").await.expect_err(says);
        assert_eq!(err.code(), "credential_process_bad_reply", "{err}");
        let text = err.to_string();
        assert!(text.contains(says) && !text.contains("hunter2"), "{text}");
    }

    // More than the cap is cut off, not read into memory without end.
    let script = f.script("flood", "yes hunter2-secret");
    let set = f.profiles(&config(&quoted(&script)));
    let err = f.session(&set, "proc").await.expect_err("too much");
    assert_eq!(err.code(), "credential_process_bad_reply", "{err}");
    assert!(err.to_string().contains("more than 64 KiB"), "{err}");
}

#[tokio::test]
async fn a_command_that_hangs_times_out_and_its_process_group_is_killed() {
    let f = Fixture::with_options(VaultOptions {
        credential_process_timeout: StdDuration::from_millis(700),
        ..VaultOptions::default()
    })
    .await;
    let pid_file = f.dir.path().join("pid");
    let script = f.script(
        "hangs",
        &format!("sleep 300 &\necho $! > '{}'\nwait", pid_file.display()),
    );
    let set = f.profiles(&config(&quoted(&script)));
    let started = Instant::now();
    let err = f.session(&set, "proc").await.expect_err("timed out");
    assert!(
        started.elapsed() < StdDuration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(err.code(), "credential_process_timeout", "{err}");
    let pid: u32 = std::fs::read_to_string(&pid_file)
        .expect("the script started its child")
        .trim()
        .parse()
        .expect("a pid");
    // The child in the background (the script's group) is gone too: dead or a zombie.
    let deadline = Instant::now() + StdDuration::from_secs(10);
    loop {
        let state = std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|s| s.rsplit_once(')').map(|(_, rest)| rest.trim_start().chars().next()))
            .flatten();
        if matches!(state, None | Some('Z')) {
            break;
        }
        assert!(Instant::now() < deadline, "`sleep` {pid} still runs: {state:?}");
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_line_calling_rolebar_for_its_own_profile_is_a_named_error_at_once() {
    let f = Fixture::new().await;
    let set = f.profiles(
        "[profile self]\ncredential_process = /usr/local/bin/rolebar credential-process self\n\n\
         [profile self-role]\nsource_profile = self\nrole_arn = arn:aws:iam::222222222222:role/FromSelf\n\n\
         [profile exported]\ncredential_process = rolebar export --format=json exported\n",
    );
    for name in ["self", "self-role", "exported"] {
        let started = Instant::now();
        let err = f.session(&set, name).await.expect_err("calls itself");
        assert!(started.elapsed() < StdDuration::from_secs(5));
        assert_eq!(err.code(), "credential_process_loop", "{err}");
        assert!(err.to_string().contains("rolebar add"), "{err}");
    }
    assert!(f.double.seen().is_empty());
}

//! MFA codes from `mfa_process` and a fake `ykman` reach STS (the double records each
//! TokenCode), in aws-vault's order after an explicit code; failing, garbage-printing and slow
//! sources give errors that name them and never a code; the "touch your key" notice is shown for
//! a slow source and withdrawn after it.
#![cfg(unix)]

mod support;

use rolebar_core::clock::{Clock, ManualClock};
use rolebar_core::mfa::source::{
    MfaSourceError, NoticeHandle, OnSourceFailure, SourceOptions, SourcedPrompt, Touch, TouchNotice,
};
use rolebar_core::mfa::{MfaCode, MfaPrompt, MfaReason, MfaRequest};
use rolebar_core::profile::resolve::Environment;
use rolebar_core::profile::ResolvedProfile;
use rolebar_core::session::sts::{SdkSts, StsOptions};
use rolebar_core::HasCode;
use rolebar_core::{Credentials, Error};
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::sts_double::StsDouble;
use support::{vault_with, ScriptedPrompt, TestVault};

/// The code the double accepts.
const GOOD: &str = "123456";
const SERIAL: &str = "arn:aws:iam::111111111111:mfa/alice";

/// Notices as they happen, with the (tokio) time each was shown.
#[derive(Clone, Default)]
struct RecordingNotice {
    events: Arc<Mutex<Vec<String>>>,
    shown_at: Arc<Mutex<Vec<tokio::time::Instant>>>,
}

impl RecordingNotice {
    fn events(&self) -> Vec<String> {
        self.events.lock().expect("lock").clone()
    }
    fn push(&self, event: String) {
        self.events.lock().expect("lock").push(event);
    }
}

impl TouchNotice for RecordingNotice {
    fn show(&self, touch: &Touch<'_>) -> NoticeHandle {
        self.push(format!("show {} ({})", touch.profile, touch.source.label()));
        self.shown_at.lock().expect("lock").push(tokio::time::Instant::now());
        let events = self.events.clone();
        NoticeHandle::new(move || events.lock().expect("lock").push("withdraw".into()))
    }
    fn waiting_for_next_code(&self, touch: &Touch<'_>, wait: Duration) {
        self.push(format!("wait {} s ({})", wait.as_secs(), touch.source.label()));
    }
    fn source_failed(&self, touch: &Touch<'_>, error: &MfaSourceError) {
        self.push(format!("failed {} ({})", error.code(), touch.source.label()));
    }
}

/// A folder of executable scripts the config points at.
struct Scripts {
    dir: tempfile::TempDir,
}

impl Scripts {
    fn new() -> Self {
        Scripts {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    /// Writes an executable `name` with `body` (a shell script); its path.
    fn add(&self, name: &str, body: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        let mut file = std::fs::File::create(&path).expect("create script");
        writeln!(file, "#!/bin/sh\n{body}").expect("write script");
        drop(file);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        path
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

struct Fixture {
    double: StsDouble,
    t: TestVault,
    env: Environment,
}

impl Fixture {
    async fn new() -> Self {
        let sts = Arc::new(SdkSts::new(StsOptions {
            max_attempts: 1,
            initial_backoff: Duration::from_millis(1),
            connect_timeout: Duration::from_secs(2),
            attempt_timeout: Duration::from_secs(5),
            total_timeout: Duration::from_secs(10),
        }));
        let t = vault_with(sts);
        let double = StsDouble::start(Arc::new(t.clock.clone())).await;
        t.vault
            .keys()
            .add(
                "base",
                &Credentials::long_term("AKIAFAKEBASE00000001", "long-term-secret"),
                t.clock.now(),
            )
            .expect("add keys");
        let env = Environment {
            endpoint_url_sts: Some(double.url.clone()),
            ..Environment::default()
        };
        Fixture { double, t, env }
    }

    /// `base` holds the keys and the device; `[profile dev]` is a role on the same device; both
    /// get `base_extra` / `dev_extra` lines.
    fn profile(&self, base_extra: &str, dev_extra: &str) -> ResolvedProfile {
        let config = format!(
            "[profile base]\nmfa_serial = {SERIAL}\n{base_extra}\n\n\
             [profile dev]\nsource_profile = base\nrole_arn = arn:aws:iam::222222222222:role/dev\n\
             mfa_serial = {SERIAL}\n{dev_extra}\n"
        );
        support::profiles(&config, "")
            .with_keyring_profiles(["base"])
            .resolve_with("dev", &self.env)
            .expect("resolves")
    }

    fn token_codes(&self) -> Vec<String> {
        self.double
            .seen()
            .iter()
            .filter_map(|r| r.get("TokenCode").map(str::to_string))
            .collect()
    }
}

fn options() -> SourceOptions {
    SourceOptions {
        on_failure: OnSourceFailure::Fail,
        ..SourceOptions::default()
    }
}

fn request(reason: MfaReason) -> MfaRequest {
    MfaRequest {
        profile: "dev".into(),
        mfa_serial: SERIAL.into(),
        reason,
        attempt: 1,
    }
}

fn source_error(err: Error) -> MfaSourceError {
    match err {
        Error::MfaSource(e) => *e,
        other => panic!("a source error: {other:?}"),
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_code_from_mfa_process_reaches_sts_and_no_log_line_holds_it() {
    let f = Fixture::new().await;
    let scripts = Scripts::new();
    let otp = scripts.add("otp", &format!("printf '  {GOOD}\\n'"));
    let profile = f.profile("", &format!("mfa_process = {}", otp.display()));
    let prompt = ScriptedPrompt::new(&[]);
    let notice = RecordingNotice::default();

    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("rolebar_core=trace"))
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _logging = tracing::subscriber::set_default(subscriber);

    let sourced = SourcedPrompt::new(&profile, &prompt)
        .with_notice(&notice)
        .with_options(options());
    let session = f.t.vault.session(&profile, &sourced).await.expect("session");
    assert_eq!(session.role_arn.as_deref(), Some("arn:aws:iam::222222222222:role/dev"));
    assert_eq!(f.token_codes(), [GOOD], "the process's code, trimmed, went to STS");
    assert!(prompt.asked().is_empty(), "the prompt was not needed");
    assert!(
        notice.events().is_empty(),
        "a quick process needs no notice: {:?}",
        notice.events()
    );
    let logs = logs.text();
    assert!(logs.contains("MFA code from a source"), "{logs}");
    assert!(!logs.contains(GOOD), "a code in the logs: {logs}");
}

#[tokio::test]
async fn a_role_without_mfa_process_uses_its_source_profiles() {
    let f = Fixture::new().await;
    let scripts = Scripts::new();
    let otp = scripts.add("otp", &format!("echo {GOOD}"));
    let profile = f.profile(&format!("mfa_process = {}", otp.display()), "");
    let prompt = ScriptedPrompt::new(&[]);
    let sourced = SourcedPrompt::new(&profile, &prompt).with_options(options());
    f.t.vault.session(&profile, &sourced).await.expect("session");
    assert_eq!(f.token_codes(), [GOOD]);
    assert!(prompt.asked().is_empty());
}

#[tokio::test]
async fn a_fake_ykman_is_run_with_device_and_name_and_a_slow_touch_is_announced_then_withdrawn() {
    let f = Fixture::new().await;
    let scripts = Scripts::new();
    let args = scripts.path("ykman-args");
    // A key waiting 1.5 s for its touch.
    let ykman = scripts.add(
        "ykman",
        &format!("echo \"$@\" > '{}'\nsleep 1.5\necho {GOOD}", args.display()),
    );
    let profile = f.profile(
        "",
        "rolebar_ykman = true\nrolebar_ykman_device = 12345678\nrolebar_ykman_name = aws:alice",
    );
    let prompt = ScriptedPrompt::new(&[]);
    let notice = RecordingNotice::default();
    let sourced = SourcedPrompt::new(&profile, &prompt)
        .with_notice(&notice)
        .with_options(SourceOptions {
            ykman_program: ykman.into(),
            ..options()
        });
    f.t.vault.session(&profile, &sourced).await.expect("session");
    assert_eq!(f.token_codes(), [GOOD]);
    assert_eq!(
        std::fs::read_to_string(&args).expect("ykman ran").trim(),
        "--device 12345678 oath accounts code --single aws:alice"
    );
    assert_eq!(
        notice.events(),
        ["show dev (ykman, device 12345678)", "withdraw"],
        "shown after 1 s, withdrawn when the code came"
    );
}

#[tokio::test]
async fn ykman_names_the_credential_after_the_mfa_serial_by_default() {
    let f = Fixture::new().await;
    let scripts = Scripts::new();
    let args = scripts.path("ykman-args");
    let ykman = scripts.add("ykman", &format!("echo \"$@\" > '{}'\necho {GOOD}", args.display()));
    let profile = f.profile("rolebar_ykman = true", "");
    let prompt = ScriptedPrompt::new(&[]);
    let sourced = SourcedPrompt::new(&profile, &prompt).with_options(SourceOptions {
        ykman_program: ykman.into(),
        ..options()
    });
    f.t.vault.session(&profile, &sourced).await.expect("session");
    assert_eq!(
        std::fs::read_to_string(&args).expect("ykman ran").trim(),
        format!("oath accounts code --single {SERIAL}")
    );
    assert_eq!(f.token_codes(), [GOOD]);
}

#[tokio::test]
async fn an_explicit_code_comes_first_is_used_once_and_a_rejection_goes_on_to_mfa_process() {
    let f = Fixture::new().await;
    let scripts = Scripts::new();
    let ran = scripts.path("ran");
    let otp = scripts.add("otp", &format!("touch '{}'\necho {GOOD}", ran.display()));
    let profile = f.profile("", &format!("mfa_process = {}", otp.display()));

    // Accepted: mfa_process never runs.
    let prompt = ScriptedPrompt::new(&[]);
    let explicit = MfaCode::parse(GOOD).expect("code");
    let sourced = SourcedPrompt::new(&profile, &prompt)
        .with_explicit(Some(explicit))
        .with_options(options());
    f.t.vault.session(&profile, &sourced).await.expect("session");
    assert_eq!(f.token_codes(), [GOOD]);
    assert!(!ran.exists(), "mfa_process ran although a code was given");

    // Rejected: the next ask is mfa_process's, not the same code again.
    f.t.vault.cache().clear_all().expect("clear");
    let wrong = MfaCode::parse("654321").expect("code");
    let sourced = SourcedPrompt::new(&profile, &prompt)
        .with_explicit(Some(wrong))
        .with_options(options());
    f.t.vault.session(&profile, &sourced).await.expect("session");
    assert_eq!(f.token_codes(), [GOOD, "654321", GOOD]);
    assert!(ran.exists());
    assert!(prompt.asked().is_empty());
}

#[tokio::test]
async fn a_totp_source_rejected_is_asked_again_in_the_next_window_then_the_prompt_takes_over() {
    let f = Fixture::new().await;
    let scripts = Scripts::new();
    // Always the same wrong code (a code used twice, or a wrong credential).
    let otp = scripts.add("otp", "echo 111111");
    let profile = f.profile("", &format!("mfa_process = {}", otp.display()));
    let prompt = ScriptedPrompt::new(&[GOOD]);
    let notice = RecordingNotice::default();
    // One second before a window turns: the wait is 2 s (the turn, and a second to spare).
    let clock = ManualClock::new(time::OffsetDateTime::from_unix_timestamp(1_800_000_029).expect("time"));
    let sourced = SourcedPrompt::new(&profile, &prompt)
        .with_notice(&notice)
        .with_options(SourceOptions {
            clock: Arc::new(clock),
            ..options()
        });
    let started = std::time::Instant::now();
    f.t.vault.session(&profile, &sourced).await.expect("session");
    assert!(started.elapsed() >= Duration::from_secs(2), "waited for the window");
    assert_eq!(f.token_codes(), ["111111", "111111", GOOD]);
    let asked = prompt.asked();
    assert_eq!(asked.len(), 1, "the prompt after the second rejection");
    assert_eq!(asked[0].reason, MfaReason::Rejected);
    let process = format!("mfa_process `{}` of profile dev", otp.display());
    assert_eq!(notice.events(), [format!("wait 2 s ({process})")]);
}

#[tokio::test]
async fn a_failing_process_is_an_error_naming_it_with_stderr_masked_or_the_prompt_with_a_note() {
    let f = Fixture::new().await;
    let scripts = Scripts::new();
    let otp = scripts.add(
        "otp",
        "echo 'gpg: decryption failed for 654321: No secret key' >&2\necho 'second line' >&2\nexit 3",
    );
    let profile = f.profile("", &format!("mfa_process = {}", otp.display()));
    let prompt = ScriptedPrompt::new(&[GOOD]);
    let sourced = SourcedPrompt::new(&profile, &prompt).with_options(options());
    let err = source_error(f.t.vault.session(&profile, &sourced).await.expect_err("fails"));
    assert_eq!(err.code(), "mfa_source_failed");
    let shown = err.to_string();
    assert!(
        shown.contains("profile `dev`")
            && shown.contains(&format!("mfa_process `{}`", otp.display()))
            && shown.contains("exit status 3")
            && shown.contains("gpg: decryption failed for ******: No secret key"),
        "{shown}"
    );
    assert!(!shown.contains("654321") && !shown.contains("second line"), "{shown}");
    assert!(f.token_codes().is_empty(), "nothing was sent");

    // The tray's way (and a CLI on a terminal): the note, then the prompt.
    let notice = RecordingNotice::default();
    let sourced = SourcedPrompt::new(&profile, &prompt)
        .with_notice(&notice)
        .with_options(SourceOptions {
            on_failure: OnSourceFailure::Prompt,
            ..options()
        });
    f.t.vault
        .session(&profile, &sourced)
        .await
        .expect("session from the prompt");
    assert_eq!(f.token_codes(), [GOOD]);
    assert_eq!(prompt.asked().len(), 1);
    assert_eq!(
        notice.events(),
        [format!(
            "failed mfa_source_failed (mfa_process `{}` of profile dev)",
            otp.display()
        )]
    );
}

#[tokio::test]
async fn garbage_output_is_no_code_and_is_never_repeated() {
    let f = Fixture::new().await;
    let scripts = Scripts::new();
    for (name, body) in [
        ("words", "echo 'enter your PIN'"),
        ("seven", "echo 1234567"),
        ("empty", "true"),
    ] {
        let otp = scripts.add(name, body);
        let profile = f.profile("", &format!("mfa_process = {}", otp.display()));
        let prompt = ScriptedPrompt::new(&[]);
        let sourced = SourcedPrompt::new(&profile, &prompt).with_options(options());
        let err = source_error(f.t.vault.session(&profile, &sourced).await.expect_err(name));
        assert_eq!(err.code(), "mfa_source_no_code", "{name}");
        let shown = err.to_string();
        assert!(shown.contains("printed no 6-digit MFA code"), "{shown}");
        for leaked in ["PIN", "1234567", "123456", "654321"] {
            assert!(!shown.contains(leaked), "{name}: {shown}");
        }
    }
    assert!(f.token_codes().is_empty());
}

#[tokio::test]
async fn a_missing_ykman_says_how_to_get_one() {
    let f = Fixture::new().await;
    let profile = f.profile("", "rolebar_ykman = true");
    let prompt = ScriptedPrompt::new(&[]);
    let sourced = SourcedPrompt::new(&profile, &prompt).with_options(SourceOptions {
        ykman_program: "/nonexistent/rolebar-test/ykman".into(),
        ..options()
    });
    let err = source_error(f.t.vault.session(&profile, &sourced).await.expect_err("no ykman"));
    assert_eq!(err.code(), "mfa_source_unavailable");
    assert!(err.to_string().contains("ROLEBAR_YKMAN"), "{err}");
}

/// Paused time: a source that never answers is stopped at exactly the bound (60 s), with the
/// notice shown at 1 s and withdrawn when it is stopped. No STS here: the prompt alone.
#[tokio::test(start_paused = true)]
async fn a_source_that_never_answers_is_stopped_after_60_s_with_the_notice_shown_at_1_s() {
    let scripts = Scripts::new();
    let otp = scripts.add("otp", "exec sleep 600");
    let profile = support::profiles(
        &format!(
            "[profile base]\nmfa_serial = {SERIAL}\nmfa_process = {}\n",
            otp.display()
        ),
        "",
    )
    .resolve_with("base", &Environment::default())
    .expect("resolves");
    let prompt = ScriptedPrompt::new(&[]);
    let notice = RecordingNotice::default();
    let sourced = SourcedPrompt::new(&profile, &prompt)
        .with_notice(&notice)
        .with_options(options());
    let started = tokio::time::Instant::now();
    let err = source_error(
        sourced
            .code(&MfaRequest {
                profile: "base".into(),
                ..request(MfaReason::NoSession)
            })
            .await
            .expect_err("times out"),
    );
    assert_eq!(err.code(), "mfa_source_timeout");
    assert!(err.to_string().contains("within 60 s"), "{err}");
    assert_eq!(started.elapsed(), Duration::from_secs(60));
    let shown_at = notice.shown_at.lock().expect("lock").clone();
    assert_eq!(shown_at.len(), 1);
    assert_eq!(shown_at[0] - started, Duration::from_secs(1));
    assert_eq!(notice.events().last().map(String::as_str), Some("withdraw"));
}

/// `base` with `command` as its mfa_process (no STS: these ask the source alone).
fn process_profile(command: &str) -> ResolvedProfile {
    support::profiles(
        &format!("[profile base]\nmfa_serial = {SERIAL}\nmfa_process = {command}\n"),
        "",
    )
    .resolve_with("base", &Environment::default())
    .expect("resolves")
}

/// Asks `profile`'s source once, as the vault would for a first code, bounded by `timeout`.
async fn ask(profile: &ResolvedProfile, timeout: Duration) -> Result<MfaCode, MfaSourceError> {
    let prompt = ScriptedPrompt::new(&[]);
    let sourced = SourcedPrompt::new(profile, &prompt).with_options(SourceOptions { timeout, ..options() });
    sourced
        .code(&MfaRequest {
            profile: "base".into(),
            ..request(MfaReason::NoSession)
        })
        .await
        .map_err(source_error)
}

/// Longer than any of these tests may take, shorter than the `sleep 300` the scripts leave
/// behind: a source that is still waited for at this bound fails the test as a timeout.
const GENEROUS: Duration = Duration::from_secs(20);

/// The pids a script wrote, one a line, once the file is there (scripts write it to a `.tmp`
/// and rename it, so it is whole when it appears); bounded.
async fn pids_from(path: &std::path::Path) -> Vec<i32> {
    let started = std::time::Instant::now();
    loop {
        if let Ok(text) = std::fs::read_to_string(path) {
            let pids: Vec<i32> = text.lines().map(|l| l.trim().parse().expect("a pid")).collect();
            assert!(!pids.is_empty(), "no pid in {}", path.display());
            return pids;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the script never wrote {}",
            path.display()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The process lives (a zombie does not: killed, only not yet reaped by its new parent).
fn alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // "pid (comm) S ...": the state follows the last ')'.
        Ok(stat) => !matches!(
            stat.rsplit_once(')')
                .and_then(|(_, rest)| rest.trim_start().chars().next()),
            Some('Z' | 'X')
        ),
        Err(_) if std::path::Path::new("/proc/self/stat").exists() => false,
        // No /proc (macOS): ps prints nothing for a process that is gone.
        Err(_) => {
            let out = std::process::Command::new("ps")
                .args(["-o", "stat=", "-p", &pid.to_string()])
                .output()
                .expect("ps");
            let stat = String::from_utf8_lossy(&out.stdout);
            !stat.trim().is_empty() && !stat.trim().starts_with('Z')
        }
    }
}

/// The processes a test's script started, killed when the test ends if the code under test
/// left them running: a failing test leaves nothing behind either.
struct Reap(Vec<i32>);

impl Drop for Reap {
    fn drop(&mut self) {
        for pid in self.0.iter().filter(|&&pid| alive(pid)) {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
        }
    }
}

/// Every pid in `pids` is gone within a few seconds (a SIGKILL takes effect at once; the bound
/// is for a loaded machine).
async fn assert_gone(pids: &[i32], what: &str) {
    let started = std::time::Instant::now();
    while pids.iter().any(|&pid| alive(pid)) {
        if started.elapsed() > Duration::from_secs(5) {
            let left: Vec<i32> = pids.iter().copied().filter(|&pid| alive(pid)).collect();
            panic!("{what}: still running: {left:?}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// aws-vault's bug too: a helper that leaves a background child holding stdout (real OTP
/// tools do) never closes the pipe. The first line is the answer, at once; the child is
/// stopped with the process group.
#[tokio::test]
async fn the_first_line_is_the_answer_and_a_child_left_holding_stdout_is_stopped() {
    let scripts = Scripts::new();
    let pids = scripts.path("pids");
    let otp = scripts.add(
        "otp",
        &format!(
            "sleep 300 & echo $! > '{0}.tmp'; mv '{0}.tmp' '{0}'\necho {GOOD}",
            pids.display()
        ),
    );
    let outcome = ask(&process_profile(&otp.display().to_string()), GENEROUS).await;
    let started = Reap(pids_from(&pids).await);
    let code = outcome.expect("the code, without waiting for the pipe to close");
    assert_eq!(code.expose(), GOOD);
    assert_gone(&started.0, "the helper's background child").await;
}

/// Without a line end the answer is what was printed when the process ended, even if a child
/// it left still holds stdout: it is stopped, so the pipe closes.
#[tokio::test]
async fn a_code_without_a_line_end_is_taken_when_the_process_ends_though_a_child_holds_stdout() {
    let scripts = Scripts::new();
    let pids = scripts.path("pids");
    let otp = scripts.add(
        "otp",
        &format!(
            "sleep 300 & echo $! > '{0}.tmp'; mv '{0}.tmp' '{0}'\nprintf {GOOD}",
            pids.display()
        ),
    );
    let outcome = ask(&process_profile(&otp.display().to_string()), GENEROUS).await;
    let started = Reap(pids_from(&pids).await);
    let code = outcome.expect("the code");
    assert_eq!(code.expose(), GOOD);
    assert_gone(&started.0, "the helper's background child").await;
}

#[tokio::test]
async fn the_first_line_with_text_decides_whatever_follows() {
    let scripts = Scripts::new();
    for (name, body, want) in [
        ("blank-first", "printf '\\n  123456 \\r\\nmore text\\n'", Ok(GOOD)),
        ("two-codes", "printf '123456\\n654321\\n'", Ok(GOOD)),
        (
            "pin-first",
            "printf 'enter your PIN\\n123456\\n'",
            Err("mfa_source_no_code"),
        ),
        // Once the code line came, the exit status is not waited for.
        ("code-then-fail", "echo 123456; exit 1", Ok(GOOD)),
        // A line that is no code: a failed status that follows at once says more.
        (
            "words-then-fail",
            "echo 'enter your PIN'; echo 'no key' >&2; exit 2",
            Err("mfa_source_failed"),
        ),
    ] {
        let otp = scripts.add(name, body);
        let got = ask(&process_profile(&otp.display().to_string()), GENEROUS).await;
        match (got, want) {
            (Ok(code), Ok(want)) => assert_eq!(code.expose(), want, "{name}"),
            (Err(e), Err(want)) => {
                assert_eq!(e.code(), want, "{name}: {e}");
                assert!(!e.to_string().contains(GOOD), "{name}: {e}");
            }
            (got, want) => panic!(
                "{name}: {:?} where {want:?} was expected",
                got.map(|c| c.expose().to_string())
            ),
        }
    }
}

/// 10 MB and no line end: the cap (4 KiB before the first line ends) fails it at once, without
/// reading the rest, and without showing any of it.
#[tokio::test]
async fn ten_megabytes_without_a_line_end_fail_at_once_with_the_cap_message() {
    let scripts = Scripts::new();
    let otp = scripts.add("otp", "head -c 10000000 /dev/zero | tr '\\0' 7");
    let err = ask(&process_profile(&otp.display().to_string()), GENEROUS)
        .await
        .expect_err("too much output");
    assert_eq!(err.code(), "mfa_source_no_code", "{err}");
    let shown = err.to_string();
    assert!(
        shown.contains("more than 4096 bytes") && shown.contains("without a line end"),
        "{shown}"
    );
    assert!(!shown.contains("777777"), "output shown: {shown}");
}

/// A chatty stderr is read as it comes (and dropped past its first bytes): it cannot fill the
/// pipe and block the process before it prints the code.
#[tokio::test]
async fn ten_megabytes_on_stderr_do_not_block_the_code() {
    let scripts = Scripts::new();
    let otp = scripts.add("otp", &format!("head -c 10000000 /dev/zero >&2\necho {GOOD}"));
    let code = ask(&process_profile(&otp.display().to_string()), GENEROUS)
        .await
        .expect("the code after the noise");
    assert_eq!(code.expose(), GOOD);
}

/// At the timeout the whole group is stopped, as the message says: the process and what it
/// started.
#[tokio::test]
async fn a_source_that_times_out_is_stopped_with_everything_it_started() {
    let scripts = Scripts::new();
    let pids = scripts.path("pids");
    let otp = scripts.add(
        "otp",
        &format!(
            "sleep 300 & echo $! > '{0}.tmp'; echo $$ >> '{0}.tmp'; mv '{0}.tmp' '{0}'\nexec sleep 300",
            pids.display()
        ),
    );
    let outcome = ask(&process_profile(&otp.display().to_string()), Duration::from_secs(2)).await;
    let started = Reap(pids_from(&pids).await);
    let err = outcome.expect_err("times out");
    assert_eq!(err.code(), "mfa_source_timeout", "{err}");
    assert!(err.to_string().contains("it was stopped"), "{err}");
    assert_eq!(started.0.len(), 2, "both sleeps started");
    assert_gone(&started.0, "the timed-out source").await;
}

/// A caller that gives up (its own timeout, a cancelled dialog) drops the ask: the group is
/// stopped then too.
#[tokio::test]
async fn dropping_the_ask_stops_the_source_and_everything_it_started() {
    let scripts = Scripts::new();
    let pids = scripts.path("pids");
    let otp = scripts.add(
        "otp",
        &format!(
            "sleep 300 & echo $! > '{0}.tmp'; echo $$ >> '{0}.tmp'; mv '{0}.tmp' '{0}'\nexec sleep 300",
            pids.display()
        ),
    );
    let profile = process_profile(&otp.display().to_string());
    let started = {
        let asking = ask(&profile, GENEROUS);
        tokio::pin!(asking);
        tokio::select! {
            outcome = &mut asking => panic!("the source answered: {:?}", outcome.map(|c| c.expose().to_string())),
            pids = pids_from(&pids) => Reap(pids),
        }
        // `asking` is dropped here, with the source still running.
    };
    assert_eq!(started.0.len(), 2, "both sleeps started");
    assert_gone(&started.0, "the dropped source").await;
}

/// In its own process group, a source that asks on the terminal (a password prompt reading
/// /dev/tty) is stopped by the terminal, with its whole group. That fails at once, saying so,
/// rather than at the timeout. The script stops its group as a terminal would (`kill -STOP 0`).
#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_source_stopped_by_the_terminal_fails_at_once_saying_so() {
    let scripts = Scripts::new();
    let pids = scripts.path("pids");
    let otp = scripts.add(
        "otp",
        &format!(
            "echo 'Enter the password:' >&2\necho $$ > '{0}.tmp'; mv '{0}.tmp' '{0}'\nkill -STOP 0\necho {GOOD}",
            pids.display()
        ),
    );
    let outcome = ask(&process_profile(&otp.display().to_string()), GENEROUS).await;
    let started = Reap(pids_from(&pids).await);
    let err = outcome.expect_err("stopped");
    assert_eq!(err.code(), "mfa_source_failed", "{err}");
    let shown = err.to_string();
    assert!(
        shown.contains("input on the terminal") && shown.contains("Enter the password:"),
        "{shown}"
    );
    assert_gone(&started.0, "the stopped source").await;
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("lock")).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

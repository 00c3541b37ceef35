//! `rolebar exec`/`export` with MFA code sources, as a user runs them: `--mfa-token` first, then
//! the profile's `mfa_process`, then ykman (`ROLEBAR_YKMAN`), with the "touch your YubiKey" line
//! on stderr; a failing source with no terminal to fall back to is an error, and stdin is never
//! read as a code then. Against the STS double (which records each TokenCode) with keys in the
//! credentials file and the memory store; the last test runs the real world (moto, keyring,
//! the AWS CLI).
#![cfg(unix)]

#[path = "../../core/tests/support/sts_double.rs"]
#[allow(dead_code)]
mod sts_double;
mod support;

use rolebar_core::clock::SystemClock;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use sts_double::StsDouble;
use support::{text, World};

const SERIAL: &str = "arn:aws:iam::111111111111:mfa/oppara";
/// The code the double accepts.
const GOOD: &str = "123456";

struct Local {
    dir: tempfile::TempDir,
    double: StsDouble,
}

impl Local {
    async fn new(dev_extra: &str) -> Self {
        let double = StsDouble::start(Arc::new(SystemClock)).await;
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("config"),
            format!(
                "[default]\nregion = us-east-1\n\n[profile oppara-dev]\nsource_profile = default\n\
                 mfa_serial = {SERIAL}\nrole_arn = arn:aws:iam::222222222222:role/developer\n{dev_extra}\n"
            ),
        )
        .expect("config");
        std::fs::write(
            dir.path().join("credentials"),
            "[default]\naws_access_key_id = AKIAFAKEDEFAULT00001\naws_secret_access_key = long-term-secret\n",
        )
        .expect("credentials");
        Local { dir, double }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn script(&self, name: &str, body: &str) -> PathBuf {
        write_script(&self.path(name), body)
    }

    /// Runs rolebar with `stdin` piped in (not a terminal), on a blocking thread so the double
    /// keeps answering.
    async fn rolebar(&self, args: &[&str], stdin: &str, extra_env: &[(&str, String)]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rolebar"));
        cmd.args(args)
            .env("HOME", self.dir.path())
            .env("XDG_CONFIG_HOME", self.path("xdg-config"))
            .env("AWS_CONFIG_FILE", self.path("config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", self.path("credentials"))
            .env("ROLEBAR_STATE_DIR", self.path("state"))
            .env("ROLEBAR_AGENT_SOCKET", self.path("run/agent.sock"))
            .env("ROLEBAR_KEYRING", "memory")
            .env("AWS_ENDPOINT_URL_STS", &self.double.url)
            .env_remove("ROLEBAR_PROFILE")
            .env_remove("ROLEBAR_YKMAN")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let stdin = stdin.to_string();
        tokio::task::spawn_blocking(move || {
            let mut child = cmd.spawn().expect("rolebar runs");
            let _ = child.stdin.take().expect("stdin").write_all(stdin.as_bytes());
            child.wait_with_output().expect("rolebar ends")
        })
        .await
        .expect("joined")
    }

    fn token_codes(&self) -> Vec<String> {
        self.double
            .seen()
            .iter()
            .filter_map(|r| r.get("TokenCode").map(str::to_string))
            .collect()
    }
}

fn write_script(path: &Path, body: &str) -> PathBuf {
    let mut file = std::fs::File::create(path).expect("create script");
    writeln!(file, "#!/bin/sh\n{body}").expect("write script");
    drop(file);
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path.to_path_buf()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mfa_token_comes_before_mfa_process_which_comes_before_the_prompt() {
    let marker_dir = tempfile::tempdir().expect("tempdir");
    let ran = marker_dir.path().join("ran");
    let otp = write_script(
        &marker_dir.path().join("otp"),
        &format!("touch '{}'\necho {GOOD}", ran.display()),
    );
    let w = Local::new(&format!("mfa_process = {}", otp.display())).await;

    // --mfa-token: used, mfa_process not run, stdin (a wrong code) never read.
    let out = w
        .rolebar(
            &[
                "exec",
                "--mfa-token",
                GOOD,
                "oppara-dev",
                "--",
                "sh",
                "-c",
                "echo $AWS_SESSION_TOKEN",
            ],
            "999999\n",
            &[],
        )
        .await;
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(text(&out.stdout).starts_with("double-token-"), "{stderr}");
    assert_eq!(w.token_codes(), [GOOD]);
    assert!(!ran.exists(), "mfa_process ran although --mfa-token was given");
    assert!(!stderr.contains(GOOD), "a code on stderr: {stderr}");

    // export: no --mfa-token (and a fresh state): mfa_process gives it, nothing typed.
    let out = w
        .rolebar(
            &["export", "oppara-dev", "--format", "env"],
            "",
            &[("ROLEBAR_STATE_DIR", w.path("state2").display().to_string())],
        )
        .await;
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(text(&out.stdout).contains("AWS_SESSION_TOKEN="), "{stderr}");
    assert!(ran.exists(), "mfa_process did not run");
    assert_eq!(w.token_codes(), [GOOD, GOOD]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_mfa_token_is_refused_before_anything_runs() {
    let w = Local::new("").await;
    let out = w
        .rolebar(&["exec", "--mfa-token", "12345", "oppara-dev", "--", "true"], "", &[])
        .await;
    assert_eq!(out.status.code(), Some(2), "clap's usage error");
    assert!(text(&out.stderr).contains("6 digits"), "{}", text(&out.stderr));
    assert!(w.double.seen().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_source_without_a_terminal_fails_naming_it_and_reads_no_code_from_stdin() {
    let w = Local::new("").await;
    let otp = w.script(
        "otp",
        "echo 'pass: aws/oppara is not in the password store' >&2\nexit 1",
    );
    std::fs::write(
        w.path("config"),
        std::fs::read_to_string(w.path("config")).expect("config") + &format!("mfa_process = {}\n", otp.display()),
    )
    .expect("config");
    let out = w
        .rolebar(&["exec", "oppara-dev", "--", "true"], &format!("{GOOD}\n"), &[])
        .await;
    let stderr = text(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "mfa_process `{}` of profile oppara-dev failed (exit status 1)",
            otp.display()
        )) && stderr.contains("is not in the password store"),
        "{stderr}"
    );
    assert!(w.double.seen().is_empty(), "nothing reached STS");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_ykman_prints_touch_your_yubikey_and_its_code_reaches_sts() {
    let w = Local::new("rolebar_ykman_device = 12345678").await;
    let ykman = w.script("ykman", &format!("sleep 1.5\necho {GOOD}"));
    let out = w
        .rolebar(
            &["exec", "oppara-dev", "--", "true"],
            "",
            &[("ROLEBAR_YKMAN", ykman.display().to_string())],
        )
        .await;
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("rolebar: touch your YubiKey for oppara-dev (ykman, device 12345678)…"),
        "{stderr}"
    );
    assert_eq!(w.token_codes(), [GOOD]);
}

/// The whole world: keys in the keyring, moto as STS, the AWS CLI run by `exec` with the
/// session mfa_process made; `--mfa-token` is what is used when both are there.
#[test]
#[ignore = "needs moto and a keyring: run bash scripts/test.sh"]
fn with_moto_and_the_keyring_mfa_token_and_mfa_process_serve_the_aws_cli() {
    let w = World::new("mfa-sources");
    w.add_keys();
    let ran = w.path("ran");
    let otp = write_script(&w.path("otp"), &format!("touch '{}'\necho {GOOD}", ran.display()));
    let config = std::fs::read_to_string(w.path("config")).expect("config");
    std::fs::write(w.path("config"), format!("{config}mfa_process = {}\n", otp.display())).expect("config");

    let mut args = vec!["exec", "--mfa-token", "654321"];
    args.extend(w.exec_identity("oppara-dev").into_iter().skip(1));
    let out = w.rolebar(&args, "", &[]);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(text(&out.stdout).contains("assumed-role"), "{}", text(&out.stdout));
    assert!(!ran.exists(), "mfa_process ran although --mfa-token was given");

    let cleared = w.rolebar(&["clear"], "", &[]);
    assert!(cleared.status.success());
    let out = w.rolebar(&w.exec_identity("oppara-dev"), "", &[]);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(ran.exists(), "mfa_process gave the code");
    assert!(!stderr.contains(GOOD), "{stderr}");
}

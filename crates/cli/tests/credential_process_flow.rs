//! A profile whose credentials come from its `credential_process` (issue 21 item 2), through the
//! real binary with no services: listed as served, printed by `credential-process` and `export`
//! with the helper's stderr on the terminal, and a Rolebar run by a credential_process runs none.

mod isolated;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A HOME with the AWS files and Rolebar's state; no keyring and no network are reached.
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        Home {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A helper printing keys without Expiration, saying something on stderr, counting its runs.
    fn helper(&self) -> PathBuf {
        let path = self.path("helper");
        std::fs::write(
            &path,
            format!(
                "#!/bin/sh\necho run >> '{}'\necho 'helper: touch your key' >&2\n\
                 echo '{{\"Version\": 1, \"AccessKeyId\": \"ASIAHELPERKEY0000001\", \"SecretAccessKey\": \"helper-secret\", \"SessionToken\": \"helper-token\"}}'\n",
                self.path("runs").display()
            ),
        )
        .expect("helper");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        path
    }

    fn config(&self, config: &str) {
        std::fs::write(self.path("config"), config).expect("config");
    }

    fn rolebar(&self, args: &[&str]) -> Output {
        isolated::rolebar(self.dir.path())
            .args(args)
            .env("ROLEBAR_KEYRING_SERVICE", "rolebar-test-credential-process")
            .output()
            .expect("rolebar runs")
    }

    fn runs(&self) -> usize {
        std::fs::read_to_string(self.path("runs"))
            .map(|s| s.lines().count())
            .unwrap_or(0)
    }
}

fn quoted(path: &Path) -> String {
    format!("'{}'", path.display())
}

#[test]
fn list_shows_a_credential_process_profile_as_served_by_it() {
    let home = Home::new();
    let helper = home.helper();
    home.config(&format!(
        "[profile proc]\ncredential_process = {}\n\n[profile proc-role]\nsource_profile = proc\n\
         role_arn = arn:aws:iam::222222222222:role/x\n",
        quoted(&helper)
    ));
    let out = home.rolebar(&["list"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let row = stdout
        .lines()
        .find(|l| l.starts_with("proc "))
        .unwrap_or_else(|| panic!("a row for proc: {stdout}"));
    assert!(row.contains("proc (credential_process)"), "{row}");
    assert!(!stdout.contains("not served"), "{stdout}");
    assert_eq!(home.runs(), 0, "listing runs nothing");
}

#[test]
fn credential_process_and_export_print_what_the_helper_gave_with_its_stderr_on_the_terminal() {
    let home = Home::new();
    let helper = home.helper();
    home.config(&format!("[profile proc]\ncredential_process = {}\n", quoted(&helper)));

    let out = home.rolebar(&["credential-process", "proc"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(json["Version"], 1);
    assert_eq!(json["AccessKeyId"], "ASIAHELPERKEY0000001");
    assert_eq!(json["SessionToken"], "helper-token");
    assert!(json["Expiration"].is_string(), "{json}");
    assert!(
        text(&out.stderr).contains("helper: touch your key"),
        "the helper's stderr is the terminal's: {}",
        text(&out.stderr)
    );

    let out = home.rolebar(&["export", "proc"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("ASIAHELPERKEY0000001"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(home.runs(), 2);
}

#[test]
fn a_rolebar_run_by_a_credential_process_runs_no_credential_process_of_its_own() {
    let home = Home::new();
    let helper = home.helper();
    // `outer` asks another Rolebar for `inner`, whose credentials would come from a helper:
    // the inner Rolebar refuses (a chain of credential_process lines could go round for good).
    home.config(&format!(
        "[profile outer]\ncredential_process = '{}' credential-process inner\n\n\
         [profile inner]\ncredential_process = {}\n",
        env!("CARGO_BIN_EXE_rolebar"),
        quoted(&helper)
    ));
    let out = home.rolebar(&["credential-process", "outer"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("ROLEBAR_CREDENTIAL_PROCESS_DEPTH is set"),
        "the inner refusal: {stderr}"
    );
    assert!(
        stderr.contains("profile `outer`") && stderr.contains("failed (exit status"),
        "{stderr}"
    );
    assert_eq!(home.runs(), 0, "the helper never ran");

    // The line asking Rolebar for its own profile: refused before anything runs.
    home.config("[profile me]\ncredential_process = rolebar credential-process me\n");
    let out = home.rolebar(&["credential-process", "me"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("asks Rolebar for `me` itself"),
        "{}",
        text(&out.stderr)
    );
}

//! The activity log through the real binary (issue 23 item 1): `credential-process`, `export`
//! and `exec` each note one hand-out, `rolebar activity` shows them, and the log holds no secret
//! the helper handed out. A profile with its own `credential_process` needs no keyring or network.

mod isolated;

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Output;

const KEY_ID: &str = "ASIAACTIVITYKEY00001";
const SECRET: &str = "activity-secret-x9Qz";
const TOKEN: &str = "activity-token-7Hn2";

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        let home = Home {
            dir: tempfile::tempdir().expect("tempdir"),
        };
        let helper = home.path("helper");
        std::fs::write(
            &helper,
            format!(
                "#!/bin/sh\necho '{{\"Version\": 1, \"AccessKeyId\": \"{KEY_ID}\", \"SecretAccessKey\": \"{SECRET}\", \"SessionToken\": \"{TOKEN}\"}}'\n"
            ),
        )
        .expect("helper");
        std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        std::fs::write(
            home.path("config"),
            format!(
                "[profile proc]\ncredential_process = '{}'\n\n[profile other]\ncredential_process = '{}'\n",
                helper.display(),
                helper.display()
            ),
        )
        .expect("config");
        home
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn rolebar(&self, args: &[&str]) -> Output {
        isolated::rolebar(self.dir.path())
            .args(args)
            .env("ROLEBAR_KEYRING_SERVICE", "rolebar-test-activity")
            .output()
            .expect("rolebar runs")
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.rolebar(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", text(&out.stderr));
        text(&out.stdout)
    }

    fn entries(&self, args: &[&str]) -> Vec<serde_json::Value> {
        let mut all = vec!["activity", "--json"];
        all.extend_from_slice(args);
        self.ok(&all)
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect()
    }
}

#[test]
fn credential_process_twice_is_two_entries_and_the_log_holds_no_secret() {
    let home = Home::new();
    for _ in 0..2 {
        let printed = home.ok(&["credential-process", "proc"]);
        assert!(printed.contains(SECRET), "the hand-out itself has the secret");
    }
    let entries = home.entries(&[]);
    assert_eq!(entries.len(), 2, "{entries:?}");
    for e in &entries {
        assert_eq!(e["way"], "credential_process");
        assert_eq!(e["profile"], "proc");
        assert_eq!(
            e["outcome"], "new_session",
            "a credential_process profile is never cached"
        );
        assert!(e["time"].as_str().is_some_and(|t| t.ends_with('Z')), "{e}");
        assert!(e["pid"].is_u64(), "{e}");
        let program = e["program"].as_str().expect("a program");
        assert!(program.contains("credential-process proc"), "{program}");
    }

    home.ok(&["export", "proc", "--format", "env"]);
    home.ok(&["exec", "proc", "--", "true"]);
    home.ok(&["exec", "other", "--mfa-token", "123456", "--", "true"]);
    let ways: Vec<String> = home
        .entries(&[])
        .iter()
        .map(|e| e["way"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        ways,
        ["credential_process", "credential_process", "export", "exec", "exec"]
    );

    let log = std::fs::read_to_string(home.path("state/activity.jsonl")).expect("the log");
    for secret in [SECRET, TOKEN, KEY_ID, "123456"] {
        assert!(!log.contains(secret), "{secret} in the log: {log}");
    }
    let mode = std::fs::metadata(home.path("state/activity.jsonl"))
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn a_failed_hand_out_is_noted_with_its_code_and_filters_apply() {
    let home = Home::new();
    let out = home.rolebar(&["credential-process", "nosuch"]);
    assert_ne!(out.status.code(), Some(0));
    home.ok(&["credential-process", "proc"]);
    let failed = home.entries(&["--profile", "nosuch"]);
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0]["outcome"], "failed");
    assert_eq!(failed[0]["error_code"], "profile_not_found");
    assert_eq!(home.entries(&["--since", "1h"]).len(), 2);
    let table = home.ok(&["activity", "--profile", "proc"]);
    let rows: Vec<&str> = table.lines().collect();
    assert_eq!(rows.len(), 2, "{table}");
    assert!(rows[0].starts_with("TIME"), "{table}");
    assert!(
        rows[1].contains("Z  proc") && rows[1].contains("credential_process"),
        "{table}"
    );
}

#[test]
fn a_log_that_cannot_be_written_does_not_fail_the_hand_out() {
    let home = Home::new();
    // A folder where the log would be: refused, said once, and the credentials still go out.
    std::fs::create_dir_all(home.path("state/activity.jsonl")).expect("mkdir");
    let out = home.rolebar(&["credential-process", "proc"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains(SECRET));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.matches("not noted in the activity log").count(), 1, "{stderr}");
}

//! Approvals without the tray (issue 23 part 2, "headless honesty"), through the real binary:
//! a profile that asks before serving a program fails with `approval_required` and serves
//! nothing when no tray can ask, except for a program remembered with "Always" under
//! `new-programs`; `write` never writes such a profile's session to a file.

mod isolated;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    /// A profile `proc` whose keys come from a helper that counts its runs (no keyring, no STS).
    fn new(approve: Option<&str>) -> Home {
        let home = Home {
            dir: tempfile::tempdir().expect("tempdir"),
        };
        let helper = home.path("helper");
        std::fs::write(
            &helper,
            format!(
                "#!/bin/sh\necho run >> '{}'\n\
                 echo '{{\"Version\": 1, \"AccessKeyId\": \"ASIAHELPERKEY0000001\", \"SecretAccessKey\": \"helper-secret\", \"SessionToken\": \"helper-token\"}}'\n",
                home.path("runs").display()
            ),
        )
        .expect("helper");
        std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let approve = approve.map(|a| format!("rolebar_approve = {a}\n")).unwrap_or_default();
        std::fs::write(
            home.path("config"),
            format!("[profile proc]\ncredential_process = '{}'\n{approve}", helper.display()),
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
            .env("ROLEBAR_KEYRING_SERVICE", "rolebar-test-approvals")
            .output()
            .expect("rolebar runs")
    }

    fn runs(&self) -> usize {
        std::fs::read_to_string(self.path("runs"))
            .map(|s| s.lines().count())
            .unwrap_or(0)
    }

    /// approvals.json (beside the session index) remembering `exe` for `proc`.
    fn remember(&self, exe: &Path) {
        let state = self.path("state");
        std::fs::create_dir_all(&state).expect("state");
        let json = serde_json::json!({
            "version": 1,
            "profiles": {"proc": {"programs": [{"exe": exe, "since": "2026-12-05T10:00:00Z"}]}}
        });
        std::fs::write(state.join("approvals.json"), json.to_string()).expect("approvals");
    }
}

fn refused(out: &Output) -> String {
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(out.stdout.is_empty(), "nothing served: {}", text(&out.stdout));
    stderr
}

#[test]
fn without_the_tray_a_profile_that_asks_first_serves_nothing_and_says_why() {
    let home = Home::new(Some("every-time"));
    for command in [
        &["credential-process", "proc"][..],
        &["export", "proc"],
        &["exec", "proc", "--", "true"],
    ] {
        let stderr = refused(&home.rolebar(command));
        assert!(
            stderr.contains("profile `proc` asks before a program gets its credentials"),
            "{stderr}"
        );
        assert!(stderr.contains("rolebar_approve = every-time"), "{stderr}");
        assert!(stderr.contains("Start Rolebar (the tray app)"), "{stderr}");
        assert!(stderr.contains("rolebar_approve = never"), "{stderr}");
    }
    let out = home.rolebar(&["write", "proc", "--to", "proc-written"]);
    let stderr = refused(&out);
    assert!(stderr.contains("writing its session to a file"), "{stderr}");
    assert_eq!(home.runs(), 0, "no credentials were even made");

    // The same profile without the setting is served as before.
    let home = Home::new(None);
    let out = home.rolebar(&["credential-process", "proc"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn a_program_remembered_with_always_is_served_without_the_tray_under_new_programs_only() {
    // The program asking is this test binary (rolebar's parent).
    let me = std::fs::canonicalize(std::env::current_exe().expect("exe")).expect("canonical");
    let home = Home::new(Some("new-programs"));
    let stderr = refused(&home.rolebar(&["credential-process", "proc"]));
    assert!(stderr.contains("new-programs"), "{stderr}");
    home.remember(&me);
    let out = home.rolebar(&["credential-process", "proc"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("ASIAHELPERKEY0000001"));

    // every-time asks on each request: remembering does not count there.
    let home = Home::new(Some("every-time"));
    home.remember(&me);
    refused(&home.rolebar(&["credential-process", "proc"]));
}

#[test]
fn a_bad_value_names_the_file_and_line() {
    let home = Home::new(Some("sometimes"));
    let stderr = refused(&home.rolebar(&["credential-process", "proc"]));
    assert!(
        stderr.contains("rolebar_approve `sometimes`") && stderr.contains("config line 3"),
        "{stderr}"
    );
}

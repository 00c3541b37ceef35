//! `rolebar import aws-vault` end to end: aws-vault's file backend (fixtures made by
//! crates/core/tests/fixtures/aws-vault-file/make.py), its passphrase from
//! AWS_VAULT_FILE_PASSPHRASE, the report masked, sessions and tokens left behind.

use std::path::Path;
use std::process::{Command, Output};

fn fixture_keys(into: &Path) -> std::path::PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/fixtures/aws-vault-file");
    let renamed: std::collections::HashMap<String, String> =
        serde_json::from_str(&std::fs::read_to_string(src.join("renamed.json")).expect("renamed.json")).expect("json");
    let dir = into.join("awsvault-keys");
    std::fs::create_dir_all(&dir).expect("mkdir");
    for entry in std::fs::read_dir(src.join("keys")).expect("fixtures") {
        let entry = entry.expect("entry");
        let name = entry.file_name().to_string_lossy().into_owned();
        let name = renamed.get(&name).cloned().unwrap_or(name);
        std::fs::copy(entry.path(), dir.join(name)).expect("copy");
    }
    dir
}

fn rolebar(home: &Path, args: &[&str], passphrase: &str) -> Output {
    let path = |p: &str| home.join(p);
    Command::new(env!("CARGO_BIN_EXE_rolebar"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("AWS_CONFIG_FILE", path("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", path("credentials"))
        .env("ROLEBAR_STATE_DIR", path("state"))
        .env("XDG_CONFIG_HOME", path("xdg-config"))
        .env("ROLEBAR_AGENT_SOCKET", path("run/agent.sock"))
        .env("ROLEBAR_KEYRING", "memory")
        .env("ROLEBAR_NO_AGENT", "1")
        .env("AWS_VAULT_BACKEND", "file")
        .env("AWS_VAULT_FILE_DIR", path("awsvault-keys"))
        .env("AWS_VAULT_FILE_PASSPHRASE", passphrase)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run rolebar")
}

#[test]
fn import_aws_vault_reports_masked_keys_and_skips_sessions() {
    let home = tempfile::tempdir().expect("home");
    let dir = fixture_keys(home.path());
    let before: Vec<_> = std::fs::read_dir(&dir).expect("dir").count().to_string().into_bytes();
    let out = rolebar(home.path(), &["import", "aws-vault"], "correct horse battery staple");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let row = |name: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no row for {name}: {stdout}"))
            .to_string()
    };
    assert!(
        row("dev").contains("****0001") && row("dev").contains("imported"),
        "{stdout}"
    );
    assert!(row("team/ops").contains("****0002"), "{stdout}");
    assert!(row("sts.GetSessionToken,ZGV2,,1893456000").contains("skipped: aws-vault's cached session"));
    assert!(row("oidc:https://example.awsapps.com/start").contains("skipped: aws-vault's SSO token"));
    for secret in ["fileDevSecret", "AKIAFILEDEV", "sessionSecret", "oidcAccess"] {
        assert!(
            !stdout.contains(secret) && !stderr.contains(secret),
            "{secret} shown:\n{stdout}\n{stderr}"
        );
    }
    assert!(stderr.contains("Imported 2 key(s)"), "{stderr}");
    assert_eq!(
        std::fs::read_dir(&dir).expect("dir").count().to_string().into_bytes(),
        before
    );

    // The index records them: `rolebar list` shows the keys (masked).
    let list = rolebar(home.path(), &["list"], "");
    let listed = String::from_utf8_lossy(&list.stdout);
    assert!(listed.contains("****0001") && listed.contains("****0002"), "{listed}");

    let wrong = rolebar(home.path(), &["import", "aws-vault", "dev"], "wrong");
    assert!(!wrong.status.success());
    assert!(
        String::from_utf8_lossy(&wrong.stderr).contains("passphrase does not open"),
        "{}",
        String::from_utf8_lossy(&wrong.stderr)
    );
}

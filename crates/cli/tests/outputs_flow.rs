//! Credentials out, proven with the real AWS CLI against moto: `write` into a chosen profile of
//! the credentials file (every other byte kept), `export` lines eval'd by bash, and
//! `credential-process` configured as the AWS CLI's credential_process.

mod support;

use support::{text, World};

const SEED_CREDENTIALS: &str = include_str!("../../core/tests/fixtures/aws/seed-credentials");

#[test]
#[ignore = "needs moto and a keyring: run bash scripts/test.sh"]
fn write_then_the_aws_cli_uses_the_profile_and_logout_restores_the_file() {
    let w = World::new("write");
    w.add_keys();
    std::fs::write(w.path("credentials"), SEED_CREDENTIALS).expect("seed credentials");

    let out = w.rolebar(&["write", "oppara-dev", "--to", "oppara-dev-creds"], "123456\n", &[]);
    assert!(out.status.success(), "write: {}", text(&out.stderr));
    let written = std::fs::read_to_string(w.path("credentials")).expect("read");
    assert!(
        written.starts_with(SEED_CREDENTIALS),
        "the fixture's sections are untouched, byte for byte:\n{written}"
    );
    assert!(written.contains("manager = rolebar"), "{written}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(w.path("credentials"))
            .expect("meta")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode & 0o077, 0, "no group/other access: {mode:o}");
    }
    let arn = w
        .caller_arn(&["--profile", "oppara-dev-creds"], &[])
        .expect("aws reads the written profile");
    assert!(arn.contains(":assumed-role/developer/"), "{arn}");

    // Writing over the role profile itself would be ignored by the AWS CLI: refused, with advice.
    let out = w.rolebar(&["write", "oppara-dev", "--to", "oppara-dev"], "", &[]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("oppara-dev-creds"), "{}", text(&out.stderr));

    // Long-term keys the user wrote are not overwritten unless forced.
    let mut with_keys = std::fs::read_to_string(w.path("credentials")).expect("read");
    with_keys.push_str("\n[mine]\naws_access_key_id = AKIA_FAKE_USERS_OWN1\naws_secret_access_key = keep/me\n");
    std::fs::write(w.path("credentials"), &with_keys).expect("write");
    let out = w.rolebar(&["write", "oppara-dev", "--to", "mine"], "", &[]);
    assert!(!out.status.success(), "refused");
    assert_eq!(
        std::fs::read_to_string(w.path("credentials")).expect("read"),
        with_keys,
        "nothing changed"
    );

    // logout removes only Rolebar's section.
    let out = w.rolebar(&["logout", "oppara-dev-creds"], "", &[]);
    assert!(out.status.success(), "logout: {}", text(&out.stderr));
    let after = std::fs::read_to_string(w.path("credentials")).expect("read");
    assert!(
        !after.contains("oppara-dev-creds") && after.contains("[mine]") && after.starts_with(SEED_CREDENTIALS),
        "{after}"
    );
    let out = w.rolebar(&["logout", "mine"], "", &[]);
    assert!(!out.status.success(), "a section Rolebar does not own is never removed");
}

#[test]
#[ignore = "needs moto and a keyring: run bash scripts/test.sh"]
fn export_lines_make_the_aws_cli_work_in_bash() {
    let w = World::new("export");
    w.add_keys();
    let rolebar = env!("CARGO_BIN_EXE_rolebar");
    let script = format!(
        "set -e; eval \"$('{rolebar}' export oppara-dev --format env)\"; \
         test -n \"$AWS_CREDENTIAL_EXPIRATION\"; test \"$AWS_REGION\" = us-east-1; \
         '{aws}' sts get-caller-identity --endpoint-url '{moto}' --output json",
        aws = w.aws,
        moto = w.moto
    );
    let out = w.run("bash", &["-c", &script], "123456\n", &[]);
    assert!(out.status.success(), "bash: {}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains(":assumed-role/developer/"),
        "{}",
        text(&out.stdout)
    );

    // The default format follows $SHELL.
    let out = w.rolebar(&["export", "oppara-dev"], "", &[("SHELL", "/usr/bin/fish")]);
    assert!(
        text(&out.stdout).starts_with("set -gx AWS_ACCESS_KEY_ID "),
        "{}",
        text(&out.stdout)
    );
    let out = w.rolebar(&["export", "oppara-dev", "--format", "nonsense"], "", &[]);
    assert!(!out.status.success());
}

#[test]
#[ignore = "needs moto and a keyring: run bash scripts/test.sh"]
fn the_aws_cli_runs_rolebar_as_its_credential_process() {
    let w = World::new("credproc");
    w.add_keys();
    let mut config = std::fs::read_to_string(w.path("config")).expect("config");
    config.push_str(&format!(
        "\n[profile oppara-dev-cp]\ncredential_process = {} credential-process oppara-dev\n",
        env!("CARGO_BIN_EXE_rolebar")
    ));
    std::fs::write(w.path("config"), config).expect("config");

    // No session yet: it must not wait for a code the user cannot see; it says what to do.
    let out = w.rolebar(&["credential-process", "oppara-dev"], "123456\n", &[]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("rolebar exec oppara-dev"),
        "{}",
        text(&out.stderr)
    );
    assert!(out.stdout.is_empty());

    // With a session (asked once through exec), the AWS CLI gets credentials from it.
    let out = w.rolebar(&["exec", "oppara-dev", "--", "true"], "123456\n", &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = w.rolebar(&["credential-process", "oppara-dev"], "", &[]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(json["Version"], 1);
    assert!(json["Expiration"].as_str().is_some_and(|e| e.ends_with('Z')));
    let arn = w
        .caller_arn(&["--profile", "oppara-dev-cp"], &[])
        .expect("the AWS CLI uses credential_process");
    assert!(arn.contains(":assumed-role/developer/"), "{arn}");
}

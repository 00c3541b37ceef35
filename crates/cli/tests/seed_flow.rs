//! The seed's aws-vault session, typed as a user would, through the `rolebar` binary: real
//! gnome-keyring, moto as STS (auth enforced), and the Debian AWS CLI as the client.

mod support;

use support::{text, World};

/// `rolebar list`'s oppara-dev row shows its role session with one of these times left.
fn assert_session_left(listing: &str, any_of: &[&str]) {
    let line = listing
        .lines()
        .find(|l| l.starts_with("oppara-dev"))
        .expect("oppara-dev row");
    assert!(
        any_of
            .iter()
            .any(|left| line.contains(&format!("sts.AssumeRole:{left}"))),
        "expected one of {any_of:?} left:\n{listing}"
    );
}

#[test]
#[ignore = "needs moto and a keyring: run bash scripts/test.sh"]
fn add_exec_exec_list_as_a_user_types_it() {
    let w = World::new("seed");
    let (id, secret) = w.user();
    let (id, secret) = (id.as_str(), secret.as_str());

    let out = w.rolebar(&["add", "default"], &format!("{id}\n{secret}\n"), &[]);
    assert!(out.status.success(), "add: {}", text(&out.stderr));
    assert!(!text(&out.stderr).contains(secret), "the secret is never echoed");

    // First exec: asks the MFA code once, and the real AWS CLI works with the session.
    let identity = w.exec_identity("oppara-dev");
    let out = w.rolebar(
        &identity,
        "123456\n",
        &[("AWS_PROFILE", "stale"), ("AWS_ACCESS_KEY_ID", "AKIASTALE")],
    );
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "exec: {stderr}\n{}", text(&out.stdout));
    assert_eq!(stderr.matches("Enter MFA code").count(), 1, "{stderr}");
    let who: serde_json::Value = serde_json::from_slice(&out.stdout).expect("aws prints JSON");
    assert!(
        who["Arn"].as_str().expect("Arn").contains(":assumed-role/developer/"),
        "{who}"
    );

    // Second exec within the session: asks nothing (stdin closed: a prompt would fail).
    let out = w.rolebar(&identity, "", &[]);
    assert!(out.status.success(), "second exec: {}", text(&out.stderr));
    assert!(!text(&out.stderr).contains("Enter MFA code"));

    // list shows the stored key and the session with its time left.
    let out = w.rolebar(&["list"], "", &[]);
    let listing = text(&out.stdout);
    assert!(out.status.success());
    assert_session_left(&listing, &["59m", "1h0m"]);
    let default = listing.lines().find(|l| l.starts_with("default")).expect("default row");
    assert!(default.contains("keyring") && !default.contains(id), "{listing}");

    // The environment: session keys, region, expiration, ROLEBAR_PROFILE; stale ones gone.
    let out = w.rolebar(
        &["exec", "oppara-dev", "--", "env"],
        "",
        &[("AWS_PROFILE", "stale"), ("AWS_DEFAULT_PROFILE", "stale")],
    );
    let env = text(&out.stdout);
    for expected in [
        "AWS_ACCESS_KEY_ID=",
        "AWS_SECRET_ACCESS_KEY=",
        "AWS_SESSION_TOKEN=",
        "AWS_SECURITY_TOKEN=",
        "AWS_CREDENTIAL_EXPIRATION=",
        "AWS_SESSION_EXPIRATION=",
        "AWS_REGION=us-east-1",
        "AWS_DEFAULT_REGION=us-east-1",
        "ROLEBAR_PROFILE=oppara-dev",
    ] {
        assert!(env.lines().any(|l| l.starts_with(expected)), "missing {expected}");
    }
    assert!(!env
        .lines()
        .any(|l| l.starts_with("AWS_PROFILE=") || l.starts_with("AWS_DEFAULT_PROFILE=")));

    // Exit status passes through; a nested exec is refused.
    let out = w.rolebar(&["exec", "oppara-dev", "--", "sh", "-c", "exit 7"], "", &[]);
    assert_eq!(out.status.code(), Some(7));
    let out = w.rolebar(
        &["exec", "oppara-dev", "--", "true"],
        "",
        &[("ROLEBAR_PROFILE", "oppara-dev")],
    );
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("already inside"), "{}", text(&out.stderr));

    // A signal ends the command as it would without rolebar.
    let out = w.rolebar(&["exec", "oppara-dev", "--", "sh", "-c", "kill -TERM $$"], "", &[]);
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(out.status.signal(), Some(15));
    }

    // clear, then remove: the next exec would need keys again.
    let out = w.rolebar(&["clear", "oppara-dev"], "", &[]);
    assert!(
        out.status.success() && text(&out.stderr).contains("Cleared 1"),
        "{}",
        text(&out.stderr)
    );
    // --duration sets the role's session length too (as aws-vault's does).
    let out = w.rolebar(
        &["exec", "--duration", "2h", "oppara-dev", "--", "true"],
        "123456\n",
        &[],
    );
    assert!(out.status.success(), "exec --duration: {}", text(&out.stderr));
    let listing = text(&w.rolebar(&["list"], "", &[]).stdout);
    assert_session_left(&listing, &["1h59m", "2h0m"]);
    let out = w.rolebar(&["exec", "--duration", "5m", "oppara-dev", "--", "true"], "", &[]);
    assert!(
        !out.status.success() && text(&out.stderr).contains("between 15m and 36h"),
        "{}",
        text(&out.stderr)
    );
    assert!(w.rolebar(&["clear", "oppara-dev"], "", &[]).status.success());

    let out = w.rolebar(&["remove", "default"], "", &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = w.rolebar(&["exec", "oppara-dev", "--", "true"], "123456\n", &[]);
    assert!(
        text(&out.stderr).contains("rolebar add default"),
        "{}",
        text(&out.stderr)
    );
}

/// The demo's set-up (`scripts/run.sh --demo`): keys in the credentials file, sessions in memory,
/// and no keyring on the bus at all; a session is still made and used.
#[test]
#[ignore = "needs moto: run bash scripts/test.sh"]
fn without_any_keyring_the_memory_store_serves_a_session() {
    let w = World::new("memory-store");
    let (id, secret) = w.user();
    std::fs::write(
        w.path("credentials"),
        format!("[default]\naws_access_key_id = {id}\naws_secret_access_key = {secret}\n"),
    )
    .expect("credentials");
    let no_bus = [
        ("ROLEBAR_KEYRING", "memory"),
        ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/rolebar-test-bus"),
    ];
    let out = w.rolebar(&["exec", "oppara-dev", "--", "env"], "123456\n", &no_bus);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(text(&out.stdout).contains("AWS_SESSION_TOKEN="), "{stderr}");
    // The same without the memory store fails on the missing keyring: the test means something.
    let out = w.rolebar(&["exec", "oppara-dev", "--", "env"], "123456\n", &no_bus[1..]);
    assert!(!out.status.success(), "the OS keyring was not needed after all");
}

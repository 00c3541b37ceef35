//! Profiles as the `rolebar` binary reads them: one that exists only in the keyring (as aws-vault
//! allows) is listed, run and used as a `source_profile`. Real gnome-keyring, moto as STS.

mod support;

use support::{need, text, World};

/// Removes the keys stored under `name` when the test ends, passed or failed.
struct StoredKeys<'a> {
    world: &'a World,
    name: &'a str,
}

impl Drop for StoredKeys<'_> {
    fn drop(&mut self) {
        let _ = self.world.rolebar(&["remove", self.name], "", &[]);
    }
}

#[test]
#[ignore = "needs moto and a keyring: run bash scripts/test.sh"]
fn a_profile_only_in_the_keyring_is_listed_run_and_a_source_profile() {
    let w = World::new("keyring-only");
    let role = w.fixture["roles"]["developer"].as_str().expect("role");
    std::fs::write(
        w.path("config"),
        format!("[default]\nregion = us-east-1\n\n[profile dev]\nsource_profile = vaulted\nrole_arn = {role}\n"),
    )
    .expect("config");
    let (id, secret) = w.user();
    let _keys = StoredKeys {
        world: &w,
        name: "vaulted",
    };
    let out = w.rolebar(&["add", "vaulted"], &format!("{id}\n{secret}\n"), &[]);
    assert!(out.status.success(), "add: {}", text(&out.stderr));

    // A role whose source_profile has no section anywhere: its keys come from the keyring.
    let out = w.rolebar(&w.exec_identity("dev"), "", &[]);
    assert!(out.status.success(), "exec dev: {}", text(&out.stderr));
    let who: serde_json::Value = serde_json::from_slice(&out.stdout).expect("aws prints JSON");
    assert!(
        who["Arn"].as_str().expect("Arn").contains(":assumed-role/developer/"),
        "{who}"
    );

    // The keyring-only profile itself: a GetSessionToken session (the open server hands one out).
    let open = need("ROLEBAR_TEST_MOTO_OPEN_URL");
    let out = w.rolebar(
        &["exec", "vaulted", "--", "env"],
        "",
        &[("AWS_ENDPOINT_URL_STS", open.as_str())],
    );
    let env = text(&out.stdout);
    assert!(out.status.success(), "exec vaulted: {}", text(&out.stderr));
    for expected in ["AWS_SESSION_TOKEN=", "ROLEBAR_PROFILE=vaulted", "AWS_REGION=us-east-1"] {
        assert!(
            env.lines().any(|l| l.starts_with(expected)),
            "{expected} missing:\n{env}"
        );
    }

    let out = w.rolebar(&["list"], "", &[]);
    let listing = text(&out.stdout);
    assert!(out.status.success(), "list: {}", text(&out.stderr));
    let row = |name: &str| {
        listing
            .lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no {name} row:\n{listing}"))
            .to_string()
    };
    assert!(
        row("vaulted").contains("keyring") && !row("vaulted").contains("error"),
        "{listing}"
    );
    assert!(
        row("dev").contains("AssumeRole") && !row("dev").contains("error"),
        "{listing}"
    );
}

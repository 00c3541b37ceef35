//! `rolebar rotate` against moto's IAM with auth enforcement on: the old key stops working, the
//! new one is in the keyring and works with the AWS CLI, and nothing secret is printed.

mod support;

use support::{text, World};

/// The keys `rolebar` stored for `profile` in this world's keyring (secret-tool, as a user
/// would look).
fn keyring_keys(w: &World, profile: &str) -> (String, String) {
    let out = std::process::Command::new("secret-tool")
        .args([
            "lookup",
            "service",
            &w.keyring_service(),
            "username",
            &format!("keys:{profile}"),
        ])
        .output()
        .expect("secret-tool lookup");
    assert!(out.status.success(), "keys in the keyring: {}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("keys JSON");
    (
        v["access_key_id"].as_str().expect("id").to_string(),
        v["secret_access_key"].as_str().expect("secret").to_string(),
    )
}

fn add_rotation_user(w: &World, name: &str) -> (String, String) {
    let u = &w.fixture["rotation_users"][name];
    let id = u["access_key_id"].as_str().expect("id").to_string();
    let secret = u["secret_access_key"].as_str().expect("secret").to_string();
    let out = w.rolebar(&["add", "default"], &format!("{id}\n{secret}\n"), &[]);
    assert!(out.status.success(), "add: {}", text(&out.stderr));
    (id, secret)
}

/// The ARN `aws sts get-caller-identity` gives for these keys, or its error.
fn caller(w: &World, id: &str, secret: &str) -> Result<String, String> {
    w.caller_arn(
        &[],
        &[
            ("AWS_ACCESS_KEY_ID", id),
            ("AWS_SECRET_ACCESS_KEY", secret),
            ("AWS_CONFIG_FILE", "/dev/null"),
        ],
    )
}

#[test]
#[ignore = "needs moto and a keyring: run bash scripts/test.sh"]
fn rotate_replaces_the_key_at_aws_and_in_the_keyring() {
    let w = World::new("rotate");
    let (old_id, old_secret) = add_rotation_user(&w, "rotator");
    let iam = [("AWS_ENDPOINT_URL_IAM", w.moto.as_str())];
    assert!(caller(&w, &old_id, &old_secret).is_ok(), "the old key works before");

    let out = w.rolebar(&["rotate", "default"], "", &iam);
    let printed = text(&out.stdout) + &text(&out.stderr);
    assert!(out.status.success(), "rotate: {printed}");
    assert!(
        printed.contains("Rotated the access key of profile \"default\""),
        "{printed}"
    );
    assert!(printed.contains("IAM user rotator"), "{printed}");

    let (new_id, new_secret) = keyring_keys(&w, "default");
    assert_ne!(new_id, old_id);
    let masked = |id: &str| format!("****{}", &id[id.len() - 4..]);
    assert!(
        printed.contains(&masked(&old_id)) && printed.contains(&masked(&new_id)),
        "{printed}"
    );
    for secret in [&old_id, &old_secret, &new_id, &new_secret] {
        assert!(
            !printed.contains(secret.as_str()),
            "a secret or whole key id printed: {printed}"
        );
    }

    let arn = caller(&w, &new_id, &new_secret).expect("the new key works with the AWS CLI");
    assert!(arn.ends_with(":user/rotator"), "{arn}");
    let refused = caller(&w, &old_id, &old_secret).expect_err("the old key stopped working");
    assert!(
        refused.contains("InvalidClientTokenId") || refused.contains("403"),
        "{refused}"
    );

    // list tells the new key's age from IAM's creation date.
    let listing = text(&w.rolebar(&["list"], "", &[]).stdout);
    let row = listing.lines().find(|l| l.starts_with("default")).expect("default row");
    assert!(
        row.contains(&masked(&new_id)) && row.contains("key created") && row.contains("(0 days)"),
        "{listing}"
    );
}

#[test]
#[ignore = "needs moto and a keyring: run bash scripts/test.sh"]
fn rotate_refuses_a_user_at_two_keys_naming_the_other() {
    let w = World::new("rotate-two");
    let (id, secret) = add_rotation_user(&w, "twokeys");
    let other = w.fixture["rotation_users"]["twokeys"]["other_key_ids"][0]
        .as_str()
        .expect("other key")
        .to_string();
    let out = w.rolebar(&["rotate", "default"], "", &[("AWS_ENDPOINT_URL_IAM", w.moto.as_str())]);
    let printed = text(&out.stdout) + &text(&out.stderr);
    assert!(!out.status.success(), "{printed}");
    assert!(printed.contains("already has two access keys"), "{printed}");
    assert!(
        printed.contains(&format!("****{}", &other[other.len() - 4..])),
        "{printed}"
    );
    for secret in [&id, &secret, &other] {
        assert!(!printed.contains(secret.as_str()), "{printed}");
    }
    assert_eq!(keyring_keys(&w, "default").0, id, "the keyring keeps its key");
    assert!(caller(&w, &id, &secret).is_ok(), "and it still works");
}

//! A locked keyring, a dismissed unlock prompt and a prompt that never completes each get their
//! own message, not "no Secret Service". Against a fake Secret Service on a private bus.
//! (One test, in its own binary: the keyring crate connects once per process, and the stuck
//! prompt, checked last, holds the keyring for the rest of it.)

mod support;

use rolebar_core::keystore::store::{OsKeyring, SecretStore};
use rolebar_core::HasCode;
use rolebar_core::Secret;
use std::time::{Duration, Instant};
use support::secret_service::FakeSecretService;

#[test]
fn locked_dismissed_and_stuck_prompts_are_told_apart() {
    let Some(fake) = FakeSecretService::start("prompts") else {
        return;
    };
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &fake.address);
    let bound = Duration::from_secs(3);
    // The fake decides by the end of the service name.
    let store = |kind: &str| OsKeyring::new(format!("rolebar-test-{kind}")).with_timeout(bound);

    assert_eq!(store("empty").get("keys:x").expect("get"), None, "the fake works");

    let dismiss = store("dismiss");
    for (what, err) in [
        ("get", dismiss.get("keys:x").expect_err("dismissed")),
        ("set", dismiss.set("keys:x", &Secret::new("s")).expect_err("dismissed")),
        ("delete", dismiss.delete("keys:x").expect_err("dismissed")),
    ] {
        assert_eq!(err.code(), "keyring_prompt_dismissed", "{what}: {err}");
        let text = err.to_string();
        assert!(text.contains("the unlock prompt was dismissed"), "{text}");
        assert!(text.contains("unlock your login keyring"), "{text}");
    }

    let locked = store("locked");
    for (what, err) in [
        ("get", locked.get("keys:x").expect_err("locked")),
        ("set", locked.set("keys:x", &Secret::new("s")).expect_err("locked")),
        ("delete", locked.delete("keys:x").expect_err("locked")),
    ] {
        assert_eq!(err.code(), "keyring_locked", "{what}: {err}");
        assert!(err.to_string().contains("unlock your login keyring"), "{err}");
    }

    let started = Instant::now();
    let err = store("stuck").get("keys:x").expect_err("stuck");
    let took = started.elapsed();
    assert_eq!(err.code(), "keyring_timeout", "{err}");
    assert!(took >= bound && took < bound + Duration::from_secs(2), "took {took:?}");
}

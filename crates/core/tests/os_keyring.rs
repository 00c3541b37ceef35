//! Round trips through the real OS keyring (gnome-keyring on the private bus scripts/test.sh
//! starts): keys and sessions survive a new process's view of the store.

use rolebar_core::keystore::store::{OsKeyring, SecretStore};
use rolebar_core::Secret;

fn keyring() -> OsKeyring {
    assert!(
        std::env::var_os("ROLEBAR_TEST_KEYRING").is_some(),
        "ROLEBAR_TEST_KEYRING is not set: run the tests through `bash scripts/test.sh`"
    );
    OsKeyring::new(format!("rolebar-test-{}", std::process::id()))
}

#[test]
#[ignore = "needs a Secret Service: run bash scripts/test.sh"]
fn set_get_delete_on_the_secret_service() {
    let store = keyring();
    let entry = "keys:roundtrip";
    assert_eq!(store.get(entry).expect("get"), None, "absence is Ok(None)");
    store.set(entry, &Secret::new("{\"k\":\"v/+= \\u00e9\"}")).expect("set");
    // A second handle (as another process would have) reads the same secret.
    let again = OsKeyring::new(format!("rolebar-test-{}", std::process::id()));
    assert_eq!(
        again
            .get(entry)
            .expect("get")
            .map(|s| s.expose().to_string())
            .as_deref(),
        Some("{\"k\":\"v/+= \\u00e9\"}")
    );
    store.set(entry, &Secret::new("replaced")).expect("replace");
    assert_eq!(
        store
            .get(entry)
            .expect("get")
            .map(|s| s.expose().to_string())
            .as_deref(),
        Some("replaced")
    );
    assert!(store.delete(entry).expect("delete"));
    assert!(!store.delete(entry).expect("delete twice"));
    assert_eq!(store.get(entry).expect("get"), None);
}

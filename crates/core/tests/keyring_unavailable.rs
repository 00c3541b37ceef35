//! No Secret Service reachable: a clear, fast error that says how to fix it — never a silent
//! fallback to a plain file or to memory. (Its own test binary: the keyring crate picks its
//! store once per process.)

use rolebar_core::keystore::store::{OsKeyring, SecretStore};
use rolebar_core::HasCode;
use rolebar_core::Secret;

#[test]
fn without_a_session_bus_the_keyring_error_is_actionable() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Point at a bus that does not exist, before the keyring crate first looks for one.
    std::env::set_var(
        "DBUS_SESSION_BUS_ADDRESS",
        format!("unix:path={}/no-bus", dir.path().display()),
    );
    let store = OsKeyring::new("rolebar-test-unavailable");
    let err = store.set("keys:x", &Secret::new("s")).expect_err("no keyring");
    assert!(matches!(err.code(), "keyring_unavailable" | "keyring_locked"), "{err}");
    let text = err.to_string();
    assert!(text.contains("never falls back") || text.contains("unlock"), "{text}");
    assert!(store.get("keys:x").is_err(), "a read fails the same way, not Ok(None)");
    assert!(
        std::fs::read_dir(dir.path()).expect("dir").next().is_none(),
        "nothing written to disk"
    );
}

//! A Secret Service that is on the bus but never answers (gnome-keyring on a new bus, waiting on
//! a prompt nobody sees): every keyring call gives up within its bound and says what to check.
//! (Its own test binary: the keyring crate connects once per process, and here that connection
//! never completes.)

mod support;

use rolebar_core::keystore::store::{OsKeyring, SecretStore};
use rolebar_core::HasCode;
use rolebar_core::{Error, Secret};
use std::time::{Duration, Instant};
use support::secret_service::FakeSecretService;

type Call<'a> = Box<dyn Fn() -> Result<(), Error> + 'a>;

#[test]
fn every_call_to_a_silent_secret_service_fails_within_the_bound() {
    let Some(fake) = FakeSecretService::start("silent") else {
        return;
    };
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &fake.address);
    let bound = Duration::from_millis(1500);
    let store = OsKeyring::new("rolebar-test-silent").with_timeout(bound);
    let calls: [(&str, Call); 4] = [
        // The first call is stuck connecting; the next ones queue behind it and give up too.
        ("get", Box::new(|| store.get("keys:x").map(drop))),
        ("set", Box::new(|| store.set("keys:x", &Secret::new("s")))),
        ("delete", Box::new(|| store.delete("keys:x").map(drop))),
        ("get again", Box::new(|| store.get("keys:x").map(drop))),
    ];
    for (what, call) in calls {
        let started = Instant::now();
        let err = call().expect_err(what);
        let took = started.elapsed();
        assert_eq!(err.code(), "keyring_timeout", "{what}: {err}");
        // Scheduling on a loaded machine may add a little; a hang would add minutes.
        assert!(
            took >= bound && took < bound + Duration::from_secs(2),
            "{what} took {took:?}"
        );
        let text = err.to_string();
        assert!(text.contains("did not answer within 1.5 s"), "{text}");
        assert!(text.contains("unlocked") && text.contains("try again"), "{text}");
    }
}

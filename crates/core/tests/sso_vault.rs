//! The vault with IAM Identity Center: a sign-in waiting for the browser (minutes, for a user)
//! holds no other profile's request behind it. The SSO double (tests/support/sso_double.py, on
//! Debian's python3) answers the registration; the "user" never finishes in the browser.

mod support;

use rolebar_core::clock::{Clock, ManualClock, SystemClock};
use rolebar_core::keystore::index::Index;
use rolebar_core::keystore::store::MemoryStore;
use rolebar_core::mfa::NoPrompt;
use rolebar_core::profile::ProfileSet;
use rolebar_core::session::cache::CacheKey;
use rolebar_core::session::sts::SdkSts;
use rolebar_core::session::vault::SsoAccess;
use rolebar_core::sso::{SignInFlow, SignInPrompt, SignInUi, Sso, SsoEndpoints, SsoOptions};
use rolebar_core::{Credentials, Session, SessionKind};
use std::path::Path;
use std::sync::{Arc, Mutex};
use support::sso::{SsoDouble, SsoOptions as DoubleOptions};
use tokio::sync::oneshot;

const CONFIG: &str = "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n\
    sso_registration_scopes = sso:account:access\n\n\
    [profile sandbox]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = ReadOnly\n\n\
    [profile other]\nregion = eu-west-1\n";

/// Says when the sign-in is shown (with the port of the redirect it waits for), then never
/// finishes it (a user who walked away).
#[derive(Debug)]
struct WalkedAway {
    shown: Mutex<Option<oneshot::Sender<u16>>>,
}

#[async_trait::async_trait]
impl SignInUi for WalkedAway {
    async fn show(&self, prompt: &SignInPrompt) -> rolebar_core::Result<()> {
        let url = prompt.browser_url();
        let after = url.split("127.0.0.1%3A").nth(1).expect("a loopback redirect_uri");
        let port: u16 = after
            .chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .expect("port");
        if let Some(shown) = self.shown.lock().expect("lock").take() {
            let _ = shown.send(port);
        }
        Ok(())
    }
}

#[tokio::test]
async fn a_sign_in_waiting_for_the_browser_holds_no_other_profile_behind_it() {
    let double = SsoDouble::start(DoubleOptions::default());
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = ManualClock::new(time::OffsetDateTime::now_utc());
    let vault = support::rebuild(
        Arc::new(MemoryStore::new()),
        &Index::at(dir.path().join("index.json")),
        &clock,
        Arc::new(SdkSts::default()),
    );
    let endpoints = SsoEndpoints::new(Some(&double.url), Some(&double.url)).expect("endpoints");
    let sso = Sso::new(dir.path().join("sso-cache"), endpoints, Arc::new(SystemClock)).with_options(SsoOptions {
        sign_in_timeout: std::time::Duration::from_secs(60),
        ..SsoOptions::default()
    });
    let (shown, was_shown) = oneshot::channel();
    let vault = Arc::new(vault.with_sso(SsoAccess {
        sso: Arc::new(sso),
        ui: Some(Arc::new(WalkedAway {
            shown: Mutex::new(Some(shown)),
        })),
        flow: SignInFlow::Pkce,
    }));
    let set = ProfileSet::parse(Path::new("config"), CONFIG, Path::new("credentials"), "").expect("config");
    // `other` has a session in the cache: answering it needs nothing but the vault's turn.
    let other = set.resolve("other").expect("other");
    let cached = Session {
        profile: "other".into(),
        kind: SessionKind::GetSessionToken,
        credentials: Credentials::temporary("ASIAFAKEOTHER0000001", "secret", "token"),
        expires_at: clock.now() + time::Duration::hours(1),
        issued_at: None,
        mfa_serial: None,
        role_arn: None,
        region: None,
    };
    vault
        .cache()
        .put(&CacheKey::of(SessionKind::GetSessionToken, "other", None), &cached)
        .expect("cached");

    let sandbox = set.resolve("sandbox").expect("sandbox");
    let signing_in = {
        let vault = vault.clone();
        tokio::spawn(async move { vault.session(&sandbox, &NoPrompt).await })
    };
    let port = was_shown.await.expect("the sign-in is shown to the user");

    // A bound against a hang (the sign-in waits 60 s), not a speed check.
    let answered = tokio::time::timeout(std::time::Duration::from_secs(30), vault.session(&other, &NoPrompt))
        .await
        .expect("`other` was held behind the sign-in")
        .expect("other's session");
    assert_eq!(answered.credentials.access_key_id, "ASIAFAKEOTHER0000001");
    assert!(
        !signing_in.is_finished(),
        "the sign-in is still waiting for the browser"
    );
    assert!(
        tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok(),
        "waiting on its port"
    );

    // The caller gives up (the agent's client hung up): the redirect's port closes with it, so
    // a browser finishing later is not told "signed in" for a code nobody exchanges.
    signing_in.abort();
    let _ = signing_in.await;
    let mut closed = false;
    for _ in 0..1000 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            closed = true;
            break;
        }
        // The waiter's task is dropped at its next turn on the runtime.
        tokio::task::yield_now().await;
    }
    assert!(closed, "the loopback still listens after the sign-in was dropped");
}

//! The vault's rules (aws-vault's) against the real aws-sdk-sts client talking to a local
//! fault-injecting STS double: MFA prompts, caching, one code for many roles, chaining, faults.

mod support;

use rolebar_core::mfa::MfaReason;
use rolebar_core::profile::resolve::Environment;
use rolebar_core::profile::{ProfileSet, ResolvedProfile};
use rolebar_core::sts::{SdkSts, StsOptions};
use rolebar_core::{Credentials, Error, SessionKind};
use std::sync::Arc;
use std::time::Duration as StdDuration;
use support::sts_double::{Fault, StsDouble};
use support::{rebuild, vault_with, ScriptedPrompt, TestVault};
use time::Duration;

const CONFIG: &str = "\
[default]
region = ap-northeast-1

[profile oppara-dev]
source_profile = default
mfa_serial = arn:aws:iam::111111111111:mfa/oppara
role_arn = arn:aws:iam::222222222222:role/developer

[profile base]
mfa_serial = arn:aws:iam::111111111111:mfa/alice

[profile dev]
source_profile = base
role_arn = arn:aws:iam::222222222222:role/Developer
mfa_serial = arn:aws:iam::111111111111:mfa/alice
role_session_name = alice-dev

[profile dev-readonly]
source_profile = dev
role_arn = arn:aws:iam::333333333333:role/ReadOnly
external_id = partner-4711

[profile prod]
source_profile = base
role_arn = arn:aws:iam::444444444444:role/Admin
mfa_serial = arn:aws:iam::111111111111:mfa/alice
duration_seconds = 43200

[profile other-device]
source_profile = base
role_arn = arn:aws:iam::555555555555:role/Auditor
mfa_serial = arn:aws:iam::111111111111:mfa/security-key

[profile nokeys]
source_profile = ghost-keys
role_arn = arn:aws:iam::222222222222:role/x

[profile ghost-keys]
region = eu-west-1
";

struct Fixture {
    double: StsDouble,
    t: TestVault,
    set: ProfileSet,
    env: Environment,
}

impl Fixture {
    async fn new(options: StsOptions) -> Self {
        let sts = Arc::new(SdkSts::new(options));
        let t = vault_with(sts);
        let double = StsDouble::start(Arc::new(t.clock.clone())).await;
        let now = t.clock.now_for_tests();
        for profile in ["default", "base"] {
            t.vault
                .keys()
                .add(
                    profile,
                    &Credentials::long_term(format!("AKIA{profile:0>16}").to_uppercase(), "long-term-secret"),
                    now,
                )
                .expect("add keys");
        }
        let env = Environment {
            endpoint_url_sts: Some(double.url.clone()),
            ..Environment::default()
        };
        Fixture {
            double,
            t,
            set: support::profiles(CONFIG, ""),
            env,
        }
    }

    async fn fast() -> Self {
        Self::new(StsOptions {
            max_attempts: 3,
            initial_backoff: StdDuration::from_millis(1),
            connect_timeout: StdDuration::from_secs(2),
            attempt_timeout: StdDuration::from_millis(500),
        })
        .await
    }

    fn profile(&self, name: &str) -> ResolvedProfile {
        self.set.resolve_with(name, &self.env).expect("resolves")
    }
}

trait NowForTests {
    fn now_for_tests(&self) -> time::OffsetDateTime;
}
impl NowForTests for rolebar_core::clock::ManualClock {
    fn now_for_tests(&self) -> time::OffsetDateTime {
        rolebar_core::clock::Clock::now(self)
    }
}

#[tokio::test]
async fn seed_role_asks_once_then_serves_from_cache_also_after_a_restart() {
    let f = Fixture::fast().await;
    let prompt = ScriptedPrompt::new(&["123456"]);
    let dev = f.profile("oppara-dev");
    let s = f.t.vault.session(&dev, &prompt).await.expect("session");
    assert_eq!(s.kind, SessionKind::AssumeRole);
    assert_eq!(s.region.as_deref(), Some("ap-northeast-1"));
    assert_eq!(
        s.expires_at - f.t.clock.now_for_tests(),
        Duration::hours(1),
        "1 hour by default"
    );
    let seen = f.double.seen();
    assert_eq!(f.double.actions(), ["AssumeRole"]);
    assert_eq!(
        seen[0].get("SerialNumber"),
        Some("arn:aws:iam::111111111111:mfa/oppara")
    );
    assert_eq!(seen[0].get("TokenCode"), Some("123456"));
    assert_eq!(seen[0].get("DurationSeconds"), Some("3600"));
    assert!(seen[0]
        .get("RoleSessionName")
        .is_some_and(|n| n.starts_with("rolebar-")));
    assert_eq!(prompt.asked().len(), 1);
    assert_eq!(prompt.asked()[0].reason, MfaReason::NoSession);

    // Again: from cache, no prompt, no call.
    let again = f.t.vault.session(&dev, &prompt).await.expect("cached");
    assert_eq!(again.credentials, s.credentials);
    // A restart: a new vault over the same keyring and index.
    let restarted = rebuild(f.t.store.clone(), &f.t.index, &f.t.clock, Arc::new(SdkSts::default()));
    let after_restart = restarted
        .session(&dev, &ScriptedPrompt::new(&[]))
        .await
        .expect("served from keyring");
    assert_eq!(after_restart.credentials, s.credentials);
    assert_eq!(f.double.actions().len(), 1);

    // Within 5 minutes of expiry: asked again, saying why.
    f.t.clock.advance(Duration::minutes(55));
    let prompt2 = ScriptedPrompt::new(&["123456"]);
    f.t.vault.session(&dev, &prompt2).await.expect("renewed");
    assert_eq!(prompt2.asked()[0].reason, MfaReason::SessionExpired);
    assert_eq!(f.double.actions().len(), 2);
}

#[tokio::test]
async fn one_mfa_code_serves_every_role_on_the_same_device() {
    let f = Fixture::fast().await;
    let prompt = ScriptedPrompt::new(&["123456"]);
    let dev = f.t.vault.session(&f.profile("dev"), &prompt).await.expect("dev");
    let prod = f.t.vault.session(&f.profile("prod"), &prompt).await.expect("prod");
    assert_eq!(prompt.asked().len(), 1, "one code for both roles");
    assert_eq!(
        prompt.asked()[0].profile,
        "dev",
        "asked on behalf of the role the user chose"
    );
    assert_eq!(f.double.actions(), ["GetSessionToken", "AssumeRole", "AssumeRole"]);
    let seen = f.double.seen();
    assert_eq!(seen[0].get("TokenCode"), Some("123456"));
    assert_eq!(seen[0].get("DurationSeconds"), Some("28800"), "8 hours by default");
    assert_eq!(
        seen[1].get("TokenCode"),
        None,
        "roles assumed from the MFA session ask nothing"
    );
    assert_eq!(seen[1].get("RoleSessionName"), Some("alice-dev"));
    assert_eq!(
        seen[2].get("DurationSeconds"),
        Some("3600"),
        "43200 capped at 1 hour from a session token"
    );
    assert_eq!(dev.mfa_serial.as_deref(), Some("arn:aws:iam::111111111111:mfa/alice"));
    assert_ne!(dev.credentials, prod.credentials);
    // The base session is listed too.
    let kinds: Vec<_> =
        f.t.vault
            .cache()
            .list()
            .into_iter()
            .map(|s| (s.record.profile, s.record.kind))
            .collect();
    assert!(
        kinds.contains(&("base".to_string(), SessionKind::GetSessionToken)),
        "{kinds:?}"
    );
}

#[tokio::test]
async fn a_chained_role_assumes_its_source_first_then_itself() {
    let f = Fixture::fast().await;
    let prompt = ScriptedPrompt::new(&["123456"]);
    f.t.vault
        .session(&f.profile("dev-readonly"), &prompt)
        .await
        .expect("chained");
    assert_eq!(prompt.asked().len(), 1);
    assert_eq!(f.double.actions(), ["GetSessionToken", "AssumeRole", "AssumeRole"]);
    let last = &f.double.seen()[2];
    assert_eq!(last.get("RoleArn"), Some("arn:aws:iam::333333333333:role/ReadOnly"));
    assert_eq!(last.get("ExternalId"), Some("partner-4711"));
    assert_eq!(last.get("DurationSeconds"), Some("3600"));
    // The source role's session is reused from cache for the next chain.
    f.t.clock.advance(Duration::minutes(56));
    let prompt2 = ScriptedPrompt::new(&[]);
    let err = f.t.vault.session(&f.profile("dev-readonly"), &prompt2).await;
    // dev's session expired too (1 h), but base's 8 h session still serves: no prompt.
    assert!(err.is_ok(), "{err:?}");
    assert!(prompt2.asked().is_empty());
}

#[tokio::test]
async fn a_role_with_another_device_asks_for_its_own_code() {
    let f = Fixture::fast().await;
    let prompt = ScriptedPrompt::new(&["123456"]);
    f.t.vault
        .session(&f.profile("other-device"), &prompt)
        .await
        .expect("session");
    assert_eq!(prompt.asked()[0].reason, MfaReason::DifferentDevice);
    assert_eq!(
        prompt.asked()[0].mfa_serial,
        "arn:aws:iam::111111111111:mfa/security-key"
    );
    assert_eq!(f.double.actions(), ["AssumeRole"]);
}

#[tokio::test]
async fn a_wrong_code_is_asked_again_and_nothing_is_cached_on_failure() {
    let f = Fixture::fast().await;
    let dev = f.profile("oppara-dev");
    let prompt = ScriptedPrompt::new(&["000000", "123456"]);
    f.t.vault.session(&dev, &prompt).await.expect("second code works");
    let reasons: Vec<_> = prompt.asked().iter().map(|r| (r.reason, r.attempt)).collect();
    assert_eq!(reasons, [(MfaReason::NoSession, 1), (MfaReason::Rejected, 2)]);

    let f = Fixture::fast().await;
    let prompt = ScriptedPrompt::new(&["000000", "000001", "000002", "123456"]);
    let err = f.t.vault.session(&dev, &prompt).await.expect_err("three wrong codes");
    assert!(matches!(err, Error::MfaRejected { .. }), "{err:?}");
    assert_eq!(prompt.asked().len(), 3);
    assert!(f.t.vault.cache().list().is_empty(), "nothing cached after a failure");
    assert_eq!(f.t.store.entry_names(), ["keys:base", "keys:default"]);
}

#[tokio::test]
async fn a_malformed_code_never_reaches_aws() {
    let f = Fixture::fast().await;
    let err =
        f.t.vault
            .session(&f.profile("oppara-dev"), &ScriptedPrompt::new(&["12345"]))
            .await
            .expect_err("5 digits");
    assert!(matches!(err, Error::MfaCodeFormat));
    assert!(f.double.seen().is_empty());
}

#[tokio::test]
async fn throttling_is_retried_with_back_off_then_reported() {
    let f = Fixture::fast().await;
    f.double.push_faults([Fault::Throttle, Fault::Throttle]);
    f.t.vault
        .session(&f.profile("oppara-dev"), &ScriptedPrompt::new(&["123456"]))
        .await
        .expect("third attempt");
    assert_eq!(f.double.actions().len(), 3);

    let f = Fixture::fast().await;
    f.double
        .push_faults([Fault::Throttle, Fault::Throttle, Fault::Throttle]);
    let err =
        f.t.vault
            .session(&f.profile("oppara-dev"), &ScriptedPrompt::new(&["123456"]))
            .await
            .expect_err("gives up");
    assert!(matches!(err, Error::Throttled { attempts: 3, .. }), "{err:?}");
}

#[tokio::test]
async fn a_hanging_sts_times_out() {
    let f = Fixture::fast().await;
    f.double.push_faults([Fault::Hang, Fault::Hang, Fault::Hang]);
    let err =
        f.t.vault
            .session(&f.profile("oppara-dev"), &ScriptedPrompt::new(&["123456"]))
            .await
            .expect_err("timeout");
    assert_eq!(err.code(), "timeout", "{err}");
    assert!(f.t.vault.cache().list().is_empty());
}

#[tokio::test]
async fn a_malformed_reply_is_reported_as_such() {
    let f = Fixture::fast().await;
    f.double.push_faults([Fault::Malformed]);
    let err =
        f.t.vault
            .session(&f.profile("oppara-dev"), &ScriptedPrompt::new(&["123456"]))
            .await
            .expect_err("garbage");
    assert_eq!(err.code(), "malformed_reply", "{err}");
}

#[tokio::test]
async fn unreachable_sts_says_where_it_tried() {
    let f = Fixture::fast().await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    let env = Environment {
        endpoint_url_sts: Some(format!("http://127.0.0.1:{port}")),
        ..Environment::default()
    };
    let dev = f.set.resolve_with("oppara-dev", &env).expect("resolves");
    let err =
        f.t.vault
            .session(&dev, &ScriptedPrompt::new(&["123456"]))
            .await
            .expect_err("closed port");
    assert_eq!(err.code(), "unreachable", "{err}");
    assert!(err.to_string().contains(&port.to_string()), "{err}");
}

#[tokio::test]
async fn sts_errors_are_actionable_and_show_no_full_key_id() {
    for (fault, code) in [
        (Fault::Error(403, "InvalidClientTokenId"), "invalid_client_token_id"),
        (Fault::Error(403, "SignatureDoesNotMatch"), "signature_mismatch"),
        (Fault::Error(403, "AccessDenied"), "access_denied"),
        (Fault::Error(403, "ExpiredToken"), "expired_token"),
        (Fault::Error(403, "RegionDisabledException"), "region_disabled"),
    ] {
        let f = Fixture::fast().await;
        f.double.push_faults([fault]);
        let err =
            f.t.vault
                .session(&f.profile("oppara-dev"), &ScriptedPrompt::new(&["123456"]))
                .await
                .expect_err("fault");
        assert_eq!(err.code(), code, "{err}");
        let text = err.to_string();
        assert!(
            !text.contains("AKIA0000000DEFAULT") && !text.contains("long-term-secret"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn missing_keys_and_a_locked_keyring_are_clear_errors() {
    let f = Fixture::fast().await;
    let err =
        f.t.vault
            .session(&f.profile("nokeys"), &ScriptedPrompt::new(&["123456"]))
            .await
            .expect_err("no keys");
    assert!(err.to_string().contains("rolebar add ghost-keys"), "{err}");
    f.t.store.set_locked(true);
    let err =
        f.t.vault
            .session(&f.profile("oppara-dev"), &ScriptedPrompt::new(&["123456"]))
            .await
            .expect_err("locked");
    assert_eq!(err.code(), "keyring_locked");
    assert!(f.double.seen().is_empty());
}

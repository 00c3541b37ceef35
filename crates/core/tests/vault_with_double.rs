//! The vault's rules (aws-vault's) against the real aws-sdk-sts client talking to a local
//! fault-injecting STS double: MFA prompts, caching, one code for many roles, chaining, faults.

mod support;

use rolebar_core::mfa::MfaReason;
use rolebar_core::profile::resolve::Environment;
use rolebar_core::profile::{ProfileSet, ResolvedProfile};
use rolebar_core::session::sts::{SdkSts, StsOptions};
use rolebar_core::HasCode;
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

[profile passthrough-admin]
source_profile = base
role_arn = arn:aws:iam::222222222222:role/Admin
mfa_serial = arn:aws:iam::111111111111:mfa/alice

[profile passthrough-target]
source_profile = passthrough-admin
role_arn = arn:aws:iam::666666666666:role/Target
mfa_serial = arn:aws:iam::111111111111:mfa/alice

[profile plain-admin]
source_profile = default
role_arn = arn:aws:iam::222222222222:role/Admin

[profile plain-target]
source_profile = plain-admin
role_arn = arn:aws:iam::666666666666:role/Target
mfa_serial = arn:aws:iam::111111111111:mfa/alice
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
            total_timeout: StdDuration::from_secs(10),
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
async fn a_passthrough_chain_on_one_device_asks_one_code() {
    // base (keys + device) → passthrough-admin (role, same device) → passthrough-target (role,
    // same device): the GetSessionToken session carries the device's MFA, and so does the admin
    // role assumed with it; AWS sees MFA on every later AssumeRole, so one code serves the chain.
    let f = Fixture::fast().await;
    let prompt = ScriptedPrompt::new(&["123456", "123456"]);
    let target =
        f.t.vault
            .session(&f.profile("passthrough-target"), &prompt)
            .await
            .expect("chain");
    assert_eq!(prompt.asked().len(), 1, "one code for one device: {:?}", prompt.asked());
    assert_eq!(f.double.actions(), ["GetSessionToken", "AssumeRole", "AssumeRole"]);
    let seen = f.double.seen();
    assert_eq!(seen[0].get("TokenCode"), Some("123456"));
    assert_eq!(seen[1].get("TokenCode"), None);
    assert_eq!(seen[2].get("RoleArn"), Some("arn:aws:iam::666666666666:role/Target"));
    assert_eq!(
        seen[2].get("TokenCode"),
        None,
        "the admin session already carries the MFA"
    );
    assert_eq!(seen[2].get("SerialNumber"), None);
    assert_eq!(
        target.mfa_serial.as_deref(),
        Some("arn:aws:iam::111111111111:mfa/alice"),
        "the session still says which device it carries"
    );
}

#[tokio::test]
async fn a_role_assumed_from_a_role_without_mfa_asks_saying_why() {
    // default (keys, no device) → plain-admin (role, no device) → plain-target (role, device):
    // the admin session carries no MFA, so AWS needs the code on the last AssumeRole.
    let f = Fixture::fast().await;
    let prompt = ScriptedPrompt::new(&["123456"]);
    f.t.vault
        .session(&f.profile("plain-target"), &prompt)
        .await
        .expect("chain");
    assert_eq!(prompt.asked().len(), 1);
    assert_eq!(prompt.asked()[0].reason, MfaReason::SourceWithoutMfa);
    assert_eq!(f.double.actions(), ["AssumeRole", "AssumeRole"]);
    let seen = f.double.seen();
    assert_eq!(seen[0].get("TokenCode"), None);
    assert_eq!(seen[1].get("TokenCode"), Some("123456"));
    assert_eq!(seen[1].get("SerialNumber"), Some("arn:aws:iam::111111111111:mfa/alice"));
}

const ROLE_ONLY: &str = "[profile role-only]\nrole_arn = arn:aws:iam::777777777777:role/Own\n";

#[tokio::test]
async fn a_role_without_source_profile_uses_the_keys_stored_under_its_own_name() {
    // aws-vault: `role_arn` and no `source_profile`, keys in the keyring under the same name.
    let f = Fixture::fast().await;
    let now = f.t.clock.now_for_tests();
    f.t.vault
        .keys()
        .add(
            "role-only",
            &Credentials::long_term("AKIAFAKEROLEONLY0001", "role-only-secret"),
            now,
        )
        .expect("add keys");
    let set = support::profiles(ROLE_ONLY, "").with_keyring_profiles(f.t.vault.keys().list().into_keys());
    let profile = set
        .resolve_with("role-only", &f.env)
        .expect("resolves with its own keys");
    let s =
        f.t.vault
            .session(&profile, &ScriptedPrompt::new(&[]))
            .await
            .expect("session");
    assert_eq!(s.kind, SessionKind::AssumeRole);
    assert_eq!(f.double.actions(), ["AssumeRole"]);
    let seen = f.double.seen();
    assert_eq!(seen[0].get("RoleArn"), Some("arn:aws:iam::777777777777:role/Own"));
    assert_eq!(
        seen[0].access_key.as_deref(),
        Some("AKIAFAKEROLEONLY0001"),
        "signed with the keys stored under the role's name"
    );
}

#[tokio::test]
async fn a_role_without_source_profile_or_own_keys_is_refused_as_before() {
    let f = Fixture::fast().await;
    let set = support::profiles(ROLE_ONLY, "").with_keyring_profiles(f.t.vault.keys().list().into_keys());
    let err = set
        .resolve_with("role-only", &f.env)
        .expect_err("no keys under its name");
    assert_eq!(err.code(), "invalid_setting");
    assert!(
        err.to_string()
            .contains("a role needs `source_profile` to say whose keys assume it"),
        "{err}"
    );
    assert!(f.double.seen().is_empty());
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

/// The number in "gave up after N s" of a timeout message.
fn seconds_waited(text: &str) -> f64 {
    let start = text.find("gave up after ").expect("says how long it waited") + "gave up after ".len();
    let end = text[start..].find(" s").expect("in seconds") + start;
    text[start..end].parse().expect("a number")
}

#[tokio::test]
async fn a_hanging_sts_says_how_long_it_waited_and_how_to_retry() {
    let f = Fixture::fast().await;
    f.double.push_faults([Fault::Hang, Fault::Hang, Fault::Hang]);
    let started = std::time::Instant::now();
    let err =
        f.t.vault
            .session(&f.profile("oppara-dev"), &ScriptedPrompt::new(&["123456"]))
            .await
            .expect_err("timeout");
    let waited = started.elapsed().as_secs_f64();
    let text = err.to_string();
    assert_eq!(err.code(), "timeout", "{text}");
    // Three attempts of 0.5 s each: the message names them and the time they really took.
    assert!(text.contains("3 attempts"), "{text}");
    let said = seconds_waited(&text);
    assert!(
        (1.5..=waited + 0.05).contains(&said),
        "said {said} s, waited {waited:.2} s: {text}"
    );
    assert!(text.contains("try again"), "says how to retry: {text}");
}

#[tokio::test]
async fn a_hanging_sts_is_given_up_on_within_the_total_bound() {
    // Four attempts of 1 s would take over 4 s; the whole call is bounded at 1.5 s.
    let f = Fixture::new(StsOptions {
        max_attempts: 4,
        initial_backoff: StdDuration::from_millis(1),
        connect_timeout: StdDuration::from_secs(2),
        attempt_timeout: StdDuration::from_secs(1),
        total_timeout: StdDuration::from_millis(1500),
    })
    .await;
    f.double
        .push_faults([Fault::Hang, Fault::Hang, Fault::Hang, Fault::Hang]);
    let started = std::time::Instant::now();
    let err =
        f.t.vault
            .session(&f.profile("oppara-dev"), &ScriptedPrompt::new(&["123456"]))
            .await
            .expect_err("timeout");
    let waited = started.elapsed();
    let text = err.to_string();
    assert_eq!(err.code(), "timeout", "{text}");
    assert!(waited < StdDuration::from_secs(3), "took {waited:?}: {text}");
    assert!(text.contains("2 attempts"), "the second attempt was cut short: {text}");
    let said = seconds_waited(&text);
    assert!(
        (1.4..=waited.as_secs_f64() + 0.05).contains(&said),
        "said {said} s: {text}"
    );
    assert!(f.t.vault.cache().list().is_empty());
}

/// What a refused reply must leave behind: a clear error, no session in the keyring or the
/// index, and no part of the reply's secrets in the message.
async fn assert_refused(f: &Fixture, profile: &str, what: &str) -> Error {
    let err =
        f.t.vault
            .session(&f.profile(profile), &ScriptedPrompt::new(&["123456"]))
            .await
            .expect_err(what);
    let text = err.to_string();
    assert_eq!(err.code(), "incomplete_reply", "{what}: {text}");
    assert!(text.contains("incomplete or expired reply"), "{what}: {text}");
    assert!(
        !text.contains("double-secret") && !text.contains("double-token") && !text.contains("ASIADOUBLE"),
        "{what}: {text}"
    );
    assert!(f.t.vault.cache().list().is_empty(), "{what}: nothing listed");
    assert_eq!(
        f.t.store.entry_names(),
        ["keys:base", "keys:default"],
        "{what}: nothing cached"
    );
    err
}

#[tokio::test]
async fn incomplete_or_expired_replies_are_refused_and_nothing_is_cached() {
    let cases = [
        (Fault::CutInToken, "a body cut in the middle of the SessionToken"),
        (Fault::Without("Expiration"), "no Expiration"),
        (Fault::Without("SessionToken"), "no SessionToken"),
        (Fault::Without("AccessKeyId"), "no AccessKeyId"),
        (Fault::Without("SecretAccessKey"), "no SecretAccessKey"),
        (Fault::Replace("SessionToken", ""), "an empty SessionToken"),
        (Fault::Replace("SecretAccessKey", ""), "an empty SecretAccessKey"),
        (Fault::Replace("AccessKeyId", "ASIA-SHORT"), "a key id too short"),
        (
            Fault::Replace("AccessKeyId", "ASIA DOUBLE/000000001"),
            "a key id with odd characters",
        ),
        (Fault::ExpiresIn(Duration::minutes(-1)), "an Expiration already past"),
        (Fault::ExpiresIn(Duration::ZERO), "an Expiration of now"),
        (
            Fault::ExpiresIn(Duration::days(30)),
            "an Expiration far beyond the hour asked",
        ),
    ];
    for (fault, what) in cases {
        let f = Fixture::fast().await;
        let cut = fault == Fault::CutInToken;
        f.double.push_faults([fault]);
        let err = assert_refused(&f, "oppara-dev", what).await;
        if cut {
            // The SDK's XML reader takes the cut body and its half token; the missing Expiration
            // (it comes after the token) is what gives the reply away.
            assert!(err.to_string().contains("no Expiration"), "{err}");
        }
        assert_eq!(f.double.actions(), ["AssumeRole"], "{what}: not retried by the SDK");
    }
    // The GetSessionToken path too: the device's base session is not cached either.
    let f = Fixture::fast().await;
    f.double.push_faults([Fault::Without("Expiration")]);
    assert_refused(&f, "dev", "GetSessionToken without Expiration").await;
    assert_eq!(f.double.actions(), ["GetSessionToken"]);
}

#[tokio::test]
async fn a_connection_closed_in_the_middle_of_the_token_is_an_error() {
    let f = Fixture::fast().await;
    // Every attempt is cut.
    f.double
        .push_faults([Fault::CutConnection, Fault::CutConnection, Fault::CutConnection]);
    let err =
        f.t.vault
            .session(&f.profile("oppara-dev"), &ScriptedPrompt::new(&["123456"]))
            .await
            .expect_err("short body");
    let text = err.to_string();
    // hyper refuses a body shorter than its Content-Length; the SDK retries that, then reports it.
    assert_eq!(err.code(), "malformed_reply", "{text}");
    assert!(text.contains("end of file before message length reached"), "{text}");
    assert_eq!(f.double.actions().len(), 3, "retried");
    assert!(
        !text.contains("double-token") && !text.contains("double-secret"),
        "{text}"
    );
    assert!(f.t.vault.cache().list().is_empty());
}

#[tokio::test]
async fn an_expiry_within_the_slack_of_what_was_asked_is_accepted() {
    let f = Fixture::fast().await;
    // AWS's clock may run a little ahead of ours.
    f.double.push_faults([Fault::ExpiresIn(Duration::minutes(62))]);
    let s =
        f.t.vault
            .session(&f.profile("oppara-dev"), &ScriptedPrompt::new(&["123456"]))
            .await
            .expect("within slack");
    assert_eq!(s.expires_at - f.t.clock.now_for_tests(), Duration::minutes(62));
    // A session shorter than asked is STS's right (e.g. a capped role).
    let f = Fixture::fast().await;
    f.double.push_faults([Fault::ExpiresIn(Duration::minutes(15))]);
    f.t.vault
        .session(&f.profile("oppara-dev"), &ScriptedPrompt::new(&["123456"]))
        .await
        .expect("shorter than asked");
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

#[tokio::test]
async fn a_region_with_an_inline_comment_is_named_with_its_place_and_nothing_is_sent() {
    // The AWS CLI keeps `# prod` as part of the value too; the SDK would fail before sending.
    let f = Fixture::fast().await;
    let config = "[profile commented]\nsource_profile = base\nregion = us-east-1 # prod\n\
                  role_arn = arn:aws:iam::222222222222:role/x\n";
    let set = support::profiles(config, "").with_keyring_profiles(f.t.vault.keys().list().into_keys());
    let err = set.resolve_with("commented", &f.env).expect_err("not a region");
    let text = err.to_string();
    assert_eq!(err.code(), "invalid_setting", "{text}");
    assert!(
        text.contains("region `us-east-1 # prod`") && text.contains("config line 3"),
        "names the setting, the value, the file and the line: {text}"
    );
    assert!(!text.contains("proxy"), "{text}");
    assert!(f.double.seen().is_empty(), "no request was sent");

    let config = "[profile odd-endpoint]\nsource_profile = base\nendpoint_url = https://sts.example.com # test\n\
                  role_arn = arn:aws:iam::222222222222:role/x\n";
    let set = support::profiles(config, "").with_keyring_profiles(f.t.vault.keys().list().into_keys());
    let err = set
        .resolve_with("odd-endpoint", &Environment::default())
        .expect_err("not a URL");
    let text = err.to_string();
    assert!(
        text.contains("endpoint_url `https://sts.example.com # test`") && text.contains("config line 3"),
        "{text}"
    );
    assert!(f.double.seen().is_empty());
}

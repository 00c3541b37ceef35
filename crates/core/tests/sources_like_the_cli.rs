//! Where a profile's credentials come from, checked against what the AWS CLI does with the same
//! files, by counting the calls an STS double on loopback sees: temporary keys are used as they
//! are (never sent to GetSessionToken), and a source profile's own static keys come before its
//! role.

mod support;

use rolebar_core::profile::resolve::Environment;
use rolebar_core::profile::ProfileSet;
use rolebar_core::session::sts::{SdkSts, StsOptions};
use rolebar_core::{Credentials, SessionKind};
use std::sync::Arc;
use std::time::Duration as StdDuration;
use support::sts_double::StsDouble;
use support::{vault_with, ScriptedPrompt, TestVault};

const TEMP_KEY: &str = "ASIAFAKEFAKEFAKE7777";
const FILE_KEY: &str = "AKIAFAKEFAKEFAKE4444";
const KEYRING_KEY: &str = "AKIAFAKEFAKEFAKE1111";

const CREDENTIALS: &str = "\
[temp]
aws_access_key_id = ASIAFAKEFAKEFAKE7777
aws_secret_access_key = fakeTemporarySecret
aws_session_token = fakeSessionToken//from+another+tool=

[both]
aws_access_key_id = AKIAFAKEFAKEFAKE4444
aws_secret_access_key = fakeLongTermSecret
";

const CONFIG: &str = "\
[profile temp]
region = eu-west-1
mfa_serial = arn:aws:iam::111111111111:mfa/alice

[profile in-config]
aws_access_key_id = ASIAFAKEFAKEFAKE8888
aws_secret_access_key = fakeTemporarySecret2
aws_session_token = fakeSessionToken2

[profile role-from-temp]
source_profile = temp
role_arn = arn:aws:iam::222222222222:role/from-temp
duration_seconds = 7200

[profile both]
source_profile = root
role_arn = arn:aws:iam::333333333333:role/of-both

[profile top]
source_profile = both
role_arn = arn:aws:iam::444444444444:role/top
";

struct Fixture {
    double: StsDouble,
    t: TestVault,
    set: ProfileSet,
    env: Environment,
}

impl Fixture {
    async fn new() -> Self {
        let sts = Arc::new(SdkSts::new(StsOptions {
            max_attempts: 1,
            initial_backoff: StdDuration::from_millis(1),
            connect_timeout: StdDuration::from_secs(2),
            attempt_timeout: StdDuration::from_secs(2),
            total_timeout: StdDuration::from_secs(5),
        }));
        let t = vault_with(sts);
        let double = StsDouble::start(Arc::new(t.clock.clone())).await;
        let now = rolebar_core::clock::Clock::now(&t.clock);
        t.vault
            .keys()
            .add("root", &Credentials::long_term(KEYRING_KEY, "fakeRootSecret"), now)
            .expect("add keys");
        let set = support::profiles(CONFIG, CREDENTIALS).with_keyring_profiles(t.vault.keys().list().into_keys());
        let env = Environment {
            endpoint_url_sts: Some(double.url.clone()),
            ..Environment::default()
        };
        Fixture { double, t, set, env }
    }
}

#[tokio::test]
async fn temporary_keys_are_handed_out_as_they_are_without_any_sts_call() {
    let f = Fixture::new().await;
    let prompt = ScriptedPrompt::new(&[]);
    for (name, key) in [("temp", TEMP_KEY), ("in-config", "ASIAFAKEFAKEFAKE8888")] {
        let profile = f.set.resolve_with(name, &f.env).expect("resolves");
        let session = f.t.vault.session(&profile, &prompt).await.expect("the keys themselves");
        assert_eq!(session.credentials.access_key_id, key, "{name}");
        assert!(session.credentials.session_token.is_some(), "{name}");
        assert_eq!(session.kind, SessionKind::CredentialProcess, "{name}");
        // What a tray or agent asks first (no call, no prompt) serves them too.
        let cached = f.t.vault.cached_session(&profile).expect("reads").expect("served");
        assert_eq!(cached.credentials.access_key_id, key, "{name}");
    }
    assert_eq!(
        f.double.actions(),
        Vec::<String>::new(),
        "no GetSessionToken, no call at all"
    );
    assert!(
        prompt.asked().is_empty(),
        "mfa_serial beside temporary keys asks no code"
    );
}

#[tokio::test]
async fn temporary_keys_assume_a_role_themselves_capped_at_an_hour() {
    let f = Fixture::new().await;
    let profile = f.set.resolve_with("role-from-temp", &f.env).expect("resolves");
    let session =
        f.t.vault
            .session(&profile, &ScriptedPrompt::new(&[]))
            .await
            .expect("role session");
    assert_eq!(session.kind, SessionKind::AssumeRole);
    let seen = f.double.seen();
    assert_eq!(
        f.double.actions(),
        ["AssumeRole"],
        "one AssumeRole, no GetSessionToken first"
    );
    assert_eq!(
        seen[0].access_key.as_deref(),
        Some(TEMP_KEY),
        "signed with the temporary keys"
    );
    assert_eq!(
        seen[0].get("DurationSeconds"),
        Some("3600"),
        "AWS caps chained roles at an hour"
    );
}

#[tokio::test]
async fn a_source_profile_with_static_keys_is_used_for_its_keys_not_its_role() {
    let f = Fixture::new().await;
    let profile = f.set.resolve_with("top", &f.env).expect("resolves");
    let session =
        f.t.vault
            .session(&profile, &ScriptedPrompt::new(&[]))
            .await
            .expect("role session");
    assert_eq!(session.role_arn.as_deref(), Some("arn:aws:iam::444444444444:role/top"));
    let seen = f.double.seen();
    assert_eq!(f.double.actions(), ["AssumeRole"], "one AssumeRole, for `top` only");
    assert_eq!(seen[0].get("RoleArn"), Some("arn:aws:iam::444444444444:role/top"));
    assert_eq!(
        seen[0].access_key.as_deref(),
        Some(FILE_KEY),
        "signed with `both`'s own keys"
    );

    // Asked for itself, `both` still follows its role (the AWS CLI's rule for the profile asked).
    let both = f.set.resolve_with("both", &f.env).expect("resolves");
    f.t.vault
        .session(&both, &ScriptedPrompt::new(&[]))
        .await
        .expect("role session");
    let seen = f.double.seen();
    assert_eq!(seen[1].get("RoleArn"), Some("arn:aws:iam::333333333333:role/of-both"));
    assert_eq!(
        seen[1].access_key.as_deref(),
        Some(KEYRING_KEY),
        "assumed with `root`'s keys"
    );
}

#[tokio::test]
async fn sts_is_reached_where_services_sections_and_variables_say_in_the_sdks_order() {
    let f = Fixture::new().await;
    let clock = Arc::new(f.t.clock.clone());
    let (by_section, by_global_setting, by_global_variable) = (
        StsDouble::start(clock.clone()).await,
        StsDouble::start(clock.clone()).await,
        StsDouble::start(clock).await,
    );
    let config = format!(
        "[profile sectioned]\nsource_profile = root\nrole_arn = arn:aws:iam::555555555555:role/x\n\
         services = private\nendpoint_url = {}\n\n[services private]\nsts =\n  endpoint_url = {}\n\
         iam =\n  endpoint_url = http://127.0.0.1:9\n",
        by_global_setting.url, by_section.url
    );
    let set = support::profiles(&config, "").with_keyring_profiles(f.t.vault.keys().list().into_keys());
    let ask = |env: Environment| {
        let profile = set.resolve_with("sectioned", &env).expect("resolves");
        let vault = &f.t.vault;
        async move {
            vault.cache().clear("sectioned").expect("forget");
            vault
                .session(&profile, &ScriptedPrompt::new(&[]))
                .await
                .expect("role session")
        }
    };
    ask(Environment::default()).await;
    assert_eq!(
        by_section.actions(),
        ["AssumeRole"],
        "[services] sts beats the profile's endpoint_url"
    );
    assert!(by_global_setting.actions().is_empty());

    ask(Environment {
        endpoint_url: Some(by_global_variable.url.clone()),
        ..Environment::default()
    })
    .await;
    assert_eq!(
        by_global_variable.actions(),
        ["AssumeRole"],
        "AWS_ENDPOINT_URL beats [services]"
    );
    assert_eq!(by_section.actions().len(), 1);
    assert!(by_global_setting.actions().is_empty() && f.double.actions().is_empty());
}

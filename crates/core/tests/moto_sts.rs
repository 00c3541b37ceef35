//! Against moto_server on 127.0.0.1 (started by scripts/test.sh), with its auth enforcement on
//! and the source keys created through its IAM: a wrong secret really fails.

mod support;

use rolebar_core::clock::Clock;
use rolebar_core::profile::resolve::Environment;
use rolebar_core::session::sts::SdkSts;
use rolebar_core::HasCode;
use rolebar_core::{Credentials, Session, SessionKind};
use serde_json::Value;
use std::sync::Arc;
use support::{vault_with, ScriptedPrompt};

struct Moto {
    url: String,
    open_url: String,
    fixture: Value,
}

fn moto() -> Moto {
    let need = |k: &str| {
        std::env::var(k).unwrap_or_else(|_| panic!("{k} is not set: run the tests through `bash scripts/test.sh`"))
    };
    let fixture = std::fs::read_to_string(need("ROLEBAR_TEST_MOTO_FIXTURE")).expect("fixture file");
    Moto {
        url: need("ROLEBAR_TEST_MOTO_URL"),
        open_url: need("ROLEBAR_TEST_MOTO_OPEN_URL"),
        fixture: serde_json::from_str(&fixture).expect("fixture JSON"),
    }
}

impl Moto {
    fn user(&self, name: &str) -> Credentials {
        let u = &self.fixture["users"][name];
        Credentials::long_term(
            u["access_key_id"].as_str().expect("access_key_id"),
            u["secret_access_key"].as_str().expect("secret_access_key"),
        )
    }
    fn role(&self, name: &str) -> String {
        self.fixture["roles"][name].as_str().expect("role arn").to_string()
    }
}

async fn caller_arn(url: &str, session: &Session) -> String {
    let c = &session.credentials;
    let config = aws_sdk_sts::Config::builder()
        .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
        .region(aws_sdk_sts::config::Region::new("us-east-1"))
        .endpoint_url(url)
        .credentials_provider(aws_sdk_sts::config::Credentials::new(
            c.access_key_id.clone(),
            c.secret_access_key.expose().to_string(),
            c.session_token.as_ref().map(|t| t.expose().to_string()),
            None,
            "test",
        ))
        .build();
    let out = aws_sdk_sts::Client::from_conf(config)
        .get_caller_identity()
        .send()
        .await
        .expect("GetCallerIdentity");
    out.arn().expect("arn").to_string()
}

fn config(m: &Moto) -> String {
    format!(
        "[default]\nregion = us-east-1\n\n\
         [profile oppara-dev]\nsource_profile = default\nmfa_serial = arn:aws:iam::111111111111:mfa/oppara\nrole_arn = {dev}\n\n\
         [profile oppara-ro]\nsource_profile = oppara-dev\nrole_arn = {ro}\n\n\
         [profile base]\nmfa_serial = arn:aws:iam::111111111111:mfa/alice\n\n\
         [profile dev]\nsource_profile = base\nrole_arn = {dev}\nmfa_serial = arn:aws:iam::111111111111:mfa/alice\n\n\
         [profile admin]\nsource_profile = base\nrole_arn = {admin}\nmfa_serial = arn:aws:iam::111111111111:mfa/alice\n",
        dev = m.role("developer"),
        ro = m.role("readonly"),
        admin = m.role("admin"),
    )
}

#[tokio::test]
#[ignore = "needs moto and a keyring: run bash scripts/test.sh"]
async fn seed_role_with_mfa_then_get_caller_identity_names_the_role() {
    let m = moto();
    let t = vault_with(Arc::new(SdkSts::default()));
    t.vault
        .keys()
        .add("default", &m.user("oppara"), t.clock.now())
        .expect("keys");
    let set = support::profiles(&config(&m), "");
    let env = Environment {
        endpoint_url_sts: Some(m.url.clone()),
        ..Environment::default()
    };
    // moto's expirations follow the real clock.
    t.clock.set(time::OffsetDateTime::now_utc());
    let prompt = ScriptedPrompt::new(&["123456"]);
    let s = t
        .vault
        .session(&set.resolve_with("oppara-dev", &env).expect("resolves"), &prompt)
        .await
        .expect("AssumeRole");
    assert_eq!(s.kind, SessionKind::AssumeRole);
    assert_eq!(prompt.asked().len(), 1);
    let arn = caller_arn(&m.url, &s).await;
    assert!(arn.contains(":assumed-role/developer/"), "{arn}");

    // Chained: oppara-ro assumes readonly from oppara-dev's (cached) session, no new code.
    let ro = t
        .vault
        .session(&set.resolve_with("oppara-ro", &env).expect("resolves"), &prompt)
        .await
        .expect("chain");
    assert_eq!(prompt.asked().len(), 1);
    let arn = caller_arn(&m.url, &ro).await;
    assert!(arn.contains(":assumed-role/readonly/"), "{arn}");
}

#[tokio::test]
#[ignore = "needs moto and a keyring: run bash scripts/test.sh"]
async fn a_wrong_secret_in_the_keyring_really_fails() {
    let m = moto();
    let t = vault_with(Arc::new(SdkSts::default()));
    let good = m.user("second");
    t.vault
        .keys()
        .add(
            "default",
            &Credentials::long_term(good.access_key_id.clone(), "not-the-secret"),
            t.clock.now(),
        )
        .expect("keys");
    let set = support::profiles(&config(&m), "");
    let env = Environment {
        endpoint_url_sts: Some(m.url.clone()),
        ..Environment::default()
    };
    let err = t
        .vault
        .session(
            &set.resolve_with("oppara-dev", &env).expect("resolves"),
            &ScriptedPrompt::new(&["123456"]),
        )
        .await
        .expect_err("wrong secret");
    assert_eq!(err.code(), "signature_mismatch", "{err}");
    assert!(err.to_string().contains("rolebar add default"), "{err}");
    assert!(!err.to_string().contains(&good.access_key_id), "{err}");
    assert!(t.vault.cache().list().is_empty());
}

/// moto's GetSessionToken returns one fixed key pair its own enforcement rejects, so the
/// one-code-for-many-roles path runs against the second, open moto.
#[tokio::test]
#[ignore = "needs moto and a keyring: run bash scripts/test.sh"]
async fn one_code_for_two_roles_through_get_session_token() {
    let m = moto();
    let t = vault_with(Arc::new(SdkSts::default()));
    t.clock.set(time::OffsetDateTime::now_utc());
    t.vault
        .keys()
        .add("base", &m.user("oppara"), t.clock.now())
        .expect("keys");
    let set = support::profiles(&config(&m), "");
    let env = Environment {
        endpoint_url_sts: Some(m.open_url.clone()),
        ..Environment::default()
    };
    let prompt = ScriptedPrompt::new(&["123456"]);
    let dev = t
        .vault
        .session(&set.resolve_with("dev", &env).expect("dev"), &prompt)
        .await
        .expect("dev");
    let admin = t
        .vault
        .session(&set.resolve_with("admin", &env).expect("admin"), &prompt)
        .await
        .expect("admin");
    assert_eq!(prompt.asked().len(), 1, "one MFA code for both roles");
    assert!(caller_arn(&m.open_url, &dev).await.contains(":assumed-role/developer/"));
    assert!(caller_arn(&m.open_url, &admin).await.contains(":assumed-role/admin/"));
    // moto stamps the end in whole seconds from its own clock, read a moment after ours: up to a
    // second over the hour.
    let left = dev.expires_at - t.clock.now();
    assert!(
        left <= time::Duration::hours(1) + time::Duration::seconds(2) && left > time::Duration::minutes(55),
        "{left}"
    );
}

//! Every sample config resolves as the AWS CLI (and, for MFA sessions, aws-vault) would.

use rolebar_core::profile::resolve::{Environment, SESSION_TOKEN_DEFAULT_DURATION};
use rolebar_core::profile::{CredentialSource, ProfileSet, ResolvedProfile};
use std::path::Path;
use time::Duration;

fn fixture(name: &str) -> (std::path::PathBuf, String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/aws")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("fixture exists");
    (path, text)
}

fn load(config: &str, credentials: Option<&str>) -> ProfileSet {
    let (cp, ct) = fixture(config);
    let (kp, kt) = match credentials {
        Some(c) => fixture(c),
        None => (Path::new("/nonexistent/credentials").to_path_buf(), String::new()),
    };
    ProfileSet::parse(&cp, &ct, &kp, &kt).expect("fixture parses")
}

fn role(p: &ResolvedProfile) -> &rolebar_core::profile::RoleSpec {
    match &p.source {
        CredentialSource::Role(r) => r,
        other => panic!("{} is not a role: {other:?}", p.name),
    }
}

#[test]
fn seed_role_is_assumed_from_default_keys_with_the_roles_own_mfa() {
    let set = load("seed-config", Some("seed-credentials"));
    let env = Environment::default();
    let dev = set.resolve_with("oppara-dev", &env).expect("resolves");
    let r = role(&dev);
    assert_eq!(r.role_arn, "arn:aws:iam::222222222222:role/developer");
    assert_eq!(r.mfa_serial.as_deref(), Some("arn:aws:iam::111111111111:mfa/oppara"));
    assert_eq!(r.duration, None);
    // default holds no keys in the files: they come from the keyring.
    match &r.source.source {
        CredentialSource::Keys(k) => {
            assert_eq!(k.profile, "default");
            assert!(k.file_keys.is_none());
        }
        other => panic!("unexpected {other:?}"),
    }
    // aws-vault's fallback to [default]'s region, so `exec` can set AWS_REGION.
    assert_eq!(dev.region.as_deref(), Some("ap-northeast-1"));
    assert_eq!(dev.sts.url(), "https://sts.ap-northeast-1.amazonaws.com");
    assert_eq!(
        set.names().collect::<Vec<_>>(),
        ["default", "oppara-dev", "other-tool"],
        "config profiles first, then credentials-only ones, in file order"
    );
    let other = set.resolve_with("other-tool", &env).expect("resolves");
    match other.source {
        CredentialSource::Keys(k) => {
            let keys = k.file_keys.expect("keys from the credentials file");
            assert_eq!(keys.credentials.access_key_id, "ASIAFAKEOTHERTOOL000");
            assert!(keys.credentials.session_token.is_some());
            assert_eq!(keys.line, 3);
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn many_shapes_resolve_like_the_cli() {
    let set = load("many-shapes-config", None);
    let env = Environment::default();
    assert_eq!(
        set.names().collect::<Vec<_>>(),
        [
            "default",
            "base",
            "dev",
            "dev-readonly",
            "prod",
            "spaced name",
            "sso-dev"
        ]
    );

    let base = set.resolve_with("base", &env).expect("base");
    assert!(
        matches!(&base.source, CredentialSource::SessionToken { mfa_serial, keys }
        if mfa_serial == "arn:aws:iam::111111111111:mfa/alice" && keys.profile == "base")
    );
    assert_eq!(SESSION_TOKEN_DEFAULT_DURATION, Duration::hours(8));

    let dev = set.resolve_with("dev", &env).expect("dev");
    let r = role(&dev);
    assert_eq!(r.role_session_name.as_deref(), Some("alice-dev"));
    assert_eq!(r.duration, Some(Duration::hours(1)));
    assert_eq!(
        r.mfa_serial,
        base.mfa_serial().map(str::to_string),
        "same device as its source"
    );
    assert_eq!(
        dev.region.as_deref(),
        Some("eu-west-1"),
        "no region of its own: [default]'s"
    );

    let ro = set.resolve_with("dev-readonly", &env).expect("dev-readonly");
    let r = role(&ro);
    assert_eq!(r.external_id.as_deref(), Some("partner-4711"));
    assert_eq!(r.mfa_serial, None, "mfa_serial is the profile's own, not inherited");
    assert_eq!(
        role(&r.source).role_arn,
        "arn:aws:iam::222222222222:role/Developer",
        "chained from dev"
    );
    assert_eq!(
        ro.mfa_serial(),
        Some("arn:aws:iam::111111111111:mfa/alice"),
        "the chain still needs alice's device"
    );

    let prod = set.resolve_with("prod", &env).expect("prod");
    assert_eq!(role(&prod).duration, Some(Duration::hours(12)));
    assert_eq!(prod.region.as_deref(), Some("ap-northeast-1"));
    assert_eq!(prod.sts.url(), "https://sts.ap-northeast-1.amazonaws.com");

    let spaced = set.resolve_with("spaced name", &env).expect("quoted name");
    assert_eq!(role(&spaced).role_arn, "arn:aws:iam::555555555555:role/Tester");
    assert_eq!(role(&spaced).mfa_serial, None);

    let sso = set.resolve_with("sso-dev", &env).expect("an SSO role");
    let CredentialSource::Sso(role) = &sso.source else {
        panic!("an SSO role: {sso:?}");
    };
    assert_eq!(role.session.name.as_deref(), Some("corp"));
    assert_eq!(role.session.start_url, "https://example.awsapps.com/start");
    assert_eq!(role.role_arn(), "arn:aws:iam::666666666666:role/Developer");
}

#[test]
fn cross_check_with_aws_config_parser() {
    // aws-config's own parser must see the same profiles and values.
    let (_, ct) = fixture("many-shapes-config");
    let set = load("many-shapes-config", None);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let config_path = dir.path().join("config");
    std::fs::write(&config_path, ct).expect("write");
    let fs = aws_runtime::env_config::file::EnvConfigFiles::builder()
        .with_file(aws_runtime::env_config::file::EnvConfigFileKind::Config, &config_path)
        .build();
    let profiles = rt
        .block_on(aws_config::profile::load(
            &aws_types::os_shim_internal::Fs::real(),
            &aws_types::os_shim_internal::Env::from_slice(&[]),
            &fs,
            None,
        ))
        .expect("aws-config parses it");
    // aws-config keeps the quotes of `[profile "spaced name"]`; botocore (the AWS CLI) strips
    // them with shlex, and so do we.
    for name in set.names().filter(|n| *n != "spaced name") {
        let theirs = profiles
            .get_profile(name)
            .unwrap_or_else(|| panic!("aws-config lacks `{name}`"));
        for key in [
            "role_arn",
            "source_profile",
            "mfa_serial",
            "region",
            "external_id",
            "duration_seconds",
        ] {
            let ours = set.own_setting(name, key).map(|s| s.value);
            assert_eq!(ours, theirs.get(key), "{name}.{key}");
        }
    }
}

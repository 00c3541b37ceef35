//! IAM Identity Center through the binary: the SSO double (crates/core/tests/support/sso_double.py)
//! minting role credentials at the auth-off moto, the tests' BROWSER following the sign-in, the
//! real AWS CLI using what Rolebar hands out, and the real keyring for role sessions.

#[path = "../../core/tests/support/sso.rs"]
mod sso;
mod support;

use sso::{browser_command, SsoDouble, SsoOptions};
use support::{need, text, World};

/// SHA-1 of `corp`: the AWS CLI's token file name for `[sso-session corp]`.
const CORP_TOKEN_FILE: &str = "ee0bfd2552fbd840c02cc48b6e823320543c450f.json";

struct SsoWorld {
    w: World,
    double: SsoDouble,
    moto_open: String,
    browser: String,
}

impl SsoWorld {
    fn new(name: &str, options: SsoOptions) -> SsoWorld {
        let w = World::new(name);
        let moto_open = need("ROLEBAR_TEST_MOTO_OPEN_URL");
        let double = SsoDouble::start(SsoOptions {
            moto: Some(moto_open.clone()),
            ..options
        });
        let mut config = std::fs::read_to_string(w.path("config")).expect("config");
        config.push_str(
            "\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n\
             sso_registration_scopes = sso:account:access\n\n\
             [profile sandbox-admin]\nsso_session = corp\nsso_account_id = 111111111111\n\
             sso_role_name = AdministratorAccess\nregion = us-east-1\n\n\
             [profile deploy]\nsource_profile = sandbox-admin\nrole_arn = arn:aws:iam::333333333333:role/deploy\n",
        );
        std::fs::write(w.path("config"), config).expect("config");
        let browser = browser_command(&w.path("browser.jsonl"));
        SsoWorld {
            w,
            double,
            moto_open,
            browser,
        }
    }

    /// `rolebar ARGS` with the double as both SSO endpoints, the recording browser, and STS at
    /// the moto that minted the role credentials (a chained role is assumed there).
    fn rolebar(&self, args: &[&str]) -> std::process::Output {
        let env = [
            ("AWS_ENDPOINT_URL_SSO", self.double.url.as_str()),
            ("AWS_ENDPOINT_URL_SSO_OIDC", self.double.url.as_str()),
            ("AWS_ENDPOINT_URL_STS", self.moto_open.as_str()),
            ("BROWSER", self.browser.as_str()),
        ];
        self.w.rolebar(args, "", &env)
    }

    fn token_file(&self) -> std::path::PathBuf {
        self.w.dir.path().join(".aws/sso/cache").join(CORP_TOKEN_FILE)
    }

    /// The ARN `aws sts get-caller-identity` prints when run by `rolebar exec PROFILE`.
    fn exec_arn(&self, profile: &str) -> String {
        let out = self.rolebar(&[
            "exec",
            profile,
            "--",
            &self.w.aws,
            "sts",
            "get-caller-identity",
            "--endpoint-url",
            &self.moto_open,
            "--output",
            "json",
        ]);
        assert!(out.status.success(), "exec {profile}: {}", text(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        v["Arn"].as_str().expect("Arn").to_string()
    }
}

#[test]
#[ignore = "needs moto, the SSO double and a keyring: run bash scripts/test.sh"]
fn one_browser_sign_in_serves_exec_credential_process_and_a_chained_role_until_logout_sso() {
    let s = SsoWorld::new("sso-pkce", SsoOptions::default());

    let out = s.rolebar(&["login-sso", "corp"]);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("Signed in to IAM Identity Center `corp`"), "{stderr}");
    assert!(stderr.contains("renews it without a browser"), "{stderr}");
    // The AWS CLI's file: its name, its shape, private.
    let path = s.token_file();
    let token: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).expect("token file")).expect("json");
    for field in [
        "accessToken",
        "expiresAt",
        "refreshToken",
        "clientId",
        "clientSecret",
        "registrationExpiresAt",
    ] {
        assert!(token[field].is_string(), "{field} in {token:#}");
    }
    assert_eq!(token["startUrl"], "https://corp.awsapps.com/start");
    assert_eq!(token["region"], "eu-west-1");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777,
        0o600
    );
    // The secrets went nowhere else.
    let access = token["accessToken"].as_str().expect("token");
    assert!(!stderr.contains(access), "the access token was printed");

    let listing = text(&s.rolebar(&["list"]).stdout);
    assert!(
        listing.contains("[sso-session corp]") && listing.contains("signed in, "),
        "{listing}"
    );
    assert!(listing.contains("sandbox-admin"), "{listing}");

    // The role's credentials work at moto, for the real AWS CLI.
    let arn = s.exec_arn("sandbox-admin");
    assert!(arn.contains(":111111111111:assumed-role/AdministratorAccess/"), "{arn}");
    // Cached in the keyring: the portal is not asked again.
    let out = s.rolebar(&["--no-agent", "credential-process", "sandbox-admin"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let process: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(process["Version"], 1);
    assert_eq!(s.double.count("RoleCredentials"), 1, "{:#}", s.double.counts());
    let listing = text(&s.rolebar(&["list"]).stdout);
    assert!(listing.contains("sso.GetRoleCredentials:"), "{listing}");
    // A role chained from the SSO profile: assumed at STS with the SSO role's credentials.
    let arn = s.exec_arn("deploy");
    assert!(arn.contains(":333333333333:assumed-role/deploy/"), "{arn}");
    // One sign-in in the browser for all of it.
    assert_eq!(s.double.count("SignIn"), 1, "{:#}", s.double.counts());

    let out = s.rolebar(&["logout-sso", "sandbox-admin"]);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    // The SSO role's session and the role chained from it both end with the sign-in.
    assert!(
        stderr.contains("Signed out of IAM Identity Center `corp`; 2 role session(s) dropped"),
        "{stderr}"
    );
    let listing = text(&s.rolebar(&["list"]).stdout);
    assert!(
        !listing.contains("sts.AssumeRole:") && !listing.contains("sso.GetRoleCredentials:"),
        "{listing}"
    );
    assert!(!path.exists(), "the token file is removed");
    assert_eq!(s.double.count("Logout"), 1, "{:#}", s.double.counts());
    // Without a sign-in, a credential_process never opens a browser: it says what to run.
    let out = s.rolebar(&["--no-agent", "credential-process", "sandbox-admin"]);
    let stderr = text(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("rolebar login-sso corp"), "{stderr}");
    assert_eq!(
        s.double.count("SignIn"),
        1,
        "no second sign-in: {:#}",
        s.double.counts()
    );
}

#[test]
#[ignore = "needs moto, the SSO double and a keyring: run bash scripts/test.sh"]
fn the_device_code_flow_shows_the_code_and_exec_signs_in_when_needed() {
    let s = SsoWorld::new(
        "sso-device",
        SsoOptions {
            device_pending: Some(1),
            ..SsoOptions::default()
        },
    );
    let out = s.rolebar(&["login-sso", "sandbox-admin", "--use-device-code", "--no-browser"]);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("and enter the code "), "{stderr}");
    assert!(s.token_file().exists());
    assert!(!s.w.path("browser.jsonl").exists(), "--no-browser opened a browser");
    assert_eq!(
        s.double.count("CreateToken:device_code"),
        2,
        "pending once, then the token"
    );

    // Signed out at AWS (the token revoked): exec signs in again through the browser.
    s.double.control("revoke");
    std::fs::remove_file(s.token_file()).expect("sign-in forgotten");
    let arn = s.exec_arn("sandbox-admin");
    assert!(arn.contains(":111111111111:assumed-role/AdministratorAccess/"), "{arn}");
    assert_eq!(s.double.count("SignIn"), 2, "{:#}", s.double.counts());
}

#[test]
#[ignore = "needs moto, the SSO double and a keyring: run bash scripts/test.sh"]
fn bad_sso_input_is_named() {
    let s = SsoWorld::new("sso-bad", SsoOptions::default());
    let mut config = std::fs::read_to_string(s.w.path("config")).expect("config");
    config.push_str("\n[profile lost]\nsso_session = nowhere\nsso_account_id = 111111111111\nsso_role_name = x\n");
    std::fs::write(s.w.path("config"), config).expect("config");
    let out = s.rolebar(&["exec", "lost", "--", "true"]);
    assert!(
        text(&out.stderr).contains("sso_session `[sso-session nowhere]` not found"),
        "{}",
        text(&out.stderr)
    );
    let out = s.rolebar(&["login-sso", "nothing-here"]);
    assert!(
        text(&out.stderr).contains("profile `nothing-here` not found"),
        "{}",
        text(&out.stderr)
    );

    // No browser on this host (an SSH session): the sign-in fails at once and says what to use,
    // rather than waiting minutes for a redirect that cannot come.
    let no_browser = [
        ("AWS_ENDPOINT_URL_SSO", s.double.url.as_str()),
        ("AWS_ENDPOINT_URL_SSO_OIDC", s.double.url.as_str()),
        ("BROWSER", "/bin/false"),
    ];
    let out = s.w.rolebar(&["exec", "sandbox-admin", "--", "true"], "", &no_browser);
    let stderr = text(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("--use-device-code"), "{stderr}");

    // A malformed SSO endpoint variable fails only what needs IAM Identity Center.
    let bad_endpoint = [("AWS_ENDPOINT_URL_SSO", "not a url")];
    let out = s.w.rolebar(&["list"], "", &bad_endpoint);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = s.w.rolebar(
        &["--no-agent", "credential-process", "sandbox-admin"],
        "",
        &bad_endpoint,
    );
    let stderr = text(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("AWS_ENDPOINT_URL_SSO is `not a url`"), "{stderr}");

    // A corrupt token file is named and kept, not replaced behind the user's back.
    std::fs::create_dir_all(s.token_file().parent().expect("dir")).expect("dir");
    std::fs::write(s.token_file(), "{not json").expect("corrupt");
    let out = s.rolebar(&["--no-agent", "credential-process", "sandbox-admin"]);
    let stderr = text(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains(CORP_TOKEN_FILE) && stderr.contains("rolebar login-sso corp"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(s.token_file()).expect("kept"), "{not json");
    // Signing in, which the user asks for, replaces it.
    let out = s.rolebar(&["login-sso", "corp"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let token: serde_json::Value = serde_json::from_slice(&std::fs::read(s.token_file()).expect("read")).expect("json");
    assert!(token["accessToken"].is_string());
}

#[test]
#[ignore = "needs moto, the SSO double and a keyring: run bash scripts/test.sh"]
fn the_legacy_form_signs_in_with_a_device_code_under_its_start_url() {
    let s = SsoWorld::new(
        "sso-legacy",
        SsoOptions {
            device_pending: Some(1),
            ..SsoOptions::default()
        },
    );
    let mut config = std::fs::read_to_string(s.w.path("config")).expect("config");
    config.push_str(
        "\n[profile legacy-ro]\nsso_start_url = https://old.awsapps.com/start\nsso_region = us-east-1\n\
         sso_account_id = 222222222222\nsso_role_name = ReadOnly\n",
    );
    std::fs::write(s.w.path("config"), config).expect("config");
    let out = s.rolebar(&["login-sso", "legacy-ro", "--no-browser"]);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("and enter the code "),
        "the AWS CLI's flow for this form: {stderr}"
    );
    // Keyed by the start URL, as the AWS CLI keys it; never renewed without the user.
    let file =
        s.w.dir
            .path()
            .join(".aws/sso/cache/33d5ca4bf3b1a62edb96b47f7c203034a43ac435.json");
    let token: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).expect("token file")).expect("json");
    assert_eq!(token["startUrl"], "https://old.awsapps.com/start");
    let arn = s.exec_arn("legacy-ro");
    assert!(arn.contains(":222222222222:assumed-role/ReadOnly/"), "{arn}");
    let listing = text(&s.rolebar(&["list"]).stdout);
    assert!(listing.contains("legacy-ro"), "{listing}");
}

//! IAM Identity Center end to end against the SSO double (tests/support/sso_double.py), with
//! tests/support/sso_browser.py as the browser: PKCE and device sign-ins, refresh, revoked and
//! expired tokens, one sign-in for many callers, and the token cache read by botocore.
//!
//! Run with `bash scripts/test.sh --shell -- cargo nextest run -p rolebar-core --run-ignored all
//! -E 'binary(sso_flows)'`: the double runs on the test venv's python (botocore for the
//! compatibility test).

use rolebar_core::clock::SystemClock;
use rolebar_core::profile::sso::{SsoRoleSpec, SsoSessionConfig};
use rolebar_core::sso::{BrowserSignInUi, SignInFlow, SignInPrompt, SignInUi, Sso, SsoEndpoints, SsoOptions};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;
use support::sso::{
    browser_command, browser_command_in_mode, SsoAccount as DoubleAccount, SsoDouble, SsoOptions as DoubleOptions,
};

mod support;

use rolebar_core::HasCode;
use support::logs::Captured;
const START_URL: &str = "https://rolebar-test.awsapps.com/start";

/// The test venv's python (boto3, botocore), for the compatibility test.
fn python() -> PathBuf {
    let cache = std::env::var_os("ROLEBAR_CACHE_DIR")
        .map(PathBuf::from)
        .or_else(|| dirs::home_dir().map(|h| h.join(".cache/rolebar-test")));
    cache
        .map(|c| c.join("venv/bin/python"))
        .filter(|p| p.exists())
        .unwrap_or_else(|| PathBuf::from("python3"))
}

/// The double (tests/support/sso.rs) with what these tests ask of it.
struct Double {
    inner: SsoDouble,
}

impl Double {
    /// Three accounts (lists of 2 a page, so paging is followed); `access_ttl` in seconds.
    fn start(access_ttl: Option<u64>, device_pending: Option<u32>) -> Double {
        // Role credentials are minted at moto when the harness runs one, except for short-lived
        // tokens: the double asks moto for the token's remaining life, and AssumeRole refuses
        // less than 900 s.
        let moto = std::env::var("ROLEBAR_TEST_MOTO_OPEN_URL")
            .ok()
            .filter(|_| access_ttl.is_none_or(|t| t >= 900));
        let inner = SsoDouble::start(DoubleOptions {
            moto,
            accounts: vec![
                DoubleAccount::new(
                    "111111111111",
                    "Sandbox",
                    &["AdministratorAccess", "ReadOnly", "Billing"],
                ),
                DoubleAccount::new("222222222222", "Production", &["ReadOnly"]),
                DoubleAccount::new("333333333333", "Shared", &["ReadOnly"]),
            ],
            access_ttl,
            device_pending,
            ..DoubleOptions::default()
        });
        Double { inner }
    }

    fn url(&self) -> String {
        self.inner.url.clone()
    }

    fn control(&self, what: &str) {
        self.inner.control(what);
    }

    fn count(&self, key: &str) -> u64 {
        self.inner.count(key)
    }

    fn sso(&self, cache_dir: &Path) -> Sso {
        self.sso_waiting(cache_dir, Duration::from_secs(30))
    }

    /// …that gives up on a browser sign-in after `wait`.
    fn sso_waiting(&self, cache_dir: &Path, wait: Duration) -> Sso {
        let endpoints = SsoEndpoints::new(Some(&self.url()), Some(&self.url())).expect("endpoints");
        Sso::new(cache_dir, endpoints, Arc::new(SystemClock)).with_options(SsoOptions {
            sign_in_timeout: wait,
            ..SsoOptions::default()
        })
    }

    fn record(&self) -> PathBuf {
        self.inner.dir.path().join("browser.jsonl")
    }

    /// The BROWSER value that runs sso_browser.py.
    fn browser(&self) -> String {
        browser_command(&self.record())
    }

    /// …with SSO_BROWSER_MODE `mode` (ignore, tamper).
    fn browser_in_mode(&self, mode: &str) -> String {
        browser_command_in_mode(&self.record(), mode)
    }

    /// A BROWSER script that runs each of `browsers` on the URL in turn and exits 0, as a
    /// browser's opener does once the page is open (whatever the page then says).
    fn browser_script(&self, name: &str, browsers: &[String]) -> String {
        let script = self.inner.dir.path().join(name);
        let mut text = String::from("#!/bin/sh\n");
        for browser in browsers {
            text.push_str(&format!("{} \"$1\"\n", browser.trim_end_matches(" %s")));
        }
        text.push_str("exit 0\n");
        std::fs::write(&script, text).expect("script");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        }
        script.display().to_string()
    }

    /// The statuses the loopback redirect answered, over every visit so far.
    fn callback_statuses(&self) -> Vec<u64> {
        std::fs::read_to_string(self.record())
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .flat_map(|visit| visit["hops"].as_array().cloned().unwrap_or_default())
            .filter(|hop| hop["url"].as_str().is_some_and(|u| u.contains("/oauth/callback")))
            .filter_map(|hop| hop["status"].as_u64())
            .collect()
    }

    fn browser_visits(&self) -> usize {
        std::fs::read_to_string(self.record())
            .map(|t| t.lines().count())
            .unwrap_or(0)
    }
}

fn session(name: &str) -> SsoSessionConfig {
    SsoSessionConfig {
        name: Some(name.into()),
        start_url: START_URL.into(),
        region: "eu-west-1".into(),
        scopes: vec!["sso:account:access".into()],
        endpoints: Default::default(),
    }
}

fn role(session: &SsoSessionConfig, account: &str, role: &str) -> SsoRoleSpec {
    SsoRoleSpec {
        session: session.clone(),
        account_id: account.into(),
        role_name: role.into(),
    }
}

/// A UI that runs the test browser with SSO_BROWSER_MODE and records the prompts.
#[derive(Debug, Default)]
struct TestUi {
    browser: String,
    prompts: std::sync::Mutex<Vec<SignInPrompt>>,
}

impl TestUi {
    fn new(browser: String) -> TestUi {
        TestUi {
            browser,
            prompts: Default::default(),
        }
    }
}

#[async_trait::async_trait]
impl SignInUi for TestUi {
    async fn show(&self, prompt: &SignInPrompt) -> rolebar_core::Result<()> {
        self.prompts.lock().expect("lock").push(prompt.clone());
        BrowserSignInUi::with_browser(self.browser.clone()).show(prompt).await
    }
}

fn cache_file(dir: &Path) -> serde_json::Value {
    let entries: Vec<_> = std::fs::read_dir(dir)
        .expect("cache dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    serde_json::from_slice(&std::fs::read(&entries[0]).expect("read")).expect("json")
}

#[tokio::test]
#[ignore = "needs the SSO double: run scripts/test.sh"]
async fn pkce_sign_in_end_to_end_then_role_credentials_and_listings() {
    let double = Double::start(None, None);
    let home = tempfile::tempdir().expect("home");
    let sso = double.sso(home.path());
    let s = session("pkce-e2e");
    let ui = TestUi::new(double.browser());

    let state = sso.sign_in(&s, SignInFlow::Pkce, &ui).await.expect("sign in");
    assert!(state.can_refresh);
    assert_eq!(double.count("Authorize"), 1);
    assert_eq!(double.count("CreateToken:authorization_code"), 1);
    let prompts = ui.prompts.lock().expect("lock").clone();
    let SignInPrompt::OpenUrl { url, .. } = &prompts[0] else {
        panic!("{prompts:?}")
    };
    assert!(url.starts_with(&format!("{}/authorize?", double.url())), "{url}");
    assert!(url.contains("code_challenge_method=S256"), "{url}");

    let file = cache_file(home.path());
    for field in [
        "startUrl",
        "region",
        "accessToken",
        "expiresAt",
        "refreshToken",
        "clientId",
        "clientSecret",
        "registrationExpiresAt",
    ] {
        assert!(file.get(field).is_some(), "{field} in {file}");
    }
    assert!(file["expiresAt"].as_str().expect("str").ends_with('Z'));
    // printf %s pkce-e2e | sha1sum
    assert_eq!(
        sso.cache_path(&s),
        home.path().join(format!("{}.json", rolebar_core::sso::cache_key(&s)))
    );

    let token = sso
        .access_token(&s, None, SignInFlow::Pkce)
        .await
        .expect("cached token");
    let creds = sso
        .role_credentials(&role(&s, "111111111111", "ReadOnly"), &token)
        .await
        .expect("role credentials");
    assert!(creds.credentials.access_key_id.starts_with("ASIA"), "{creds:?}");
    assert!(creds.expires_at > time::OffsetDateTime::now_utc());

    let accounts = sso.accounts(&token).await.expect("accounts");
    let ids: Vec<&str> = accounts.iter().map(|a| a.account_id.as_str()).collect();
    assert_eq!(ids, ["111111111111", "222222222222", "333333333333"], "paged by 2");
    assert_eq!(accounts[0].name, "Sandbox");
    let roles = sso.account_roles(&token, "111111111111").await.expect("roles");
    assert_eq!(roles, ["AdministratorAccess", "ReadOnly", "Billing"]);

    let e = sso
        .role_credentials(&role(&s, "222222222222", "AdministratorAccess"), &token)
        .await
        .expect_err("not assigned");
    assert_eq!(e.code(), "sso_role_denied", "{e}");
    assert!(
        e.to_string().contains("AdministratorAccess") && e.to_string().contains("222222222222"),
        "{e}"
    );

    assert!(sso.sign_out(&s).await.expect("sign out"));
    assert_eq!(double.count("Logout"), 1);
    assert!(sso.state(&s).expect("state").is_none());
    assert!(!sso.sign_out(&s).await.expect("sign out again"));
}

#[tokio::test]
#[ignore = "needs the SSO double: run scripts/test.sh"]
async fn a_forged_state_and_a_wrong_verifier_are_refused() {
    let logs = Captured::default();
    let _logging = logs.install();
    let double = Double::start(None, None);
    let home = tempfile::tempdir().expect("home");
    let sso = double.sso(home.path());
    let s = session("forged");

    // The browser changes the state of the redirect: the tab is told it was refused (400), it
    // is logged, and the sign-in goes on waiting for the right redirect; none comes, so it ends
    // when its wait does, saying what was refused. Nothing cached.
    let tamper = double.browser_script("tamper.sh", &[double.browser_in_mode("tamper")]);
    let wait = Duration::from_secs(2);
    let started = std::time::Instant::now();
    let e = double
        .sso_waiting(home.path(), wait)
        .sign_in(&s, SignInFlow::Pkce, &TestUi::new(tamper))
        .await
        .expect_err("forged state");
    assert!(
        started.elapsed() >= wait,
        "ended after {:?}, not by its wait",
        started.elapsed()
    );
    assert_eq!(e.code(), "sso_state_mismatch", "{e}");
    let message = e.to_string();
    assert!(
        message.contains("was not completed") && message.contains("did not ask for") && message.contains("refused"),
        "{e}"
    );
    assert!(message.contains("rolebar login-sso forged"), "{e}");
    assert_eq!(double.callback_statuses(), [400]);
    assert!(sso.state(&s).expect("state").is_none());
    let logged = logs.text();
    assert!(logged.contains("refused an answer on the redirect"), "{logged}");
    assert!(!logged.contains("tampered-"), "a state is in the logs: {logged}");

    // A forged redirect first, then the right one: the forged one does not end the sign-in.
    let both = double.browser_script(
        "tamper-then-follow.sh",
        &[double.browser_in_mode("tamper"), double.browser()],
    );
    sso.sign_in(&s, SignInFlow::Pkce, &TestUi::new(both))
        .await
        .expect("signed in by the right redirect");
    assert_eq!(double.callback_statuses(), [400, 400, 200]);
    assert_eq!(double.count("CreateToken:authorization_code"), 1);
    assert!(sso.state(&s).expect("state").is_some());
    sso.sign_out(&s).await.expect("sign out");

    // The authorize URL's challenge is swapped for another verifier's: CreateToken refuses ours.
    let script = double.inner.dir.path().join("swap-challenge.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nexec {} \"$(printf %s \"$1\" | sed 's/code_challenge=[^&]*/code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM/')\"\n",
            double.browser().trim_end_matches(" %s")
        ),
    )
    .expect("script");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let e = sso
        .sign_in(&s, SignInFlow::Pkce, &TestUi::new(script.display().to_string()))
        .await
        .expect_err("wrong verifier");
    assert_eq!(e.code(), "sso_sign_in_rejected", "{e}");
    assert_eq!(double.count("CreateToken!InvalidGrantException"), 1);
    assert!(sso.state(&s).expect("state").is_none());
}

#[tokio::test]
#[ignore = "needs the SSO double: run scripts/test.sh"]
async fn device_code_sign_in() {
    let double = Double::start(None, Some(2));
    let home = tempfile::tempdir().expect("home");
    let sso = double.sso(home.path());
    let s = session("device");
    // The "user" never visits: the double approves after two pending polls.
    let ui = TestUi::new(double.browser_in_mode("ignore"));
    let state = sso
        .sign_in(&s, SignInFlow::DeviceCode, &ui)
        .await
        .expect("device sign-in");
    assert!(state.can_refresh);
    assert_eq!(double.count("StartDeviceAuthorization"), 1);
    assert_eq!(double.count("CreateToken:device_code"), 3);
    assert_eq!(double.count("Authorize"), 0);
    let prompts = ui.prompts.lock().expect("lock").clone();
    assert!(
        matches!(&prompts[..], [SignInPrompt::DeviceCode { user_code, .. }] if !user_code.is_empty()),
        "{prompts:?}"
    );
    let token = sso.access_token(&s, None, SignInFlow::DeviceCode).await.expect("token");
    sso.role_credentials(&role(&s, "111111111111", "ReadOnly"), &token)
        .await
        .expect("role credentials");
}

#[tokio::test]
#[ignore = "needs the SSO double: run scripts/test.sh"]
async fn a_token_near_its_end_is_refreshed_without_a_browser() {
    // Ten minutes: inside the 15-minute refresh window from the start.
    let double = Double::start(Some(600), None);
    let home = tempfile::tempdir().expect("home");
    let sso = double.sso(home.path());
    let s = session("refresh");
    sso.sign_in(&s, SignInFlow::Pkce, &TestUi::new(double.browser()))
        .await
        .expect("sign in");
    let before = cache_file(home.path());

    let token = sso.access_token(&s, None, SignInFlow::Pkce).await.expect("refreshed");
    assert_eq!(double.count("CreateToken:refresh_token"), 1);
    assert_eq!(double.count("Authorize"), 1, "no second browser sign-in");
    let after = cache_file(home.path());
    assert_ne!(before["accessToken"], after["accessToken"]);
    assert_ne!(
        before["refreshToken"], after["refreshToken"],
        "the rotated refresh token is kept"
    );
    assert_eq!(token.expose(), after["accessToken"].as_str().expect("str"));
    sso.role_credentials(&role(&s, "111111111111", "ReadOnly"), &token)
        .await
        .expect("role credentials with the refreshed token");
}

#[tokio::test]
#[ignore = "needs the SSO double: run scripts/test.sh"]
async fn an_expired_refresh_token_needs_a_new_sign_in() {
    let double = Double::start(Some(600), None);
    let home = tempfile::tempdir().expect("home");
    let sso = double.sso(home.path());
    let s = session("expired-refresh");
    let ui = TestUi::new(double.browser());
    sso.sign_in(&s, SignInFlow::Pkce, &ui).await.expect("sign in");
    double.control("expire-refresh");

    // The refresh is refused, but the token has ten minutes left: it serves until its end (as
    // botocore's does), and no sign-in is asked for yet.
    let still = sso
        .access_token(&s, None, SignInFlow::Pkce)
        .await
        .expect("the token serves until its end");
    assert_eq!(double.count("CreateToken!InvalidGrantException"), 1);
    assert!(still.expires_at() > time::OffsetDateTime::now_utc());
    // Renewing it now (what the tray does before a token ends) says the sign-in has ended.
    assert!(sso.renew(&s).await.expect("asked").is_none());

    // Once it has ended, without a UI, a sign-in is required.
    let path = sso.cache_path(&s);
    let mut file = cache_file(home.path());
    file["expiresAt"] = "2020-01-01T00:00:00Z".into();
    std::fs::write(&path, serde_json::to_vec(&file).expect("json")).expect("write");
    let e = sso
        .access_token(&s, None, SignInFlow::Pkce)
        .await
        .expect_err("refresh refused");
    assert_eq!(e.code(), "sso_sign_in_required", "{e}");
    assert!(e.to_string().contains("rolebar login-sso expired-refresh"), "{e}");
    // A refused refresh token is not sent again: one refused call in all.
    assert_eq!(double.count("CreateToken!InvalidGrantException"), 1);
    assert_eq!(double.count("CreateToken:refresh_token"), 1);

    // …and with one, a new browser sign-in.
    let token = sso
        .access_token(&s, Some(&ui), SignInFlow::Pkce)
        .await
        .expect("new sign-in");
    assert_eq!(double.count("Authorize"), 2);
    sso.role_credentials(&role(&s, "111111111111", "ReadOnly"), &token)
        .await
        .expect("role credentials");
}

#[tokio::test]
#[ignore = "needs the SSO double: run scripts/test.sh"]
async fn renew_makes_a_new_token_now_whatever_time_is_left() {
    let double = Double::start(None, Some(1));
    let home = tempfile::tempdir().expect("home");
    let sso = double.sso(home.path());
    let s = session("renew-now");
    let ui = TestUi::new(double.browser());
    sso.sign_in(&s, SignInFlow::Pkce, &ui).await.expect("sign in");
    let before = cache_file(home.path())["accessToken"].clone();
    let renewed = sso.renew(&s).await.expect("renew").expect("renewed");
    assert!(renewed.can_refresh);
    assert_eq!(double.count("CreateToken:refresh_token"), 1);
    assert_ne!(
        cache_file(home.path())["accessToken"],
        before,
        "a new token in the file"
    );
    // A sign-in that cannot renew itself (the legacy form, signed in with a device code) is
    // left to the user: no refresh is even tried.
    let legacy = SsoSessionConfig {
        name: None,
        ..session("legacy")
    };
    sso.sign_in(&legacy, SignInFlow::DeviceCode, &ui)
        .await
        .expect("legacy sign in");
    assert!(sso.state(&legacy).expect("state").is_some());
    assert!(sso.renew(&legacy).await.expect("asked").is_none());
    assert_eq!(
        double.count("CreateToken:refresh_token"),
        1,
        "no refresh for the legacy form"
    );
}

#[tokio::test]
#[ignore = "needs the SSO double: run scripts/test.sh"]
async fn a_revoked_token_is_rejected_and_not_used_again() {
    let double = Double::start(None, None);
    let home = tempfile::tempdir().expect("home");
    let sso = double.sso(home.path());
    let s = session("revoked");
    sso.sign_in(&s, SignInFlow::Pkce, &TestUi::new(double.browser()))
        .await
        .expect("sign in");
    let token = sso.access_token(&s, None, SignInFlow::Pkce).await.expect("token");
    double.control("revoke");

    let e = sso
        .role_credentials(&role(&s, "111111111111", "ReadOnly"), &token)
        .await
        .expect_err("revoked");
    assert_eq!(e.code(), "sso_token_rejected", "{e}");
    assert!(e.to_string().contains("rolebar login-sso revoked"), "{e}");
    assert!(!e.to_string().contains(token.expose()));

    // The cache no longer offers the revoked token: the next caller refreshes (the double's
    // refresh tokens survive a revoke) and gets a token that works.
    let state = sso.state(&s).expect("state").expect("signed in");
    assert!(state.expires_at <= time::OffsetDateTime::now_utc());
    let fresh = sso.access_token(&s, None, SignInFlow::Pkce).await.expect("refreshed");
    assert_ne!(fresh.expose(), token.expose());
    assert_eq!(double.count("CreateToken:refresh_token"), 1);
    sso.role_credentials(&role(&s, "111111111111", "ReadOnly"), &fresh)
        .await
        .expect("role credentials after the refresh");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs the SSO double: run scripts/test.sh"]
async fn twenty_parallel_callers_open_one_browser_tab() {
    let double = Double::start(None, None);
    let home = tempfile::tempdir().expect("home");
    let sso = Arc::new(double.sso(home.path()));
    let ui = Arc::new(TestUi::new(double.browser()));
    let s = session("parallel");
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let (sso, ui, s) = (sso.clone(), ui.clone(), s.clone());
        tasks.push(tokio::spawn(async move {
            sso.access_token(&s, Some(ui.as_ref() as &dyn SignInUi), SignInFlow::Pkce)
                .await
                .map(|t| t.expose().to_string())
        }));
    }
    let mut tokens = Vec::new();
    for task in tasks {
        tokens.push(task.await.expect("join").expect("token"));
    }
    tokens.dedup();
    assert_eq!(tokens.len(), 1, "every caller got the one sign-in's token");
    assert_eq!(double.count("Authorize"), 1);
    assert_eq!(double.browser_visits(), 1);
    assert_eq!(ui.prompts.lock().expect("lock").len(), 1);
}

#[tokio::test]
#[ignore = "needs the SSO double: run scripts/test.sh"]
async fn botocore_reads_the_token_rolebar_wrote_and_gets_role_credentials() {
    let double = Double::start(Some(600), None);
    let home = tempfile::tempdir().expect("home");
    let cache_dir = rolebar_core::sso::default_cache_dir(home.path());
    let sso = double.sso(&cache_dir);
    let s = session("boto-compat");
    sso.sign_in(&s, SignInFlow::Pkce, &TestUi::new(double.browser()))
        .await
        .expect("sign in");
    let written = cache_file(&cache_dir);

    let config = home.path().join("config");
    std::fs::write(
        &config,
        format!(
            "[sso-session boto-compat]\nsso_start_url = {START_URL}\nsso_region = eu-west-1\n\
             sso_registration_scopes = sso:account:access\n\n\
             [profile compat]\nsso_session = boto-compat\nsso_account_id = 111111111111\n\
             sso_role_name = ReadOnly\nregion = eu-west-1\n"
        ),
    )
    .expect("config");
    // botocore's own token provider (it refreshes: 10 minutes left is inside its window too),
    // then the profile's role credentials through the SSO credential provider.
    let script = r#"
import json, boto3
from botocore.tokens import SSOTokenProvider
session = boto3.Session(profile_name="compat")
token = SSOTokenProvider(session._session).load_token().get_frozen_token()
creds = session.get_credentials().get_frozen_credentials()
print(json.dumps({"token": token.token, "key": creds.access_key}))
"#;
    let out = Command::new(python())
        .arg("-c")
        .arg(script)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("AWS_CONFIG_FILE", &config)
        .env("AWS_SHARED_CREDENTIALS_FILE", home.path().join("credentials"))
        .env("AWS_ENDPOINT_URL_SSO", double.url())
        .env("AWS_ENDPOINT_URL_SSO_OIDC", double.url())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "botocore failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reply: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(reply["key"].as_str().is_some_and(|k| k.starts_with("ASIA")), "{reply}");
    // botocore refreshed with the registration and refresh token Rolebar cached (its token
    // provider and its credential provider each once: ten minutes left is inside its window).
    assert!(double.count("CreateToken:refresh_token") >= 1);
    let rewritten = cache_file(&cache_dir);
    assert_ne!(written["accessToken"], rewritten["accessToken"]);
    assert_ne!(reply["token"], written["accessToken"]);
    assert_eq!(written["clientId"], rewritten["clientId"]);

    // Rolebar reads the file botocore rewrote (its shape, without Rolebar's own fields).
    let state = sso.state(&s).expect("state").expect("signed in");
    assert!(state.can_refresh);
    let token = sso.access_token(&s, None, SignInFlow::Pkce).await.expect("token");
    sso.role_credentials(&role(&s, "111111111111", "ReadOnly"), &token)
        .await
        .expect("role credentials");
}

//! `rolebar login` through the binary: real gnome-keyring, moto as STS (auth enforced), the
//! federation double (crates/core/tests/support/federation_double.py) checking every session at
//! moto, and a `BROWSER` stand-in (crates/core/tests/support/console_browser.py) that records its
//! own command line and environment and follows the hand-off page's redirect on loopback.

#[path = "../../core/tests/support/federation.rs"]
mod federation;
mod support;

use federation::{query_param, FederationDouble};
use support::{text, World};

/// `rolebar login ARGS` with the double as the sign-in endpoint.
fn login(w: &World, d: &FederationDouble, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> std::process::Output {
    let mut all = vec!["login"];
    all.extend_from_slice(args);
    let mut env = env.to_vec();
    env.push(("AWS_ENDPOINT_URL_SIGNIN", &d.url));
    w.rolebar(&all, stdin, &env)
}

fn chained_world(name: &str) -> World {
    let w = World::new(name);
    let readonly = w.fixture["roles"]["readonly"].as_str().expect("role").to_string();
    let mut config = std::fs::read_to_string(w.path("config")).expect("config");
    config.push_str(&format!(
        "\n[profile chained]\nsource_profile=oppara-dev\nrole_arn={readonly}\n"
    ));
    std::fs::write(w.path("config"), config).expect("config");
    w
}

#[test]
#[ignore = "needs moto and a keyring: run bash scripts/test.sh"]
fn a_role_profile_opens_the_console_in_the_browser_asking_the_code_once() {
    let w = World::new("login-role");
    w.add_keys();
    let d = FederationDouble::start(Some(&w.moto), &[]);
    let record = w.path("browser.jsonl");
    let browser = format!(
        "{} {}/../core/tests/support/console_browser.py {} %s",
        federation::python(false).display(),
        env!("CARGO_MANIFEST_DIR"),
        record.display()
    );

    let out = login(
        &w,
        &d,
        &["oppara-dev", "--duration", "2h"],
        "123456\n",
        &[("BROWSER", &browser)],
    );
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "login: {stderr}");
    assert_eq!(stderr.matches("Enter MFA code").count(), 1, "{stderr}");
    assert!(stderr.contains("Opened the AWS console (us-east-1, aws)"), "{stderr}");
    assert!(out.stdout.is_empty(), "the URL is not printed without --stdout");
    assert!(!stderr.contains("SigninToken"), "{stderr}");

    let visits = federation::read_lines(&record);
    assert_eq!(visits.len(), 1, "{visits:?}");
    let visit = &visits[0];
    let hops = visit["hops"].as_array().expect("hops");
    let signin = hops
        .iter()
        .find_map(|h| h["url"].as_str().filter(|u| u.contains("/federation?Action=login&")))
        .unwrap_or_else(|| panic!("the browser reached the sign-in URL: {visit}"));
    // No part of the sign-in token is in the browser's arguments or environment...
    let token = query_param(signin, "SigninToken").expect("token");
    assert!(token.len() >= 24, "{token}");
    assert!(visit["argv"].as_array().is_some_and(|a| a.len() > 2), "{visit}");
    let seen = format!("{} {} {}", visit["url"], visit["argv"], visit["environ"]);
    for part in token.as_bytes().windows(12) {
        let part = std::str::from_utf8(part).expect("ascii");
        assert!(
            !seen.contains(part),
            "`{part}` of the sign-in token in the browser's argv/environ: {seen}"
        );
    }
    assert!(!seen.contains("SigninToken"), "{seen}");
    // ...it got a one-shot page on loopback, which sent it on to the sign-in URL.
    assert_eq!(hops.len(), 2, "{visit}");
    assert_eq!(hops[0]["status"], 303, "the hand-off page: {visit}");
    assert_eq!(hops[1]["url"].as_str(), Some(signin));
    assert_eq!(
        hops[1]["status"],
        302,
        "the double accepted the login: {:?}",
        d.requests()
    );
    assert!(
        signin.starts_with(&format!("{}/federation?Action=login&", d.url)),
        "{signin}"
    );
    assert_eq!(query_param(signin, "Issuer").as_deref(), Some("Rolebar"));
    assert_eq!(
        query_param(signin, "Destination").as_deref(),
        Some("https://us-east-1.console.aws.amazon.com/console/home?region=us-east-1")
    );
    assert_eq!(
        visit["final"].as_str(),
        Some("https://us-east-1.console.aws.amazon.com/console/home?region=us-east-1")
    );
    let tokens = d.token_requests();
    assert_eq!(tokens.len(), 1);
    assert!(
        tokens[0]["arn"]
            .as_str()
            .unwrap_or_default()
            .contains(":assumed-role/developer/"),
        "{tokens:?}"
    );
    assert_eq!(
        tokens[0]["session_duration"], "7200",
        "a role from long-term keys gets its duration"
    );

    // Again, within the session: no code (stdin closed: a prompt would fail), same session.
    let out = login(&w, &d, &["oppara-dev", "--stdout"], "", &[]);
    assert!(out.status.success(), "second login: {}", text(&out.stderr));
    assert!(!text(&out.stderr).contains("Enter MFA code"));
}

#[test]
#[ignore = "needs moto and a keyring: run bash scripts/test.sh"]
fn stdout_prints_a_url_the_endpoint_accepts_and_logs_never_show_it() {
    let w = World::new("login-stdout");
    w.add_keys();
    let d = FederationDouble::start(Some(&w.moto), &[]);
    let out = login(
        &w,
        &d,
        &["oppara-dev", "--stdout", "--path", "ec2/home"],
        "123456\n",
        &[("ROLEBAR_LOG", "trace"), ("BROWSER", "false")],
    );
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "login: {stderr}");
    let url = stdout.trim();
    assert!(
        url.starts_with(&format!("{}/federation?Action=login&Issuer=Rolebar&", d.url)),
        "{url}"
    );
    assert_eq!(
        query_param(url, "Destination").as_deref(),
        Some("https://us-east-1.console.aws.amazon.com/ec2/home?region=us-east-1")
    );
    let token = query_param(url, "SigninToken").expect("token");
    assert!(token.len() > 20);
    assert_eq!(d.visit(url)["status"], 302);

    // At trace, the log names the sign-in but never its token, URL or the session's keys.
    assert!(
        stderr.contains("console sign-in URL made"),
        "trace logging is on: {stderr}"
    );
    for secret in [
        token.as_str(),
        url,
        "SigninToken=",
        "Action=getSigninToken",
        "sessionKey",
    ] {
        assert!(!stderr.contains(secret), "{secret:?} in the log:\n{stderr}");
    }
}

#[test]
#[ignore = "needs moto and a keyring: run bash scripts/test.sh"]
fn a_profile_with_keys_and_no_role_signs_in_as_a_federated_user_without_a_code() {
    let w = World::new("login-keys");
    w.add_keys();
    let d = FederationDouble::start(Some(&w.moto), &[]);
    // stdin closed: asking a code would fail the command.
    let out = login(&w, &d, &["default", "--stdout", "--duration", "3h"], "", &[]);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "login: {stderr}");
    let tokens = d.token_requests();
    assert_eq!(tokens.len(), 1);
    assert_eq!(
        tokens[0]["kind"], "federated",
        "GetFederationToken's session: {tokens:?}"
    );
    assert!(
        tokens[0]["session_duration"].is_null(),
        "no SessionDuration with a federation token"
    );
    assert_eq!(d.visit(text(&out.stdout).trim())["status"], 302);
    // The federation token is not cached as a session.
    let list = text(&w.rolebar(&["list"], "", &[]).stdout);
    assert!(!list.contains("sts."), "{list}");
}

#[test]
#[ignore = "needs moto and a keyring: run bash scripts/test.sh"]
fn a_chained_role_signs_in_for_an_hour_and_says_so() {
    let w = chained_world("login-chain");
    w.add_keys();
    // The double refuses SessionDuration for the readonly role, as AWS does for a chained role.
    let d = FederationDouble::start(Some(&w.moto), &["readonly"]);
    let out = login(&w, &d, &["chained", "--stdout", "--duration", "4h"], "123456\n", &[]);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "login: {stderr}\n{:?}", d.requests());
    assert!(
        stderr.contains("note: the console session of `chained` lasts at most 1 hour (not the 14400 s asked)"),
        "{stderr}"
    );
    let tokens = d.token_requests();
    assert!(
        tokens[0]["arn"]
            .as_str()
            .unwrap_or_default()
            .contains(":assumed-role/readonly/"),
        "{tokens:?}"
    );
    assert!(tokens[0]["session_duration"].is_null(), "{tokens:?}");
    assert_eq!(d.visit(text(&out.stdout).trim())["status"], 302);
}

#[test]
#[ignore = "needs moto and a keyring: run bash scripts/test.sh"]
fn regions_pick_the_partition_and_a_bad_one_is_refused_before_any_code() {
    let w = World::new("login-region");
    w.add_keys();
    let d = FederationDouble::start(Some(&w.moto), &[]);
    // A region no partition claims is in `aws`.
    let out = login(
        &w,
        &d,
        &["oppara-dev", "--stdout", "--region", "mars-north-1"],
        "123456\n",
        &[],
    );
    assert!(out.status.success(), "login: {}", text(&out.stderr));
    let url = text(&out.stdout);
    assert_eq!(
        query_param(url.trim(), "Destination").as_deref(),
        Some("https://mars-north-1.console.aws.amazon.com/console/home?region=mars-north-1")
    );
    let out = login(
        &w,
        &d,
        &["oppara-dev", "--stdout", "--region", "eusc-de-east-1"],
        "",
        &[],
    );
    assert!(out.status.success(), "login: {}", text(&out.stderr));
    assert_eq!(
        query_param(text(&out.stdout).trim(), "Destination").as_deref(),
        Some("https://eusc-de-east-1.console.amazonaws-eusc.eu/console/home?region=eusc-de-east-1")
    );
    // Not a region: refused with what to do, before asking anything.
    let out = login(&w, &d, &["oppara-dev", "--stdout", "--region", "EU West"], "", &[]);
    let stderr = text(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("cannot open the AWS console for region") && stderr.contains("--region"),
        "{stderr}"
    );
    assert!(!stderr.contains("Enter MFA code"), "{stderr}");
}

#[test]
#[ignore = "needs moto and a keyring: run bash scripts/test.sh"]
fn sts_denied_is_a_clear_error_and_no_url_is_made() {
    let w = World::new("login-denied");
    w.add_keys();
    let denied = w.fixture["denied_role"].as_str().expect("denied").to_string();
    let mut config = std::fs::read_to_string(w.path("config")).expect("config");
    config.push_str(&format!(
        "\n[profile denied]\nsource_profile=default\nrole_arn={denied}\n"
    ));
    std::fs::write(w.path("config"), config).expect("config");
    let d = FederationDouble::start(Some(&w.moto), &[]);
    let out = login(&w, &d, &["denied", "--stdout"], "", &[]);
    let stderr = text(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("profile `denied`"), "{stderr}");
    assert!(
        stderr.contains("access denied") || stderr.contains("STS error"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
    assert!(d.requests().is_empty(), "nothing reached the sign-in endpoint");
}

#[test]
#[ignore = "needs moto and a keyring: run bash scripts/test.sh"]
fn an_expired_session_is_renewed_first() {
    let w = World::new("login-expired");
    w.add_keys();
    let d = FederationDouble::start(Some(&w.moto), &[]);
    let out = login(&w, &d, &["oppara-dev", "--stdout"], "123456\n", &[]);
    assert!(out.status.success(), "first: {}", text(&out.stderr));
    let first = d.token_requests()[0]["arn"].clone();

    // The cached session, aged past its expiry in the keyring (what an hour would do).
    age_cached_session(&w, "session:AssumeRole:oppara-dev");
    let out = login(&w, &d, &["oppara-dev", "--stdout"], "123456\n", &[]);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "second: {stderr}");
    assert!(
        stderr.contains("Enter MFA code") && stderr.contains("the session expired"),
        "{stderr}"
    );
    let tokens = d.token_requests();
    assert_eq!(tokens.len(), 2);
    assert_ne!(tokens[1]["arn"], first, "a new role session signed in");
    assert_eq!(d.visit(text(&out.stdout).trim())["status"], 302);
}

/// Rewrites the keyring entry `entry` of this world with an expiry in the past. secret-tool
/// replaces an item whose attributes match exactly: those keyring's Secret Service store writes
/// (`service`, `username`, and the generic schema when the item has one).
fn age_cached_session(w: &World, entry: &str) {
    let service = w.keyring_service();
    let found = std::process::Command::new("secret-tool")
        .args(["lookup", "service", &service, "username", entry])
        .output()
        .expect("secret-tool lookup");
    assert!(
        found.status.success(),
        "{entry} in the keyring: {}",
        text(&found.stderr)
    );
    let mut session: serde_json::Value = serde_json::from_slice(&found.stdout).expect("session JSON");
    session["expires_at"] = serde_json::Value::String("2020-01-01T00:00:00Z".into());
    // secret-tool prints an item's schema (and attributes) on stderr.
    let item = std::process::Command::new("secret-tool")
        .args(["search", "service", &service, "username", entry])
        .output()
        .expect("secret-tool search");
    let details = text(&item.stdout) + &text(&item.stderr);
    let mut store = std::process::Command::new("secret-tool");
    store
        .arg("store")
        .arg(format!("--label=keyring:{entry}@{service}"))
        .args(["service", &service, "username", entry]);
    if let Some(schema) = details.lines().find_map(|l| l.strip_prefix("schema = ")) {
        store.args(["xdg:schema", schema.trim()]);
    }
    let mut child = store
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("secret-tool store");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(session.to_string().as_bytes())
        .expect("write");
    assert!(child.wait().expect("store").success());
}

//! The console sign-in's exchange with the federation endpoint: against a scripted HTTP server
//! on 127.0.0.1 (what is sent, and every way a reply can be wrong), and against the federation
//! double checking sessions that moto issued (a role session renewed once expired, a federated
//! user's session from GetFederationToken).

#[path = "support/federation.rs"]
mod federation;
mod support;

use rolebar_core::clock::Clock;
use rolebar_core::console::{self, ConsoleSession, ConsoleTarget, FederationClient, SessionOrigin};
use rolebar_core::mfa::MfaReason;
use rolebar_core::profile::resolve::Environment;
use rolebar_core::session::sts::SdkSts;
use rolebar_core::Credentials;
use rolebar_core::HasCode;
use std::sync::Arc;
use std::time::Duration;
use support::{vault_with, ScriptedPrompt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSIGNINKEY";
const TOKEN: &str = "FwoGZXIvYXdzSESSIONTOKEN+/=";

fn credentials() -> Credentials {
    Credentials::temporary("ASIAEXAMPLESIGNIN001", SECRET, TOKEN)
}

fn session(origin: SessionOrigin) -> ConsoleSession {
    ConsoleSession {
        profile: "dev".into(),
        origin,
        credentials: credentials(),
        expires_at: time::OffsetDateTime::now_utc() + time::Duration::hours(1),
    }
}

/// A server that answers one request with `reply` (raw HTTP), after reading its head; the
/// request line is sent back through the handle. `None`: read and never answer.
async fn serve_once(reply: Option<&'static str>) -> (String, tokio::task::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let handle = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.expect("accept");
        let mut head = Vec::new();
        let mut buf = [0u8; 4096];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = socket.read(&mut buf).await.expect("read");
            if n == 0 {
                break;
            }
            head.extend_from_slice(&buf[..n]);
        }
        match reply {
            Some(reply) => {
                socket.write_all(reply.as_bytes()).await.expect("write");
                let _ = socket.shutdown().await;
            }
            // Hold the connection open without answering until the client gives up.
            None => {
                let _ = socket.read(&mut buf).await;
            }
        }
        String::from_utf8_lossy(&head)
            .lines()
            .next()
            .unwrap_or_default()
            .to_string()
    });
    (base, handle)
}

fn json_reply(status: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

fn target(base: &str) -> ConsoleTarget {
    ConsoleTarget::new(Some("eu-west-1"), None, Some(base)).expect("target")
}

#[tokio::test]
async fn a_role_from_keys_sends_its_duration_and_gets_a_login_url() {
    let (base, request) = serve_once(Some(leak(json_reply("200 OK", r#"{"SigninToken":"tok+en/=="}"#)))).await;
    let login = console::sign_in(
        &session(SessionOrigin::RoleFromKeys),
        &target(&base),
        Some(time::Duration::hours(4)),
        &FederationClient::default(),
    )
    .await
    .expect("sign-in");
    let line = request.await.expect("server");
    assert!(
        line.starts_with("GET /federation?Action=getSigninToken&SessionDuration=14400&Session="),
        "{line}"
    );
    let session_json = federation::query_param(line.split(' ').nth(1).expect("target"), "Session").expect("Session");
    let v: serde_json::Value = serde_json::from_str(&session_json).expect("Session is JSON");
    assert_eq!(v["sessionId"], "ASIAEXAMPLESIGNIN001");
    assert_eq!(v["sessionKey"], SECRET);
    assert_eq!(v["sessionToken"], TOKEN);

    let url = login.url.expose();
    assert!(
        url.starts_with(&format!("{base}/federation?Action=login&Issuer=Rolebar&Destination=")),
        "{url}"
    );
    assert_eq!(
        federation::query_param(url, "SigninToken").as_deref(),
        Some("tok+en/==")
    );
    assert_eq!(
        federation::query_param(url, "Destination").as_deref(),
        Some("https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1")
    );
    assert_eq!(login.session_duration, Some(time::Duration::hours(4)));
    assert!(login.notes.is_empty());
    assert!(!format!("{login:?}").contains("tok+en"), "Debug hides the URL");
}

#[tokio::test]
async fn a_chained_role_and_a_federated_user_send_no_duration_and_the_chain_gets_a_note() {
    for origin in [SessionOrigin::RoleFromTemporary, SessionOrigin::Federation] {
        let (base, request) = serve_once(Some(leak(json_reply("200 OK", r#"{"SigninToken":"t"}"#)))).await;
        let login = console::sign_in(
            &session(origin),
            &target(&base),
            Some(time::Duration::hours(4)),
            &FederationClient::default(),
        )
        .await
        .expect("sign-in");
        let line = request.await.expect("server");
        assert!(!line.contains("SessionDuration"), "{origin:?}: {line}");
        assert_eq!(login.session_duration, None);
        let notes: Vec<String> = login.notes.iter().map(ToString::to_string).collect();
        match origin {
            SessionOrigin::RoleFromTemporary => {
                assert_eq!(notes.len(), 1);
                assert!(notes[0].contains("at most 1 hour (not the 14400 s asked)"), "{notes:?}");
            }
            _ => assert!(notes.is_empty(), "{notes:?}"),
        }
    }
}

/// The error for a reply, checked to name no secret.
async fn error_for(reply: Option<&'static str>, client: &FederationClient, duration: bool) -> rolebar_core::Error {
    let (base, _request) = serve_once(reply).await;
    let e = console::sign_in(
        &session(SessionOrigin::RoleFromKeys),
        &target(&base),
        duration.then_some(time::Duration::hours(2)),
        client,
    )
    .await
    .expect_err("refused");
    let text = e.to_string();
    for secret in [SECRET, TOKEN, "SIGNIN001", "Session="] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    e
}

#[tokio::test]
async fn replies_that_are_not_a_token_are_clear_errors() {
    let client = FederationClient::default();
    let e = error_for(
        Some(leak(json_reply("200 OK", "<html>captive portal</html>"))),
        &client,
        false,
    )
    .await;
    assert_eq!(e.code(), "signin_bad_reply");
    assert!(e.to_string().contains("not JSON"), "{e}");

    let e = error_for(Some(leak(json_reply("200 OK", r#"{"Other":"x"}"#))), &client, false).await;
    assert_eq!(e.code(), "signin_bad_reply");
    assert!(e.to_string().contains("no SigninToken"), "{e}");

    let e = error_for(
        Some(leak(json_reply("200 OK", r#"{"SigninToken":""}"#))),
        &client,
        false,
    )
    .await;
    assert!(e.to_string().contains("empty SigninToken"), "{e}");

    // Cut short: the head promises more than is sent before the connection closes.
    let cut = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\nConnection: close\r\n\r\n{\"SigninTok";
    let e = error_for(Some(cut), &client, false).await;
    assert_eq!(e.code(), "signin_bad_reply");
    assert!(e.to_string().contains("cut short"), "{e}");
}

#[tokio::test]
async fn http_errors_carry_the_status_and_what_to_do() {
    let client = FederationClient::default();
    let e = error_for(Some(leak(json_reply("403 Forbidden", "Forbidden"))), &client, false).await;
    assert_eq!(e.code(), "signin_refused");
    let text = e.to_string();
    assert!(
        text.contains("HTTP 403") && text.contains("rolebar clear dev"),
        "{text}"
    );

    let e = error_for(Some(leak(json_reply("400 Bad Request", "bad duration"))), &client, true).await;
    assert!(e.to_string().contains("shorter --duration"), "{e}");

    let e = error_for(Some(leak(json_reply("503 Service Unavailable", ""))), &client, false).await;
    assert!(
        e.to_string().contains("HTTP 503") && e.to_string().contains("try again"),
        "{e}"
    );
}

#[tokio::test]
async fn a_silent_server_times_out_and_a_closed_port_is_unreachable() {
    let client = FederationClient {
        connect_timeout: Duration::from_secs(2),
        total_timeout: Duration::from_millis(300),
    };
    let e = error_for(None, &client, false).await;
    assert_eq!(e.code(), "signin_timeout");
    assert!(
        e.to_string().contains("did not answer within 0 s") || e.to_string().contains("did not answer"),
        "{e}"
    );

    // A port nobody listens on: bind one, learn it, close it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let e = console::sign_in(
        &session(SessionOrigin::RoleFromKeys),
        &target(&format!("http://127.0.0.1:{port}")),
        None,
        &FederationClient::default(),
    )
    .await
    .expect_err("unreachable");
    assert_eq!(e.code(), "signin_unreachable");
    assert!(e.to_string().contains("cannot reach"), "{e}");
}

struct Moto {
    url: String,
    fixture: serde_json::Value,
}

fn moto() -> Moto {
    let need = |k: &str| std::env::var(k).unwrap_or_else(|_| panic!("{k} is not set: run bash scripts/test.sh"));
    Moto {
        url: need("ROLEBAR_TEST_MOTO_URL"),
        fixture: serde_json::from_str(&std::fs::read_to_string(need("ROLEBAR_TEST_MOTO_FIXTURE")).expect("fixture"))
            .expect("json"),
    }
}

impl Moto {
    fn user(&self) -> Credentials {
        let u = &self.fixture["users"]["oppara"];
        Credentials::long_term(
            u["access_key_id"].as_str().expect("id"),
            u["secret_access_key"].as_str().expect("secret"),
        )
    }
}

#[tokio::test]
#[ignore = "needs moto and a keyring: run bash scripts/test.sh"]
async fn an_expired_role_session_is_renewed_before_signing_in_and_keys_sign_in_federated() {
    let m = moto();
    let double = federation::FederationDouble::start(Some(&m.url), &[]);
    let t = vault_with(Arc::new(SdkSts::default()));
    t.clock.set(time::OffsetDateTime::now_utc());
    t.vault.keys().add("default", &m.user(), t.clock.now()).expect("keys");
    let config = format!(
        "[default]\nregion = us-east-1\n\n[profile oppara-dev]\nsource_profile = default\n\
         mfa_serial = arn:aws:iam::111111111111:mfa/oppara\nrole_arn = {}\n",
        m.fixture["roles"]["developer"].as_str().expect("role")
    );
    let set = support::profiles(&config, "");
    let env = Environment {
        endpoint_url_sts: Some(m.url.clone()),
        ..Environment::default()
    };
    let dev = set.resolve_with("oppara-dev", &env).expect("resolves");
    let target = ConsoleTarget::new(None, None, Some(&double.url)).expect("target");
    let prompt = ScriptedPrompt::new(&["123456", "654321"]);

    let first = console::console_session(&t.vault, &dev, None, &prompt)
        .await
        .expect("session");
    assert_eq!(first.origin, SessionOrigin::RoleFromKeys);
    // 56 minutes on, the hour-long session has less than the 5-minute window left.
    t.clock.advance(time::Duration::minutes(56));
    let renewed = console::console_session(&t.vault, &dev, None, &prompt)
        .await
        .expect("renewed");
    let asked = prompt.asked();
    assert_eq!(asked.len(), 2, "asked again for the expired session");
    assert_eq!(asked[1].reason, MfaReason::SessionExpired);
    assert_ne!(renewed.credentials.access_key_id, first.credentials.access_key_id);
    let login = console::sign_in(
        &renewed,
        &target,
        Some(time::Duration::hours(2)),
        &FederationClient::default(),
    )
    .await
    .expect("sign-in");
    let requests = double.token_requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert!(
        requests[0]["arn"]
            .as_str()
            .unwrap_or_default()
            .contains(":assumed-role/developer/"),
        "{requests:?}"
    );
    assert_eq!(requests[0]["session_duration"], "7200");
    assert_eq!(double.visit(login.url.expose())["status"], 302);

    // default: keys and no role -> GetFederationToken at moto, no code asked.
    let keys = set.resolve_with("default", &env).expect("resolves");
    let federated = console::console_session(&t.vault, &keys, Some(time::Duration::hours(3)), &prompt)
        .await
        .expect("federation token");
    assert_eq!(federated.origin, SessionOrigin::Federation);
    assert_eq!(prompt.asked().len(), 2, "no code for a federation token");
    console::sign_in(
        &federated,
        &target,
        Some(time::Duration::hours(3)),
        &FederationClient::default(),
    )
    .await
    .expect("federated sign-in");
    let last = double.token_requests().pop().expect("request");
    assert_eq!(last["kind"], "federated");
    assert!(last["session_duration"].is_null(), "{last}");
    // Not cached: the cache holds only the role session.
    assert!(t.vault.cache().list().iter().all(|s| s.record.profile == "oppara-dev"));
}

// The hand-off to the browser: the browser command gets a page, never the sign-in URL.

/// A sign-in token long enough that any 12 characters of it are its own.
const SIGNIN_TOKEN: &str = "SigninTOKENabcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP";

/// A sign-in (its URL carries [`SIGNIN_TOKEN`]) from a scripted federation endpoint.
async fn a_login() -> console::ConsoleLogin {
    let reply = json_reply("200 OK", &format!(r#"{{"SigninToken":"{SIGNIN_TOKEN}"}}"#));
    let (base, _request) = serve_once(Some(leak(reply))).await;
    let login = console::sign_in(
        &session(SessionOrigin::RoleFromKeys),
        &target(&base),
        None,
        &FederationClient::default(),
    )
    .await
    .expect("sign-in");
    assert!(login.url.expose().contains(SIGNIN_TOKEN));
    login
}

/// A `BROWSER` value running the console stand-in (support/console_browser.py) with `options`.
fn stand_in(record: &std::path::Path, options: &str) -> String {
    format!(
        "{} {}/tests/support/console_browser.py {} {options} %s",
        federation::python(false).display(),
        env!("CARGO_MANIFEST_DIR"),
        record.display()
    )
}

fn options(kind: console::HandoffKind, file_parent: Option<&std::path::Path>) -> console::HandoffOptions {
    console::HandoffOptions {
        kind,
        bound: Duration::from_secs(60),
        file_parent: file_parent.map(std::path::Path::to_path_buf),
    }
}

/// The one visit the stand-in recorded. The page may be used before the stand-in is done (it
/// records last), so its line is awaited, for 30 s at most.
async fn the_visit(record: &std::path::Path) -> serde_json::Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while std::fs::read_to_string(record).map_or(true, |t| !t.ends_with('\n')) && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut lines = federation::read_lines(record);
    assert_eq!(lines.len(), 1, "one browser run: {lines:?}");
    lines.remove(0)
}

/// Fails when `what` holds any 12 characters of the sign-in token, or its parameter's name.
fn assert_no_part_of_the_token(what: &str, value: &serde_json::Value) {
    let text = value.to_string();
    for window in SIGNIN_TOKEN.as_bytes().windows(12) {
        let part = std::str::from_utf8(window).expect("ascii");
        assert!(
            !text.contains(part),
            "{what} holds `{part}` of the sign-in token: {text}"
        );
    }
    assert!(!text.contains("SigninToken"), "{what}: {text}");
}

/// Whether a second uid can be used here (root, with setpriv and curl), else why not.
fn other_uid_unavailable() -> Option<&'static str> {
    let uid = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .and_then(|ids| ids.split_whitespace().nth(1).map(str::to_string))
        })
        .unwrap_or_default();
    if uid != "0" {
        return Some("needs root to act as another uid");
    }
    for tool in ["setpriv", "curl"] {
        let found = std::process::Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|o| o.status.success());
        if !found {
            return Some(if tool == "setpriv" {
                "setpriv is missing"
            } else {
                "curl is missing"
            });
        }
    }
    None
}

/// One raw GET of `path` at `address`, on a blocking thread: the whole reply.
async fn raw_get(address: String, path: String) -> std::io::Result<String> {
    tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(&address)?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
        )?;
        let mut reply = String::new();
        stream.read_to_string(&mut reply)?;
        Ok(reply)
    })
    .await
    .expect("thread")
}

/// The address (`127.0.0.1:PORT`) and path of a loopback page's URL.
fn address_and_path(browser_url: &str) -> (String, String) {
    let rest = browser_url.strip_prefix("http://").expect("an http URL");
    let (address, path) = rest.split_once('/').expect("a path");
    (address.to_string(), format!("/{path}"))
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn the_browser_gets_a_one_shot_loopback_page_that_redirects_to_the_sign_in_url() {
    let login = a_login().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let record = dir.path().join("browser.jsonl");
    let browser = stand_in(&record, "--max-hops 1 --again");
    let handoff = console::hand_to_browser(
        "dev",
        &login.url,
        Some(&browser),
        &options(console::HandoffKind::Loopback, None),
    )
    .await
    .expect("opened");
    let (address, _) = address_and_path(handoff.browser_url());
    handoff.finish().await.expect("the browser came for the page");

    let visit = the_visit(&record).await;
    // Neither the browser's arguments nor its environment hold the sign-in URL...
    assert_no_part_of_the_token("the browser's argv", &visit["argv"]);
    assert_no_part_of_the_token("the browser's environment", &visit["environ"]);
    assert_no_part_of_the_token("the URL the browser got", &visit["url"]);
    let given = visit["url"].as_str().expect("url");
    assert!(given.starts_with("http://127.0.0.1:"), "{given}");
    // ...yet one redirect on loopback takes it there.
    let hops = visit["hops"].as_array().expect("hops");
    assert_eq!(hops.len(), 1, "{visit}");
    assert_eq!(hops[0]["status"], 303, "{visit}");
    assert_eq!(hops[0]["location"].as_str(), Some(login.url.expose()));
    assert_eq!(visit["final"].as_str(), Some(login.url.expose()));
    // A second fetch gets nothing of it.
    let again = &visit["again"];
    assert!(again["location"].is_null(), "{again}");
    assert!(
        again["status"].is_null() || again["status"] == 410,
        "refused or gone: {again}"
    );
    assert_no_part_of_the_token("the second fetch", again);
    // The page is closed once used.
    assert!(std::net::TcpStream::connect(&address).is_err(), "still listening");
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn another_user_gets_403_and_nothing_of_the_url_and_the_page_waits_for_its_user() {
    if let Some(why) = other_uid_unavailable() {
        eprintln!("skipped: {why}");
        return;
    }
    let login = a_login().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let record = dir.path().join("browser.jsonl");
    // The stand-in fetches the page as uid 65534 first (someone who read it from `ps`).
    let browser = stand_in(&record, "--max-hops 1 --other-uid 65534");
    let handoff = console::hand_to_browser(
        "dev",
        &login.url,
        Some(&browser),
        &options(console::HandoffKind::Loopback, None),
    )
    .await
    .expect("opened");
    handoff.finish().await.expect("the browser came for the page");

    let visit = the_visit(&record).await;
    let other = &visit["other_uid"];
    let output = other["output"].as_str().expect("curl output");
    assert_eq!(other["exit"], 0, "curl ran as 65534: {other}");
    assert!(output.starts_with("HTTP/1.1 403"), "{output}");
    assert!(!output.to_ascii_lowercase().contains("location:"), "{output}");
    assert_no_part_of_the_token("what another uid got", other);
    // The refusal did not use the page up.
    assert_eq!(visit["hops"][0]["status"], 303, "{visit}");
    assert_eq!(visit["final"].as_str(), Some(login.url.expose()));
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_wrong_path_gets_404_and_a_detached_page_still_serves_once() {
    let login = a_login().await;
    let handoff = console::Handoff::start("dev", &login.url, &options(console::HandoffKind::Loopback, None))
        .await
        .expect("page");
    let (address, path) = address_and_path(handoff.browser_url());
    handoff.detach();

    let wrong = format!("{}x", &path[..path.len() - 1]);
    let reply = raw_get(address.clone(), wrong).await.expect("reply");
    assert!(reply.starts_with("HTTP/1.1 404"), "{reply}");
    assert!(!reply.contains(SIGNIN_TOKEN), "{reply}");

    let reply = raw_get(address.clone(), path.clone()).await.expect("reply");
    assert!(reply.starts_with("HTTP/1.1 303 See Other\r\n"), "{reply}");
    let head = reply.to_ascii_lowercase();
    assert!(
        reply.contains(&format!("\r\nLocation: {}\r\n", login.url.expose())),
        "{reply}"
    );
    assert!(head.contains("\r\ncache-control: no-store\r\n"), "{reply}");
    assert!(head.contains("\r\nreferrer-policy: no-referrer\r\n"), "{reply}");

    match raw_get(address, path).await {
        Err(_) => {}
        Ok(reply) => {
            assert!(reply.starts_with("HTTP/1.1 410"), "{reply}");
            assert!(!reply.contains(SIGNIN_TOKEN), "{reply}");
        }
    }
}

#[cfg(target_os = "linux")]
#[tokio::test(start_paused = true)]
async fn a_page_the_browser_never_fetches_is_withdrawn_after_the_bound() {
    let login = a_login().await;
    let options = console::HandoffOptions {
        bound: console::HANDOFF_BOUND,
        ..options(console::HandoffKind::Loopback, None)
    };
    let handoff = console::Handoff::start("dev", &login.url, &options)
        .await
        .expect("page");
    let (address, _) = address_and_path(handoff.browser_url());
    let started = tokio::time::Instant::now();
    let e = handoff.finish().await.expect_err("never fetched");
    assert_eq!(started.elapsed(), console::HANDOFF_BOUND);
    let text = e.to_string();
    assert!(
        text.contains("did not open the sign-in page within 120 s") && text.contains("rolebar login dev --stdout"),
        "{text}"
    );
    assert!(!text.contains(SIGNIN_TOKEN), "{text}");
    assert!(std::net::TcpStream::connect(&address).is_err(), "still listening");
}

#[cfg(unix)]
#[tokio::test]
async fn a_file_page_is_private_and_gone_once_the_browser_read_it() {
    use std::os::unix::fs::PermissionsExt;
    let login = a_login().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let runtime = dir.path().join("runtime");
    std::fs::create_dir(&runtime).expect("mkdir");
    let record = dir.path().join("browser.jsonl");
    let other = if other_uid_unavailable().is_none() {
        "--other-uid 65534"
    } else {
        ""
    };
    let browser = stand_in(&record, &format!("--max-hops 1 {other}"));
    let handoff = console::hand_to_browser(
        "dev",
        &login.url,
        Some(&browser),
        &options(console::HandoffKind::File, Some(&runtime)),
    )
    .await
    .expect("opened");
    let file = handoff.file().expect("a file page").to_path_buf();
    let folder = file.parent().expect("folder").to_path_buf();
    assert_eq!(folder.parent(), Some(runtime.as_path()));
    let mode = |p: &std::path::Path| std::fs::symlink_metadata(p).expect("meta").permissions().mode() & 0o7777;
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(&folder), 0o700);
    handoff.finish().await.expect("the browser read the page");
    assert!(!folder.exists(), "the page's folder is deleted after use");
    assert!(std::fs::read_dir(&runtime).expect("list").next().is_none());

    let visit = the_visit(&record).await;
    assert_no_part_of_the_token("the browser's argv", &visit["argv"]);
    assert_no_part_of_the_token("the browser's environment", &visit["environ"]);
    assert!(
        visit["url"].as_str().is_some_and(|u| u.starts_with("file:///")),
        "{visit}"
    );
    assert_eq!(visit["hops"][0]["status"], "read", "{visit}");
    assert_eq!(visit["final"].as_str(), Some(login.url.expose()));
    if other.is_empty() {
        eprintln!("another uid not tried: {}", other_uid_unavailable().unwrap_or_default());
    } else {
        let theirs = &visit["other_uid"];
        assert_ne!(theirs["exit"], 0, "another uid read the page: {theirs}");
        assert_no_part_of_the_token("what another uid got", theirs);
    }
}

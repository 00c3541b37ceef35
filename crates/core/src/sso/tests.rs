//! Decisions of `Sso` that need no service: the refresh window on an injected clock, and what
//! happens when no sign-in may be made or the service cannot be reached.

use super::*;
use crate::clock::ManualClock;
use crate::error_code::HasCode;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2026-11-30 12:00 UTC);

fn session(name: Option<&str>) -> SsoSessionConfig {
    SsoSessionConfig {
        name: name.map(str::to_string),
        start_url: "https://example.awsapps.com/start".into(),
        region: "eu-west-1".into(),
        scopes: vec![DEFAULT_SCOPE.into()],
        endpoints: Default::default(),
    }
}

fn token(expires_in: Duration, refresh: bool, registration_in: Duration) -> CachedToken {
    CachedToken {
        start_url: Some("https://example.awsapps.com/start".into()),
        region: Some("eu-west-1".into()),
        access_token: Secret::new("access-token-value"),
        expires_at: NOW + expires_in,
        refresh_token: refresh.then(|| Secret::new("refresh-token-value")),
        registration: Some(Registration {
            client_id: "client".into(),
            client_secret: Secret::new("client-secret-value"),
            expires_at: NOW + registration_in,
            grant_types: None,
            scopes: None,
        }),
        other_fields: Default::default(),
    }
}

#[test]
fn the_refresh_window_decides_on_the_injected_clock() {
    let named = session(Some("my-sso"));
    let legacy = session(None);
    let days = Duration::days(30);
    // Plenty of time left: used as it is.
    assert_eq!(
        decide(&token(Duration::hours(1), true, days), &named, NOW),
        Decision::Use
    );
    assert_eq!(decide(&token(REFRESH_WINDOW, true, days), &named, NOW), Decision::Use);
    // Inside botocore's 15 minutes: refreshed, the old token still usable meanwhile.
    assert_eq!(
        decide(&token(Duration::minutes(14), true, days), &named, NOW),
        Decision::Refresh { usable: true }
    );
    // Expired: refreshed, nothing to fall back on.
    assert_eq!(
        decide(&token(-Duration::minutes(5), true, days), &named, NOW),
        Decision::Refresh { usable: false }
    );
    // The legacy form never refreshes (as in botocore); no refresh token, or an expired
    // registration, neither.
    assert_eq!(
        decide(&token(Duration::minutes(14), true, days), &legacy, NOW),
        Decision::Use
    );
    assert_eq!(
        decide(&token(Duration::minutes(14), false, days), &named, NOW),
        Decision::Use
    );
    assert_eq!(
        decide(&token(Duration::minutes(14), true, -Duration::SECOND), &named, NOW),
        Decision::Use
    );
    for (t, s) in [
        (token(Duration::seconds(30), true, days), &legacy),
        (token(-Duration::minutes(1), false, days), &named),
        (token(Duration::ZERO, true, -Duration::SECOND), &named),
    ] {
        assert_eq!(decide(&t, s, NOW), Decision::SignIn);
    }
}

fn sso_at(dir: &std::path::Path, clock: &ManualClock, endpoint: &str) -> Sso {
    let endpoints = SsoEndpoints::new(Some(endpoint), Some(endpoint)).expect("endpoints");
    Sso::new(dir, endpoints, Arc::new(clock.clone())).with_options(SsoOptions {
        max_attempts: 1,
        connect_timeout: std::time::Duration::from_secs(2),
        attempt_timeout: std::time::Duration::from_secs(2),
        total_timeout: std::time::Duration::from_secs(2),
        ..SsoOptions::default()
    })
}

/// A base URL where nothing listens (a port just freed).
fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

#[tokio::test]
async fn without_a_sign_in_and_without_a_ui_the_error_names_the_command() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = ManualClock::new(NOW);
    let sso = sso_at(dir.path(), &clock, &closed_port_url());
    let s = session(Some("my-sso"));
    assert_eq!(sso.state(&s).expect("state"), None);
    let e = sso
        .access_token(&s, None, SignInFlow::Pkce)
        .await
        .expect_err("not signed in");
    assert_eq!(e.code(), "sso_sign_in_required");
    assert!(e.to_string().contains("`rolebar login-sso my-sso`"), "{e}");
    assert!(!sso.sign_out(&s).await.expect("sign out"));
}

#[tokio::test]
async fn an_unreachable_service_keeps_a_still_valid_token_and_names_the_endpoint_otherwise() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = ManualClock::new(NOW);
    let url = closed_port_url();
    let sso = sso_at(dir.path(), &clock, &url);
    let s = session(Some("my-sso"));
    let cache = TokenCache::new(dir.path());
    cache
        .save(&s, &token(Duration::minutes(10), true, Duration::days(30)))
        .expect("save");
    let state = sso.state(&s).expect("state").expect("signed in");
    assert!(state.can_refresh);
    assert_eq!(state.expires_at, NOW + Duration::minutes(10));

    // Inside the refresh window, the refresh cannot be made: the current token serves.
    let t = sso.access_token(&s, None, SignInFlow::Pkce).await.expect("token");
    assert_eq!(t.expose(), "access-token-value");
    assert!(!format!("{t:?}").contains("access-token-value"));

    // Expired: the failure to reach the service is the error, with the endpoint.
    clock.advance(Duration::minutes(11));
    let e = sso.access_token(&s, None, SignInFlow::Pkce).await.expect_err("expired");
    assert_eq!(e.code(), "sso_unreachable", "{e}");
    assert!(e.to_string().contains(&url), "{e}");
    assert!(e.to_string().contains("AWS_ENDPOINT_URL_SSO_OIDC"), "{e}");
}

#[tokio::test]
async fn a_corrupt_cache_file_is_reported_not_replaced() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = ManualClock::new(NOW);
    let sso = sso_at(dir.path(), &clock, &closed_port_url());
    let s = session(Some("my-sso"));
    std::fs::write(sso.cache_path(&s), "{\"accessToken\": 1").expect("write");
    for e in [
        sso.state(&s).expect_err("state"),
        sso.access_token(&s, None, SignInFlow::Pkce).await.expect_err("token"),
    ] {
        assert_eq!(e.code(), "sso_cache_corrupt");
    }
    assert_eq!(
        std::fs::read_to_string(sso.cache_path(&s)).expect("read"),
        "{\"accessToken\": 1"
    );
}

#[test]
fn login_commands_for_both_forms() {
    assert_eq!(login_command(&session(Some("corp"))), "`rolebar login-sso corp`");
    assert!(login_command(&session(None)).contains("sso_start_url is https://example.awsapps.com/start"));
}

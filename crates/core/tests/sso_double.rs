//! The IAM Identity Center double (`support/sso_double.py`) holds to the flows Rolebar's SSO
//! client relies on, over plain HTTP. Its wire shapes were checked by hand against boto3 and
//! the AWS CLI (tests/support/README.md); these tests keep its behaviour from drifting.

mod support;

use serde_json::{json, Value};
use support::sso::{encode_query_value, SsoDouble, SsoOptions};

// The query of a redirect, read as the console tests read theirs.
#[path = "support/federation.rs"]
mod federation;

const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// A PKCE pair: base64url-nopad(sha256(VERIFIER)) == CHALLENGE (computed with Python's hashlib).
const VERIFIER: &str = "rolebar-sso-double-test-verifier-0123456789";
const CHALLENGE: &str = "r8qdDgiQL9PgJiVwo5g0PSduncvDfhbhnCzLyttXxiA";

fn register(d: &SsoDouble, body: Value) -> (String, String) {
    let reply = d.post_json("/client/register", &body);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let r = reply.json();
    (
        r["clientId"].as_str().expect("clientId").into(),
        r["clientSecret"].as_str().expect("clientSecret").into(),
    )
}

fn token(d: &SsoDouble, client: &(String, String), fields: Value) -> support::sso::HttpReply {
    let mut body = json!({"clientId": client.0, "clientSecret": client.1});
    body.as_object_mut()
        .expect("object")
        .extend(fields.as_object().expect("object").clone());
    d.post_json("/token", &body)
}

fn get_role_credentials(d: &SsoDouble, access_token: &str) -> support::sso::HttpReply {
    d.get(
        "/federation/credentials?role_name=ReadOnly&account_id=111111111111",
        &[("x-amz-sso_bearer_token", access_token)],
    )
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("{key} in {v}"))
}

#[test]
fn device_flow_is_pending_until_the_user_visits_then_gives_tokens_that_get_role_credentials() {
    let d = SsoDouble::start(SsoOptions::default());
    let client = register(
        &d,
        json!({"clientName": "rolebar", "clientType": "public", "scopes": ["sso:account:access"]}),
    );
    let start = d.post_json(
        "/device_authorization",
        &json!({"clientId": client.0, "clientSecret": client.1,
                "startUrl": "https://d-1234567890.awsapps.com/start"}),
    );
    assert_eq!(start.status, 200, "{}", start.body);
    let start = start.json();
    let device = json!({"grantType": DEVICE_GRANT, "deviceCode": str_of(&start, "deviceCode")});

    let pending = token(&d, &client, device.clone());
    assert_eq!(pending.status, 400);
    assert_eq!(pending.error_type(), Some("AuthorizationPendingException"));
    assert_eq!(pending.json()["error"], "authorization_pending");

    // The user opens the complete verification URI: that approves the device.
    let complete = str_of(&start, "verificationUriComplete");
    let path = complete.strip_prefix(d.url.as_str()).expect("on the double");
    assert_eq!(d.get(path, &[]).status, 200);

    let granted = token(&d, &client, device.clone());
    assert_eq!(granted.status, 200, "{}", granted.body);
    let granted = granted.json();
    assert_eq!(granted["tokenType"], "Bearer");
    assert_eq!(granted["expiresIn"], 3600);
    assert!(
        granted["refreshToken"].is_string(),
        "a scoped client may refresh: {granted}"
    );
    // A device code gives tokens once.
    assert_eq!(token(&d, &client, device).error_type(), Some("InvalidGrantException"));

    let creds = get_role_credentials(&d, str_of(&granted, "accessToken"));
    assert_eq!(creds.status, 200, "{}", creds.body);
    let creds = &creds.json()["roleCredentials"];
    assert!(str_of(creds, "accessKeyId").starts_with("ASIA"));
    // Epoch milliseconds, about an hour on.
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis() as i64;
    let left = creds["expiration"].as_i64().expect("expiration") - now_ms;
    assert!((3_500_000..=3_600_000).contains(&left), "{left} ms left");
    assert_eq!(d.count("SignIn"), 1);
    assert_eq!(d.count("CreateToken:device_code"), 3);

    // No secret reaches the log in full.
    let log = std::fs::read_to_string(d.dir.path().join("requests.jsonl")).expect("log");
    assert!(!log.contains(&client.1), "the client secret is masked");
    assert!(
        !log.contains(str_of(&granted, "accessToken")),
        "the access token is masked"
    );
}

#[test]
fn pkce_code_needs_the_right_verifier_and_redirect_uri() {
    let d = SsoDouble::start(SsoOptions::default());
    // As the AWS CLI registers: no port, any loopback port then matches.
    let client = register(
        &d,
        json!({"clientName": "rolebar", "clientType": "public",
               "grantTypes": ["authorization_code", "refresh_token"],
               "redirectUris": ["http://127.0.0.1/oauth/callback"],
               "scopes": ["sso:account:access"]}),
    );
    let redirect = "http://127.0.0.1:49152/oauth/callback";
    let authorize = format!(
        "/authorize?response_type=code&client_id={}&redirect_uri={}&state=s-1&code_challenge={CHALLENGE}\
         &code_challenge_method=S256&scopes=sso%3Aaccount%3Aaccess",
        client.0,
        encode_query_value(redirect)
    );
    let signed_in = d.get(&authorize, &[]);
    assert_eq!(signed_in.status, 302, "{}", signed_in.body);
    let location = signed_in.header("Location").expect("Location").to_string();
    assert!(location.starts_with(&format!("{redirect}?")), "{location}");
    assert_eq!(federation::query_param(&location, "state").as_deref(), Some("s-1"));
    let code = federation::query_param(&location, "code").expect("code");

    let exchange = |verifier: &str, redirect_uri: &str| {
        token(
            &d,
            &client,
            json!({"grantType": "authorization_code", "code": code,
                   "redirectUri": redirect_uri, "codeVerifier": verifier}),
        )
    };
    let wrong = exchange("not-the-verifier-not-the-verifier-not-the-v", redirect);
    assert_eq!(wrong.status, 400);
    assert_eq!(wrong.error_type(), Some("InvalidGrantException"));
    assert_eq!(wrong.json()["error"], "invalid_grant");
    let elsewhere = exchange(VERIFIER, "http://127.0.0.1:49153/oauth/callback");
    assert_eq!(elsewhere.error_type(), Some("InvalidGrantException"));
    let right = exchange(VERIFIER, redirect);
    assert_eq!(right.status, 200, "{}", right.body);
    assert!(right.json()["refreshToken"].is_string());
    // A code is single-use.
    assert_eq!(exchange(VERIFIER, redirect).error_type(), Some("InvalidGrantException"));

    // A challenge method other than S256, or a redirect off loopback: refused before sign-in.
    let plain = authorize.replace("code_challenge_method=S256", "code_challenge_method=plain");
    assert_eq!(d.get(&plain, &[]).status, 400);
    let off = authorize.replace(
        &encode_query_value(redirect),
        &encode_query_value("http://example.com/oauth/callback"),
    );
    assert_eq!(d.get(&off, &[]).status, 400);
    assert_eq!(d.count("SignIn"), 1);
}

#[test]
fn refresh_rotates_the_refresh_token_and_revoke_makes_the_portal_answer_401() {
    let d = SsoDouble::start(SsoOptions {
        device_pending: Some(1),
        ..SsoOptions::default()
    });
    let client = register(
        &d,
        json!({"clientName": "rolebar", "clientType": "public", "scopes": ["sso:account:access"]}),
    );
    let start = d
        .post_json(
            "/device_authorization",
            &json!({"clientId": client.0, "clientSecret": client.1, "startUrl": "https://x/start"}),
        )
        .json();
    let device = json!({"grantType": DEVICE_GRANT, "deviceCode": str_of(&start, "deviceCode")});
    // --device-pending 1: one pending poll, then approved without a visit.
    assert_eq!(
        token(&d, &client, device.clone()).error_type(),
        Some("AuthorizationPendingException")
    );
    let first = token(&d, &client, device).json();

    let refresh = |refresh_token: &str| {
        token(
            &d,
            &client,
            json!({"grantType": "refresh_token", "refreshToken": refresh_token}),
        )
    };
    let second = refresh(str_of(&first, "refreshToken"));
    assert_eq!(second.status, 200, "{}", second.body);
    let second = second.json();
    assert_ne!(second["refreshToken"], first["refreshToken"]);
    assert_ne!(second["accessToken"], first["accessToken"]);
    let reused = refresh(str_of(&first, "refreshToken"));
    assert_eq!(
        reused.error_type(),
        Some("InvalidGrantException"),
        "the old one is spent"
    );

    // A wrong client secret: 401.
    let stolen = d.post_json(
        "/token",
        &json!({"clientId": client.0, "clientSecret": "guess", "grantType": "refresh_token",
                "refreshToken": second["refreshToken"]}),
    );
    assert_eq!(stolen.status, 401);
    assert_eq!(stolen.error_type(), Some("InvalidClientException"));

    let access = str_of(&second, "accessToken");
    assert_eq!(get_role_credentials(&d, access).status, 200);
    let not_assigned = d.get(
        "/federation/credentials?role_name=AdministratorAccess&account_id=222222222222",
        &[("x-amz-sso_bearer_token", access)],
    );
    assert_eq!(not_assigned.status, 403);
    assert_eq!(not_assigned.error_type(), Some("ForbiddenException"));

    assert_eq!(d.control("revoke")["affected"], 2);
    let revoked = get_role_credentials(&d, access);
    assert_eq!(revoked.status, 401);
    assert_eq!(revoked.error_type(), Some("UnauthorizedException"));
    assert!(revoked.json()["message"].is_string());

    // The refresh token outlives a revoke, not an expire-refresh.
    let third = refresh(str_of(&second, "refreshToken")).json();
    assert_eq!(get_role_credentials(&d, str_of(&third, "accessToken")).status, 200);
    d.control("expire-refresh");
    let expired = refresh(str_of(&third, "refreshToken"));
    assert_eq!(expired.error_type(), Some("InvalidGrantException"));
    assert_eq!(d.count("CreateToken:refresh_token"), 5);
}

#[test]
fn accounts_and_roles_come_in_pages() {
    let d = SsoDouble::start(SsoOptions {
        accounts: vec![
            support::sso::SsoAccount::new("111111111111", "One", &["A", "B", "C"]),
            support::sso::SsoAccount::new("222222222222", "Two", &["A"]),
            support::sso::SsoAccount::new("333333333333", "Three", &["A"]),
        ],
        device_pending: Some(0),
        ..SsoOptions::default()
    });
    let client = register(&d, json!({"clientName": "rolebar", "clientType": "public"}));
    let start = d
        .post_json(
            "/device_authorization",
            &json!({"clientId": client.0, "clientSecret": client.1, "startUrl": "https://x/start"}),
        )
        .json();
    let granted = token(
        &d,
        &client,
        json!({"grantType": DEVICE_GRANT, "deviceCode": start["deviceCode"]}),
    );
    let granted = granted.json();
    // The legacy device flow (a client with neither scopes nor grant types): no refresh token.
    assert!(granted.get("refreshToken").is_none(), "{granted}");
    let bearer = [("x-amz-sso_bearer_token", str_of(&granted, "accessToken"))];

    let first = d.get("/assignment/accounts", &bearer).json();
    assert_eq!(first["accountList"].as_array().expect("list").len(), 2);
    assert_eq!(first["accountList"][0]["accountName"], "One");
    let next = encode_query_value(str_of(&first, "nextToken"));
    let last = d
        .get(&format!("/assignment/accounts?next_token={next}"), &bearer)
        .json();
    assert_eq!(last["accountList"][0]["accountId"], "333333333333");
    assert!(last.get("nextToken").is_none(), "{last}");

    let roles = d
        .get("/assignment/roles?account_id=111111111111&max_result=3", &bearer)
        .json();
    assert_eq!(roles["roleList"].as_array().expect("list").len(), 3);
    assert_eq!(
        roles["roleList"][2],
        json!({"roleName": "C", "accountId": "111111111111"})
    );
    assert_eq!(
        d.get("/assignment/roles", &bearer).status,
        400,
        "account_id is required"
    );
}

#[tokio::test]
#[ignore = "needs the harness venv and moto: run bash scripts/test.sh"]
async fn role_credentials_minted_at_moto_are_the_assumed_role_there() {
    let moto = std::env::var("ROLEBAR_TEST_MOTO_OPEN_URL")
        .expect("ROLEBAR_TEST_MOTO_OPEN_URL is not set: run the tests through `bash scripts/test.sh`");
    let d = SsoDouble::start(SsoOptions {
        moto: Some(moto.clone()),
        access_ttl: Some(1200),
        device_pending: Some(0),
        ..SsoOptions::default()
    });
    let client = register(&d, json!({"clientName": "rolebar", "clientType": "public"}));
    let start = d
        .post_json(
            "/device_authorization",
            &json!({"clientId": client.0, "clientSecret": client.1, "startUrl": "https://x/start"}),
        )
        .json();
    let granted = token(
        &d,
        &client,
        json!({"grantType": DEVICE_GRANT, "deviceCode": start["deviceCode"]}),
    );
    let reply = get_role_credentials(&d, str_of(&granted.json(), "accessToken"));
    assert_eq!(reply.status, 200, "{}", reply.body);
    let creds = reply.json()["roleCredentials"].clone();
    // Credentials last no longer than the access token (1200 s here).
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis() as i64;
    let left = creds["expiration"].as_i64().expect("expiration") - now_ms;
    assert!((1_100_000..=1_200_000).contains(&left), "{left} ms left");

    let config = aws_sdk_sts::Config::builder()
        .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
        .region(aws_sdk_sts::config::Region::new("us-east-1"))
        .endpoint_url(&moto)
        .credentials_provider(aws_sdk_sts::config::Credentials::new(
            str_of(&creds, "accessKeyId"),
            str_of(&creds, "secretAccessKey"),
            Some(str_of(&creds, "sessionToken").to_string()),
            None,
            "sso-double-test",
        ))
        .build();
    let who = aws_sdk_sts::Client::from_conf(config)
        .get_caller_identity()
        .send()
        .await
        .expect("GetCallerIdentity at moto");
    let arn = who.arn().expect("arn");
    assert!(
        arn.starts_with("arn:aws:sts::111111111111:assumed-role/ReadOnly/"),
        "{arn}"
    );
}

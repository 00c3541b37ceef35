//! `rolebar exec --server` with a role of `duration_seconds = 900` (AWS's shortest session),
//! through the real binary against the STS double (calls counted there): the SDK's repeated
//! refreshes are served one session, not a new AssumeRole each (issue 24 item 6); with
//! `--duration` every session it serves has that length (item 7); and a failure reaches the
//! program with the SDKs' `Code`/`Message` and a status saying whether to retry (item 8).
//!
//! No keyring and no tray: the keys are in the credentials file, the sessions in this process's
//! memory (`ROLEBAR_KEYRING=memory`), which is what one `exec --server` run keeps anyway.

#[path = "../../core/tests/support/sts_double.rs"]
#[allow(dead_code)]
mod sts_double;

mod isolated;

use rolebar_core::clock::SystemClock;
use std::path::PathBuf;
use std::process::Output;
use std::sync::Arc;
use sts_double::StsDouble;

/// Asks the endpoint six times as an SDK refreshing would; prints the key ids and, for a
/// failure, the status with the SDKs' fields.
const FETCH_SIX: &str = r#"
import json, os, urllib.request, urllib.error
uri = os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
token = os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
got = []
for _ in range(6):
    try:
        with urllib.request.urlopen(urllib.request.Request(uri, headers={"Authorization": token}), timeout=20) as r:
            body = json.load(r)
            got.append({"status": r.status, "key": body["AccessKeyId"], "expiration": body["Expiration"]})
    except urllib.error.HTTPError as e:
        body = json.loads(e.read())
        got.append({"status": e.code, "Code": body.get("Code"), "Message": body.get("Message")})
print(json.dumps(got))
"#;

struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new(config: &str) -> Home {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("config"), config).expect("config");
        std::fs::write(
            dir.path().join("credentials"),
            "[base]\naws_access_key_id = AKIAFAKE00000000BASE\naws_secret_access_key = base-secret\n",
        )
        .expect("credentials");
        Home { dir }
    }

    async fn rolebar(&self, sts: &str, args: &[&str]) -> Output {
        tokio::process::Command::from(isolated::rolebar(self.dir.path()))
            .args(args)
            .env("ROLEBAR_NO_AGENT", "1")
            .env("ROLEBAR_KEYRING", "memory")
            .env("AWS_ENDPOINT_URL_STS", sts)
            .output()
            .await
            .expect("rolebar runs")
    }
}

const SHORT_ROLE: &str = "\
[profile short]
source_profile = base
region = us-east-1
role_arn = arn:aws:iam::222222222222:role/Short
duration_seconds = 900
";

fn report(out: &Output) -> Vec<serde_json::Value> {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"))
}

fn assume_role_durations(sts: &StsDouble) -> Vec<String> {
    sts.seen()
        .iter()
        .filter(|r| r.action() == "AssumeRole")
        .map(|r| r.get("DurationSeconds").unwrap_or("-").to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_900_second_role_is_served_to_every_refresh_from_one_assume_role() {
    let sts = StsDouble::start(Arc::new(SystemClock)).await;
    let home = Home::new(SHORT_ROLE);
    let out = home
        .rolebar(
            &sts.url,
            &["exec", "--server", "short", "--", "python3", "-c", FETCH_SIX],
        )
        .await;
    let got = report(&out);
    assert_eq!(got.len(), 6);
    assert!(got.iter().all(|g| g["status"] == 200), "{got:?}");
    assert!(got.iter().all(|g| g["key"] == got[0]["key"]), "one session: {got:?}");
    assert_eq!(assume_role_durations(&sts), ["900"], "one AssumeRole in all");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_duration_every_session_served_has_that_length() {
    let sts = StsDouble::start(Arc::new(SystemClock)).await;
    let home = Home::new(SHORT_ROLE);
    let out = home
        .rolebar(
            &sts.url,
            &[
                "exec",
                "--server",
                "--duration",
                "2h",
                "short",
                "--",
                "python3",
                "-c",
                FETCH_SIX,
            ],
        )
        .await;
    let got = report(&out);
    assert!(got.iter().all(|g| g["status"] == 200), "{got:?}");
    assert_eq!(assume_role_durations(&sts), ["7200"]);
    let expiration = got[0]["expiration"].as_str().expect("Expiration");
    let expires =
        time::OffsetDateTime::parse(expiration, &time::format_description::well_known::Rfc3339).expect("RFC 3339");
    let left = expires - time::OffsetDateTime::now_utc();
    assert!(left > time::Duration::minutes(115), "{expiration}");
}

/// Fetches once, then takes the profile out of the config and fetches again: prints both answers.
const FETCH_THEN_BREAK: &str = r#"
import json, os, urllib.request, urllib.error
uri = os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
token = os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
def get():
    try:
        with urllib.request.urlopen(urllib.request.Request(uri, headers={"Authorization": token}), timeout=20) as r:
            return {"status": r.status, "key": json.load(r)["AccessKeyId"]}
    except urllib.error.HTTPError as e:
        body = json.loads(e.read())
        return {"status": e.code, "type": e.headers.get("Content-Type"), "Code": body.get("Code"), "Message": body.get("Message")}
got = [get()]
with open(os.environ["AWS_CONFIG_FILE"], "w") as f:
    f.write("[profile other]\nregion = us-east-1\n")
got.append(get())
print(json.dumps(got))
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_the_user_must_fix_is_a_4xx_with_the_sdks_code_and_message() {
    let sts = StsDouble::start(Arc::new(SystemClock)).await;
    let home = Home::new(SHORT_ROLE);
    let out = home
        .rolebar(
            &sts.url,
            &["exec", "--server", "short", "--", "python3", "-c", FETCH_THEN_BREAK],
        )
        .await;
    let got = report(&out);
    assert_eq!(got[0]["status"], 200, "{got:?}");
    assert_eq!(got[1]["status"], 400, "the profile is gone from the config: {got:?}");
    assert_eq!(got[1]["type"], "application/json");
    assert_eq!(got[1]["Code"], "ProfileNotFound");
    let message = got[1]["Message"].as_str().expect("Message");
    assert!(message.contains("short"), "{message}");
}

/// The harness venv's python (boto3), from `bash scripts/test.sh`'s ROLEBAR_CACHE_DIR.
fn venv_python() -> PathBuf {
    let cache = std::env::var_os("ROLEBAR_CACHE_DIR").expect("ROLEBAR_CACHE_DIR: run bash scripts/test.sh");
    PathBuf::from(cache).join("venv").join("bin").join("python")
}

/// boto3's own container provider reads the endpoint (its session refreshed twice under its
/// 15-minute window), then botocore's fetcher meets a failure: what it tells its user.
const BOTO3_THEN_BREAK: &str = r#"
import json, os, boto3, botocore.utils
session = boto3.Session(region_name="us-east-1")
creds = session.get_credentials()
assert creds.method == "container-role", creds.method
keys = [creds.get_frozen_credentials().access_key for _ in range(3)]
with open(os.environ["AWS_CONFIG_FILE"], "w") as f:
    f.write("[profile other]\nregion = us-east-1\n")
fetcher = botocore.utils.ContainerMetadataFetcher(sleep=lambda _: None)
try:
    fetcher.retrieve_full_uri(os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"],
                              headers={"Authorization": os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]})
    shown = None
except Exception as e:
    shown = str(e)
print(json.dumps({"keys": keys, "shown": shown}))
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the harness venv (boto3): run bash scripts/test.sh"]
async fn boto3_gets_one_session_of_a_900_second_role_and_shows_rolebars_reason() {
    let sts = StsDouble::start(Arc::new(SystemClock)).await;
    let home = Home::new(SHORT_ROLE);
    let python = venv_python();
    let python = python.to_str().expect("a UTF-8 path");
    let out = home
        .rolebar(
            &sts.url,
            &["exec", "--server", "short", "--", python, "-c", BOTO3_THEN_BREAK],
        )
        .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    let keys = got["keys"].as_array().expect("keys");
    assert!(keys.iter().all(|k| k == &keys[0]), "{got}");
    assert_eq!(
        assume_role_durations(&sts),
        ["900"],
        "one AssumeRole for boto3's refreshes"
    );
    let shown = got["shown"].as_str().expect("botocore's error");
    assert!(shown.contains("400"), "{shown}");
    assert!(shown.contains("ProfileNotFound") && shown.contains("short"), "{shown}");
}

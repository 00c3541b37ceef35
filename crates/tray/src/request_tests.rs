//! The windows' commands as the window process asks for them (`requests::dispatch` by name,
//! with a JSON body), on a shell built as the tray builds it: the real request bodies and state,
//! with an in-memory keyring, a scripted STS, a manual clock, a memory clipboard, windows that
//! only record what they are asked (`windows_port::Recorded`) and a plain tokio runtime.
//!
//! The window process is not here: a window's `Destroyed` report is made by the test, calling
//! `Shell::window_destroyed` as the link does. The window process itself (its link, a dialog lost
//! with it) is covered by `window_process`, `windows_link` and end to end.

use crate::args::{Command, GetOverviewArgs, COMMANDS};
use crate::clipboard::MemoryClipboard;
use crate::desktop_port::GlobalKeys;
use crate::error::{codes, CommandError};
use crate::shell::{Ports, Shell};
use crate::state::AppState;
use crate::windows_port::{Recorded, Windows, MFA, SWITCHER};
use rolebar_core::clock::ManualClock;
use rolebar_core::keystore::index::Index;
use rolebar_core::keystore::keys::KeyStore;
use rolebar_core::keystore::store::MemoryStore;
use rolebar_core::mfa::MfaCode;
use rolebar_core::profile::AwsPaths;
use rolebar_core::schedule::{ExpiryDriver, Schedule};
use rolebar_core::session::cache::SessionCache;
use rolebar_core::session::operations::Sessions;
use rolebar_core::session::sts::{AssumeRoleRequest, RoleAssumer, SessionTokenRequest, StsCredentials};
use rolebar_core::session::vault::Vault;
use rolebar_core::settings::SettingsFile;
use rolebar_core::{Credentials, Error};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;
use time::macros::datetime;

const CONFIG: &str = "\
[default]
region = eu-west-1

[profile oppara]
mfa_serial = arn:aws:iam::111111111111:mfa/oppara

[profile oppara-dev]
role_arn = arn:aws:iam::222222222222:role/developer
source_profile = oppara
mfa_serial = arn:aws:iam::111111111111:mfa/oppara

[profile corp]
sso_session = corp

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
";

const CREDENTIALS: &str = "\
[oppara]
aws_access_key_id = AKIA_FAKE_EXAMPLE_01
aws_secret_access_key = wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY

[legacy]
aws_access_key_id = AKIA_FAKE_LEGACY_001
aws_secret_access_key = legacy-secret
";

const SECRET: &str = "FAKESECRETfromSTSnotForTheUI";
const GOOD_CODE: &str = "123456";

/// STS that accepts one code and counts calls.
#[derive(Debug, Default)]
struct ScriptedSts {
    calls: AtomicU32,
}

impl ScriptedSts {
    fn reply(&self, mfa: Option<(&str, &MfaCode)>) -> rolebar_core::Result<StsCredentials> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if let Some((serial, code)) = mfa {
            if code.expose() != GOOD_CODE {
                return Err(Error::MfaRejected {
                    mfa_serial: serial.to_string(),
                });
            }
        }
        Ok(StsCredentials {
            credentials: Credentials::temporary("ASIAFAKESESSION00001", SECRET, "FAKETOKEN"),
            expires_at: datetime!(2026-11-25 13:00 UTC),
            assumed_role_arn: None,
        })
    }
}

#[async_trait::async_trait]
impl RoleAssumer for ScriptedSts {
    async fn assume_role(&self, request: AssumeRoleRequest<'_>) -> rolebar_core::Result<StsCredentials> {
        self.reply(request.mfa)
    }

    async fn get_session_token(&self, request: SessionTokenRequest<'_>) -> rolebar_core::Result<StsCredentials> {
        self.reply(request.mfa)
    }
}

/// The tray's global keys (`hotkey::SystemKeys`) on a desktop that offers none: a key is read
/// as the tray reads it (a bare key is refused as such), then refused for want of the desktop.
#[derive(Debug)]
struct KeysWithoutDesktop;

impl GlobalKeys for KeysWithoutDesktop {
    fn available(&self) -> bool {
        false
    }
    fn held(&self) -> Option<String> {
        None
    }
    fn grab(&self, text: &str) -> Result<(), CommandError> {
        crate::hotkey::parse(text)?;
        crate::desktop_port::Absent.grab(text)
    }
    fn release(&self) {}
}

struct Harness {
    shell: Shell,
    windows: Arc<Recorded>,
    clipboard: Arc<MemoryClipboard>,
    sts: Arc<ScriptedSts>,
    /// The shell's runtime; dropped before the folder, so no task outlives the files it uses.
    runtime: tokio::runtime::Runtime,
    dir: tempfile::TempDir,
}

fn harness() -> Harness {
    harness_with(|_| None)
}

/// A harness whose settings come from `settings.json` in its folder (written with `text`
/// first, when given).
fn harness_with_settings_file(text: Option<&str>) -> Harness {
    harness_with(|dir| {
        let path = dir.join("settings.json");
        if let Some(text) = text {
            std::fs::write(&path, text).expect("settings");
        }
        Some(SettingsFile::at(path))
    })
}

/// The app's state over the test's folder `dir`: its AWS files, an in-memory keyring, the
/// scripted STS, a manual clock and a memory clipboard.
fn test_state(
    dir: &std::path::Path,
    settings: impl FnOnce(&std::path::Path) -> Option<SettingsFile>,
) -> (AppState, Arc<MemoryClipboard>, Arc<ScriptedSts>) {
    let paths = AwsPaths {
        config: dir.join("config"),
        credentials: dir.join("credentials"),
    };
    std::fs::write(&paths.config, CONFIG).expect("config");
    std::fs::write(&paths.credentials, CREDENTIALS).expect("credentials");
    let clock = Arc::new(ManualClock::new(datetime!(2026-11-25 12:00 UTC)));
    let store = Arc::new(MemoryStore::new());
    let index = Index::at(dir.join("state/index.json"));
    let sts = Arc::new(ScriptedSts::default());
    let vault = Vault::new(
        KeyStore::new(store.clone(), index.clone()),
        SessionCache::new(store, index, clock.clone()),
        sts.clone(),
        clock.clone(),
    );
    let clipboard = Arc::new(MemoryClipboard::default());
    let recorder = rolebar_core::activity::noting::Recorder::new(
        rolebar_core::activity::ActivityLog::at(dir.join("state/activity.jsonl")),
        clock.clone(),
    );
    let mut state = AppState::new(Sessions::new(paths, vault), clock, clipboard.clone())
        .with_approvals_file(rolebar_core::approvals::ApprovalsFile::at(
            dir.join("state/approvals.json"),
        ))
        .with_recorder(recorder);
    if let Some(file) = settings(dir) {
        state = state.with_settings_file(file);
    }
    (state, clipboard, sts)
}

fn harness_with(settings: impl FnOnce(&std::path::Path) -> Option<SettingsFile>) -> Harness {
    let dir = tempfile::tempdir().expect("tempdir");
    let (state, clipboard, sts) = test_state(dir.path(), settings);
    // As the tray's: several workers, so an assume waiting for its code never holds up the
    // requests that answer it.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let windows = Arc::new(Recorded::default());
    let ports = Ports {
        windows: windows.clone(),
        autostart: Arc::new(crate::desktop_port::Absent),
        keys: Arc::new(KeysWithoutDesktop),
        quit: Box::new(|_| {}),
    };
    let shell = Shell::new(state, ports, runtime.handle().clone());
    // aws-vault's places in the test's folder, never the user's HOME or keyring.
    shell
        .import_offer()
        .set_config(aws_vault_files_in(&dir.path().join("home")));
    Harness {
        shell,
        windows,
        clipboard,
        sts,
        runtime,
        dir,
    }
}

/// The error as the window receives it (`{ code, message }`).
fn error_json(e: CommandError) -> Value {
    serde_json::to_value(e).expect("an error is JSON")
}

/// Runs the command `cmd` as the window process asks for it (the agent's `call`).
fn invoke(h: &Harness, cmd: &str, args: Value) -> Result<Value, Value> {
    h.runtime
        .block_on(crate::requests::dispatch(&h.shell, cmd, args))
        .map_err(error_json)
}

/// Starts the command `cmd` on the shell's runtime, as a window's call that waits (for an MFA
/// code, say) while others are answered; `finish` waits for its answer.
fn in_background(h: &Harness, cmd: &'static str, args: Value) -> tokio::task::JoinHandle<Result<Value, Value>> {
    let shell = h.shell.clone();
    h.shell
        .spawn(async move { crate::requests::dispatch(&shell, cmd, args).await.map_err(error_json) })
}

fn finish(h: &Harness, pending: tokio::task::JoinHandle<Result<Value, Value>>) -> Result<Value, Value> {
    h.runtime.block_on(pending).expect("the request ran to its end")
}

fn code_of(error: &Value) -> &str {
    error["code"].as_str().unwrap_or("")
}

/// Waits for the MFA dialog to ask a question other than `after` and still open (the assume runs
/// on the runtime's workers), woken when the dialog shows a question; returns the question as the
/// dialog reads it.
fn wait_for_request(h: &Harness, after: Option<u64>) -> Value {
    let dialogs = &h.shell.state().mfa;
    let mut shown = dialogs.shown();
    let after = after.and_then(|id| u32::try_from(id).ok());
    let id = h.runtime.block_on(async {
        // On screen, and still waiting for its answer (an earlier request may have been answered).
        let new_question = shown.wait_for(|id| Some(*id) != after && dialogs.current().is_some_and(|q| q.id == *id));
        match tokio::time::timeout(Duration::from_secs(10), new_question).await {
            Ok(Ok(id)) => *id,
            Ok(Err(_)) => panic!("the dialog queue is gone"),
            Err(_) => panic!("no MFA request was made"),
        }
    });
    assert!(h.windows.is_open(MFA), "the question is shown in the dialog");
    let request = invoke(h, "mfa_request", json!({})).expect("mfa_request");
    assert_eq!(request["id"], id, "the question on screen is the one shown");
    request
}

/// The window process reports the dialog destroyed once the app has closed it (the link calls
/// `Shell::window_destroyed`), so the next request does not wait for it.
fn dialog_destroyed(h: &Harness) {
    h.shell.window_destroyed(MFA);
}

fn assume_in_background(h: &Harness, profile: &str) -> tokio::task::JoinHandle<Result<Value, Value>> {
    in_background(h, "assume_profile", json!({ "profile": profile }))
}

/// The window calls that were about the MFA dialog, in order.
fn dialog_calls(h: &Harness) -> Vec<String> {
    h.windows.calls().into_iter().filter(|c| c.contains("mfa")).collect()
}

#[test]
fn overview_lists_every_profile_and_no_secret() {
    let h = harness();
    let overview = invoke(&h, "get_overview", json!({})).expect("overview");
    let names: Vec<&str> = overview["profiles"]
        .as_array()
        .expect("profiles")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(names, ["default", "oppara", "oppara-dev", "corp", "legacy"]);
    assert_eq!(overview["profiles"][2]["kind"], "role");
    assert_eq!(overview["profiles"][2]["region"], "eu-west-1");
    assert_eq!(overview["profiles"][3]["kind"], "unsupported");
    assert_eq!(overview["keyProfiles"], json!(["default", "oppara", "legacy"]));
    let text = overview.to_string();
    assert!(
        !text.contains("wJalrXUtnFEMI") && !text.contains("AKIA_FAKE_EXAMPLE_01"),
        "{text}"
    );
}

#[test]
fn assume_with_mfa_through_the_dialog_then_copy_and_write() {
    let h = harness();
    let pending = assume_in_background(&h, "oppara-dev");
    let request = wait_for_request(&h, None);
    assert_eq!(request["profile"], "oppara-dev");
    // The role shares its source's device: the code makes oppara's MFA session, which the role uses.
    assert_eq!(
        request["codeFor"], "oppara-dev",
        "asked on behalf of the role the user clicked"
    );
    assert_eq!(request["mfaSerial"], "arn:aws:iam::111111111111:mfa/oppara");
    assert_eq!(request["reason"], "noSession");
    assert!(h.windows.is_open(MFA), "the dialog is open");
    let id = request["id"].clone();

    // A malformed code is refused and the question stays.
    let err = invoke(&h, "submit_mfa_code", json!({ "requestId": id, "code": "12a456" })).expect_err("format");
    assert_eq!(code_of(&err), "mfa_code_format");
    invoke(&h, "submit_mfa_code", json!({ "requestId": id, "code": " 123 456 " })).expect("accepted");

    let session = finish(&h, pending).expect("session");
    assert!(!h.windows.is_open(MFA), "the dialog is closed once the code is taken");
    assert_eq!(session["profile"], "oppara-dev");
    assert_eq!(session["id"], "session:AssumeRole:oppara-dev");
    assert!(!session.to_string().contains(SECRET));
    assert_eq!(
        invoke(&h, "mfa_request", json!({})).expect("mfa_request"),
        Value::Null,
        "nothing left to answer"
    );

    // Cached now: no dialog, no STS call.
    let calls = h.sts.calls.load(Ordering::SeqCst);
    invoke(&h, "assume_profile", json!({ "profile": "oppara-dev" })).expect("cached");
    assert_eq!(h.sts.calls.load(Ordering::SeqCst), calls);

    // Exports go to the clipboard; only a count comes back.
    let report = invoke(
        &h,
        "copy_exports",
        json!({ "sessionId": "session:AssumeRole:oppara-dev", "format": "fish" }),
    )
    .expect("copied");
    assert_eq!(report["format"], "fish");
    assert!(!report.to_string().contains(SECRET));
    let copied = h.clipboard.text().expect("clipboard");
    assert!(
        copied.contains(&format!("set -gx AWS_SECRET_ACCESS_KEY \"{SECRET}\"")),
        "{copied}"
    );
    assert!(copied.contains("set -gx AWS_REGION \"eu-west-1\""), "{copied}");

    // Guard rails: a configured profile is refused, foreign long-term keys need force.
    let write = |target: &str, force: bool| {
        invoke(
            &h,
            "write_session",
            json!({ "sessionId": "session:AssumeRole:oppara-dev", "target": target, "force": force }),
        )
    };
    assert_eq!(
        code_of(&write("oppara-dev", false).expect_err("configured")),
        "target_is_configured_profile"
    );
    assert_eq!(
        code_of(&write("legacy", false).expect_err("long-term")),
        "long_term_keys_in_target"
    );
    let forced = write("legacy", true).expect("forced");
    assert_eq!(forced["replacedLongTermKeys"], true);
    // A section of the user's without keys is not Rolebar's either: force, and its lines stay.
    let credentials = h.dir.path().join("credentials");
    let mut text = std::fs::read_to_string(&credentials).expect("read");
    text.push_str("\n[work]\n# the work account\nregion = eu-west-1\n");
    std::fs::write(&credentials, text).expect("add a section by hand");
    let refused = write("work", false).expect_err("not Rolebar's");
    assert_eq!(code_of(&refused), "section_not_owned");
    assert!(
        refused["message"].as_str().unwrap_or("").contains("region, 1 comment"),
        "{refused}"
    );
    write("work", true).expect("forced");
    let written = write("oppara-dev-creds", false).expect("written");
    assert_eq!(written["placement"], "appended");
    let file = std::fs::read_to_string(h.dir.path().join("credentials")).expect("read");
    assert!(file.contains("[oppara-dev-creds]") && file.contains(SECRET) && file.contains("manager = rolebar"));

    // Log out removes the session and the sections Rolebar wrote for it.
    let report = invoke(&h, "log_out", json!({ "profile": "oppara-dev" })).expect("logged out");
    assert_eq!(report["sessionsCleared"], 1);
    assert_eq!(report["sectionsRemoved"], json!(["legacy", "oppara-dev-creds", "work"]));
    let file = std::fs::read_to_string(&credentials).expect("read");
    assert!(
        file.contains("[work]\n# the work account\nregion = eu-west-1\n") && !file.contains(SECRET),
        "only Rolebar's lines were taken back:\n{file}"
    );
    // oppara's MFA session (which the role was assumed from) stays until logged out itself.
    let overview = invoke(&h, "get_overview", json!({})).expect("overview");
    let left: Vec<&str> = overview["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert_eq!(
        left,
        ["session:GetSessionToken:oppara:arn:aws:iam::111111111111:mfa/oppara"]
    );
}

#[test]
fn a_rejected_code_asks_again_in_the_same_dialog() {
    let h = harness();
    let pending = assume_in_background(&h, "oppara-dev");
    let first = wait_for_request(&h, None);
    invoke(
        &h,
        "submit_mfa_code",
        json!({ "requestId": first["id"], "code": "000000" }),
    )
    .expect("sent");
    let second = wait_for_request(&h, first["id"].as_u64());
    assert_eq!(second["reason"], "rejected");
    assert_eq!(second["attempt"], 2);
    assert!(h.windows.is_open(MFA), "still open for the next code");
    let (first_id, second_id) = (&first["id"], &second["id"]);
    assert_eq!(
        dialog_calls(&h),
        [format!("show_mfa {first_id}"), format!("show_mfa {second_id}")],
        "the second question goes to the same dialog, never closed in between"
    );
    // The old request can no longer be answered.
    let stale = invoke(
        &h,
        "submit_mfa_code",
        json!({ "requestId": first["id"], "code": GOOD_CODE }),
    );
    assert_eq!(code_of(&stale.expect_err("stale")), "stale_mfa_request");
    invoke(
        &h,
        "submit_mfa_code",
        json!({ "requestId": second["id"], "code": GOOD_CODE }),
    )
    .expect("sent");
    assert!(finish(&h, pending).is_ok());
    assert!(!h.windows.is_open(MFA), "closed once the good code is taken");
}

#[test]
fn cancel_caches_nothing_and_reports_mfa_cancelled() {
    let h = harness();
    let pending = assume_in_background(&h, "oppara");
    let request = wait_for_request(&h, None);
    assert_eq!(request["profile"], "oppara");
    invoke(&h, "cancel_mfa", json!({ "requestId": request["id"] })).expect("cancelled");
    let err = finish(&h, pending).expect_err("cancelled");
    assert_eq!(code_of(&err), "mfa_cancelled");
    assert_eq!(invoke(&h, "mfa_request", json!({})).expect("mfa_request"), Value::Null);
    let overview = invoke(&h, "get_overview", json!({})).expect("overview");
    assert_eq!(overview["sessions"], json!([]));
}

#[test]
fn keys_go_in_and_never_come_out() {
    let h = harness();
    let key = invoke(
        &h,
        "add_keys",
        json!({ "profile": "oppara", "accessKeyId": "AKIAFAKEKEYRING42", "secretAccessKey": "keyring/secret+value" }),
    )
    .expect("stored");
    assert_eq!(key["maskedKeyId"], "****NG42");
    let overview = invoke(&h, "get_overview", json!({})).expect("overview");
    assert_eq!(overview["profiles"][1]["keys"], "keyring");
    assert!(!overview.to_string().contains("keyring/secret+value"));
    let bad = invoke(
        &h,
        "add_keys",
        json!({ "profile": "x", "accessKeyId": "no spaces allowed", "secretAccessKey": "s" }),
    );
    assert_eq!(code_of(&bad.expect_err("invalid")), "invalid_input");
    let bad = invoke(
        &h,
        "add_keys",
        json!({ "profile": "dev\nprod", "accessKeyId": "AKIAFAKEKEYRING42", "secretAccessKey": "s" }),
    );
    assert_eq!(code_of(&bad.expect_err("a line break")), "invalid_profile_name");
    assert_eq!(
        invoke(&h, "remove_keys", json!({ "profile": "oppara" })).expect("removed"),
        true
    );
    assert_eq!(
        invoke(&h, "remove_keys", json!({ "profile": "oppara" })).expect("none"),
        false
    );
}

#[test]
fn unknown_sessions_and_profiles_are_clear_errors() {
    let h = harness();
    let err = invoke(
        &h,
        "copy_exports",
        json!({ "sessionId": "session:AssumeRole:nope", "format": "env" }),
    );
    assert_eq!(code_of(&err.expect_err("missing")), "session_not_found");
    let err = invoke(&h, "assume_profile", json!({ "profile": "corp" }));
    assert_eq!(code_of(&err.expect_err("sso")), "unsupported_profile");
    let err = invoke(&h, "assume_profile", json!({ "profile": "ghost" }));
    assert_eq!(code_of(&err.expect_err("missing")), "profile_not_found");
}

/// The dialog sizes itself to what its page measured in the window process (`fit_mfa_dialog`,
/// answered by the window program): a caller by name cannot size it, and trying leaves the question
/// as it was.
#[test]
fn only_the_mfa_dialog_sizes_itself_not_a_call_by_name() {
    let h = harness();
    let pending = assume_in_background(&h, "oppara-dev");
    let request = wait_for_request(&h, None);
    assert!(h.windows.is_open(MFA), "the dialog is open");
    let err = invoke(&h, "fit_mfa_dialog", json!({ "height": 300.0 })).expect_err("not the dialog");
    assert_eq!(code_of(&err), codes::INVALID_INPUT);
    assert!(
        err["message"]
            .as_str()
            .is_some_and(|m| m.contains("answered by the window")),
        "{err}"
    );
    assert_eq!(
        invoke(&h, "mfa_request", json!({})).expect("mfa_request")["id"],
        request["id"],
        "the question stays"
    );
    invoke(&h, "cancel_mfa", json!({ "requestId": request["id"] })).expect("cancelled");
    assert!(finish(&h, pending).is_err(), "cancelled");
    assert!(!h.windows.is_open(MFA), "a cancel closes the dialog");
}

/// Assumes `profile` through the dialog with the good code.
fn assume_with_code(h: &Harness, profile: &str) -> Value {
    let pending = assume_in_background(h, profile);
    let request = wait_for_request(h, None);
    invoke(
        h,
        "submit_mfa_code",
        json!({ "requestId": request["id"], "code": GOOD_CODE }),
    )
    .expect("sent");
    let session = finish(h, pending).expect("session");
    dialog_destroyed(h);
    session
}

fn session_ids(h: &Harness) -> Vec<String> {
    let overview = invoke(h, "get_overview", json!({})).expect("overview");
    overview["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .filter_map(|s| s["id"].as_str().map(str::to_string))
        .collect()
}

const OPPARA_MFA: &str = "session:GetSessionToken:oppara:arn:aws:iam::111111111111:mfa/oppara";

#[test]
fn a_cancelled_renewal_keeps_the_session_it_was_to_replace() {
    let h = harness();
    assume_with_code(&h, "oppara");
    assert_eq!(session_ids(&h), [OPPARA_MFA]);
    let pending = in_background(&h, "renew_session", json!({ "profile": "oppara" }));
    let request = wait_for_request(&h, None);
    assert_eq!(
        request["reason"], "noSession",
        "renewing drops the cached session first"
    );
    // Meanwhile the expiry schedule still watches it.
    let watched = h.shell.state().watched_sessions();
    assert_eq!(watched.iter().map(|s| s.key.as_str()).collect::<Vec<_>>(), [OPPARA_MFA]);
    invoke(&h, "cancel_mfa", json!({ "requestId": request["id"] })).expect("cancelled");
    let err = finish(&h, pending).expect_err("cancelled");
    assert_eq!(code_of(&err), "mfa_cancelled");
    assert_eq!(session_ids(&h), [OPPARA_MFA], "the session is back");
    assert!(h.shell.state().watched_sessions().len() == 1, "nothing held any more");
}

/// oppara-dev assumed (with a code) and written to `[oppara-dev-creds]`.
fn assume_and_write(h: &Harness) {
    assume_with_code(h, "oppara-dev");
    invoke(
        h,
        "write_session",
        json!({ "sessionId": "session:AssumeRole:oppara-dev", "target": "oppara-dev-creds", "force": false }),
    )
    .expect("written");
}

#[test]
fn auto_refresh_renews_a_role_from_its_mfa_session_without_asking_and_rewrites_it() {
    let h = harness();
    assume_and_write(&h);
    let credentials = h.dir.path().join("credentials");
    // Edited by hand since: the refresh must write it again.
    let text = std::fs::read_to_string(&credentials).expect("read");
    std::fs::write(&credentials, text.replace(SECRET, "STALE")).expect("write");
    let calls = h.sts.calls.load(Ordering::SeqCst);

    let state = h.shell.state();
    let report = h
        .runtime
        .block_on(crate::actions::auto_refresh(state, "oppara-dev"))
        .expect("refreshed");
    assert_eq!(report.profile, "oppara-dev");
    assert_eq!(report.key, "session:AssumeRole:oppara-dev");
    assert_eq!(report.rewritten, ["oppara-dev-creds"]);
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(
        h.sts.calls.load(Ordering::SeqCst),
        calls + 1,
        "one AssumeRole with the MFA session, even though the role session was still fresh"
    );
    assert_eq!(
        invoke(&h, "mfa_request", json!({})).expect("mfa_request"),
        Value::Null,
        "no code asked"
    );
    let text = std::fs::read_to_string(&credentials).expect("read");
    assert!(text.contains(SECRET) && !text.contains("STALE"), "{text}");
    assert_eq!(session_ids(&h).len(), 2);
}

#[test]
fn where_a_session_is_written_comes_from_the_file_whoever_wrote_it() {
    let h = harness();
    let state = h.shell.state();
    assume_with_code(&h, "oppara-dev");
    let credentials = h.dir.path().join("credentials");
    // Written by the CLI, or by an earlier run of the app: only the file knows.
    let session = crate::actions::find_session(state, "session:AssumeRole:oppara-dev").expect("cached");
    rolebar_core::outputs::write_profile(
        &credentials,
        "from-the-cli",
        &session,
        None,
        state.now(),
        rolebar_core::outputs::WriteOptions::default(),
    )
    .expect("written");
    assert_eq!(
        state.sessions.written_to("oppara-dev").expect("readable"),
        ["from-the-cli"]
    );
    let overview = invoke(&h, "get_overview", json!({})).expect("overview");
    let sessions = overview["sessions"].as_array().expect("sessions");
    let role = sessions
        .iter()
        .find(|s| s["kind"] == "assumeRole")
        .expect("role session");
    assert_eq!(role["writtenTo"], json!(["from-the-cli"]));

    // Auto-refresh rewrites it...
    let text = std::fs::read_to_string(&credentials).expect("read");
    std::fs::write(&credentials, text.replace(SECRET, "STALE")).expect("write");
    let report = h
        .runtime
        .block_on(crate::actions::auto_refresh(state, "oppara-dev"))
        .expect("refreshed");
    assert_eq!(report.rewritten, ["from-the-cli"]);
    assert!(!std::fs::read_to_string(&credentials).expect("read").contains("STALE"));

    // ...but not once the user removed it by hand.
    rolebar_core::outputs::remove_profile(&credentials, "from-the-cli").expect("removed");
    assert!(state.sessions.written_to("oppara-dev").expect("readable").is_empty());
    let report = h
        .runtime
        .block_on(crate::actions::auto_refresh(state, "oppara-dev"))
        .expect("refreshed");
    assert!(report.rewritten.is_empty());
    assert!(!std::fs::read_to_string(&credentials)
        .expect("read")
        .contains("[from-the-cli]"));
}

#[test]
fn expired_or_unattributed_sections_are_not_targets_but_log_out_removes_expired_ones() {
    let h = harness();
    let credentials = h.dir.path().join("credentials");
    let mut text = std::fs::read_to_string(&credentials).expect("read");
    text.push_str(
        "\n[gone]\naws_access_key_id = ASIAOLD\naws_secret_access_key = x\naws_session_token = y\n\
         manager = rolebar\nrolebar_expiration = 2026-11-25T11:00:00Z\nrolebar_source_profile = oppara-dev\n\
         [anonymous]\naws_access_key_id = ASIAOLD\naws_secret_access_key = x\naws_session_token = y\n\
         manager = rolebar\nrolebar_expiration = 2026-11-25T13:00:00Z\n",
    );
    std::fs::write(&credentials, text).expect("write");
    let state = h.shell.state();
    assert!(state.sessions.written_to("oppara-dev").expect("readable").is_empty());
    let report = invoke(&h, "log_out", json!({ "profile": "oppara-dev" })).expect("log out");
    assert_eq!(report["sectionsRemoved"], json!(["gone"]));
    let text = std::fs::read_to_string(&credentials).expect("read");
    assert!(!text.contains("[gone]") && text.contains("[anonymous]"), "{text}");
}

#[test]
fn a_written_section_is_listed_as_rolebar_s_output_never_assumed_and_log_out_takes_it_back() {
    let h = harness();
    let credentials = h.dir.path().join("credentials");
    let mut text = std::fs::read_to_string(&credentials).expect("read");
    text.push_str(
        "\n[oppara-dev-session]\naws_access_key_id = ASIAFAKEWRITTEN0001\naws_secret_access_key = x\n\
         aws_session_token = y\nmanager = rolebar\nrolebar_expiration = 2026-11-25T12:37:00Z\n\
         rolebar_source_profile = oppara-dev\n",
    );
    std::fs::write(&credentials, text).expect("write");

    let overview = invoke(&h, "get_overview", json!({})).expect("overview");
    let written = overview["profiles"]
        .as_array()
        .expect("profiles")
        .iter()
        .find(|p| p["name"] == "oppara-dev-session")
        .expect("listed")
        .clone();
    assert_eq!(written["kind"], "written", "{written}");
    assert_eq!(
        written["written"],
        json!({ "sourceProfile": "oppara-dev", "expiresAt": "2026-11-25T12:37:00Z" })
    );
    assert_eq!(written["keys"], Value::Null, "not 'keys in file': {written}");

    let calls = h.sts.calls.load(Ordering::SeqCst);
    let err = invoke(&h, "assume_profile", json!({ "profile": "oppara-dev-session" })).expect_err("refused");
    assert_eq!(err["code"], "written_by_rolebar", "{err}");
    assert!(err["message"].as_str().unwrap_or("").contains("oppara-dev"), "{err}");
    assert_eq!(
        h.sts.calls.load(Ordering::SeqCst),
        calls,
        "no STS call with session keys"
    );

    let report = invoke(&h, "log_out", json!({ "profile": "oppara-dev-session" })).expect("log out");
    assert_eq!(report["sectionsRemoved"], json!(["oppara-dev-session"]));
    let text = std::fs::read_to_string(&credentials).expect("read");
    assert!(
        !text.contains("oppara-dev-session") && text.contains("[oppara]"),
        "{text}"
    );
}

#[test]
fn an_unreadable_credentials_file_fails_log_out_and_auto_refresh_and_drops_nothing() {
    let h = harness();
    assume_with_code(&h, "oppara-dev");
    let sessions = session_ids(&h);
    let credentials = h.dir.path().join("credentials");
    std::fs::remove_file(&credentials).expect("rm");
    std::fs::create_dir(&credentials).expect("a folder where the file should be");

    let err = invoke(&h, "log_out", json!({ "profile": "oppara-dev" })).expect_err("refused");
    assert_eq!(err["code"], "not_a_regular_file", "{err}");
    assert_eq!(session_ids(&h), sessions, "nothing dropped: the log out can be retried");

    let state = h.shell.state();
    let calls = h.sts.calls.load(Ordering::SeqCst);
    let err = h
        .runtime
        .block_on(crate::actions::auto_refresh(state, "oppara-dev"))
        .expect_err("refused");
    // (Reading the profiles fails first, the credentials file being one of their sources; either
    // way nothing is renewed.)
    assert!(err.message.contains(&credentials.display().to_string()), "{err}");
    assert_eq!(
        h.sts.calls.load(Ordering::SeqCst),
        calls,
        "nothing renewed behind the user's back"
    );
    // The window still works, showing no targets.
    invoke(&h, "get_overview", json!({})).expect("overview");
}

#[test]
fn auto_refresh_that_needs_a_code_fails_fast_and_keeps_the_session() {
    let h = harness();
    assume_with_code(&h, "oppara");
    let calls = h.sts.calls.load(Ordering::SeqCst);
    let state = h.shell.state();
    let err = h
        .runtime
        .block_on(crate::actions::auto_refresh(state, "oppara"))
        .expect_err("needs MFA");
    assert_eq!(err.code, "mfa_required");
    assert_eq!(h.sts.calls.load(Ordering::SeqCst), calls, "no STS call");
    assert_eq!(
        invoke(&h, "mfa_request", json!({})).expect("mfa_request"),
        Value::Null,
        "no dialog"
    );
    assert_eq!(session_ids(&h), [OPPARA_MFA], "the session is back");
    assert!(state.activity().busy.is_empty());
}

#[test]
fn the_overview_says_how_expiry_warnings_are_set() {
    let h = harness();
    let overview = invoke(&h, "get_overview", json!({})).expect("overview");
    assert_eq!(
        overview["expiry"],
        json!({
            "warnBefore": ["10m", "2m"],
            "autoRefresh": [],
            "expiringWithinSeconds": 600,
            "settingsPath": null,
            "settingsPathShort": null,
            "problem": null,
        })
    );
}

#[test]
fn auto_refresh_is_turned_on_and_off_from_the_window_and_saved() {
    let h = harness_with_settings_file(Some(r#"{"theme": "dark", "expiry": {"warn_before": ["15m"]}}"#));
    let view = invoke(
        &h,
        "set_auto_refresh",
        json!({ "profile": "oppara-dev", "enabled": true }),
    )
    .expect("on");
    assert_eq!(view["autoRefresh"], json!(["oppara-dev"]));
    assert_eq!(view["warnBefore"], json!(["15m"]));
    let state = h.shell.state();
    assert!(
        state.expiry().settings.auto_refresh_enabled("oppara-dev"),
        "in force at once"
    );
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(h.dir.path().join("settings.json")).expect("saved"))
            .expect("json");
    assert_eq!(saved["expiry"]["auto_refresh"], json!(["oppara-dev"]));
    assert_eq!(saved["theme"], "dark", "the rest of the file is kept");

    invoke(
        &h,
        "set_auto_refresh",
        json!({ "profile": "oppara-dev", "enabled": false }),
    )
    .expect("off");
    assert!(!state.expiry().settings.auto_refresh_enabled("oppara-dev"));
    let overview = invoke(&h, "get_overview", json!({})).expect("overview");
    assert_eq!(overview["expiry"]["autoRefresh"], json!([]));
}

#[test]
fn warning_times_are_changed_from_the_window_and_saved() {
    let h = harness_with_settings_file(None);
    let view = invoke(&h, "set_warn_before", json!({ "warnBefore": ["2m", "15m"] })).expect("set");
    assert_eq!(view["warnBefore"], json!(["15m", "2m"]), "longest first");
    assert_eq!(view["expiringWithinSeconds"], 900, "the tray's expiring window follows");
    let state = h.shell.state();
    assert_eq!(state.expiry().expiring_within(), time::Duration::minutes(15));
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(h.dir.path().join("settings.json")).expect("saved"))
            .expect("json");
    assert_eq!(saved["expiry"]["warn_before"], json!(["15m", "2m"]));

    let only_at_the_end = invoke(&h, "set_warn_before", json!({ "warnBefore": [] })).expect("empty");
    assert_eq!(only_at_the_end["warnBefore"], json!([]));
}

#[test]
fn bad_warning_times_are_refused_and_nothing_changes() {
    let h = harness_with_settings_file(Some(r#"{"expiry": {"warn_before": ["10m"]}}"#));
    for (bad, code) in [
        (json!(["5x"]), codes::INVALID_INPUT),
        (json!(["ten"]), codes::INVALID_INPUT),
        (json!(["0s"]), "invalid_threshold"),
        (json!(["2m", "2m"]), "invalid_threshold"),
        (json!(["25h"]), "invalid_threshold"),
    ] {
        let err = invoke(&h, "set_warn_before", json!({ "warnBefore": bad })).expect_err("refused");
        assert_eq!(err["code"], code, "{bad}: {err}");
    }
    assert_eq!(
        std::fs::read_to_string(h.dir.path().join("settings.json")).expect("kept"),
        r#"{"expiry": {"warn_before": ["10m"]}}"#
    );
    let state = h.shell.state();
    assert_eq!(state.expiry().expiring_within(), time::Duration::minutes(10));
}

#[test]
fn a_favourite_is_pinned_from_the_window_saved_and_offered_by_the_tray() {
    let h = harness_with_settings_file(Some(r#"{"theme": "dark"}"#));
    let list = invoke(&h, "set_favourite", json!({ "profile": "oppara-dev", "pinned": true })).expect("pin");
    assert_eq!(list, json!(["oppara-dev"]));
    let overview = invoke(&h, "get_overview", json!({})).expect("overview");
    assert_eq!(overview["favourites"], json!(["oppara-dev"]));
    let state = h.shell.state();
    assert_eq!(state.shortcuts().favourites, ["oppara-dev"], "the tray's Favourites");
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(h.dir.path().join("settings.json")).expect("saved"))
            .expect("json");
    assert_eq!(saved["favourites"], json!(["oppara-dev"]));
    assert_eq!(saved["theme"], "dark", "the rest of the file is kept");

    let list = invoke(&h, "set_favourite", json!({ "profile": "oppara-dev", "pinned": false })).expect("unpin");
    assert_eq!(list, json!([]));
    let err = invoke(&h, "set_favourite", json!({ "profile": " ", "pinned": true })).expect_err("no name");
    assert_eq!(err["code"], codes::INVALID_INPUT);
}

#[test]
fn a_broken_favourites_value_is_refused_not_overwritten() {
    let broken = r#"{"favourites": "oppara-dev"}"#;
    let h = harness_with_settings_file(Some(broken));
    let err = invoke(&h, "set_favourite", json!({ "profile": "x", "pinned": true })).expect_err("refused");
    assert_eq!(err["code"], codes::SETTINGS_NOT_WRITABLE);
    assert!(
        err["message"].as_str().is_some_and(|m| m.contains("favourites")),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(h.dir.path().join("settings.json")).expect("read"),
        broken
    );
}

#[test]
fn a_broken_settings_file_is_not_overwritten_by_a_toggle() {
    let broken = r#"{"expiry": {"warn_before": ["soon"]}}"#;
    let h = harness_with_settings_file(Some(broken));
    let err = invoke(
        &h,
        "set_auto_refresh",
        json!({ "profile": "oppara-dev", "enabled": true }),
    )
    .expect_err("refused");
    assert_eq!(err["code"], codes::SETTINGS_NOT_WRITABLE);
    assert!(
        err["message"]
            .as_str()
            .is_some_and(|m| m.contains("fix the settings file")),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(h.dir.path().join("settings.json")).expect("kept"),
        broken
    );
}

#[test]
fn what_the_user_wrote_in_the_settings_file_since_the_start_is_kept() {
    let h = harness_with_settings_file(Some(r#"{"expiry": {"warn_before": ["10m"]}}"#));
    let path = h.dir.path().join("settings.json");
    std::fs::write(
        &path,
        r#"{"expiry": {"warn_before": ["20m"], "auto_refresh": ["other"]}, "x": 1}"#,
    )
    .expect("edited by hand");
    let view = invoke(
        &h,
        "set_auto_refresh",
        json!({ "profile": "oppara-dev", "enabled": true }),
    )
    .expect("on");
    assert_eq!(view["autoRefresh"], json!(["oppara-dev", "other"]));
    assert_eq!(view["warnBefore"], json!(["20m"]), "the file's times, now in force");
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("saved")).expect("json");
    assert_eq!(saved["expiry"]["auto_refresh"], json!(["oppara-dev", "other"]));
    assert_eq!(saved["x"], 1);
    let state = h.shell.state();
    assert_eq!(state.expiry().expiring_within(), time::Duration::minutes(20));

    // Broken by hand since: refused, and left as it is.
    std::fs::write(&path, r#"{"expiry": {"warn_before": ["soon"]}}"#).expect("broken");
    let err = invoke(&h, "set_warn_before", json!({ "warnBefore": ["5m"] })).expect_err("refused");
    assert_eq!(err["code"], codes::SETTINGS_NOT_WRITABLE);
    assert_eq!(
        std::fs::read_to_string(&path).expect("kept"),
        r#"{"expiry": {"warn_before": ["soon"]}}"#
    );
}

#[test]
fn the_settings_file_at_the_start_gives_the_language_the_favourites_and_the_expiry_times() {
    let h = harness_with_settings_file(Some(
        r#"{"language": "ja", "favourites": ["oppara-dev"], "expiry": {"warn_before": ["20m"]}}"#,
    ));
    let messages = invoke(&h, "get_messages", json!({})).expect("messages");
    assert_eq!(messages["setting"], "ja");
    let overview = invoke(&h, "get_overview", json!({})).expect("overview");
    assert_eq!(overview["favourites"], json!(["oppara-dev"]));
    assert_eq!(overview["expiry"]["warnBefore"], json!(["20m"]));
    let path = h.dir.path().join("settings.json");
    assert_eq!(overview["expiry"]["settingsPath"], path.display().to_string());
}

#[test]
fn a_broken_section_is_refused_even_by_a_change_that_would_leave_it_as_read() {
    let text = r#"{"favourites": "oppara-dev", "language": "jp", "x": 1}"#;
    let h = harness_with_settings_file(Some(text));
    let path = h.dir.path().join("settings.json");
    // Unpinning from a list Rolebar cannot read, or going back to Auto over a value it cannot
    // read, would change nothing as Rolebar sees it, but the user's text is what is wrong.
    let err = invoke(&h, "set_favourite", json!({ "profile": "x", "pinned": false })).expect_err("refused");
    assert_eq!(err["code"], codes::SETTINGS_NOT_WRITABLE);
    assert!(
        err["message"]
            .as_str()
            .is_some_and(|m| m.contains("favourites = \"oppara-dev\"")),
        "{err}"
    );
    for language in ["auto", "en"] {
        let err = invoke(&h, "set_language", json!({ "language": language })).expect_err("refused");
        assert_eq!(err["code"], codes::SETTINGS_NOT_WRITABLE);
        assert!(
            err["message"].as_str().is_some_and(|m| m.contains("language = \"jp\"")),
            "{err}"
        );
    }
    assert_eq!(std::fs::read_to_string(&path).expect("kept"), text);

    // Another section changes, and the broken ones stay as written.
    invoke(&h, "set_warn_before", json!({ "warnBefore": ["5m"] })).expect("expiry");
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("saved")).expect("json");
    assert_eq!(saved["favourites"], "oppara-dev");
    assert_eq!(saved["language"], "jp");
    assert_eq!(saved["x"], 1);
    assert_eq!(saved["expiry"]["warn_before"], json!(["5m"]));
}

#[test]
fn a_settings_file_fixed_since_the_start_can_be_changed_again() {
    let h = harness_with_settings_file(Some(r#"{"expiry": {"warn_before": ["soon"]}}"#));
    let overview = invoke(&h, "get_overview", json!({})).expect("overview");
    assert!(overview["expiry"]["problem"].is_object(), "broken at start");
    std::fs::write(
        h.dir.path().join("settings.json"),
        r#"{"expiry": {"warn_before": ["10m"]}}"#,
    )
    .expect("fixed");
    let view = invoke(&h, "set_warn_before", json!({ "warnBefore": ["15m"] })).expect("saved");
    assert_eq!(view["warnBefore"], json!(["15m"]));
    assert_eq!(view["problem"], Value::Null);
}

#[test]
fn new_warning_times_reach_the_running_schedule() {
    let h = harness_with_settings_file(None);
    let state = h.shell.state();
    let mut driver = ExpiryDriver::new(Schedule::default(), Vec::new, state.clock(), |_| true);
    state.set_expiry_driver(driver.handle());
    invoke(&h, "set_warn_before", json!({ "warnBefore": ["30m", "1m"] })).expect("set");
    assert!(driver.tick().is_some());
    assert_eq!(
        driver.schedule().thresholds(),
        [time::Duration::minutes(30), time::Duration::minutes(1)]
    );

    // Times written in the file by hand come into force with the next change of any kind.
    std::fs::write(
        h.dir.path().join("settings.json"),
        r#"{"expiry": {"warn_before": ["45m"]}}"#,
    )
    .expect("edit");
    invoke(
        &h,
        "set_auto_refresh",
        json!({ "profile": "oppara-dev", "enabled": true }),
    )
    .expect("on");
    assert!(driver.tick().is_some());
    assert_eq!(driver.schedule().thresholds(), [time::Duration::minutes(45)]);
}

#[test]
fn every_declared_command_is_served() {
    let h = harness();
    for command in COMMANDS {
        // Wrong arguments on purpose: a dispatched command refuses them as arguments of its own
        // (its `…Args` struct names it: the generated table describes it truly); one its window
        // answers is refused as such; an unknown one would be "no command".
        let response = invoke(&h, command, json!({ "unexpected": true }));
        let e = response.expect_err("unknown keys are refused");
        let text = e.to_string();
        assert_eq!(code_of(&e), codes::INVALID_INPUT, "{command}: {text}");
        let expected = if crate::requests::WINDOW_ONLY.contains(command) {
            format!("`{command}` is answered by the window that calls it")
        } else {
            format!("invalid arguments for `{command}`: unknown field `unexpected`")
        };
        assert!(text.contains(&expected), "{command}: {text}");
    }
}

#[test]
fn the_language_is_chosen_in_the_window_saved_and_in_force_at_once() {
    let h = harness_with_settings_file(Some(r#"{"expiry": {"warn_before": ["20m"]}, "x": 1}"#));
    let english = invoke(&h, "get_messages", json!({})).expect("messages");
    assert_eq!(english["language"], "en");
    assert_eq!(english["setting"], "auto");
    assert_eq!(english["messages"]["mfa-heading"], "Enter your MFA code");
    assert_eq!(english["messages"]["main-busy-renew"], "Renewing {$profile}…");

    let japanese = invoke(&h, "set_language", json!({ "language": "ja" })).expect("ja");
    assert_eq!(japanese["language"], "ja");
    assert_eq!(japanese["setting"], "ja");
    assert_eq!(japanese["messages"]["mfa-heading"], "MFA コードを入力してください");
    assert_eq!(
        invoke(&h, "get_messages", json!({})).expect("again")["language"],
        "ja",
        "in force for the next window too"
    );
    assert_eq!(h.windows.calls(), ["language ja"], "the open windows redraw in it");
    let state = h.shell.state();
    assert_eq!(state.catalog().tr("menu-quit"), "終了", "the tray's words too");
    let path = h.dir.path().join("settings.json");
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("saved")).expect("json");
    assert_eq!(saved["language"], "ja");
    assert_eq!(
        saved["expiry"]["warn_before"],
        json!(["20m"]),
        "the other settings kept"
    );
    assert_eq!(saved["x"], 1);

    let auto = invoke(&h, "set_language", json!({ "language": "auto" })).expect("auto");
    assert_eq!(auto["setting"], "auto");
    assert_eq!(auto["language"], auto["system"]);
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("saved")).expect("json");
    assert!(
        saved.get("language").is_none(),
        "Auto is the absence of the key: {saved}"
    );

    let err = invoke(&h, "set_language", json!({ "language": "fr" })).expect_err("unknown");
    assert_eq!(err["code"], codes::INVALID_INPUT);

    // A file broken by hand is refused and left as it is; the language in force stays.
    std::fs::write(&path, r#"{"language": "ja",}"#).expect("broken");
    let err = invoke(&h, "set_language", json!({ "language": "ja" })).expect_err("refused");
    assert_eq!(err["code"], codes::SETTINGS_NOT_WRITABLE);
    assert!(
        err["message"].as_str().is_some_and(|m| m.contains("settings.json")),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&path).expect("kept"), r#"{"language": "ja",}"#);
    assert_eq!(state.language().setting.code(), "auto");
    let told = auto["language"].as_str().expect("a language");
    assert_eq!(
        h.windows.calls(),
        ["language ja".to_string(), format!("language {told}")],
        "a refused change redraws nothing"
    );
}

/// Waits (on the app's change signal, not a timer) until `done` holds.
fn wait_until_changed(h: &Harness, what: &str, done: impl Fn() -> bool) {
    let mut changes = h.shell.state().watch_sessions();
    h.runtime.block_on(async {
        let waited = tokio::time::timeout(Duration::from_secs(10), async {
            while !done() {
                if changes.changed().await.is_err() {
                    return;
                }
            }
        });
        assert!(waited.await.is_ok(), "{what}: not seen");
    });
}

#[test]
fn the_switcher_finds_by_account_and_enter_assumes_through_the_dialog() {
    let h = harness();
    crate::switcher_flow::open(&h.shell);
    assert!(h.windows.is_open(SWITCHER), "the switcher is open");

    let all = invoke(&h, "search_profiles", json!({ "query": "" })).expect("search");
    let names: Vec<&str> = all["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .filter_map(|hit| hit["name"].as_str())
        .collect();
    assert_eq!(
        names,
        ["default", "oppara", "oppara-dev", "legacy"],
        "corp (SSO) is not offered"
    );
    assert_eq!(all["searched"], 4);
    let found = invoke(&h, "search_profiles", json!({ "query": "2222 dev" })).expect("search");
    assert_eq!(found["hits"][0]["name"], "oppara-dev");
    assert_eq!(found["hits"][0]["account"], "222222222222");
    assert_eq!(found["hits"][0]["role"], "developer");
    assert_eq!(found["hits"].as_array().map(Vec::len), Some(1));

    let refused = invoke(&h, "choose_profile", json!({ "profile": "corp", "choice": "assume" }));
    assert_eq!(code_of(&refused.expect_err("not offered")), codes::INVALID_INPUT);

    invoke(
        &h,
        "choose_profile",
        json!({ "profile": "oppara-dev", "choice": "copyExports" }),
    )
    .expect("chosen");
    assert!(!h.windows.is_open(SWITCHER), "Enter closes the switcher");
    // Its window process reports it destroyed: its profiles go.
    h.shell.window_destroyed(SWITCHER);
    assert!(!h.shell.switcher().offers("oppara-dev"));
    let request = wait_for_request(&h, None);
    assert_eq!(request["profile"], "oppara-dev");
    invoke(
        &h,
        "submit_mfa_code",
        json!({ "requestId": request["id"], "code": GOOD_CODE }),
    )
    .expect("accepted");
    let state = h.shell.state();
    wait_until_changed(&h, "the session from the switcher", || {
        state
            .sessions
            .vault
            .cache()
            .list()
            .iter()
            .any(|s| s.record.profile == "oppara-dev")
    });
    assert_eq!(state.shortcuts().recent.first().map(String::as_str), Some("oppara-dev"));
}

#[test]
fn without_global_keys_the_hotkey_is_refused_and_nothing_is_saved() {
    let h = harness_with_settings_file(Some(r#"{"language": "en"}"#));
    let view = invoke(&h, "get_switcher_hotkey", json!({})).expect("view");
    assert_eq!(view, json!({ "hotkey": null, "available": false }));
    let err = invoke(&h, "set_switcher_hotkey", json!({ "hotkey": "Ctrl+Alt+P" })).expect_err("no plugin");
    assert_eq!(code_of(&err), codes::HOTKEY_FAILED);
    let err = invoke(&h, "set_switcher_hotkey", json!({ "hotkey": "P" })).expect_err("bare key");
    assert_eq!(code_of(&err), codes::INVALID_INPUT);
    let saved = std::fs::read_to_string(h.dir.path().join("settings.json")).expect("settings");
    assert_eq!(saved, r#"{"language": "en"}"#, "left as it was");
}

#[test]
fn console_and_rotation_refuse_what_they_cannot_serve_before_any_network_call() {
    let h = harness();
    // A profile that only signs in to IAM Identity Center (no account or role) cannot open the
    // console: said with the core's code.
    let err = invoke(&h, "open_console", json!({ "profile": "corp" })).expect_err("sso");
    assert_eq!(code_of(&err), "unsupported_profile");
    let err = invoke(&h, "open_console", json!({ "profile": "nope" })).expect_err("missing");
    assert_eq!(code_of(&err), "profile_not_found");
    // Keys written in the credentials file are not Rolebar's to rotate: the file would keep the
    // deleted key.
    let err = invoke(&h, "rotate_keys", json!({ "profile": "legacy" })).expect_err("file keys");
    assert_eq!(code_of(&err), "rotate_not_keyring_keys");
    assert!(!err.to_string().contains("legacy-secret"), "{err}");
    assert_eq!(h.sts.calls.load(Ordering::SeqCst), 0, "nothing reached STS");
}

#[test]
fn the_overview_says_when_the_desktop_shows_no_tray_icon() {
    let h = harness();
    let overview = invoke(&h, "get_overview", json!({})).expect("overview");
    assert_eq!(overview["trayHost"], true, "a host until the bus says otherwise");
    assert!(h.shell.tray_host().set_present(false));
    let overview = invoke(&h, "get_overview", json!({})).expect("overview");
    assert_eq!(overview["trayHost"], false, "the window then shows the notice and Quit");
    assert!(
        matches!(overview["trayHint"].as_str(), Some("gnome" | "other")),
        "{}",
        overview["trayHint"]
    );
}

/// The passphrase of aws-vault's file-backend fixtures (crates/core/tests/fixtures/aws-vault-file/make.py).
const AWS_VAULT_PASSPHRASE: &str = "correct horse battery staple";

/// aws-vault's `file` backend as aws-vault leaves it in a HOME (two profiles' keys, a cached
/// session, an SSO token), and the app pointed at that HOME.
fn with_aws_vault_files(h: &Harness) -> std::path::PathBuf {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/fixtures/aws-vault-file");
    let renamed: std::collections::HashMap<String, String> =
        serde_json::from_str(&std::fs::read_to_string(src.join("renamed.json")).expect("renamed.json")).expect("json");
    let home = h.dir.path().join("home");
    let keys = home.join(".awsvault/keys");
    std::fs::create_dir_all(&keys).expect("mkdir");
    for entry in std::fs::read_dir(src.join("keys")).expect("fixtures") {
        let entry = entry.expect("entry");
        let name = entry.file_name().to_string_lossy().into_owned();
        let name = renamed.get(&name).cloned().unwrap_or(name);
        std::fs::copy(entry.path(), keys.join(name)).expect("copy");
    }
    h.shell.import_offer().set_config(aws_vault_files_in(&home));
    keys
}

/// aws-vault's `file` backend under `home` only: the test machine's Secret Service stays out.
fn aws_vault_files_in(home: &std::path::Path) -> rolebar_core::import::aws_vault::AwsVaultConfig {
    use rolebar_core::import::aws_vault::{AwsVaultConfig, Backend};
    let mut config = AwsVaultConfig::from_lookup(|_| None, Some(home.to_path_buf())).expect("aws-vault config");
    config.backend = Some(Backend::File);
    config
}

#[test]
fn the_overview_offers_aws_vaults_keys_when_rolebar_holds_none() {
    let h = harness();
    let folder = with_aws_vault_files(&h);
    let overview = invoke(&h, "get_overview", json!({})).expect("overview");
    let offer = &overview["awsVaultOffer"];
    assert_eq!(
        offer["profiles"],
        json!(["dev", "team/ops"]),
        "its keys, not its session or token"
    );
    assert_eq!(offer["needsPassphrase"], true);
    assert_eq!(offer["keyringLocked"], false);
    assert_eq!(
        offer["places"][0].as_str().map(|p| p.trim_end_matches('/')),
        Some(folder.display().to_string().as_str())
    );
}

#[test]
fn no_offer_when_rolebar_holds_keys() {
    let h = harness();
    with_aws_vault_files(&h);
    let overview = invoke(&h, "get_overview", json!({})).expect("overview");
    assert!(
        overview["awsVaultOffer"].is_object(),
        "offered while Rolebar holds none"
    );
    invoke(
        &h,
        "add_keys",
        json!({ "profile": "oppara", "accessKeyId": "AKIAFAKEKEYRING42", "secretAccessKey": "keyring/secret+value" }),
    )
    .expect("stored");
    let overview = invoke(&h, "get_overview", json!({})).expect("overview");
    assert_eq!(overview["awsVaultOffer"], Value::Null);
}

#[test]
fn importing_aws_vaults_keys_stores_them_and_ends_the_offer() {
    let h = harness();
    let folder = with_aws_vault_files(&h);
    let before: Vec<Vec<u8>> = {
        let mut names: Vec<_> = std::fs::read_dir(&folder)
            .expect("dir")
            .map(|e| e.expect("entry").path())
            .collect();
        names.sort();
        names.iter().map(|p| std::fs::read(p).expect("read")).collect()
    };
    assert!(invoke(&h, "get_overview", json!({})).expect("overview")["awsVaultOffer"].is_object());
    let report = invoke(&h, "import_aws_vault", json!({ "passphrase": AWS_VAULT_PASSPHRASE })).expect("imported");
    assert_eq!(report["imported"], 2);
    let lines: Vec<(&str, &Value, &str)> = report["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| {
            (
                l["profile"].as_str().unwrap_or(""),
                &l["maskedKeyId"],
                l["outcome"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert!(lines.contains(&("dev", &json!("****0001"), "imported")), "{report}");
    assert!(
        lines.contains(&("team/ops", &json!("****0002"), "imported")),
        "{report}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.0.starts_with("sts.GetSessionToken") && l.2 == "skipped"),
        "{report}"
    );
    let text = report.to_string();
    assert!(
        !text.contains("fileDevSecret") && !text.contains("AKIAFILEDEV"),
        "{text}"
    );
    let overview = invoke(&h, "get_overview", json!({})).expect("overview");
    let keys: Vec<&str> = overview["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .filter_map(|k| k["profile"].as_str())
        .collect();
    assert_eq!(keys, ["dev", "team/ops"]);
    assert_eq!(overview["awsVaultOffer"], Value::Null, "offered no more");
    let after: Vec<Vec<u8>> = {
        let mut names: Vec<_> = std::fs::read_dir(&folder)
            .expect("dir")
            .map(|e| e.expect("entry").path())
            .collect();
        names.sort();
        names.iter().map(|p| std::fs::read(p).expect("read")).collect()
    };
    assert_eq!(before, after, "aws-vault's files are untouched");
}

#[test]
fn a_wrong_aws_vault_passphrase_stores_nothing_and_says_so() {
    let h = harness();
    with_aws_vault_files(&h);
    for passphrase in [json!("not the passphrase"), Value::Null] {
        let err = invoke(&h, "import_aws_vault", json!({ "passphrase": passphrase })).expect_err("refused");
        assert_eq!(code_of(&err), "aws_vault_passphrase", "{err}");
        assert!(!err.to_string().contains("not the passphrase"), "{err}");
    }
    let overview = invoke(&h, "get_overview", json!({})).expect("overview");
    assert_eq!(overview["keys"], json!([]), "nothing stored");
    assert_eq!(
        overview["awsVaultOffer"]["profiles"],
        json!(["dev", "team/ops"]),
        "still offered"
    );
}

/// aws-vault's Secret Service items (as go-libsecret writes them) are offered by label without
/// a passphrase, and imported; the test keyring's `login` collection stands for aws-vault's
/// (`AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME=login`: its own would need gnome-keyring's
/// new-keyring prompt).
#[test]
#[ignore = "needs moto and a keyring: run bash scripts/test.sh"]
fn aws_vaults_secret_service_keys_are_offered_and_imported_without_a_passphrase() {
    use rolebar_core::import::aws_vault::Backend;
    use secret_service::blocking::SecretService;
    use secret_service::EncryptionType;
    use std::collections::HashMap;
    assert!(
        std::env::var_os("ROLEBAR_TEST_KEYRING").is_some(),
        "ROLEBAR_TEST_KEYRING is not set: run the tests through `bash scripts/test.sh`"
    );
    // {"AccessKeyID":"AKIAFAKESSAPP0000021","SecretAccessKey":"ssAppSecret/+abc","SessionToken":""}
    const DATA: &str = "eyJBY2Nlc3NLZXlJRCI6IkFLSUFTU0FQUDAwMDAwMDAwMDIxIiwiU2VjcmV0QWNjZXNzS2V5Ijoic3NBcHBTZWNyZXQvK2FiYyIsIlNlc3Npb25Ub2tlbiI6IiJ9";
    let pid = std::process::id();
    let profile = format!("app{pid}");
    let session = format!("sts.GetSessionToken,YXBw{pid},,1893456000");
    let service = SecretService::connect(EncryptionType::Dh).expect("connect");
    let collection = service
        .get_all_collections()
        .expect("collections")
        .into_iter()
        .find(|c| c.collection_path.as_str() == "/org/freedesktop/secrets/collection/login")
        .expect("the login collection");
    for key in [&profile, &session] {
        let json = format!(r#"{{"Key":"{key}","Data":"{DATA}","Label":"aws-vault ({key})"}}"#);
        collection
            .create_item(
                key,
                HashMap::from([("profile", key.as_str())]),
                json.as_bytes(),
                true,
                "application/json",
            )
            .expect("item");
    }
    let h = harness();
    let mut config = aws_vault_files_in(&h.dir.path().join("home"));
    config.backend = Some(Backend::SecretService);
    config.collection = "login".into();
    h.shell.import_offer().set_config(config);
    let overview = invoke(&h, "get_overview", json!({})).expect("overview");
    let offer = overview["awsVaultOffer"].clone();
    let report = invoke(&h, "import_aws_vault", json!({ "passphrase": null }));
    let after = invoke(&h, "get_overview", json!({})).expect("overview");
    for item in collection.get_all_items().expect("items") {
        if item.get_label().is_ok_and(|l| l.contains(&pid.to_string())) {
            item.delete().expect("clean up");
        }
    }
    let offered: Vec<&str> = offer["profiles"]
        .as_array()
        .expect("offered")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(offered.contains(&profile.as_str()), "{offer}");
    assert!(!offered.contains(&session.as_str()), "a session is not keys: {offer}");
    assert_eq!(offer["needsPassphrase"], false);
    assert_eq!(offer["keyringLocked"], false);
    let report = report.expect("imported");
    let line = report["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .find(|l| l["profile"] == profile.as_str())
        .cloned()
        .expect("its line");
    assert_eq!(line["outcome"], "imported");
    assert_eq!(line["maskedKeyId"], "****0021");
    assert!(!report.to_string().contains("ssAppSecret"), "{report}");
    assert!(
        after["keys"]
            .as_array()
            .expect("keys")
            .iter()
            .any(|k| k["profile"] == profile.as_str()),
        "{after}"
    );
}

#[test]
fn dispatch_answers_get_overview_as_the_command_does() {
    let h = harness();
    let body = h
        .runtime
        .block_on(crate::requests::get_overview(&h.shell, GetOverviewArgs {}))
        .expect("overview");
    let direct = serde_json::to_value(body).expect("json");
    let dispatched = invoke(&h, GetOverviewArgs::NAME, json!({})).expect("dispatched overview");
    assert_eq!(dispatched, direct);
    let as_text = h
        .runtime
        .block_on(crate::requests::dispatch_text(&h.shell, GetOverviewArgs::NAME, "{}"))
        .expect("dispatched as text");
    assert_eq!(as_text, direct, "the agent's `call` reads the same command");
}

#[test]
fn dispatch_reads_each_command_s_own_arguments_and_refuses_the_rest() {
    let h = harness();
    let dispatch = |name: &str, args: Value| {
        h.runtime
            .block_on(crate::requests::dispatch(&h.shell, name, args))
            .expect_err(name)
    };
    for name in crate::requests::DISPATCHED {
        // Refused as arguments of that very command: each name reaches its own struct.
        let e = dispatch(name, json!({ "unexpected": true }));
        assert_eq!(e.code, codes::INVALID_INPUT, "{name}: {}", e.message);
        assert!(
            e.message
                .contains(&format!("invalid arguments for `{name}`: unknown field `unexpected`")),
            "{name}: {}",
            e.message
        );
        let e = dispatch(name, json!(["not", "an", "object"]));
        assert_eq!(e.code, codes::INVALID_INPUT, "{name}: {}", e.message);
    }
    for name in crate::requests::WINDOW_ONLY {
        let e = dispatch(name, json!({}));
        assert_eq!(e.code, codes::INVALID_INPUT);
        assert!(e.message.contains("answered by the window"), "{}", e.message);
    }
    let e = dispatch("no_such_command", json!({}));
    assert_eq!(e.code, codes::INVALID_INPUT);
    assert!(
        e.message.contains("there is no command `no_such_command`"),
        "{}",
        e.message
    );
}

/// The shell as the tray makes it: a plain tokio runtime, windows that only record what they
/// are asked, no start at login and no global keys.
#[test]
fn the_shell_runs_requests_on_a_plain_runtime() {
    let h = harness_with_settings_file(None);
    let pinned = invoke(&h, "set_favourite", json!({ "profile": "oppara-dev", "pinned": true })).expect("pinned");
    assert_eq!(pinned, json!(["oppara-dev"]));
    let overview = invoke(&h, "get_overview", json!({})).expect("overview");
    assert_eq!(overview["favourites"], json!(["oppara-dev"]));
    assert_eq!(h.windows.calls(), ["changed"], "the main window is told to reload");
    let e = invoke(&h, "get_settings", json!({})).expect_err("no autostart");
    assert_eq!(code_of(&e), codes::AUTOSTART_FAILED);
}

#[test]
fn the_trays_own_hand_outs_are_in_the_activity_view_without_a_secret() {
    let h = harness();
    assume_and_write(&h);
    invoke(
        &h,
        "copy_exports",
        json!({ "sessionId": "session:AssumeRole:oppara-dev", "format": "env" }),
    )
    .expect("copied");
    let err = invoke(
        &h,
        "write_session",
        json!({ "sessionId": "session:AssumeRole:oppara-dev", "target": "oppara", "force": false }),
    )
    .expect_err("not over the profile's own keys");
    let activity = invoke(&h, "get_activity", json!({})).expect("activity");
    let ways: Vec<(&str, &str, &str)> = activity["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            (
                e["profile"].as_str().unwrap_or(""),
                e["way"].as_str().unwrap_or(""),
                e["outcome"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        ways,
        [
            ("oppara-dev", "write", "failed"),
            ("oppara-dev", "export", "cached"),
            ("oppara-dev", "write", "cached"),
        ],
        "newest first: {activity}"
    );
    assert_eq!(activity["entries"][0]["errorCode"], err["code"]);
    let program = activity["entries"][1]["program"].as_str().expect("program");
    assert!(program.starts_with("Rolebar tray: "), "{program}");
    assert_eq!(activity["entries"][1]["pid"], std::process::id());
    // Filters: by profile, by part of the program.
    let none = invoke(
        &h,
        "get_activity",
        json!({ "profile": "oppara", "program": null, "limit": null }),
    )
    .expect("activity");
    assert_eq!(none["entries"], json!([]));
    let limited = invoke(&h, "get_activity", json!({ "program": "ROLEBAR TRAY", "limit": 1 })).expect("activity");
    assert_eq!(
        (limited["entries"].as_array().map(Vec::len), &limited["matched"]),
        (Some(1), &json!(3))
    );
    let log = std::fs::read_to_string(h.dir.path().join("state/activity.jsonl")).expect("the log");
    for secret in [SECRET, "FAKETOKEN", "ASIAFAKESESSION00001"] {
        assert!(!log.contains(secret), "`{secret}` in the log:\n{log}");
    }
}

/// Approvals through the same harness (approval_gate).
#[path = "approval_tests.rs"]
mod approval_tests;

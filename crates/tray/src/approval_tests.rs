//! The approval gate (`approval_gate::gate`, what `TrayAgent::credentials` runs first) through the
//! request harness: the dialog's approval mode, its answers, remembering, revoking, and the
//! refusal where no dialog may be shown.

use super::*;
use rolebar_core::agent::{AgentFailure, Peer, ProcessInfo};
use std::path::PathBuf;

/// A request from `exe` running `script`, through `rolebar credential-process`.
fn peer(exe: &str, script: Option<&str>) -> Peer {
    let info = |pid: i32, command: &str, exe: &str, script: Option<&str>| ProcessInfo {
        pid,
        exe: Some(PathBuf::from(exe)),
        command: command.to_string(),
        script: script.map(str::to_string),
    };
    Peer {
        uid: 1000,
        pid: Some(4243),
        process: Some(info(
            4243,
            "rolebar credential-process oppara-dev",
            "/usr/bin/rolebar",
            None,
        )),
        parent: Some(info(4242, "aws sts get-caller-identity", exe, script)),
    }
}

fn aws() -> Peer {
    peer("/usr/bin/python3.11", Some("/usr/bin/aws"))
}

fn boto() -> Peer {
    peer("/usr/bin/python3.11", Some("/home/u/list_buckets.py"))
}

fn gate_in_background(h: &Harness, who: Peer, may_ask: bool) -> tokio::task::JoinHandle<Result<(), AgentFailure>> {
    let shell = h.shell.clone();
    h.shell.spawn(async move {
        let profiles = shell.state().sessions.profiles().expect("profiles");
        crate::approval_gate::gate(&shell, &profiles, "oppara-dev", &who, may_ask).await
    })
}

fn gate_result(h: &Harness, pending: tokio::task::JoinHandle<Result<(), AgentFailure>>) -> Result<(), AgentFailure> {
    h.runtime.block_on(pending).expect("the gate ran to its end")
}

fn set_policy(h: &Harness, policy: Option<&str>) -> Value {
    invoke(
        h,
        "set_approval_policy",
        json!({ "profile": "oppara-dev", "policy": policy }),
    )
    .expect("set")
}

fn row(view: &Value) -> Value {
    view["profiles"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["profile"] == "oppara-dev"))
        .cloned()
        .expect("a row for oppara-dev")
}

fn shown_count(h: &Harness) -> usize {
    dialog_calls(h).iter().filter(|c| c.starts_with("show_mfa")).count()
}

#[test]
fn every_time_asks_each_program_and_deny_is_the_agents_deny() {
    let h = harness();
    // Nothing set: served without a question, as before approvals.
    assert!(gate_result(&h, gate_in_background(&h, aws(), true)).is_ok());
    assert_eq!(shown_count(&h), 0);

    assert_eq!(row(&set_policy(&h, Some("every-time")))["policy"], "every-time");
    let pending = gate_in_background(&h, aws(), true);
    let question = wait_for_request(&h, None);
    assert_eq!(question["profile"], "oppara-dev");
    assert_eq!(question["approval"]["program"], "/usr/bin/python3.11 /usr/bin/aws");
    assert_eq!(
        question["approval"]["offerAlways"], false,
        "every-time offers no Always"
    );
    assert!(question["requester"]
        .as_str()
        .is_some_and(|r| r.contains("aws sts get-caller-identity")));
    let always = invoke(
        &h,
        "answer_approval",
        json!({ "requestId": question["id"], "always": true }),
    );
    assert_eq!(code_of(&always.expect_err("not offered")), "invalid_input");
    let code = invoke(
        &h,
        "submit_mfa_code",
        json!({ "requestId": question["id"], "code": GOOD_CODE }),
    );
    assert_eq!(code_of(&code.expect_err("not a code's question")), "invalid_input");
    invoke(
        &h,
        "answer_approval",
        json!({ "requestId": question["id"], "always": false }),
    )
    .expect("once");
    assert!(gate_result(&h, pending).is_ok());
    dialog_destroyed(&h);

    // The same program again within seconds: folded into that answer.
    assert!(gate_result(&h, gate_in_background(&h, aws(), true)).is_ok());
    assert_eq!(shown_count(&h), 1);

    // Another script of the same interpreter is another program: asked, and denied.
    let pending = gate_in_background(&h, boto(), true);
    let question = wait_for_request(&h, None);
    assert_eq!(
        question["approval"]["program"],
        "/usr/bin/python3.11 /home/u/list_buckets.py"
    );
    invoke(&h, "cancel_mfa", json!({ "requestId": question["id"] })).expect("deny");
    let denied = gate_result(&h, pending).expect_err("denied");
    assert_eq!(denied.code.as_str(), "agent_denied");
    assert!(!h.windows.is_open(MFA), "the dialog is closed after the answer");
}

#[test]
fn always_is_remembered_in_the_file_and_revocable_under_new_programs() {
    let h = harness();
    set_policy(&h, Some("new-programs"));
    let pending = gate_in_background(&h, aws(), true);
    let question = wait_for_request(&h, None);
    assert_eq!(question["approval"]["offerAlways"], true);
    invoke(
        &h,
        "answer_approval",
        json!({ "requestId": question["id"], "always": true }),
    )
    .expect("always");
    assert!(gate_result(&h, pending).is_ok());
    dialog_destroyed(&h);

    let view = invoke(&h, "get_approvals", json!({})).expect("approvals");
    let programs = row(&view)["programs"].clone();
    assert_eq!(programs[0]["exe"], "/usr/bin/python3.11");
    assert_eq!(programs[0]["script"], "/usr/bin/aws");
    let on_disk = std::fs::read_to_string(h.dir.path().join("state/approvals.json")).expect("written");
    assert!(on_disk.contains("/usr/bin/aws"), "{on_disk}");

    // Remembered: served without a dialog (the file is what counts, not the last seconds).
    h.shell.state().approvals.forget_recent("oppara-dev");
    assert!(gate_result(&h, gate_in_background(&h, aws(), true)).is_ok());
    assert_eq!(shown_count(&h), 1);

    let view = invoke(
        &h,
        "revoke_program",
        json!({ "profile": "oppara-dev", "program": { "exe": "/usr/bin/python3.11", "script": "/usr/bin/aws" } }),
    )
    .expect("revoked");
    assert_eq!(row(&view)["programs"], json!([]));
    let pending = gate_in_background(&h, aws(), true);
    let question = wait_for_request(&h, None);
    invoke(&h, "cancel_mfa", json!({ "requestId": question["id"] })).expect("deny");
    assert!(gate_result(&h, pending).is_err(), "asked again after the revoke");

    // Back to the config file's choice (none): never asks.
    assert_eq!(row(&set_policy(&h, None))["chosen"], Value::Null);
    assert!(gate_result(&h, gate_in_background(&h, boto(), true)).is_ok());
}

#[test]
fn a_request_that_may_show_no_dialog_fails_and_says_so() {
    let h = harness();
    set_policy(&h, Some("every-time"));
    let refused = gate_result(&h, gate_in_background(&h, aws(), false)).expect_err("not served");
    assert_eq!(refused.code.as_str(), "approval_required");
    assert!(
        refused.message.contains("could not show its dialog"),
        "{}",
        refused.message
    );
    assert_eq!(shown_count(&h), 0);
    let bad = invoke(
        &h,
        "set_approval_policy",
        json!({ "profile": "oppara-dev", "policy": "sometimes" }),
    );
    assert_eq!(code_of(&bad.expect_err("refused")), "invalid_input");
    let unknown = invoke(
        &h,
        "set_approval_policy",
        json!({ "profile": "nope", "policy": "never" }),
    );
    assert_eq!(code_of(&unknown.expect_err("refused")), "profile_not_found");
}

#[test]
fn a_policy_set_in_the_window_refreshes_the_menu_and_its_mark() {
    let h = harness();
    let state = h.shell.state();
    let mut changes = state.watch_sessions();
    changes.borrow_and_update();
    assert!(!state.snapshot().asks_first.contains("oppara-dev"));
    set_policy(&h, Some("every-time"));
    assert!(
        changes.has_changed().expect("the state is alive"),
        "the tray is told to rebuild its menu"
    );
    assert!(state.snapshot().asks_first.contains("oppara-dev"));
    changes.borrow_and_update();
    set_policy(&h, Some("never"));
    assert!(changes.has_changed().expect("the state is alive"));
    assert!(!state.snapshot().asks_first.contains("oppara-dev"));
}

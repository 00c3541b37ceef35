//! Expiry warnings: rolebar-core's expiry schedule (`rolebar_core::schedule`) run on the shell's
//! runtime. Each warning becomes a desktop notification ("oppara-dev expires in 2 min",
//! "oppara-dev expired") with "Renew" and "Dismiss" buttons where the notification server can
//! show buttons. "Renew" does what clicking the profile in the tray does, except that it makes a
//! new session even while the cached one is still fresh.
//!
//! - Settings: `settings.json` in the Rolebar config folder (`$XDG_CONFIG_HOME/rolebar/`, so
//!   usually `~/.config/rolebar/settings.json`), under `expiry`:
//!   `{"expiry": {"warn_before": ["10m", "2m"], "auto_refresh": ["oppara-dev"]}}`. Read at
//!   start, and again at each change made in the main window (warning times, auto-refresh per
//!   profile), which is saved to the file and in force at once. A missing file
//!   gives the defaults (10 and 2 minutes before, no auto-refresh); a bad one is reported once
//!   (log and notification), the defaults apply, and the app does not overwrite it.
//! - What was already warned about is kept in `expiry-warnings.json` beside the session index,
//!   so a restart repeats no warning.
//! - Watched: every cached session, named as the tray names it. Role sessions go by their
//!   profile. MFA sessions (GetSessionToken) go by the profile holding the keys they were made
//!   with, the profile they serve: when one ends, every role assumed through it needs a code
//!   again, and renewing it (one code) covers all of them. So they are warned about too.
//! - The tray icon shows "expiring" for any session within the longest threshold, so the icon
//!   turns as the first warning goes out.
//! - Auto-refresh (per profile, off by default): at a threshold warning the session is renewed
//!   without asking anything and rewritten into the credentials-file sections Rolebar wrote it
//!   to (app or CLI: the sections' `rolebar_source_profile` says) ("oppara-dev refreshed"). If that needs an MFA code, the warning goes out with its Renew
//!   button instead.
//! - A warning's notification is withdrawn when a newer warning about its session goes out, when
//!   the session is renewed or logged out in the app, or an hour after the session ended.

use crate::actions::{self, Origin, RefreshReport};
use crate::error::CommandError;
use crate::i18n::Catalog;
use crate::notify;
use crate::shell::Shell;
use fluent_bundle::FluentValue;
use rolebar_core::schedule::policy::{plan, renewed_since, sign_in_plan, still_current, Plan, Refreshed};
use rolebar_core::schedule::watched::signed_in_to;
use rolebar_core::schedule::{ExpiryDriver, Warning, WarningKind};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use time::{Duration, OffsetDateTime};
use tokio::sync::Notify;

/// The summary of every expiry notification (the body says which profile).
pub const SUMMARY: &str = "Rolebar";
/// The action keys of a warning's buttons (what the server sends back in `ActionInvoked`).
pub const RENEW: &str = "renew";
pub const DISMISS: &str = "dismiss";
/// What notify-rust reports when the notification was closed without an action.
pub const CLOSED: &str = "__closed";
/// An unanswered warning is withdrawn this long after its session ended.
pub const WITHDRAW_AFTER_EXPIRY: Duration = Duration::hours(1);

/// A notification's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub summary: String,
    pub body: String,
    /// Buttons as (action key, label), in order.
    pub actions: Vec<(&'static str, String)>,
}

/// The notification for `warning` in the language of `words`: what ends when
/// (`oppara-dev expires in 2 min`, built from the warning's data: the core's own text is the
/// command line's English), then `detail` on a line of its own; Renew and Dismiss buttons when
/// the server can show them, else a line saying where to renew.
pub fn warning_note(warning: &Warning, detail: Option<&str>, with_actions: bool, words: &Catalog) -> Note {
    let profile = ("profile", FluentValue::from(warning.profile.as_str()));
    let sign_in = signed_in_to(warning).is_some();
    let left = || ("left", FluentValue::from(words.warning_left(warning.time_left())));
    let mut body = match (sign_in, warning.kind) {
        (false, WarningKind::Expired) => words.tr_args("note-expired", &[profile]),
        (false, WarningKind::Threshold(_)) => words.tr_args("note-expires-in", &[profile, left()]),
        (true, WarningKind::Expired) => words.tr_args("note-sign-in-expired", &[profile]),
        (true, WarningKind::Threshold(_)) => words.tr_args("note-sign-in-expires-in", &[profile, left()]),
    };
    let (again, again_in_tray) = if sign_in {
        (words.tr("note-sign-in-again"), words.tr("note-sign-in-again-in-tray"))
    } else {
        (words.tr("note-renew"), words.tr("note-renew-in-tray"))
    };
    if let Some(detail) = detail {
        body.push('\n');
        body.push_str(detail);
    }
    let actions = if with_actions {
        vec![(RENEW, again), (DISMISS, words.tr("note-dismiss"))]
    } else {
        body.push('\n');
        body.push_str(&again_in_tray);
        Vec::new()
    };
    Note {
        summary: SUMMARY.to_string(),
        body,
        actions,
    }
}

/// What auto-refresh did: `oppara-dev refreshed`, the new session's time left, the sections
/// rewritten and those that could not be.
pub fn refreshed_note(report: &RefreshReport, now: OffsetDateTime, words: &Catalog) -> Note {
    let left = (report.expires_at - now).max(Duration::ZERO);
    let mut body = words.tr_args("note-refreshed", &[("profile", report.profile.as_str().into())]);
    body.push('\n');
    body.push_str(&words.tr_args("note-refreshed-left", &[("left", words.time_left_label(left).into())]));
    if !report.rewritten.is_empty() {
        let sections: Vec<String> = report.rewritten.iter().map(|t| format!("[{t}]")).collect();
        body.push(' ');
        body.push_str(&words.tr_args("note-rewrote", &[("sections", sections.join(", ").into())]));
    }
    for (target, error) in &report.failed {
        body.push('\n');
        body.push_str(&words.tr_args(
            "note-cannot-rewrite",
            &[
                ("target", target.as_str().into()),
                ("error", error.message.as_str().into()),
            ],
        ));
    }
    Note {
        summary: SUMMARY.to_string(),
        body,
        actions: Vec::new(),
    }
}

/// Why auto-refresh did not renew, as a line under the warning.
pub fn refresh_failed_detail(error: &CommandError, words: &Catalog) -> String {
    if error.code == "mfa_required" {
        words.tr("note-refresh-needs-mfa")
    } else {
        words.tr_args("note-refresh-failed", &[("error", error.message.as_str().into())])
    }
}

/// Notes what auto-refresh made, for the policy's `born_left`.
fn record_refresh(refreshed: &Refreshed, report: &RefreshReport, now: OffsetDateTime) {
    refreshed.made_now(&report.key, report.expires_at, now);
}

/// How a warning's notification ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    Renew,
    /// Dismiss, or a click on the notification itself.
    Dismiss,
    /// Closed by the user or the server without an action.
    Closed,
    /// Out of date (a newer warning, the session renewed or gone, or too old): withdrawn.
    Withdraw,
}

/// The reply for an action key from the notification server.
pub fn reply_for_action(key: &str) -> Reply {
    match key {
        RENEW => Reply::Renew,
        CLOSED => Reply::Closed,
        _ => Reply::Dismiss,
    }
}

/// The open warning notifications, one per session key: a newer warning withdraws the older.
#[derive(Debug, Default)]
struct OpenNotes {
    next: AtomicU64,
    open: Mutex<HashMap<String, (u64, Arc<Notify>)>>,
}

// Buttons are waited for on freedesktop systems only (see `show_warning`).
#[cfg_attr(not(all(unix, not(target_os = "macos"))), allow(dead_code))]
impl OpenNotes {
    /// Registers a notification for `key` and tells the previous one for `key`, if any, to
    /// withdraw. Returns its id and what tells it to withdraw.
    fn open(&self, key: &str) -> (u64, Arc<Notify>) {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let withdraw = Arc::new(Notify::new());
        if let Some((_, previous)) = self.lock().insert(key.to_string(), (id, withdraw.clone())) {
            // A permit is kept if it is not waiting yet: the signal is not lost.
            previous.notify_one();
        }
        (id, withdraw)
    }

    /// The notification `id` for `key` is gone.
    fn close(&self, key: &str, id: u64) {
        let mut open = self.lock();
        if open.get(key).is_some_and(|(current, _)| *current == id) {
            open.remove(key);
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, (u64, Arc<Notify>)>> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Starts the expiry warnings: reports a bad settings file once, spawns the driver (woken by
/// [`AppState::touch`](crate::state::AppState::touch)) and the task that turns its warnings
/// into notifications.
pub fn start(shell: &Shell) {
    let state = shell.state();
    let config = state.expiry();
    if let Some(problem) = &config.problem {
        tracing::warn!(code = %problem.code, "expiry settings not used, the defaults apply: {}", problem.message);
        let words = state.catalog();
        notify::failure(
            words.tr("note-settings-not-used"),
            format!("{}\n{}", problem.message, words.tr("note-settings-defaults")),
        );
    }
    let (sender, warnings) = tokio::sync::mpsc::unbounded_channel();
    let source = {
        let shell = shell.clone();
        move || shell.state().watched_sessions()
    };
    let mut driver = ExpiryDriver::new(config.schedule(), source, state.clock(), move |warning| {
        sender.send(warning).is_ok()
    });
    if let Some(path) = state.expiry_state_file() {
        driver = driver.with_state_file(path);
    }
    state.set_expiry_driver(driver.handle());
    tracing::info!(
        warn_before = ?config.view(state.settings_file()).warn_before,
        auto_refresh = ?config.settings.auto_refresh,
        "expiry warnings on"
    );
    shell.spawn(driver.run());
    shell.spawn(deliver(shell.clone(), warnings));
}

/// What the warning tasks share.
#[derive(Debug, Default)]
struct Warnings {
    open: OpenNotes,
    refreshed: Refreshed,
}

async fn deliver(shell: Shell, mut warnings: tokio::sync::mpsc::UnboundedReceiver<Warning>) {
    let shared = Arc::new(Warnings::default());
    while let Some(warning) = warnings.recv().await {
        // The tray follows the warnings: the first threshold turns the icon to "expiring".
        shell.state().changed.notify_one();
        shell.spawn(on_warning(shell.clone(), shared.clone(), warning));
    }
}

async fn on_warning(shell: Shell, shared: Arc<Warnings>, warning: Warning) {
    let state = shell.state();
    let born_left = shared.refreshed.born_left(&warning);
    // A sign-in is renewed quietly when its refresh token still works; otherwise the user signs
    // in again (never a browser opened behind their back).
    let planned = match signed_in_to(&warning) {
        Some(name) => match sign_in_plan(&warning, crate::sso::can_renew(state, name), born_left) {
            Plan::Skip => return,
            Plan::AutoRefresh => match crate::sso::renewed_quietly(state, name).await {
                Some(expires_at) => {
                    tracing::info!(sign_in = name, "SSO sign-in renewed before its token ended");
                    shared.refreshed.made_now(&warning.key, expires_at, state.now());
                    state.touch();
                    return;
                }
                None => Plan::Notify,
            },
            Plan::Notify => Plan::Notify,
        },
        None => plan(&warning, &state.expiry().settings, born_left),
    };
    let detail = match planned {
        Plan::Notify => None,
        Plan::Skip => {
            tracing::info!(profile = %warning.profile, "just refreshed; this warning is skipped");
            return;
        }
        Plan::AutoRefresh => {
            let result = actions::auto_refresh(state, &warning.profile).await;
            shell.windows().changed();
            match result {
                Ok(report) => {
                    record_refresh(&shared.refreshed, &report, state.now());
                    let note = refreshed_note(&report, state.now(), state.catalog());
                    notify::info(note.summary, note.body);
                    return;
                }
                Err(e) => {
                    tracing::info!(profile = %warning.profile, code = %e.code, "no automatic refresh: {}", e.message);
                    Some(refresh_failed_detail(&e, state.catalog()))
                }
            }
        }
    };
    show_warning(&shell, &shared.open, &warning, detail.as_deref()).await;
}

/// "Renew" on a warning: a new session for the warned profile, through the MFA dialog if needed,
/// unless it was renewed meanwhile (a second code would be asked for nothing).
#[cfg_attr(not(all(unix, not(target_os = "macos"))), allow(dead_code))]
async fn renew(shell: &Shell, warning: &Warning) {
    let state = shell.state();
    if let Some(name) = signed_in_to(warning) {
        tracing::info!(sign_in = name, "signing in again from the expiry notification");
        crate::sso::sign_in_from_tray(shell, name).await;
        return;
    }
    if renewed_since(warning, &state.watched_sessions()) {
        tracing::info!(profile = %warning.profile, "already renewed; nothing to do");
        state.touch();
        return;
    }
    tracing::info!(profile = %warning.profile, "renewing from the expiry notification");
    // Failures are reported inside (notification, menu line, log); assume refreshes the tray and
    // wakes the expiry driver.
    let _ = actions::assume(shell, &warning.profile, true, Origin::Tray).await;
}

#[cfg(all(unix, not(target_os = "macos")))]
async fn show_warning(shell: &Shell, open: &OpenNotes, warning: &Warning, detail: Option<&str>) {
    let with_actions = server_has_actions().await;
    let note = warning_note(warning, detail, with_actions, shell.state().catalog());
    let (id, withdraw) = open.open(&warning.key);
    let mut notification = notify_rust::Notification::new();
    notification.appname("Rolebar").summary(&note.summary).body(&note.body);
    for (key, label) in &note.actions {
        notification.action(key, label);
    }
    let handle = match notification.show_async().await {
        Ok(handle) => handle,
        Err(e) => {
            tracing::warn!(error = %e, "cannot show the expiry warning");
            open.close(&warning.key, id);
            return;
        }
    };
    if !with_actions {
        open.close(&warning.key, id);
        return;
    }
    let reply = wait_for_reply(shell, &handle, warning, &withdraw).await;
    open.close(&warning.key, id);
    tracing::debug!(key = %warning.key, ?reply, "expiry notification ended");
    if reply != Reply::Closed {
        handle.close_async().await;
    }
    if reply == Reply::Renew {
        renew(shell, warning).await;
    }
}

/// Waits for a button (on the notification's own D-Bus connection, without blocking a thread),
/// or until the notification is out of date.
#[cfg(all(unix, not(target_os = "macos")))]
async fn wait_for_reply(
    shell: &Shell,
    handle: &notify_rust::NotificationHandle,
    warning: &Warning,
    withdraw: &Notify,
) -> Reply {
    use notify_rust::NotificationResponse;
    let state = shell.state();
    let mut changes = state.watch_sessions();
    let lifetime = warning.expires_at + WITHDRAW_AFTER_EXPIRY - state.now();
    let mut too_old = std::pin::pin!(tokio::time::sleep(
        std::time::Duration::try_from(lifetime).unwrap_or_default()
    ));
    let mut answered = std::pin::pin!(async {
        let mut key = CLOSED.to_string();
        handle
            .wait_for_action_async(|response| {
                key = match response {
                    NotificationResponse::Action(action) => action.clone(),
                    NotificationResponse::Closed(_) => CLOSED.to_string(),
                    _ => "default".to_string(),
                }
            })
            .await;
        reply_for_action(&key)
    });
    // Changes from here on wake the loop; one made while the notification went out is seen now.
    if !still_current(warning, &state.watched_sessions()) {
        return Reply::Withdraw;
    }
    loop {
        tokio::select! {
            reply = &mut answered => return reply,
            () = withdraw.notified() => return Reply::Withdraw,
            () = &mut too_old => return Reply::Withdraw,
            changed = changes.changed() => {
                if changed.is_err() || !still_current(warning, &state.watched_sessions()) {
                    return Reply::Withdraw;
                }
            }
        }
    }
}

/// Whether the notification server shows buttons (the freedesktop `actions` capability).
#[cfg(all(unix, not(target_os = "macos")))]
pub async fn server_has_actions() -> bool {
    // notify-rust's capabilities call blocks on D-Bus: not on an async worker.
    match tokio::task::spawn_blocking(notify_rust::get_capabilities).await {
        Ok(Ok(capabilities)) => capabilities.iter().any(|c| c == "actions"),
        Ok(Err(e)) => {
            tracing::debug!(error = %e, "cannot read the notification server's capabilities");
            false
        }
        Err(_) => false,
    }
}

/// Elsewhere: a plain notification (no buttons to wait for).
#[cfg(not(all(unix, not(target_os = "macos"))))]
async fn show_warning(shell: &Shell, _open: &OpenNotes, warning: &Warning, detail: Option<&str>) {
    let note = warning_note(warning, detail, false, shell.state().catalog());
    notify::info(note.summary, note.body);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Language;
    use crate::views::{sign_in_refs, SignInView};
    use rolebar_core::schedule::SessionRef;
    use time::macros::datetime;

    fn en() -> &'static Catalog {
        Catalog::get(Language::English)
    }

    const EXPIRES: OffsetDateTime = datetime!(2026-11-25 13:00 UTC);

    fn warning(profile: &str, left: Duration, kind: WarningKind) -> Warning {
        Warning {
            key: format!("session:AssumeRole:{profile}"),
            profile: profile.into(),
            expires_at: EXPIRES,
            left,
            kind,
        }
    }

    fn two_min() -> Warning {
        warning(
            "oppara-dev",
            Duration::minutes(2),
            WarningKind::Threshold(Duration::minutes(2)),
        )
    }

    #[test]
    fn a_warning_says_what_ends_when_with_renew_and_dismiss() {
        let note = warning_note(&two_min(), None, true, en());
        assert_eq!(
            note,
            Note {
                summary: "Rolebar".into(),
                body: "oppara-dev expires in 2 min".into(),
                actions: vec![("renew", "Renew".to_string()), ("dismiss", "Dismiss".to_string())],
            }
        );
        let expired = warning("oppara-dev", Duration::ZERO, WarningKind::Expired);
        assert_eq!(warning_note(&expired, None, true, en()).body, "oppara-dev expired");
        let detailed = warning_note(&two_min(), Some("Refreshing it needs an MFA code."), true, en());
        assert_eq!(
            detailed.body,
            "oppara-dev expires in 2 min\nRefreshing it needs an MFA code."
        );
    }

    #[test]
    fn without_buttons_the_warning_says_where_to_renew() {
        let note = warning_note(&two_min(), None, false, en());
        assert!(note.actions.is_empty());
        assert!(note.body.starts_with("oppara-dev expires in 2 min\n"), "{}", note.body);
        assert!(note.body.contains("tray"), "{}", note.body);
    }

    #[test]
    fn in_japanese_the_app_words_the_warning_from_its_data() {
        let ja = Catalog::get(Language::Japanese);
        let long = warning(
            "oppara-dev",
            Duration::minutes(65),
            WarningKind::Threshold(Duration::minutes(65)),
        );
        let note = warning_note(&long, None, true, ja);
        assert_eq!(note.body, "oppara-dev はあと 1 時間 5 分で期限切れになります");
        assert_eq!(
            note.actions,
            [("renew", "更新".to_string()), ("dismiss", "閉じる".to_string())]
        );
        let expired = warning("oppara-dev", Duration::ZERO, WarningKind::Expired);
        assert_eq!(
            warning_note(&expired, None, true, ja).body,
            "oppara-dev の期限が切れました"
        );
        assert_eq!(
            long.text(),
            "oppara-dev expires in 1 h 5 min",
            "the core's own text stays English (the command line)"
        );
    }

    #[test]
    fn sign_ins_are_watched_and_warned_about_with_sign_in_again() {
        let at = EXPIRES;
        let view = |name: &str, can_refresh: bool| SignInView {
            name: name.into(),
            start_url: format!("https://{name}.awsapps.com/start"),
            expires_at: Some(at),
            can_refresh,
            problem: None,
            profiles: vec![],
        };
        let mut broken = view("broken", false);
        broken.problem = Some(CommandError::new("sso_cache_corrupt", "…"));
        let refs = sign_in_refs(&[view("corp", true), view("https://old.awsapps.com/start", false), broken]);
        assert_eq!(
            refs,
            [
                SessionRef::new("sso-sign-in:corp", "corp", at),
                SessionRef::new(
                    "sso-sign-in:https://old.awsapps.com/start",
                    "https://old.awsapps.com/start",
                    at
                )
            ]
        );
        let refs = &refs[1..];
        let warning = Warning {
            key: refs[0].key.clone(),
            profile: refs[0].profile.clone(),
            expires_at: at,
            left: Duration::minutes(2),
            kind: WarningKind::Threshold(Duration::minutes(2)),
        };
        assert_eq!(signed_in_to(&warning), Some("https://old.awsapps.com/start"));
        let note = warning_note(&warning, None, true, en());
        assert_eq!(note.body, "Your sign-in to https://old.awsapps.com/start ends in 2 min");
        assert_eq!(note.actions[0], (RENEW, "Sign in again".to_string()));
        let plain = warning_note(&warning, None, false, en());
        assert!(
            plain.body.ends_with("Sign in again from the Rolebar tray menu."),
            "{}",
            plain.body
        );
        let session = two_min();
        assert_eq!(signed_in_to(&session), None);
    }

    #[test]
    fn the_action_keys_are_what_the_server_sends_back() {
        assert_eq!(reply_for_action("renew"), Reply::Renew);
        assert_eq!(reply_for_action("dismiss"), Reply::Dismiss);
        assert_eq!(reply_for_action("default"), Reply::Dismiss);
        assert_eq!(reply_for_action("__closed"), Reply::Closed);
    }

    #[test]
    fn a_failed_refresh_says_why_under_the_warning() {
        let mfa = CommandError::new("mfa_required", "profile `oppara-dev` needs an MFA code …");
        assert_eq!(refresh_failed_detail(&mfa, en()), "Refreshing it needs an MFA code.");
        let other = CommandError::new("access_denied", "access denied by AWS");
        assert_eq!(
            refresh_failed_detail(&other, en()),
            "Automatic refresh failed: access denied by AWS"
        );
    }

    #[test]
    fn a_refresh_says_what_was_rewritten() {
        let now = datetime!(2026-11-25 12:51 UTC);
        let report = RefreshReport {
            key: "session:AssumeRole:oppara-dev".into(),
            profile: "oppara-dev".into(),
            expires_at: now + Duration::minutes(59) + Duration::seconds(30),
            rewritten: vec!["oppara-dev-creds".into()],
            failed: vec![(
                "legacy".into(),
                CommandError::new("section_not_managed", "[legacy] was edited by hand"),
            )],
        };
        let note = refreshed_note(&report, now, en());
        assert_eq!(note.summary, "Rolebar");
        assert!(note.actions.is_empty());
        assert_eq!(
            note.body,
            "oppara-dev refreshed\nNew session: 59 min left. Rewrote [oppara-dev-creds].\n\
             Cannot rewrite [legacy]: [legacy] was edited by hand"
        );
        let bare = RefreshReport {
            rewritten: vec![],
            failed: vec![],
            ..report
        };
        assert_eq!(
            refreshed_note(&bare, now, en()).body,
            "oppara-dev refreshed\nNew session: 59 min left."
        );
    }

    #[tokio::test]
    async fn a_newer_warning_withdraws_the_older_one_for_its_session() {
        let open = OpenNotes::default();
        let (first, withdraw_first) = open.open("k");
        let (_, withdraw_other) = open.open("other");
        let (second, withdraw_second) = open.open("k");
        // The permit was kept: the first one sees it even though it was not waiting yet.
        tokio::time::timeout(std::time::Duration::from_secs(1), withdraw_first.notified())
            .await
            .expect("the first is withdrawn");
        // Closing the first (as it ends) does not forget the second.
        open.close("k", first);
        open.open("k");
        tokio::time::timeout(std::time::Duration::from_secs(1), withdraw_second.notified())
            .await
            .expect("the second is withdrawn by a third");
        open.close("k", second);
        assert!(
            tokio::time::timeout(std::time::Duration::from_millis(20), withdraw_other.notified())
                .await
                .is_err(),
            "other sessions' notifications stay"
        );
    }
}

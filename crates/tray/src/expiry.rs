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
use crate::expiry_notes::{refresh_failed_detail, refreshed_note, reply_for_action, warning_note, Reply, CLOSED};
use crate::notify;
use crate::open_notes::OpenNotes;
use crate::shell::Shell;
use rolebar_core::schedule::policy::{plan, renewed_since, sign_in_plan, still_current, Plan, Refreshed};
use rolebar_core::schedule::watched::signed_in_to;
use rolebar_core::schedule::{ExpiryDriver, Warning};
use std::sync::Arc;
use time::{Duration, OffsetDateTime};
use tokio::sync::Notify;

/// An unanswered warning is withdrawn this long after its session ended.
pub const WITHDRAW_AFTER_EXPIRY: Duration = Duration::hours(1);

/// Notes what auto-refresh made, for the policy's `born_left`.
fn record_refresh(refreshed: &Refreshed, report: &RefreshReport, now: OffsetDateTime) {
    refreshed.made_now(&report.key, report.expires_at, now);
}

/// Starts the expiry warnings: reports a bad settings file once, spawns the driver (woken by
/// [`AppState::touch`](crate::state::AppState::touch)) and the task that turns its warnings
/// into notifications. `follows_files`: sessions stored by another process wake the driver too
/// (`file_watch` follows the index), so with nothing due it sleeps until woken.
pub fn start(shell: &Shell, follows_files: bool) {
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
    driver = driver.with_changes_followed(follows_files);
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

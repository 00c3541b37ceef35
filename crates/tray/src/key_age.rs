//! Old long-term keys (rolebar-core's `rotation`): **Rotate key…** in the main window and a
//! weekly reminder with **Rotate now** for a key older than settings.json's `keys.rotate_after`
//! (90 days unless set). Rotation asks for an MFA code the usual way (sources, then the dialog).

use crate::actions::Origin;
use crate::error::CommandError;
use crate::mfa::{source_options, DialogPrompt, TrayTouch};
use crate::notify;
use crate::shell::Shell;
use crate::views::RotationView;
use rolebar_core::mfa::source::SourcedPrompt;
use rolebar_core::rotation::{reminders, Reminder, Rotator};
use rolebar_core::settings::Section;
use rolebar_core::HasCode;

/// How often the tray looks for keys due a reminder (each is reminded at most once a week).
const CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(6 * 60 * 60);

/// Rotates `profile`'s access key (CreateAccessKey, wait until it works, keyring, delete the
/// old one, drop its sessions). Failures say what was left and how to clean it up.
pub async fn rotate(shell: &Shell, profile: &str, origin: Origin) -> Result<RotationView, CommandError> {
    let state = shell.state();
    state.set_busy(profile, true);
    state.touch();
    let result = async {
        let resolved = state.sessions.profiles()?.resolve(profile)?;
        let dialog = DialogPrompt::new(shell.clone(), profile);
        let touch = TrayTouch::new(state);
        let prompt = SourcedPrompt::new(&resolved, &dialog)
            .with_notice(&touch)
            .with_options(source_options(state));
        let report = Rotator::default().rotate(&state.sessions, profile, &prompt).await;
        drop(prompt);
        drop(dialog);
        report
    }
    .await;
    state.set_busy(profile, false);
    state.touch();
    shell.windows().changed();
    let words = state.catalog();
    match result {
        Ok(report) => {
            tracing::info!(profile, old = %report.old_key, new = %report.new_key, "access key rotated");
            if origin == Origin::Tray {
                notify::info(
                    words.tr_args("note-rotated-title", &[("profile", profile.into())]),
                    report.notes.join("\n"),
                );
            }
            Ok(RotationView {
                profile: report.profile,
                old_key: report.old_key,
                new_key: report.new_key,
                notes: report.notes,
            })
        }
        Err(e) => {
            let e = CommandError::from(e);
            tracing::warn!(profile, code = %e.code, "rotation failed: {}", e.message);
            if origin == Origin::Tray && e.code != rolebar_core::ErrorCode::MfaCancelled.as_str() {
                notify::failure(
                    words.tr_args("note-rotate-failed", &[("profile", profile.into())]),
                    e.message.clone(),
                );
            }
            Err(e)
        }
    }
}

/// Looks for keys due a reminder now and every few hours.
pub fn start(shell: &Shell) {
    let task = shell.clone();
    shell.spawn(async move {
        loop {
            remind(&task).await;
            tokio::time::sleep(CHECK_EVERY).await;
        }
    });
}

async fn remind(shell: &Shell) {
    let state = shell.state();
    let (Some(file), Some(settings_file)) = (state.key_reminders.clone(), state.settings_file()) else {
        return;
    };
    let all = settings_file.load();
    if let Some(e) = all.problem(Section::Keys) {
        tracing::warn!(code = e.code(), "key age reminders off: {e}");
        return;
    }
    let settings = all.keys;
    let now = state.now();
    let due = reminders::reminders_due(&state.sessions.vault.keys().ages(), &settings, &file, now);
    if due.is_empty() {
        return;
    }
    if let Err(e) = file.mark(&due, now) {
        tracing::warn!(code = e.code(), "cannot remember the key reminders: {e}");
    }
    for reminder in due {
        let task = shell.clone();
        shell.spawn(async move { show(&task, reminder).await });
    }
}

/// The reminder, with **Rotate now** where the notification server shows buttons.
async fn show(shell: &Shell, reminder: Reminder) {
    let state = shell.state();
    let words = state.catalog();
    let profile = reminder.age.profile.clone();
    let summary = words.tr_args("note-key-old-title", &[("profile", profile.as_str().into())]);
    let body = reminder.text(state.now());
    #[cfg(all(unix, not(target_os = "macos")))]
    {
        if crate::expiry::server_has_actions().await {
            let mut notification = notify_rust::Notification::new();
            notification
                .appname("Rolebar")
                .summary(&summary)
                .body(&body)
                .action("rotate", &words.tr("note-key-rotate-now"))
                .action("dismiss", &words.tr("note-dismiss"));
            match notification.show_async().await {
                Ok(handle) => {
                    let mut chosen = String::new();
                    handle
                        .wait_for_action_async(|response| {
                            if let notify_rust::NotificationResponse::Action(action) = response {
                                chosen = action.clone();
                            }
                        })
                        .await;
                    if chosen == "rotate" {
                        let _ = rotate(shell, &profile, Origin::Tray).await;
                    }
                }
                Err(e) => tracing::warn!(error = %e, "cannot show the key reminder"),
            }
            return;
        }
    }
    notify::info(summary, body);
}

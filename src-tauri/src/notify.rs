//! Desktop notifications (freedesktop, through notify-rust): how a tray action that failed, or
//! finished out of sight, tells the user. The menu closes on click, so this is the only feedback.

/// Shows a notification without blocking the caller; a missing notification server is logged,
/// never fatal (the menu shows the last error too).
pub fn show(summary: impl Into<String>, body: impl Into<String>, urgent: bool) {
    let (summary, body) = (summary.into(), body.into());
    // notify-rust's `show` blocks on D-Bus: keep it off the event loop and the async workers.
    tauri::async_runtime::spawn_blocking(move || {
        let mut notification = notify_rust::Notification::new();
        notification.appname("Rolebar").summary(&summary).body(&body);
        if urgent {
            notification.icon("dialog-error");
        }
        if let Err(e) = notification.show() {
            tracing::warn!(error = %e, %summary, "cannot show a notification");
        }
    });
}

pub fn failure(summary: impl Into<String>, body: impl Into<String>) {
    show(summary, body, true)
}

pub fn info(summary: impl Into<String>, body: impl Into<String>) {
    show(summary, body, false)
}

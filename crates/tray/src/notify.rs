//! Desktop notifications (freedesktop, through notify-rust): how a tray action that failed, or
//! finished out of sight, tells the user. The menu closes on click, so this is the only feedback.

/// Shows a notification without blocking the caller; a missing notification server is logged,
/// never fatal (the menu shows the last error too).
pub fn show(summary: impl Into<String>, body: impl Into<String>, urgent: bool) {
    let (summary, body) = (summary.into(), body.into());
    // notify-rust's `show` blocks on D-Bus: keep it off the event loop and the async workers.
    off_thread(move || {
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

/// Runs `work` (a D-Bus call that blocks) away from the caller: on the runtime's blocking threads
/// from a task, on a thread of its own from the UI thread (menu clicks come outside any runtime).
fn off_thread(work: impl FnOnce() + Send + 'static) {
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) => drop(runtime.spawn_blocking(work)),
        Err(_) => {
            let spawned = std::thread::Builder::new().name("rolebar-notify".into()).spawn(work);
            if let Err(e) = spawned {
                tracing::warn!(error = %e, "cannot show a notification");
            }
        }
    }
}

pub fn failure(summary: impl Into<String>, body: impl Into<String>) {
    show(summary, body, true)
}

pub fn info(summary: impl Into<String>, body: impl Into<String>) {
    show(summary, body, false)
}

/// A notification that stays on screen until this guard is dropped ("touch your YubiKey"):
/// shown off the event loop, withdrawn (closed on the notification server) on drop, also when
/// the drop comes before the server has answered the show.
#[derive(Debug, Default)]
pub struct Standing {
    state: std::sync::Arc<std::sync::Mutex<StandingState>>,
}

#[derive(Debug, Default)]
struct StandingState {
    handle: Option<notify_rust::NotificationHandle>,
    withdrawn: bool,
}

impl Standing {
    pub fn show(summary: impl Into<String>, body: impl Into<String>) -> Standing {
        let standing = Standing::default();
        let state = standing.state.clone();
        let (summary, body) = (summary.into(), body.into());
        off_thread(move || {
            let shown = notify_rust::Notification::new()
                .appname("Rolebar")
                .summary(&summary)
                .body(&body)
                .icon("dialog-information")
                .show();
            match shown {
                Ok(handle) => {
                    let mut state = state.lock().unwrap_or_else(|p| p.into_inner());
                    if state.withdrawn {
                        handle.close();
                    } else {
                        state.handle = Some(handle);
                    }
                }
                Err(e) => tracing::warn!(error = %e, %summary, "cannot show a notification"),
            }
        });
        standing
    }
}

impl Drop for Standing {
    fn drop(&mut self) {
        let handle = {
            let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
            state.withdrawn = true;
            state.handle.take()
        };
        if let Some(handle) = handle {
            off_thread(move || handle.close());
        }
    }
}

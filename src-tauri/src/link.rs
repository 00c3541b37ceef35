//! The tray's side of the conversation, as this process hears it: open and close windows, pass
//! changes and the language to the pages, quit. When the tray is gone (its link ends), the
//! windows close and the process exits: without the tray no command could be answered.

use crate::windows;
use rolebar_core::agent::window_link::events::TRAY_GONE;
use rolebar_core::agent::window_link::FromTray;
use rolebar_core::agent::LinkReader;
use tauri::{AppHandle, Emitter, Manager};

/// Reads the tray's lines until the link ends, then exits.
pub fn follow(app: AppHandle, mut reader: LinkReader) {
    tauri::async_runtime::spawn(async move {
        loop {
            match reader.recv::<FromTray>().await {
                Ok(Some(line)) => {
                    let quit = matches!(line, FromTray::Quit);
                    apply(&app, line);
                    if quit {
                        // The link ends next: that is the tray letting go, not the tray gone.
                        return;
                    }
                    // Counted once applied: a `bye` that counts an `open` is sent only if that
                    // window was made and closed again (see `idle_check`).
                    app.state::<std::sync::Arc<crate::shared::Shared>>()
                        .seen
                        .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
                Ok(None) => {
                    tracing::warn!("the Rolebar tray has quit or crashed: closing its windows");
                    break;
                }
                Err(e) => {
                    tracing::error!(error = %e, "the link to the Rolebar tray failed: closing the windows");
                    break;
                }
            }
        }
        // Without the tray no button can work: each window says so, then the process ends.
        let _ = app.emit(TRAY_GONE, ());
        tokio::time::sleep(SAY_SO_FOR).await;
        app.exit(0);
    });
}

/// How long the windows say that the tray is gone before they close.
const SAY_SO_FOR: std::time::Duration = std::time::Duration::from_secs(3);

fn apply(app: &AppHandle, line: FromTray) {
    match line {
        FromTray::Open {
            window,
            title,
            intent,
            request,
        } => {
            if let Err(e) = windows::open(app, window, title, intent, request) {
                tracing::error!(error = %e, window = window.as_str(), "cannot open a window");
            }
        }
        FromTray::Close { window } => windows::close(app, window),
        FromTray::Changed => windows::changed(app),
        FromTray::Language { messages, titles } => windows::language(app, &messages, &titles),
        FromTray::Quit => {
            tracing::info!("the window process exits (asked by the tray)");
            app.exit(0);
        }
        FromTray::Unknown => tracing::debug!("an event from the tray this build does not know"),
    }
}

//! What the parts of the process share (the tray's socket and link), in a module of its own:
//! `main` starts the parts and each part reaches the state, so neither imports the other back.

use rolebar_core::agent::window_link::ToTray;
use rolebar_core::agent::LinkWriter;
use std::path::PathBuf;
use tauri::Manager;

/// What every part of the process shares.
#[derive(Debug)]
pub struct Shared {
    /// Where the tray's agent listens (commands are sent there, one connection each).
    pub socket: PathBuf,
    /// The link's sending half (window created / destroyed, bye).
    pub link: LinkWriter,
    /// Lines read from the tray so far (sent with `bye`).
    pub seen: std::sync::atomic::AtomicU64,
    /// Kept when no window is open (`--linger`, tests).
    pub linger: bool,
}

/// Sends `line` to the tray, off the event loop.
pub fn tell(app: &tauri::AppHandle, line: ToTray) {
    let link = app.state::<std::sync::Arc<Shared>>().link.clone();
    tauri::async_runtime::spawn(async move {
        if let Err(e) = link.send(&line).await {
            tracing::warn!(error = %e, ?line, "cannot tell the tray");
        }
    });
}

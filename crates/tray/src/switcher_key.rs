//! The global key that opens the quick switcher: off by default, set in the main window, saved
//! in settings.json (rolebar-core's `hotkey`) and grabbed again at the next start. The grab
//! itself is the desktop's (`desktop_port::GlobalKeys`, implemented in `hotkey`).

use crate::error::CommandError;
use crate::notify;
use crate::preferences::Section;
use crate::shell::Shell;
use serde::Serialize;
use ts_rs::TS;

/// What the main window shows about the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HotkeyView {
    /// The key in force, as the user typed it (`Ctrl+Alt+P`), or none.
    pub hotkey: Option<String>,
    /// Whether this build can grab a global key at all.
    pub available: bool,
}

/// The key in force now.
pub fn view(shell: &Shell) -> HotkeyView {
    let keys = shell.keys();
    HotkeyView {
        hotkey: keys.held(),
        available: keys.available(),
    }
}

/// Grabs the key saved in settings.json, at start. Problems are logged and told once; the app
/// runs on without a key.
pub fn apply_saved(shell: &Shell) {
    let state = shell.state();
    let settings = state.preferences();
    if let Some(e) = settings.problem(Section::SwitcherHotkey) {
        tracing::warn!("switcher hotkey not used: {e}");
        return;
    }
    let Some(saved) = settings.switcher_hotkey else {
        return;
    };
    if let Err(e) = shell.keys().grab(&saved) {
        tracing::warn!(hotkey = %saved, code = %e.code, "switcher hotkey not grabbed: {}", e.message);
        notify::failure(
            state
                .catalog()
                .tr_args("note-hotkey-failed", &[("hotkey", saved.as_str().into())]),
            e.message,
        );
    }
}

/// Sets the key (`None`: none), saves it, and grabs it; the previous key is let go only once
/// the new one is held, and is kept when anything fails.
pub fn set(shell: &Shell, text: Option<&str>) -> Result<HotkeyView, CommandError> {
    let state = shell.state();
    let keys = shell.keys();
    // Before anything is grabbed: without a settings file the key could not be kept.
    state.writable_settings()?;
    let text = text.map(str::trim).filter(|t| !t.is_empty());
    let previous = keys.held();
    if let Some(text) = text {
        keys.grab(text)?;
    } else {
        keys.release();
    }
    let saved = state.change_settings(Section::SwitcherHotkey, "the key", |settings| {
        settings.switcher_hotkey = text.map(String::from)
    });
    if let Err(e) = saved {
        // Back as it was: the file and the key in force agree.
        keys.release();
        if let Some(old) = previous {
            let _ = keys.grab(&old);
        }
        return Err(e);
    }
    tracing::info!(hotkey = ?text, "switcher hotkey changed");
    Ok(view(shell))
}

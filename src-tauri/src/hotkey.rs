//! The global key that opens the quick switcher: off by default, set in the main window, saved
//! in settings.json (rolebar-core's `hotkey`) and grabbed again at the next start.
//!
//! tauri-plugin-global-shortcut grabs keys through X11 on Linux (also under XWayland for X11
//! windows; a Wayland session's own programs do not pass their keys to it), RegisterHotKey on
//! Windows and Carbon on macOS. A key some other program holds cannot be grabbed: that is told,
//! and the previous key stays in force.

use crate::error::{codes, CommandError};
use crate::notify;
use crate::state::AppState;
use crate::switcher;
use rolebar_core::settings::Section;
use serde::Serialize;
use std::str::FromStr;
use std::sync::Mutex;
use tauri::plugin::TauriPlugin;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_global_shortcut::{Modifiers, Shortcut, ShortcutState};
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

/// Managed state: the key grabbed now.
#[derive(Debug, Default)]
pub struct Hotkey {
    current: Mutex<Option<(String, Shortcut)>>,
}

impl Hotkey {
    pub fn view<R: Runtime>(&self, app: &AppHandle<R>) -> HotkeyView {
        HotkeyView {
            hotkey: lock(&self.current).as_ref().map(|(text, _)| text.clone()),
            available: app
                .try_state::<tauri_plugin_global_shortcut::GlobalShortcut<R>>()
                .is_some(),
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

/// The plugin, with the one handler every grabbed key leads to: the switcher.
pub fn plugin<R: Runtime>() -> TauriPlugin<R> {
    tauri_plugin_global_shortcut::Builder::new()
        .with_handler(|app, _shortcut, event| {
            if event.state == ShortcutState::Pressed {
                tracing::debug!("switcher hotkey pressed");
                switcher::open(app);
            }
        })
        .build()
}

/// `text` as a key combination fit to be global: it must hold Ctrl, Alt or Super (or be a
/// function key), or it would take a letter away from every program's typing.
pub fn parse(text: &str) -> Result<Shortcut, CommandError> {
    let text = text.trim();
    let shortcut = Shortcut::from_str(text).map_err(|e| {
        CommandError::new(
            codes::INVALID_INPUT,
            format!("`{text}` is not a key combination ({e}); write it like Ctrl+Alt+P or Super+Space"),
        )
    })?;
    let held = Modifiers::CONTROL | Modifiers::ALT | Modifiers::SUPER | Modifiers::META;
    let function_key = format!("{:?}", shortcut.key).starts_with('F');
    if !shortcut.mods.intersects(held) && !function_key {
        return Err(CommandError::new(
            codes::INVALID_INPUT,
            format!("`{text}` has no Ctrl, Alt or Super: as a global key it would take that key from every program; add one, e.g. Ctrl+Alt+P"),
        ));
    }
    Ok(shortcut)
}

/// Grabs the key saved in settings.json, at start. Problems are logged and told once; the app
/// runs on without a key.
pub fn apply_saved<R: Runtime>(app: &AppHandle<R>) {
    let settings = app.state::<AppState>().settings();
    if let Some(e) = settings.problem(Section::SwitcherHotkey) {
        tracing::warn!("switcher hotkey not used: {e}");
        return;
    }
    let Some(saved) = settings.switcher_hotkey else {
        return;
    };
    if let Err(e) = grab(app, &saved) {
        tracing::warn!(hotkey = %saved, code = %e.code, "switcher hotkey not grabbed: {}", e.message);
        notify::failure(
            app.state::<AppState>()
                .catalog()
                .tr_args("note-hotkey-failed", &[("hotkey", saved.as_str().into())]),
            e.message,
        );
    }
}

/// Sets the key (`None`: none), saves it, and grabs it; the previous key is let go only once
/// the new one is held, and is kept when anything fails.
pub fn set<R: Runtime>(app: &AppHandle<R>, text: Option<&str>) -> Result<HotkeyView, CommandError> {
    let state = app.state::<AppState>();
    // Before anything is grabbed: without a settings file the key could not be kept.
    state.writable_settings()?;
    let text = text.map(str::trim).filter(|t| !t.is_empty());
    let hotkey = app.state::<Hotkey>();
    let previous = lock(&hotkey.current).clone();
    if let Some(text) = text {
        grab(app, text)?;
    } else {
        release(app);
    }
    let saved = state.change_settings(Section::SwitcherHotkey, "the key", |settings| {
        settings.switcher_hotkey = text.map(String::from)
    });
    if let Err(e) = saved {
        // Back as it was: the file and the key in force agree.
        release(app);
        if let Some((old, _)) = previous {
            let _ = grab(app, &old);
        }
        return Err(e);
    }
    tracing::info!(hotkey = ?text, "switcher hotkey changed");
    Ok(hotkey.view(app))
}

/// Holds `text` instead of the key held now (which stays if `text` cannot be grabbed).
fn grab<R: Runtime>(app: &AppHandle<R>, text: &str) -> Result<(), CommandError> {
    let shortcut = parse(text)?;
    let Some(plugin) = app.try_state::<tauri_plugin_global_shortcut::GlobalShortcut<R>>() else {
        return Err(CommandError::new(
            codes::HOTKEY_FAILED,
            "global keys are not available in this build",
        ));
    };
    let hotkey = app.state::<Hotkey>();
    let mut current = lock(&hotkey.current);
    if current.as_ref().is_some_and(|(_, held)| *held == shortcut) {
        *current = Some((text.to_string(), shortcut));
        return Ok(());
    }
    plugin.register(shortcut).map_err(|e| {
        CommandError::new(
            codes::HOTKEY_FAILED,
            format!("cannot use {text} as a global key: {e} (another program may hold it; try another)"),
        )
    })?;
    if let Some((_, old)) = current.take() {
        if let Err(e) = plugin.unregister(old) {
            tracing::warn!(error = %e, "cannot let go of the previous switcher hotkey");
        }
    }
    *current = Some((text.to_string(), shortcut));
    Ok(())
}

fn release<R: Runtime>(app: &AppHandle<R>) {
    let hotkey = app.state::<Hotkey>();
    let Some((_, old)) = lock(&hotkey.current).take() else {
        return;
    };
    if let Some(plugin) = app.try_state::<tauri_plugin_global_shortcut::GlobalShortcut<R>>() {
        if let Err(e) = plugin.unregister(old) {
            tracing::warn!(error = %e, "cannot let go of the switcher hotkey");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_with_a_holding_modifier_or_function_keys_are_accepted() {
        for ok in ["Ctrl+Alt+P", "super+space", "Alt+Shift+F", "F9", "CmdOrCtrl+Shift+K"] {
            assert!(parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn bare_keys_and_nonsense_are_refused_with_a_way_out() {
        let e = parse("P").expect_err("bare");
        assert!(e.message.contains("Ctrl+Alt+P"), "{}", e.message);
        let e = parse("Shift+P").expect_err("shift only");
        assert!(e.message.contains("no Ctrl, Alt or Super"), "{}", e.message);
        let e = parse("Ctrl+Alt+Nope").expect_err("no such key");
        assert!(e.message.contains("not a key combination"), "{}", e.message);
        assert_eq!(parse("").expect_err("empty").code, codes::INVALID_INPUT);
    }
}

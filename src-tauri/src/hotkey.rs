//! The global key that opens the quick switcher, grabbed through Tauri's global-shortcut plugin
//! (`TauriKeys`, the shell's `GlobalKeys`); setting and saving it is `switcher_key`'s.
//!
//! tauri-plugin-global-shortcut grabs keys through X11 on Linux (also under XWayland for X11
//! windows; a Wayland session's own programs do not pass their keys to it), RegisterHotKey on
//! Windows and Carbon on macOS. A key some other program holds cannot be grabbed: that is told,
//! and the previous key stays in force.

use crate::desktop_port::GlobalKeys;
use crate::error::{codes, CommandError};
use crate::shell::Shell;
use std::str::FromStr;
use std::sync::Mutex;
use tauri::plugin::TauriPlugin;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_global_shortcut::{Modifiers, Shortcut, ShortcutState};

/// The key grabbed now, through the global-shortcut plugin of `app` (none in a build or a
/// test without the plugin: `available` is then false and every grab is refused).
pub struct TauriKeys<R: Runtime> {
    app: AppHandle<R>,
    current: Mutex<Option<(String, Shortcut)>>,
}

impl<R: Runtime> std::fmt::Debug for TauriKeys<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TauriKeys")
            .field("held", &self.held())
            .finish_non_exhaustive()
    }
}

impl<R: Runtime> TauriKeys<R> {
    pub fn new(app: AppHandle<R>) -> Self {
        TauriKeys {
            app,
            current: Mutex::new(None),
        }
    }

    fn plugin(&self) -> Option<tauri::State<'_, tauri_plugin_global_shortcut::GlobalShortcut<R>>> {
        self.app.try_state::<tauri_plugin_global_shortcut::GlobalShortcut<R>>()
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
                if let Some(shell) = app.try_state::<Shell>() {
                    crate::switcher_flow::open(&shell);
                }
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

impl<R: Runtime> GlobalKeys for TauriKeys<R> {
    fn available(&self) -> bool {
        self.plugin().is_some()
    }

    fn held(&self) -> Option<String> {
        lock(&self.current).as_ref().map(|(text, _)| text.clone())
    }

    fn grab(&self, text: &str) -> Result<(), CommandError> {
        let shortcut = parse(text)?;
        let Some(plugin) = self.plugin() else {
            return Err(CommandError::new(
                codes::HOTKEY_FAILED,
                "global keys are not available in this build",
            ));
        };
        let mut current = lock(&self.current);
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

    fn release(&self) {
        let Some((_, old)) = lock(&self.current).take() else {
            return;
        };
        if let Some(plugin) = self.plugin() {
            if let Err(e) = plugin.unregister(old) {
                tracing::warn!(error = %e, "cannot let go of the switcher hotkey");
            }
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

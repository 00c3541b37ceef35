//! The global key that opens the quick switcher (`SystemKeys`, the shell's `GlobalKeys`), grabbed
//! with the global-hotkey crate; setting and saving it is `switcher_key`'s.
//!
//! global-hotkey grabs keys through X11 on Linux (also under XWayland for X11 windows; a Wayland
//! session's own programs do not pass their keys to it), RegisterHotKey on Windows and Carbon on
//! macOS. A key some other program holds cannot be grabbed: that is told, and the previous key
//! stays in force.

use crate::desktop_port::GlobalKeys;
use crate::error::{codes, CommandError};
use global_hotkey::hotkey::{HotKey, Modifiers};
use global_hotkey::GlobalHotKeyManager;
use std::str::FromStr;
use std::sync::Mutex;

/// The key grabbed now, through global-hotkey's manager (none when the desktop offers no global
/// keys: `available` is then false and every grab is refused). Presses arrive through
/// `GlobalHotKeyEvent`'s handler, which the app sets (`main.rs`).
pub struct SystemKeys {
    manager: Option<GlobalHotKeyManager>,
    current: Mutex<Option<(String, HotKey)>>,
}

impl std::fmt::Debug for SystemKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SystemKeys")
            .field("available", &self.manager.is_some())
            .field("held", &self.held())
            .finish()
    }
}

impl SystemKeys {
    /// Must be made on the UI thread (macOS wants the main thread; on Linux it starts its own
    /// X11 thread).
    pub fn new() -> Self {
        let manager = GlobalHotKeyManager::new()
            .inspect_err(|e| tracing::warn!(error = %e, "no global keys on this desktop"))
            .ok();
        SystemKeys {
            manager,
            current: Mutex::new(None),
        }
    }
}

impl Default for SystemKeys {
    fn default() -> Self {
        Self::new()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

/// `text` as a key combination fit to be global: it must hold Ctrl, Alt or Super (or be a
/// function key), or it would take a letter away from every program's typing.
pub fn parse(text: &str) -> Result<HotKey, CommandError> {
    let text = text.trim();
    let shortcut = HotKey::from_str(text).map_err(|e| {
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

impl GlobalKeys for SystemKeys {
    fn available(&self) -> bool {
        self.manager.is_some()
    }

    fn held(&self) -> Option<String> {
        lock(&self.current).as_ref().map(|(text, _)| text.clone())
    }

    fn grab(&self, text: &str) -> Result<(), CommandError> {
        let shortcut = parse(text)?;
        let Some(manager) = &self.manager else {
            return Err(CommandError::new(
                codes::HOTKEY_FAILED,
                "global keys are not available on this desktop",
            ));
        };
        let mut current = lock(&self.current);
        if current.as_ref().is_some_and(|(_, held)| *held == shortcut) {
            *current = Some((text.to_string(), shortcut));
            return Ok(());
        }
        manager.register(shortcut).map_err(|e| {
            CommandError::new(
                codes::HOTKEY_FAILED,
                format!("cannot use {text} as a global key: {e} (another program may hold it; try another)"),
            )
        })?;
        if let Some((_, old)) = current.take() {
            if let Err(e) = manager.unregister(old) {
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
        if let Some(manager) = &self.manager {
            if let Err(e) = manager.unregister(old) {
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

//! The windows as the rest of the app sees them: a port (`Windows`) that opens, closes and tells
//! the main window, the MFA dialog and the quick switcher, without naming how they are made.
//! `windows_link::LinkedWindows` implements it over the link to the window process
//! (`rolebar-window`); the tests record what was asked. Depends on the view and error types
//! only, so every feature can hold it without reaching back into the app.

use crate::error::CommandError;
use crate::views::{Intent, MessagesView, MfaRequestView};

/// The main window's label.
pub const MAIN: &str = "main";
/// The MFA dialog's label.
pub const MFA: &str = "mfa";
/// The quick switcher's label.
pub const SWITCHER: &str = "switcher";

/// What the app asks of its windows. Each call returns at once (a window is made or destroyed
/// on the UI's own loop); the implementation keeps the MFA queue's idea of the dialog's life in
/// step (`MfaDialogs::window_created`, `closing_window`), and its `Destroyed` hook calls
/// `Shell::window_destroyed`.
pub trait Windows: Send + Sync {
    /// Opens (or raises) the main window, passing `intent` along.
    fn open_main(&self, intent: Option<Intent>) -> Result<(), CommandError>;
    /// Shows `request` in the MFA dialog: creates the dialog, or updates the open one (re-asks
    /// after a rejected code keep the same window).
    fn show_mfa(&self, request: &MfaRequestView) -> Result<(), CommandError>;
    /// Destroys the MFA dialog if it is open.
    fn close_mfa(&self);
    /// Opens (or raises) the quick switcher, centred and focused, above other windows.
    fn open_switcher(&self) -> Result<(), CommandError>;
    /// Destroys the window `label` if it is open (the MFA dialog has `close_mfa`).
    fn close(&self, label: &str);
    /// Whether the window `label` is open.
    fn is_open(&self, label: &str) -> bool;
    /// Sessions, keys or profiles changed: the main window, if open, reloads.
    fn changed(&self);
    /// The language changed: every open window redraws in `messages` (and is retitled).
    fn language(&self, messages: &MessagesView);
}

/// A `Windows` with no screen, for tests: records what was asked, in order, and keeps which
/// windows are open as if each opened and closed at once. The window process's reports (a
/// window created or destroyed, which drive `MfaDialogs` and `Shell::window_destroyed`) are the
/// test's to make.
#[cfg(test)]
#[derive(Debug, Default)]
pub struct Recorded {
    pub calls: std::sync::Mutex<Vec<String>>,
    open: std::sync::Mutex<std::collections::BTreeSet<String>>,
}

#[cfg(test)]
impl Recorded {
    fn record(&self, call: String) {
        self.calls.lock().unwrap_or_else(|p| p.into_inner()).push(call);
    }

    fn set_open(&self, label: &str, open: bool) {
        let mut windows = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if open {
            windows.insert(label.to_string());
        } else {
            windows.remove(label);
        }
    }

    /// What was asked so far, in order.
    pub fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

#[cfg(test)]
impl Windows for Recorded {
    fn open_main(&self, intent: Option<Intent>) -> Result<(), CommandError> {
        self.record(format!("open_main {intent:?}"));
        self.set_open(MAIN, true);
        Ok(())
    }
    fn show_mfa(&self, request: &MfaRequestView) -> Result<(), CommandError> {
        self.record(format!("show_mfa {}", request.id));
        self.set_open(MFA, true);
        Ok(())
    }
    fn close_mfa(&self) {
        self.record("close_mfa".into());
        self.set_open(MFA, false);
    }
    fn open_switcher(&self) -> Result<(), CommandError> {
        self.record("open_switcher".into());
        self.set_open(SWITCHER, true);
        Ok(())
    }
    fn close(&self, label: &str) {
        self.record(format!("close {label}"));
        self.set_open(label, false);
    }
    fn is_open(&self, label: &str) -> bool {
        self.open.lock().unwrap_or_else(|p| p.into_inner()).contains(label)
    }
    fn changed(&self) {
        self.record("changed".into());
    }
    fn language(&self, messages: &MessagesView) {
        self.record(format!("language {}", messages.language));
    }
}

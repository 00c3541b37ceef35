//! What the app asks of the desktop besides windows: start at login (`Autostart`) and the global
//! key that opens the quick switcher (`GlobalKeys`). Ports like `windows_port::Windows`:
//! `autostart::SystemAutostart` (auto-launch) and `hotkey::SystemKeys` (global-hotkey) implement
//! them, and the tests their own. Depends on the error type only.

use crate::error::CommandError;

/// Start at login (a desktop entry in ~/.config/autostart on Linux).
pub trait Autostart: Send + Sync {
    fn is_enabled(&self) -> Result<bool, CommandError>;
    fn set_enabled(&self, enabled: bool) -> Result<(), CommandError>;
}

/// One global key, grabbed for the whole desktop.
pub trait GlobalKeys: Send + Sync {
    /// Whether this build can grab a global key at all.
    fn available(&self) -> bool;
    /// The key held now, as the user typed it (`Ctrl+Alt+P`), if any.
    fn held(&self) -> Option<String>;
    /// Holds `text` instead of the key held now (which stays if `text` cannot be grabbed).
    fn grab(&self, text: &str) -> Result<(), CommandError>;
    /// Lets go of the key held now, if any.
    fn release(&self);
}

/// Neither start at login nor global keys, for tests: both refused as in a build without them.
#[cfg(test)]
#[derive(Debug)]
pub struct Absent;

#[cfg(test)]
impl Autostart for Absent {
    fn is_enabled(&self) -> Result<bool, CommandError> {
        Err(CommandError::new(
            crate::error::codes::AUTOSTART_FAILED,
            "no start at login here",
        ))
    }
    fn set_enabled(&self, _enabled: bool) -> Result<(), CommandError> {
        self.is_enabled().map(drop)
    }
}

#[cfg(test)]
impl GlobalKeys for Absent {
    fn available(&self) -> bool {
        false
    }
    fn held(&self) -> Option<String> {
        None
    }
    fn grab(&self, _text: &str) -> Result<(), CommandError> {
        Err(CommandError::new(
            crate::error::codes::HOTKEY_FAILED,
            "no global keys here",
        ))
    }
    fn release(&self) {}
}

//! Start at login (`SystemAutostart`, the shell's `Autostart`) with the auto-launch crate, as
//! tauri-plugin-autostart did before the tray left Tauri: the same name ("Rolebar"), so an entry
//! made by an earlier Rolebar (`~/.config/autostart/Rolebar.desktop`) is the one read and
//! changed, now starting the tray's own program.

use crate::desktop_port::Autostart;
use crate::error::{codes, CommandError};

/// The name of the login entry.
pub const ENTRY_NAME: &str = "Rolebar";

#[derive(Debug)]
pub struct SystemAutostart {
    launcher: Result<auto_launch::AutoLaunch, String>,
}

impl SystemAutostart {
    /// For this program (the running tray binary).
    pub fn for_this_program() -> Self {
        let launcher = std::env::current_exe()
            .map_err(|e| format!("cannot tell where this program is: {e}"))
            .and_then(|exe| {
                let path = exe.to_str().ok_or("this program's path is not UTF-8")?.to_string();
                auto_launch::AutoLaunchBuilder::new()
                    .set_app_name(ENTRY_NAME)
                    .set_app_path(&path)
                    .build()
                    .map_err(|e| e.to_string())
            });
        SystemAutostart { launcher }
    }

    fn launcher(&self) -> Result<&auto_launch::AutoLaunch, CommandError> {
        self.launcher
            .as_ref()
            .map_err(|e| CommandError::new(codes::AUTOSTART_FAILED, format!("start at login is not available: {e}")))
    }
}

fn failed(e: auto_launch::Error) -> CommandError {
    CommandError::new(codes::AUTOSTART_FAILED, format!("cannot change start at login: {e}"))
}

impl Autostart for SystemAutostart {
    fn is_enabled(&self) -> Result<bool, CommandError> {
        self.launcher()?.is_enabled().map_err(failed)
    }

    fn set_enabled(&self, enabled: bool) -> Result<(), CommandError> {
        let launcher = self.launcher()?;
        if enabled {
            launcher.enable().map_err(failed)
        } else {
            launcher.disable().map_err(failed)
        }
    }
}

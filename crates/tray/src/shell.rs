//! `Shell`: everything the app holds for its life, and the ports through which it reaches the
//! desktop (windows, start at login, the global key), in one cheap-clone handle. The features
//! (`actions`, `agent`, `expiry`, `sso`, …) and the IPC request bodies (`requests`) take a
//! `&Shell` and never name the UI toolkit, so the same logic can run in a tray process without
//! one. `app.rs` builds the one `Shell` of the tray process over its ports.

use crate::desktop_port::{Autostart, GlobalKeys};
use crate::import_offer::ImportOffer;
use crate::served::Serving;
use crate::state::AppState;
use crate::switcher::Switcher;
use crate::tray_host::TrayHost;
use crate::windows_port::{Windows, MFA, SWITCHER};
use std::future::Future;
use std::sync::Arc;

/// The app's state and ports; cloning shares them.
#[derive(Clone)]
pub struct Shell(Arc<Inner>);

struct Inner {
    state: AppState,
    switcher: Switcher,
    serving: Serving,
    tray_host: TrayHost,
    import_offer: ImportOffer,
    windows: Arc<dyn Windows>,
    autostart: Arc<dyn Autostart>,
    keys: Arc<dyn GlobalKeys>,
    runtime: tokio::runtime::Handle,
    quit: Box<dyn Fn(i32) + Send + Sync>,
}

/// How the shell reaches the desktop.
pub struct Ports {
    pub windows: Arc<dyn Windows>,
    pub autostart: Arc<dyn Autostart>,
    pub keys: Arc<dyn GlobalKeys>,
    /// Ends the app with an exit code (the tray's Quit, the window's).
    pub quit: Box<dyn Fn(i32) + Send + Sync>,
}

impl std::fmt::Debug for Ports {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ports").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Shell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shell")
            .field("state", &self.0.state)
            .finish_non_exhaustive()
    }
}

impl Shell {
    /// The shell over `state`, reaching the desktop through `ports`; its tasks run on `runtime`
    /// (menu clicks and window hooks come on the UI thread, outside any runtime).
    pub fn new(state: AppState, ports: Ports, runtime: tokio::runtime::Handle) -> Shell {
        let Ports {
            windows,
            autostart,
            keys,
            quit,
        } = ports;
        Shell(Arc::new(Inner {
            state,
            switcher: Switcher::default(),
            serving: Serving::default(),
            tray_host: TrayHost::default(),
            import_offer: ImportOffer::default(),
            windows,
            autostart,
            keys,
            runtime,
            quit,
        }))
    }

    pub fn state(&self) -> &AppState {
        &self.0.state
    }

    /// The quick switcher's profiles.
    pub fn switcher(&self) -> &Switcher {
        &self.0.switcher
    }

    /// The endpoints served to containers.
    pub fn serving(&self) -> &Serving {
        &self.0.serving
    }

    /// Whether the desktop shows the tray icon.
    pub fn tray_host(&self) -> &TrayHost {
        &self.0.tray_host
    }

    /// aws-vault's keys, as offered for import.
    pub fn import_offer(&self) -> &ImportOffer {
        &self.0.import_offer
    }

    pub fn windows(&self) -> &dyn Windows {
        self.0.windows.as_ref()
    }

    pub fn autostart(&self) -> &dyn Autostart {
        self.0.autostart.as_ref()
    }

    /// The global key that opens the quick switcher.
    pub fn keys(&self) -> &dyn GlobalKeys {
        self.0.keys.as_ref()
    }

    /// The runtime the shell's tasks run on.
    pub fn runtime(&self) -> &tokio::runtime::Handle {
        &self.0.runtime
    }

    /// Runs `task` on the shell's runtime; callable from any thread.
    pub fn spawn<F>(&self, task: F) -> tokio::task::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.0.runtime.spawn(task)
    }

    /// Runs blocking work (D-Bus, the keyring, PBKDF2) on the runtime's blocking threads.
    pub fn spawn_blocking<F, T>(&self, work: F) -> tokio::task::JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.0.runtime.spawn_blocking(work)
    }

    /// Ends the app with `code`.
    pub fn quit(&self, code: i32) {
        (self.0.quit)(code)
    }

    /// The window `label` is gone (the UI's `Destroyed` event, however it closed).
    pub fn window_destroyed(&self, label: &str) {
        match label {
            // Closing the MFA dialog (title-bar button, Alt+F4) is a cancel, as Esc is.
            MFA => self.state().mfa.window_destroyed(),
            // However the switcher closed (Esc, Alt+F4, a choice), its profiles go.
            SWITCHER => self.switcher().forget(),
            _ => {}
        }
    }
}

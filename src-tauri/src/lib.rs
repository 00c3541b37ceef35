//! Rolebar's tray app: a thin Tauri 2 shell over rolebar-core. It lives in the tray (no window
//! at start, unless the desktop shows no tray icons: `tray_host`), opens the main window and the MFA dialog on demand and destroys them when closed.
//!
//! - `menu`: the tray menu as a pure model; `tray`: renders it and handles clicks
//! - `expiry`: expiry warnings (rolebar-core's schedule) as notifications with Renew, and
//!   auto-refresh; settings in `$XDG_CONFIG_HOME/rolebar/settings.json`
//! - `actions`: what the tray and the windows do, over rolebar-core
//! - `agent`: the credentials agent on a local socket (`rolebar credential-process`, `export`
//!   and `exec` ask it; its MFA dialog names the program asking)
//! - `shell`: the one handle the features take (state and ports: `windows_port`, `desktop_port`),
//!   free of Tauri, as is everything but `lib`, `tray`, `commands`, `windows`, `hotkey`, `ipc`,
//!   `bindings` (the `architecture` test says so)
//! - `requests`: the IPC commands' bodies, and `dispatch` by name; `commands`: their Tauri
//!   wrappers, each taking one arguments struct (`args`: the structs and the `Command` trait;
//!   `ipc`: Tauri's extractor); `bindings`: their TypeScript types
//! - `mfa`: the MFA dialog queue (`MfaPrompt` for the vault); `windows`: creating windows
//! - `serving`: "Serve to containers…" (a session on a local container-credentials endpoint)
//! - `key_age`: Rotate key… and the weekly reminder for old access keys
//! - `switcher`: the quick switcher (fuzzy search over the profiles; `switcher_flow`: opening it,
//!   Enter assumes); `switcher_key`, `hotkey`: the global key that opens it (off unless set)
//! - `state`: what the app holds; `views`: the data the UI sees; `notify`, `clipboard`, `error`
//! - `rendering`: software drawing on Linux unless asked otherwise (memory)
//! - `tray_host`: whether the desktop shows tray icons; without, the main window opens at
//!   start with how to get the icon, and Quit
//! - `i18n`: English and Japanese (Fluent catalogues in `src-tauri/locales/`), chosen in the
//!   main window or from the system locale
//!
//! Environment: `AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`, `AWS_ENDPOINT_URL_STS` (and
//! the rest rolebar-core reads), `ROLEBAR_STATE_DIR`, `HOME`; `ROLEBAR_LOG` filters the logs
//! (stderr); `ROLEBAR_OPEN_MAIN=1` opens the main window at start (WebDriver needs a window);
//! `ROLEBAR_GPU=1` keeps GTK's and WebKit's GPU paths.

pub mod actions;
pub mod activity;
pub mod agent;
pub mod args;
pub mod bindings;
pub mod clipboard;
pub mod commands;
pub mod desktop_port;
pub mod error;
pub mod expiry;
pub mod expiry_config;
pub mod grouping;
pub mod hotkey;
pub mod i18n;
pub mod import_offer;
pub mod ipc;
pub mod key_age;
pub mod menu;
pub mod mfa;
pub mod mfa_queue;
pub mod notify;
pub mod rendering;
pub mod requests;
pub mod served;
pub mod serving;
pub mod shell;
pub mod sign_in_ui;
pub mod sso;
pub mod state;
pub mod switcher;
pub mod switcher_flow;
pub mod switcher_key;
pub mod tray;
pub mod tray_host;
pub mod views;
pub mod window_process;
pub mod windows;
pub mod windows_port;

#[cfg(test)]
mod architecture;
#[cfg(test)]
mod ipc_tests;

use desktop_port::Autostart;
use error::{codes, CommandError};
use shell::{Ports, Shell};
use state::AppState;
use std::sync::Arc;
use tauri::{AppHandle, Builder, Manager, RunEvent, Runtime, WindowEvent};

/// Starts the app; returns when the user quits.
pub fn run() {
    rendering::apply_lean_defaults();
    init_logging();
    let state = match AppState::from_env() {
        Ok(state) => state,
        Err(e) => {
            tracing::error!(code = e.code(), "cannot start: {e}");
            eprintln!("rolebar-tray: cannot start: {e}");
            std::process::exit(1);
        }
    };
    // The single-instance plugin must come first: a second launch then only signals this one.
    let builder = Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            tracing::info!("second launch: opening the main window");
            match app.try_state::<Shell>() {
                Some(shell) => {
                    if let Err(e) = shell.windows().open_main(None) {
                        tracing::error!(error = %e, "cannot open the main window");
                    }
                }
                // Before setup has made the shell: this start is still under way.
                None => tracing::info!("second launch while starting: nothing to open yet"),
            }
        }))
        // Off until the user turns it on in the main window (the plugin only writes the login
        // entry when asked to).
        .plugin(tauri_plugin_autostart::Builder::new().build())
        // No key is grabbed until the user sets one (`hotkey`).
        .plugin(hotkey::plugin());
    let app = configure(builder)
        .setup(move |app| {
            let shell = install(app.handle(), state);
            // Without an icon Rolebar still serves the agent and the schedule, and shows its
            // window instead (`follow_tray_host`).
            let icon_made = match tray::create(app.handle()) {
                Ok(()) => true,
                Err(e) => {
                    tracing::error!(error = %e, "cannot make the tray icon");
                    false
                }
            };
            follow_tray_host(&shell, icon_made);
            agent::start(&shell);
            expiry::start(&shell);
            key_age::start(&shell);
            // Off the main thread: grabbing a key waits for the event loop, which runs after setup.
            let task = shell.clone();
            shell.spawn(async move { switcher_key::apply_saved(&task) });
            if std::env::var("ROLEBAR_OPEN_MAIN").is_ok_and(|v| v == "1") {
                shell.windows().open_main(None)?;
            }
            Ok(())
        })
        .build(tauri::generate_context!());
    let app = match app {
        Ok(app) => app,
        Err(e) => {
            tracing::error!("cannot start: {e}");
            eprintln!("rolebar-tray: cannot start: {e}");
            std::process::exit(1);
        }
    };
    app.run(|_app, event| {
        // Closing the last window must not end a tray app; "Quit" exits with a code.
        if let RunEvent::ExitRequested { code: None, api, .. } = event {
            api.prevent_exit();
        }
    });
}

/// Asks whether the tray icon can be seen, and keeps asking as panels come and go. Without a
/// host the main window opens at start (it says how to get the icon, and has Quit); a host that
/// appears later takes the notice away (the icon registers with it by itself).
fn follow_tray_host(shell: &Shell, icon_made: bool) {
    let task = shell.clone();
    shell.spawn(async move {
        let mut first = true;
        tray_host::watch(|sighting| {
            let present = tray_host::has_host(sighting, icon_made);
            let changed = task.tray_host().set_present(present);
            if std::mem::take(&mut first) {
                if present {
                    tracing::info!("Rolebar is in the tray");
                } else {
                    tracing::warn!(?sighting, icon_made, "no tray host: Rolebar shows its window instead");
                    if let Err(e) = task.windows().open_main(None) {
                        tracing::error!(error = %e, "cannot open the main window");
                    }
                }
            } else if changed {
                tracing::info!(?sighting, present, "the tray host changed");
                task.windows().changed();
            }
        })
        .await;
    });
}

/// Everything but the plugins, the tray, the shell and the context: the commands and the window
/// hooks. Generic over the runtime so tests run it on Tauri's mock runtime.
pub fn configure<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    builder
        .invoke_handler(tauri::generate_handler![
            commands::get_overview,
            commands::assume_profile,
            commands::renew_session,
            commands::log_out,
            commands::copy_exports,
            commands::open_console,
            commands::write_session,
            commands::add_keys,
            commands::remove_keys,
            commands::rotate_keys,
            commands::get_settings,
            commands::set_autostart,
            commands::set_auto_refresh,
            commands::set_favourite,
            commands::sso_sign_in,
            commands::sso_sign_out,
            commands::sso_accounts,
            commands::add_sso_profile,
            commands::quit,
            commands::import_aws_vault,
            commands::set_warn_before,
            commands::set_language,
            commands::get_switcher_hotkey,
            commands::set_switcher_hotkey,
            commands::get_messages,
            commands::mfa_request,
            commands::submit_mfa_code,
            commands::cancel_mfa,
            commands::fit_mfa_dialog,
            commands::search_profiles,
            commands::choose_profile,
            commands::close_switcher,
            commands::switcher_shown,
        ])
        .on_window_event(|window, event| {
            if matches!(event, WindowEvent::Destroyed) {
                if let Some(shell) = window.try_state::<Shell>() {
                    shell.window_destroyed(window.label());
                }
            }
        })
}

/// Makes the shell over `state` and `app`'s windows and plugins, and has Tauri manage it (the
/// commands and the window hooks find it there). Its tasks run on Tauri's runtime.
pub fn install<R: Runtime>(app: &AppHandle<R>, state: AppState) -> Shell {
    let quitting = app.clone();
    let ports = Ports {
        windows: Arc::new(windows::TauriWindows(app.clone())),
        autostart: Arc::new(TauriAutostart(app.clone())),
        keys: Arc::new(hotkey::TauriKeys::new(app.clone())),
        quit: Box::new(move |code| quitting.exit(code)),
    };
    let shell = Shell::new(state, ports, tauri::async_runtime::handle().inner().clone());
    app.manage(shell.clone());
    shell
}

/// Start at login through tauri-plugin-autostart (absent in tests: then refused, as in a build
/// without it).
struct TauriAutostart<R: Runtime>(AppHandle<R>);

impl<R: Runtime> TauriAutostart<R> {
    fn manager(&self) -> Result<tauri::State<'_, tauri_plugin_autostart::AutoLaunchManager>, CommandError> {
        self.0
            .try_state::<tauri_plugin_autostart::AutoLaunchManager>()
            .ok_or_else(|| CommandError::new(codes::AUTOSTART_FAILED, "start at login is not available in this build"))
    }
}

fn autostart_failed(e: tauri_plugin_autostart::Error) -> CommandError {
    CommandError::new(codes::AUTOSTART_FAILED, format!("cannot change start at login: {e}"))
}

impl<R: Runtime> Autostart for TauriAutostart<R> {
    fn is_enabled(&self) -> Result<bool, CommandError> {
        self.manager()?.is_enabled().map_err(autostart_failed)
    }

    fn set_enabled(&self, enabled: bool) -> Result<(), CommandError> {
        let manager = self.manager()?;
        if enabled {
            manager.enable().map_err(autostart_failed)
        } else {
            manager.disable().map_err(autostart_failed)
        }
    }
}

fn init_logging() {
    // The CLI's rule: a bare level is Rolebar's; other crates stay at info unless named.
    let filter = rolebar_core::logging::env_filter("warn,rolebar_app=info,rolebar_core=info");
    // stderr: tauri-driver passes the app's stderr through and drops its stdout.
    use std::io::IsTerminal;
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(filter)
        .try_init();
}

//! Rolebar's tray process (`rolebar-tray`): the icon and its menu, the credentials agent, the
//! expiry schedule and its notifications, the global key, the clipboard — everything Rolebar
//! holds, over rolebar-core, and no web engine. Its windows (the main window, the MFA dialog,
//! the quick switcher) are another process's, `rolebar-window` (the Tauri app in `src-tauri/`),
//! started while a window is open and linked over the agent socket (`window_process`).
//!
//! - `app`: the composition (the event loop, the icon, the shell and its ports)
//! - `menu`: the tray menu as a pure model; `tray`: renders it (tray-icon) and handles clicks
//! - `expiry`: expiry warnings (rolebar-core's schedule) as notifications with Renew, and
//!   auto-refresh; settings in `$XDG_CONFIG_HOME/rolebar/settings.json`
//! - `actions`: what the tray and the windows do, over rolebar-core
//! - `agent`: the credentials agent on a local socket (`rolebar credential-process`, `export`
//!   and `exec` ask it; its MFA dialog names the program asking), which also serves the window
//!   process's commands (`call`) and link (`subscribe`)
//! - `shell`: the one handle the features take (state and ports: `windows_port`, `desktop_port`)
//! - `requests`: the windows' commands, and `dispatch` by name (`args`: their argument structs
//!   and the `Command` trait); `bindings`: their TypeScript types (`ui/src/bindings.ts`)
//! - `window_process`: starting, linking and letting go of the window process; `windows_link`:
//!   the windows port over it (and the MFA dialog shown again when its process is lost)
//! - `mfa`: the MFA dialog queue (`MfaPrompt` for the vault)
//! - `activity_log`: every hand-out noted in the activity log, and the Activity view's command
//!   (`activity_view`: what it shows)
//! - `serving`: "Serve to containers…" (a session on a local container-credentials endpoint)
//! - `key_age`: Rotate key… and the weekly reminder for old access keys
//! - `switcher`: the quick switcher (fuzzy search over the profiles; `switcher_flow`: opening it,
//!   Enter assumes); `switcher_key`, `hotkey`: the global key that opens it (off unless set)
//! - `autostart`: start at login
//! - `state`: what the app holds; `views`: the data the UI sees; `notify`, `clipboard`, `error`
//! - `tray_host`: whether the desktop shows tray icons; without, the main window opens at
//!   start with how to get the icon, and Quit
//! - `i18n`: English and Japanese (Fluent catalogues in `crates/tray/locales/`), chosen in the
//!   main window or from the system locale
//!
//! Environment: `AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`, `AWS_ENDPOINT_URL_STS` (and
//! the rest rolebar-core reads), `ROLEBAR_STATE_DIR`, `HOME`; `ROLEBAR_LOG` filters the logs
//! (stderr, shared with the window process); `ROLEBAR_OPEN_MAIN=1` opens the main window at start;
//! `ROLEBAR_WINDOW_BIN` names the window program (else `rolebar-window` beside this one);
//! `ROLEBAR_GPU=1` keeps GTK's and WebKit's GPU paths.

pub mod actions;
pub mod activity;
pub mod activity_log;
pub mod activity_view;
pub mod agent;
pub mod app;
pub mod approval_gate;
pub mod approvals_held;
pub mod args;
pub mod autostart;
pub mod bindings;
pub mod clipboard;
pub mod desktop_port;
pub mod error;
pub mod expiry;
pub mod expiry_config;
pub mod expiry_notes;
pub mod file_watch;
pub mod finder;
pub mod grouping;
pub mod hotkey;
pub mod i18n;
pub mod import_offer;
pub mod key_age;
#[allow(unsafe_code)]
pub mod lean;
pub mod menu;
pub mod mfa;
pub mod mfa_queue;
pub mod notify;
pub mod open_notes;
pub mod preferences;
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
pub mod windows_link;
pub mod windows_port;

#[cfg(test)]
mod architecture;
#[cfg(test)]
mod request_tests;

//! The IPC commands: short adapters from the windows to `actions` and rolebar-core. Each is
//! declared in build.rs (`command_names.rs`) and granted per window in `capabilities/`.
//! None returns a secret: exports go to the clipboard, sessions to the credentials file, and
//! key material only ever comes in.

use crate::actions::{self, Origin};
use crate::error::{codes, CommandError};
use crate::i18n::LanguageSetting;
use crate::state::AppState;
use crate::views::{
    CopyReport, ExpiryView, ExportChoice, KeyView, LogOutReport, MessagesView, MfaRequestView, Overview, SessionView,
    Settings, WriteResult,
};
use crate::windows;
use tauri::{AppHandle, Manager, Runtime, State};
use zeroize::Zeroizing;

include!("command_names.rs");

// --- main window ---

/// Profiles, live sessions and stored keys (read from the files and the index; no keyring unlock).
#[tauri::command]
pub async fn get_overview(state: State<'_, AppState>) -> Result<Overview, CommandError> {
    Ok(state
        .snapshot()
        .overview(&state.paths, ExportChoice::from_env(), state.expiry().view()))
}

/// A session for `profile`, from the cache or through STS (with the MFA dialog when needed).
#[tauri::command]
pub async fn assume_profile<R: Runtime>(app: AppHandle<R>, profile: String) -> Result<SessionView, CommandError> {
    actions::assume(&app, &profile, false, Origin::Window).await
}

/// Drops `profile`'s cached sessions and makes a new one.
#[tauri::command]
pub async fn renew_session<R: Runtime>(app: AppHandle<R>, profile: String) -> Result<SessionView, CommandError> {
    actions::assume(&app, &profile, true, Origin::Window).await
}

#[tauri::command]
pub async fn log_out<R: Runtime>(app: AppHandle<R>, profile: String) -> Result<LogOutReport, CommandError> {
    let report = actions::log_out(&app.state::<AppState>(), &profile)?;
    windows::notify_changed(&app);
    Ok(report)
}

/// Copies the session's variables to the clipboard; returns what was copied, not the text.
#[tauri::command]
pub async fn copy_exports(
    state: State<'_, AppState>,
    session_id: String,
    format: ExportChoice,
) -> Result<CopyReport, CommandError> {
    actions::copy_exports(&state, &session_id, format)
}

/// Writes the session into `[target]` of the credentials file; `force` only overrides the
/// "long-term keys are there" guard rail.
#[tauri::command]
pub async fn write_session<R: Runtime>(
    app: AppHandle<R>,
    session_id: String,
    target: String,
    force: bool,
) -> Result<WriteResult, CommandError> {
    let result = actions::write_session(&app.state::<AppState>(), &session_id, &target, force)?;
    windows::notify_changed(&app);
    Ok(result)
}

/// Stores long-term keys for `profile` in the keyring. The secret is wiped from this process's
/// copy when the command ends, and never sent back.
#[tauri::command]
pub async fn add_keys<R: Runtime>(
    app: AppHandle<R>,
    profile: String,
    access_key_id: String,
    secret_access_key: Zeroizing<String>,
) -> Result<KeyView, CommandError> {
    let key = actions::add_keys(&app.state::<AppState>(), &profile, &access_key_id, &secret_access_key)?;
    windows::notify_changed(&app);
    Ok(key)
}

#[tauri::command]
pub async fn remove_keys<R: Runtime>(app: AppHandle<R>, profile: String) -> Result<bool, CommandError> {
    let removed = actions::remove_keys(&app.state::<AppState>(), &profile)?;
    windows::notify_changed(&app);
    Ok(removed)
}

#[tauri::command]
pub async fn get_settings<R: Runtime>(app: AppHandle<R>) -> Result<Settings, CommandError> {
    Ok(Settings {
        autostart: autostart(&app)?.is_enabled().map_err(autostart_failed)?,
    })
}

/// Turns auto-refresh for a profile on or off (saved to settings.json at once); returns the
/// expiry settings now in force.
#[tauri::command]
pub async fn set_auto_refresh<R: Runtime>(
    app: AppHandle<R>,
    profile: String,
    enabled: bool,
) -> Result<ExpiryView, CommandError> {
    let state = app.state::<AppState>();
    let profile = profile.trim();
    if profile.is_empty() {
        return Err(CommandError::new(codes::INVALID_INPUT, "no profile given"));
    }
    let config = state.set_auto_refresh(profile, enabled)?;
    tracing::info!(profile, enabled, "auto-refresh changed");
    windows::notify_changed(&app);
    Ok(config.view())
}

/// Sets how long before a session's end the warnings go out (`["15m", "2m"]`; empty: only at
/// the end), saved to settings.json and in force at once; returns the expiry settings now.
#[tauri::command]
pub async fn set_warn_before(state: State<'_, AppState>, warn_before: Vec<String>) -> Result<ExpiryView, CommandError> {
    let thresholds = warn_before
        .iter()
        .map(|text| {
            rolebar_core::schedule::parse_duration(text)
                .map_err(|reason| CommandError::new(codes::INVALID_INPUT, format!("warning time `{text}`: {reason}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let config = state.set_warn_before(thresholds)?;
    tracing::info!(warn_before = ?config.view().warn_before, "expiry warning times changed");
    Ok(config.view())
}

/// Turns start-at-login on or off (a desktop entry in ~/.config/autostart on Linux).
#[tauri::command]
pub async fn set_autostart<R: Runtime>(app: AppHandle<R>, enabled: bool) -> Result<Settings, CommandError> {
    let manager = autostart(&app)?;
    if enabled {
        manager.enable().map_err(autostart_failed)?;
    } else {
        manager.disable().map_err(autostart_failed)?;
    }
    tracing::info!(enabled, "start at login changed");
    Ok(Settings {
        autostart: manager.is_enabled().map_err(autostart_failed)?,
    })
}

fn autostart<R: Runtime>(
    app: &AppHandle<R>,
) -> Result<State<'_, tauri_plugin_autostart::AutoLaunchManager>, CommandError> {
    app.try_state::<tauri_plugin_autostart::AutoLaunchManager>()
        .ok_or_else(|| CommandError::new(codes::AUTOSTART_FAILED, "start at login is not available in this build"))
}

fn autostart_failed(e: tauri_plugin_autostart::Error) -> CommandError {
    CommandError::new(codes::AUTOSTART_FAILED, format!("cannot change start at login: {e}"))
}

/// Shows the app in `language` (`auto`, `en`, `ja`) from now on: saved to settings.json, the
/// tray menu rebuilt in it, every open window sent the new messages.
#[tauri::command]
pub async fn set_language<R: Runtime>(app: AppHandle<R>, language: String) -> Result<MessagesView, CommandError> {
    let setting: LanguageSetting = language
        .parse()
        .map_err(|e: rolebar_core::language::UnknownLanguage| CommandError::new(codes::INVALID_INPUT, e.to_string()))?;
    let state = app.state::<AppState>();
    let choice = state.set_language(setting)?;
    tracing::info!(setting = setting.code(), language = %choice.language(), "language changed");
    // The tray refresher builds the menu again from the new catalogue.
    state.changed.notify_one();
    let messages = MessagesView::new(choice);
    windows::language_changed(&app, &messages);
    Ok(messages)
}

// --- both windows ---

/// The words of the language in force, for the window to show.
#[tauri::command]
pub async fn get_messages(state: State<'_, AppState>) -> Result<MessagesView, CommandError> {
    Ok(MessagesView::new(state.language()))
}

// --- MFA dialog ---

/// The question the dialog should show now (`null` when none is waiting).
#[tauri::command]
pub async fn mfa_request(state: State<'_, AppState>) -> Result<Option<MfaRequestView>, CommandError> {
    Ok(state.mfa.current())
}

/// Answers request `request_id`. A malformed code is refused with `mfa_code_format` and the
/// question stays open; the dialog then waits for the outcome (closed, or asked again).
#[tauri::command]
pub async fn submit_mfa_code(
    state: State<'_, AppState>,
    request_id: u32,
    code: Zeroizing<String>,
) -> Result<(), CommandError> {
    state.mfa.submit(request_id, &code)
}

#[tauri::command]
pub async fn cancel_mfa(state: State<'_, AppState>, request_id: u32) -> Result<(), CommandError> {
    state.mfa.cancel(Some(request_id));
    Ok(())
}

/// The dialog measured its content (after drawing it, and whenever it changes size): the window
/// takes that height, so no blank band is left under the buttons. Resolves to the height set.
#[tauri::command]
pub async fn fit_mfa_dialog<R: Runtime>(window: tauri::WebviewWindow<R>, height: f64) -> Result<f64, CommandError> {
    crate::windows::fit_mfa(&window, height)
}

//! The IPC commands: short adapters from the windows to `actions` and rolebar-core. Each is
//! declared in build.rs (`command_names.rs`) and granted per window in `capabilities/`.
//! None returns a secret: exports go to the clipboard, sessions to the credentials file, and
//! key material only ever comes in.
//!
//! Each command takes its arguments as one `…Args` struct and returns `Reply<…Args>` (`ipc`):
//! the structs are the commands' signatures, generated into the UI's TypeScript.

use crate::actions::{self, Origin};
use crate::error::{codes, CommandError};
use crate::hotkey::{self, Hotkey, HotkeyView};
use crate::i18n::LanguageSetting;
use crate::import_offer::ImportOffer;
use crate::ipc::{Args, Command, Reply};
use crate::sso::SsoAccountView;
use crate::state::AppState;
use crate::switcher::{self, Switcher, SwitcherChoice, SwitcherResults};
use crate::tray_host::TrayHost;
use crate::views::{
    AwsVaultImportReport, ConsoleReport, CopyReport, ExpiryView, ExportChoice, KeyView, LogOutReport, MessagesView,
    MfaRequestView, Overview, RotationView, SessionView, Settings, SignInReport, WriteResult,
};
use crate::windows;
use rolebar_core::settings::Section;
use serde::Deserialize;
use tauri::{AppHandle, Manager, Runtime, State};
use ts_rs::TS;
use zeroize::Zeroizing;

include!("command_names.rs");

/// An arguments struct for the command `$name`, resolving to `$output`. Unknown keys are refused,
/// so a call written for an older signature fails loudly instead of being half read.
macro_rules! command_args {
    ($(#[$meta:meta])* $args:ident => $name:literal -> $output:ty { $($(#[$field_meta:meta])* $field:ident: $ty:ty),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Deserialize, TS)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        pub struct $args {
            $($(#[$field_meta])* pub $field: $ty,)*
        }

        impl Command for $args {
            const NAME: &'static str = $name;
            type Output = $output;
        }
    };
}

// --- main window ---

command_args!(GetOverviewArgs => "get_overview" -> Overview {});

/// Profiles, live sessions and stored keys (read from the files and the index; no keyring unlock).
#[tauri::command]
pub async fn get_overview(
    state: State<'_, AppState>,
    tray_host: State<'_, TrayHost>,
    import_offer: State<'_, ImportOffer>,
    _args: Args<GetOverviewArgs>,
) -> Reply<GetOverviewArgs> {
    let mut overview = state.snapshot().overview(
        &state.sessions.paths,
        ExportChoice::from_env(),
        state.expiry().view(state.settings_file()),
    );
    let settings = state.settings();
    if let Some(e) = settings.problem(Section::Keys) {
        tracing::warn!(code = e.code(), "key rotation settings not used: {e}");
    }
    crate::views::with_key_ages(&mut overview.keys, &state.sessions.vault, settings.keys, state.now());
    let shortcuts = state.shortcuts();
    overview.favourites = shortcuts.favourites;
    overview.recent = shortcuts.recent;
    overview.agent_off = state.activity().agent_off;
    overview.tray_host = tray_host.present();
    overview.tray_hint = tray_host.hint();
    if overview.keys.is_empty() {
        // A folder listing the first time (kept afterwards): off the async workers.
        let offer = ImportOffer::clone(&import_offer);
        let secret_service = crate::import_offer::secret_service_running().await;
        let looking = tauri::async_runtime::spawn_blocking(move || offer.find(secret_service));
        // The window never waits long for an offer: a slow look is finished in the background
        // (its finding is kept for the next overview).
        overview.aws_vault_offer = match tokio::time::timeout(std::time::Duration::from_secs(2), looking).await {
            Ok(Ok(found)) => found,
            Ok(Err(e)) => {
                tracing::warn!("aws-vault's keys not looked for: {e}");
                None
            }
            Err(_) => {
                tracing::info!("aws-vault's keys are still being looked for; the offer comes with a later overview");
                None
            }
        };
    }
    Ok(overview)
}

command_args!(ImportAwsVaultArgs => "import_aws_vault" -> AwsVaultImportReport {
    /// aws-vault's `file` backend passphrase. Wiped from this process's copy when the command ends.
    #[ts(type = "string | null")]
    passphrase: Option<Zeroizing<String>>,
});

/// Copies the long-term keys aws-vault holds into the keyring (as `rolebar import aws-vault`),
/// leaving aws-vault's entries as they are. A wrong passphrase stores nothing.
#[tauri::command]
pub async fn import_aws_vault<R: Runtime>(
    app: AppHandle<R>,
    args: Args<ImportAwsVaultArgs>,
) -> Reply<ImportAwsVaultArgs> {
    let worker = app.clone();
    let report = tauri::async_runtime::spawn_blocking(move || {
        let Args(ImportAwsVaultArgs { passphrase }) = args;
        crate::import_offer::import(
            &worker.state::<AppState>(),
            &worker.state::<ImportOffer>(),
            passphrase.as_deref().map(String::as_str),
        )
    })
    .await
    .map_err(|e| CommandError::new(codes::AWS_VAULT_UNREADABLE, format!("the import stopped: {e}")))??;
    windows::notify_changed(&app);
    Ok(report)
}

command_args!(QuitArgs => "quit" -> () {});

/// Ends Rolebar, as the tray's Quit does: the main window offers it when the desktop shows no
/// tray icon (closing that window keeps the agent serving).
#[tauri::command]
pub async fn quit<R: Runtime>(app: AppHandle<R>, _args: Args<QuitArgs>) -> Reply<QuitArgs> {
    tracing::info!("quit from the main window");
    app.exit(0);
    Ok(())
}

command_args!(AssumeProfileArgs => "assume_profile" -> SessionView { profile: String });

/// A session for `profile`, from the cache or through STS (with the MFA dialog when needed).
#[tauri::command]
pub async fn assume_profile<R: Runtime>(app: AppHandle<R>, args: Args<AssumeProfileArgs>) -> Reply<AssumeProfileArgs> {
    actions::assume(&app, &args.profile, false, Origin::Window).await
}

command_args!(RenewSessionArgs => "renew_session" -> SessionView { profile: String });

/// Drops `profile`'s cached sessions and makes a new one.
#[tauri::command]
pub async fn renew_session<R: Runtime>(app: AppHandle<R>, args: Args<RenewSessionArgs>) -> Reply<RenewSessionArgs> {
    actions::assume(&app, &args.profile, true, Origin::Window).await
}

command_args!(LogOutArgs => "log_out" -> LogOutReport { profile: String });

#[tauri::command]
pub async fn log_out<R: Runtime>(app: AppHandle<R>, args: Args<LogOutArgs>) -> Reply<LogOutArgs> {
    let report = actions::log_out(&app.state::<AppState>(), &args.profile)?;
    windows::notify_changed(&app);
    Ok(report)
}

command_args!(CopyExportsArgs => "copy_exports" -> CopyReport { session_id: String, format: ExportChoice });

/// Copies the session's variables to the clipboard; returns what was copied, not the text.
#[tauri::command]
pub async fn copy_exports(state: State<'_, AppState>, args: Args<CopyExportsArgs>) -> Reply<CopyExportsArgs> {
    actions::copy_exports(&state, &args.session_id, args.format)
}

command_args!(WriteSessionArgs => "write_session" -> WriteResult { session_id: String, target: String, force: bool });

/// Writes the session into `[target]` of the credentials file; `force` only overrides the
/// "long-term keys are there" guard rail.
#[tauri::command]
pub async fn write_session<R: Runtime>(app: AppHandle<R>, args: Args<WriteSessionArgs>) -> Reply<WriteSessionArgs> {
    let WriteSessionArgs {
        session_id,
        target,
        force,
    } = &*args;
    let result = actions::write_session(&app.state::<AppState>(), session_id, target, *force)?;
    windows::notify_changed(&app);
    Ok(result)
}

command_args!(AddKeysArgs => "add_keys" -> KeyView {
    profile: String,
    access_key_id: String,
    /// Wiped from this process's copy when the command ends.
    #[ts(type = "string")]
    secret_access_key: Zeroizing<String>,
});

/// Stores long-term keys for `profile` in the keyring. The secret is wiped from this process's
/// copy when the command ends, and never sent back.
#[tauri::command]
pub async fn add_keys<R: Runtime>(app: AppHandle<R>, args: Args<AddKeysArgs>) -> Reply<AddKeysArgs> {
    let AddKeysArgs {
        profile,
        access_key_id,
        secret_access_key,
    } = &*args;
    let key = actions::add_keys(&app.state::<AppState>(), profile, access_key_id, secret_access_key)?;
    windows::notify_changed(&app);
    Ok(key)
}

command_args!(RemoveKeysArgs => "remove_keys" -> bool { profile: String });

#[tauri::command]
pub async fn remove_keys<R: Runtime>(app: AppHandle<R>, args: Args<RemoveKeysArgs>) -> Reply<RemoveKeysArgs> {
    let removed = actions::remove_keys(&app.state::<AppState>(), &args.profile)?;
    windows::notify_changed(&app);
    Ok(removed)
}

command_args!(GetSettingsArgs => "get_settings" -> Settings {});

#[tauri::command]
pub async fn get_settings<R: Runtime>(app: AppHandle<R>, _args: Args<GetSettingsArgs>) -> Reply<GetSettingsArgs> {
    Ok(Settings {
        autostart: autostart(&app)?.is_enabled().map_err(autostart_failed)?,
    })
}

command_args!(OpenConsoleArgs => "open_console" -> ConsoleReport { profile: String });

/// Opens the AWS console in the browser signed in as `profile` (assuming it first, with the MFA
/// dialog when a code is needed). The sign-in URL never reaches the window; the notes do.
#[tauri::command]
pub async fn open_console<R: Runtime>(app: AppHandle<R>, args: Args<OpenConsoleArgs>) -> Reply<OpenConsoleArgs> {
    actions::open_console(&app, actions::ConsoleFor::Profile(args.profile.clone()), Origin::Window).await
}

command_args!(RotateKeysArgs => "rotate_keys" -> RotationView { profile: String });

/// Rotates `profile`'s access key (asking for an MFA code when the profile has a device);
/// only masked key ids come back.
#[tauri::command]
pub async fn rotate_keys<R: Runtime>(app: AppHandle<R>, args: Args<RotateKeysArgs>) -> Reply<RotateKeysArgs> {
    crate::key_age::rotate(&app, &args.profile, Origin::Window).await
}

command_args!(GetSwitcherHotkeyArgs => "get_switcher_hotkey" -> HotkeyView {});

/// The global key that opens the quick switcher, if one is set.
#[tauri::command]
pub async fn get_switcher_hotkey<R: Runtime>(
    app: AppHandle<R>,
    _args: Args<GetSwitcherHotkeyArgs>,
) -> Reply<GetSwitcherHotkeyArgs> {
    Ok(app.state::<Hotkey>().view(&app))
}

command_args!(SetSwitcherHotkeyArgs => "set_switcher_hotkey" -> HotkeyView {
    /// `Ctrl+Alt+P`; none (or empty) turns the key off.
    hotkey: Option<String>,
});

/// Sets (or turns off) the global key that opens the quick switcher: grabbed at once, saved to
/// settings.json; a key that cannot be grabbed is refused and the previous one stays.
#[tauri::command]
pub async fn set_switcher_hotkey<R: Runtime>(
    app: AppHandle<R>,
    args: Args<SetSwitcherHotkeyArgs>,
) -> Reply<SetSwitcherHotkeyArgs> {
    hotkey::set(&app, args.hotkey.as_deref())
}

command_args!(SetAutoRefreshArgs => "set_auto_refresh" -> ExpiryView { profile: String, enabled: bool });

/// Turns auto-refresh for a profile on or off (saved to settings.json at once); returns the
/// expiry settings now in force.
#[tauri::command]
pub async fn set_auto_refresh<R: Runtime>(
    app: AppHandle<R>,
    args: Args<SetAutoRefreshArgs>,
) -> Reply<SetAutoRefreshArgs> {
    let state = app.state::<AppState>();
    let enabled = args.enabled;
    let profile = args.profile.trim();
    if profile.is_empty() {
        return Err(CommandError::new(codes::INVALID_INPUT, "no profile given"));
    }
    let config = state.set_auto_refresh(profile, enabled)?;
    tracing::info!(profile, enabled, "auto-refresh changed");
    windows::notify_changed(&app);
    Ok(config.view(state.settings_file()))
}

command_args!(SetFavouriteArgs => "set_favourite" -> Vec<String> { profile: String, pinned: bool });

/// Pins a profile to the favourites (the tray's Favourites) or unpins it, saved to settings.json
/// at once (a broken file is refused, not overwritten); returns the favourites now.
#[tauri::command]
pub async fn set_favourite<R: Runtime>(app: AppHandle<R>, args: Args<SetFavouriteArgs>) -> Reply<SetFavouriteArgs> {
    let state = app.state::<AppState>();
    let profile = args.profile.trim();
    if profile.is_empty() {
        return Err(CommandError::new(codes::INVALID_INPUT, "no profile given"));
    }
    let favourites = state.set_favourite(profile, args.pinned)?;
    tracing::info!(profile, pinned = args.pinned, "favourites changed");
    state.touch();
    windows::notify_changed(&app);
    Ok(favourites)
}

command_args!(SsoSignInArgs => "sso_sign_in" -> SignInReport { name: String });

/// Signs in to the IAM Identity Center sign-in `name` through the browser.
#[tauri::command]
pub async fn sso_sign_in<R: Runtime>(app: AppHandle<R>, args: Args<SsoSignInArgs>) -> Reply<SsoSignInArgs> {
    let state = crate::sso::sign_in(&app, &args.name).await?;
    Ok(SignInReport {
        expires_at: state.expires_at,
        can_refresh: state.can_refresh,
    })
}

command_args!(SsoSignOutArgs => "sso_sign_out" -> usize { name: String });

/// Signs out of `name`; returns how many role sessions were dropped with it.
#[tauri::command]
pub async fn sso_sign_out<R: Runtime>(app: AppHandle<R>, args: Args<SsoSignOutArgs>) -> Reply<SsoSignOutArgs> {
    crate::sso::sign_out(&app, &args.name).await
}

command_args!(SsoAccountsArgs => "sso_accounts" -> Vec<SsoAccountView> { name: String });

/// The accounts and roles the sign-in `name` reaches (signing in first when needed).
#[tauri::command]
pub async fn sso_accounts<R: Runtime>(app: AppHandle<R>, args: Args<SsoAccountsArgs>) -> Reply<SsoAccountsArgs> {
    crate::sso::accounts(&app.state::<AppState>(), &args.name).await
}

command_args!(AddSsoProfileArgs => "add_sso_profile" -> () {
    /// The sign-in (its sso-session's name).
    name: String,
    account_id: String,
    role_name: String,
    /// The new profile's name.
    profile: String,
    region: Option<String>,
});

/// Adds a profile for an account's role to `~/.aws/config` (appended; nothing else changes).
#[tauri::command]
pub async fn add_sso_profile<R: Runtime>(app: AppHandle<R>, args: Args<AddSsoProfileArgs>) -> Reply<AddSsoProfileArgs> {
    let region = args.region.as_deref().map(str::trim).filter(|r| !r.is_empty());
    crate::sso::add_profile(
        &app,
        &args.name,
        &args.account_id,
        &args.role_name,
        args.profile.trim(),
        region,
    )
}

command_args!(SetWarnBeforeArgs => "set_warn_before" -> ExpiryView { warn_before: Vec<String> });

/// Sets how long before a session's end the warnings go out (`["15m", "2m"]`; empty: only at
/// the end), saved to settings.json and in force at once; returns the expiry settings now.
#[tauri::command]
pub async fn set_warn_before(state: State<'_, AppState>, args: Args<SetWarnBeforeArgs>) -> Reply<SetWarnBeforeArgs> {
    let thresholds = args
        .warn_before
        .iter()
        .map(|text| {
            rolebar_core::schedule::parse_duration(text)
                .map_err(|reason| CommandError::new(codes::INVALID_INPUT, format!("warning time `{text}`: {reason}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let view = state.set_warn_before(thresholds)?.view(state.settings_file());
    tracing::info!(warn_before = ?view.warn_before, "expiry warning times changed");
    Ok(view)
}

command_args!(SetAutostartArgs => "set_autostart" -> Settings { enabled: bool });

/// Turns start-at-login on or off (a desktop entry in ~/.config/autostart on Linux).
#[tauri::command]
pub async fn set_autostart<R: Runtime>(app: AppHandle<R>, args: Args<SetAutostartArgs>) -> Reply<SetAutostartArgs> {
    let enabled = args.enabled;
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

command_args!(SetLanguageArgs => "set_language" -> MessagesView { language: String });

/// Shows the app in `language` (`auto`, `en`, `ja`) from now on: saved to settings.json, the
/// tray menu rebuilt in it, every open window sent the new messages.
#[tauri::command]
pub async fn set_language<R: Runtime>(app: AppHandle<R>, args: Args<SetLanguageArgs>) -> Reply<SetLanguageArgs> {
    let setting: LanguageSetting = args
        .language
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

command_args!(GetMessagesArgs => "get_messages" -> MessagesView {});

/// The words of the language in force, for the window to show.
#[tauri::command]
pub async fn get_messages(state: State<'_, AppState>, _args: Args<GetMessagesArgs>) -> Reply<GetMessagesArgs> {
    Ok(MessagesView::new(state.language()))
}

// --- MFA dialog ---

command_args!(MfaRequestArgs => "mfa_request" -> Option<MfaRequestView> {});

/// The question the dialog should show now (`null` when none is waiting).
#[tauri::command]
pub async fn mfa_request(state: State<'_, AppState>, _args: Args<MfaRequestArgs>) -> Reply<MfaRequestArgs> {
    Ok(state.mfa.current())
}

command_args!(SubmitMfaCodeArgs => "submit_mfa_code" -> () {
    request_id: u32,
    #[ts(type = "string")]
    code: Zeroizing<String>,
});

/// Answers request `request_id`. A malformed code is refused with `mfa_code_format` and the
/// question stays open; the dialog then waits for the outcome (closed, or asked again).
#[tauri::command]
pub async fn submit_mfa_code(state: State<'_, AppState>, args: Args<SubmitMfaCodeArgs>) -> Reply<SubmitMfaCodeArgs> {
    state.mfa.submit(args.request_id, &args.code)
}

command_args!(CancelMfaArgs => "cancel_mfa" -> () { request_id: u32 });

#[tauri::command]
pub async fn cancel_mfa(state: State<'_, AppState>, args: Args<CancelMfaArgs>) -> Reply<CancelMfaArgs> {
    state.mfa.cancel(Some(args.request_id));
    Ok(())
}

command_args!(FitMfaDialogArgs => "fit_mfa_dialog" -> f64 { height: f64 });

/// The dialog measured its content (after drawing it, and whenever it changes size): the window
/// takes that height, so no blank band is left under the buttons. Resolves to the height set.
#[tauri::command]
pub async fn fit_mfa_dialog<R: Runtime>(
    window: tauri::WebviewWindow<R>,
    args: Args<FitMfaDialogArgs>,
) -> Reply<FitMfaDialogArgs> {
    crate::windows::fit_mfa(&window, args.height)
}

// --- quick switcher ---

command_args!(SearchProfilesArgs => "search_profiles" -> SwitcherResults { query: String });

/// The profiles matching `query` (fuzzy, over name, account id, role name and region), best
/// first; with nothing typed, live, recent and favourite profiles first. From memory: the
/// profiles were read when the switcher opened.
#[tauri::command]
pub async fn search_profiles(
    switcher: State<'_, Switcher>,
    args: Args<SearchProfilesArgs>,
) -> Reply<SearchProfilesArgs> {
    Ok(switcher.search(&args.query, switcher::HITS_SHOWN))
}

command_args!(ChooseProfileArgs => "choose_profile" -> () { profile: String, choice: SwitcherChoice });

/// Enter (or Shift+Enter) on a match: closes the switcher and assumes the profile, asking for a
/// code in the MFA dialog when needed (and copies its exports with `copyExports`). Resolves at
/// once; failures are told as the tray tells them.
#[tauri::command]
pub async fn choose_profile<R: Runtime>(app: AppHandle<R>, args: Args<ChooseProfileArgs>) -> Reply<ChooseProfileArgs> {
    if !app.state::<Switcher>().offers(&args.profile) {
        return Err(CommandError::new(
            codes::INVALID_INPUT,
            format!("`{}` is not a profile the switcher offers", args.profile),
        ));
    }
    let Args(ChooseProfileArgs { profile, choice }) = args;
    tracing::info!(profile, ?choice, "chosen in the quick switcher");
    switcher::choose(&app, profile, choice);
    Ok(())
}

command_args!(CloseSwitcherArgs => "close_switcher" -> () {});

/// Esc, or the switcher lost the focus.
#[tauri::command]
pub async fn close_switcher<R: Runtime>(app: AppHandle<R>, _args: Args<CloseSwitcherArgs>) -> Reply<CloseSwitcherArgs> {
    switcher::close(&app);
    Ok(())
}

command_args!(SwitcherShownArgs => "switcher_shown" -> () {});

/// The switcher's page is drawn and focused (logs the time from the click).
#[tauri::command]
pub async fn switcher_shown<R: Runtime>(app: AppHandle<R>, _args: Args<SwitcherShownArgs>) -> Reply<SwitcherShownArgs> {
    switcher::shown(&app);
    Ok(())
}

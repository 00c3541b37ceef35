//! The IPC commands: Tauri's wrappers over `requests`, one per name of `COMMANDS` (declared in
//! build.rs, granted per window in `capabilities/`). Each takes the managed `Shell` and its one
//! arguments struct (`ipc::Args`, `args`) and returns `Reply<…Args>`; the bodies are Tauri-free.
//! Two need the calling window itself and are answered here: `fit_mfa_dialog`, `close_switcher`.

use crate::args::*;
use crate::ipc::Args;
use crate::requests;
use crate::shell::Shell;
use tauri::{Runtime, State};

/// A command that hands its arguments to the body of the same name in `requests`.
macro_rules! forward {
    ($($name:ident($args:ident),)*) => {
        $(
            #[tauri::command]
            pub async fn $name(shell: State<'_, Shell>, args: Args<$args>) -> Reply<$args> {
                requests::$name(&shell, args.0).await
            }
        )*
    };
}

forward! {
    get_overview(GetOverviewArgs),
    import_aws_vault(ImportAwsVaultArgs),
    quit(QuitArgs),
    assume_profile(AssumeProfileArgs),
    renew_session(RenewSessionArgs),
    log_out(LogOutArgs),
    copy_exports(CopyExportsArgs),
    write_session(WriteSessionArgs),
    add_keys(AddKeysArgs),
    remove_keys(RemoveKeysArgs),
    get_settings(GetSettingsArgs),
    open_console(OpenConsoleArgs),
    rotate_keys(RotateKeysArgs),
    get_switcher_hotkey(GetSwitcherHotkeyArgs),
    set_switcher_hotkey(SetSwitcherHotkeyArgs),
    set_auto_refresh(SetAutoRefreshArgs),
    set_favourite(SetFavouriteArgs),
    sso_sign_in(SsoSignInArgs),
    sso_sign_out(SsoSignOutArgs),
    sso_accounts(SsoAccountsArgs),
    add_sso_profile(AddSsoProfileArgs),
    set_warn_before(SetWarnBeforeArgs),
    set_autostart(SetAutostartArgs),
    set_language(SetLanguageArgs),
    get_messages(GetMessagesArgs),
    mfa_request(MfaRequestArgs),
    submit_mfa_code(SubmitMfaCodeArgs),
    cancel_mfa(CancelMfaArgs),
    search_profiles(SearchProfilesArgs),
    choose_profile(ChooseProfileArgs),
    switcher_shown(SwitcherShownArgs),
}

/// The dialog measured its content (after drawing it, and whenever it changes size): the window
/// takes that height, so no blank band is left under the buttons. Resolves to the height set.
#[tauri::command]
pub async fn fit_mfa_dialog<R: Runtime>(
    window: tauri::WebviewWindow<R>,
    args: Args<FitMfaDialogArgs>,
) -> Reply<FitMfaDialogArgs> {
    crate::windows::fit_mfa(&window, args.height)
}

/// Esc, or the switcher lost the focus.
#[tauri::command]
pub async fn close_switcher(shell: State<'_, Shell>, _args: Args<CloseSwitcherArgs>) -> Reply<CloseSwitcherArgs> {
    crate::switcher_flow::close(&shell);
    Ok(())
}

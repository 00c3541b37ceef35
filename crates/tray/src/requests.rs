//! The windows' commands: each takes the shell and its arguments struct (`args`) and resolves to
//! the struct's result type; [`dispatch`] / [`dispatch_text`] serve them by name to a caller that
//! speaks JSON (the agent socket's `call`, which the window process forwards every page command to).
//! None returns a secret: exports go to the clipboard, sessions to the credentials file, and key
//! material only ever comes in.

use crate::actions::{self, Origin};
use crate::args::*;
use crate::error::{codes, CommandError};
use crate::i18n::LanguageSetting;
use crate::shell::Shell;
use crate::switcher;
use crate::views::{ExportChoice, MessagesView, Settings, SignInReport};
use rolebar_core::settings::Section;
use rolebar_core::HasCode;
use serde_json::Value;

/// Profiles, live sessions and stored keys (read from the files and the index; no keyring unlock).
pub async fn get_overview(shell: &Shell, _args: GetOverviewArgs) -> Reply<GetOverviewArgs> {
    let state = shell.state();
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
    overview.tray_host = shell.tray_host().present();
    overview.tray_hint = shell.tray_host().hint();
    if overview.keys.is_empty() {
        // A folder listing the first time (kept afterwards): off the async workers.
        let offer = shell.import_offer().clone();
        let secret_service = crate::import_offer::secret_service_running().await;
        let looking = shell.spawn_blocking(move || offer.find(secret_service));
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

/// Copies the long-term keys aws-vault holds into the keyring (as `rolebar import aws-vault`),
/// leaving aws-vault's entries as they are. A wrong passphrase stores nothing.
pub async fn import_aws_vault(shell: &Shell, args: ImportAwsVaultArgs) -> Reply<ImportAwsVaultArgs> {
    let worker = shell.clone();
    let report = shell
        .spawn_blocking(move || {
            let ImportAwsVaultArgs { passphrase } = args;
            crate::import_offer::import(
                worker.state(),
                worker.import_offer(),
                passphrase.as_deref().map(String::as_str),
            )
        })
        .await
        .map_err(|e| CommandError::new(codes::AWS_VAULT_UNREADABLE, format!("the import stopped: {e}")))??;
    shell.windows().changed();
    Ok(report)
}

/// Ends Rolebar, as the tray's Quit does: the main window offers it when the desktop shows no
/// tray icon (closing that window keeps the agent serving).
pub async fn quit(shell: &Shell, _args: QuitArgs) -> Reply<QuitArgs> {
    tracing::info!("quit from the main window");
    shell.quit(0);
    Ok(())
}

/// The activity log, newest first, filtered by profile and by program (the Activity view).
pub async fn get_activity(shell: &Shell, args: GetActivityArgs) -> Reply<GetActivityArgs> {
    crate::activity_log::get_activity(shell, args).await
}

/// A session for `profile`, from the cache or through STS (with the MFA dialog when needed).
pub async fn assume_profile(shell: &Shell, args: AssumeProfileArgs) -> Reply<AssumeProfileArgs> {
    actions::assume(shell, &args.profile, false, Origin::Window).await
}

/// Drops `profile`'s cached sessions and makes a new one.
pub async fn renew_session(shell: &Shell, args: RenewSessionArgs) -> Reply<RenewSessionArgs> {
    actions::assume(shell, &args.profile, true, Origin::Window).await
}

pub async fn log_out(shell: &Shell, args: LogOutArgs) -> Reply<LogOutArgs> {
    let report = actions::log_out(shell.state(), &args.profile)?;
    shell.windows().changed();
    Ok(report)
}

/// Copies the session's variables to the clipboard; returns what was copied, not the text.
pub async fn copy_exports(shell: &Shell, args: CopyExportsArgs) -> Reply<CopyExportsArgs> {
    actions::copy_exports(shell.state(), &args.session_id, args.format)
}

/// Writes the session into `[target]` of the credentials file; `force` only overrides the
/// "long-term keys are there" guard rail.
pub async fn write_session(shell: &Shell, args: WriteSessionArgs) -> Reply<WriteSessionArgs> {
    let WriteSessionArgs {
        session_id,
        target,
        force,
    } = &args;
    let result = actions::write_session(shell.state(), session_id, target, *force)?;
    shell.windows().changed();
    Ok(result)
}

/// Stores long-term keys for `profile` in the keyring. The secret is wiped from this process's
/// copy when the request ends, and never sent back.
pub async fn add_keys(shell: &Shell, args: AddKeysArgs) -> Reply<AddKeysArgs> {
    let AddKeysArgs {
        profile,
        access_key_id,
        secret_access_key,
    } = &args;
    let key = actions::add_keys(shell.state(), profile, access_key_id, secret_access_key)?;
    shell.windows().changed();
    Ok(key)
}

pub async fn remove_keys(shell: &Shell, args: RemoveKeysArgs) -> Reply<RemoveKeysArgs> {
    let removed = actions::remove_keys(shell.state(), &args.profile)?;
    shell.windows().changed();
    Ok(removed)
}

pub async fn get_settings(shell: &Shell, _args: GetSettingsArgs) -> Reply<GetSettingsArgs> {
    Ok(Settings {
        autostart: shell.autostart().is_enabled()?,
    })
}

/// Opens the AWS console in the browser signed in as `profile` (assuming it first, with the MFA
/// dialog when a code is needed). The sign-in URL never reaches the window; the notes do.
pub async fn open_console(shell: &Shell, args: OpenConsoleArgs) -> Reply<OpenConsoleArgs> {
    actions::open_console(shell, actions::ConsoleFor::Profile(args.profile), Origin::Window).await
}

/// Rotates `profile`'s access key (asking for an MFA code when the profile has a device);
/// only masked key ids come back.
pub async fn rotate_keys(shell: &Shell, args: RotateKeysArgs) -> Reply<RotateKeysArgs> {
    crate::key_age::rotate(shell, &args.profile, Origin::Window).await
}

/// The global key that opens the quick switcher, if one is set.
pub async fn get_switcher_hotkey(shell: &Shell, _args: GetSwitcherHotkeyArgs) -> Reply<GetSwitcherHotkeyArgs> {
    Ok(crate::switcher_key::view(shell))
}

/// Sets (or turns off) the global key that opens the quick switcher: grabbed at once, saved to
/// settings.json; a key that cannot be grabbed is refused and the previous one stays.
pub async fn set_switcher_hotkey(shell: &Shell, args: SetSwitcherHotkeyArgs) -> Reply<SetSwitcherHotkeyArgs> {
    crate::switcher_key::set(shell, args.hotkey.as_deref())
}

/// Turns auto-refresh for a profile on or off (saved to settings.json at once); returns the
/// expiry settings now in force.
pub async fn set_auto_refresh(shell: &Shell, args: SetAutoRefreshArgs) -> Reply<SetAutoRefreshArgs> {
    let state = shell.state();
    let enabled = args.enabled;
    let profile = args.profile.trim();
    if profile.is_empty() {
        return Err(CommandError::new(codes::INVALID_INPUT, "no profile given"));
    }
    let config = state.set_auto_refresh(profile, enabled)?;
    tracing::info!(profile, enabled, "auto-refresh changed");
    shell.windows().changed();
    Ok(config.view(state.settings_file()))
}

/// Pins a profile to the favourites (the tray's Favourites) or unpins it, saved to settings.json
/// at once (a broken file is refused, not overwritten); returns the favourites now.
pub async fn set_favourite(shell: &Shell, args: SetFavouriteArgs) -> Reply<SetFavouriteArgs> {
    let state = shell.state();
    let profile = args.profile.trim();
    if profile.is_empty() {
        return Err(CommandError::new(codes::INVALID_INPUT, "no profile given"));
    }
    let favourites = state.set_favourite(profile, args.pinned)?;
    tracing::info!(profile, pinned = args.pinned, "favourites changed");
    state.touch();
    shell.windows().changed();
    Ok(favourites)
}

/// Signs in to the IAM Identity Center sign-in `name` through the browser.
pub async fn sso_sign_in(shell: &Shell, args: SsoSignInArgs) -> Reply<SsoSignInArgs> {
    let state = crate::sso::sign_in(shell, &args.name).await?;
    Ok(SignInReport {
        expires_at: state.expires_at,
        can_refresh: state.can_refresh,
    })
}

/// Signs out of `name`; returns how many role sessions were dropped with it.
pub async fn sso_sign_out(shell: &Shell, args: SsoSignOutArgs) -> Reply<SsoSignOutArgs> {
    crate::sso::sign_out(shell, &args.name).await
}

/// The accounts and roles the sign-in `name` reaches (signing in first when needed).
pub async fn sso_accounts(shell: &Shell, args: SsoAccountsArgs) -> Reply<SsoAccountsArgs> {
    crate::sso::accounts(shell.state(), &args.name).await
}

/// Adds a profile for an account's role to `~/.aws/config` (appended; nothing else changes).
pub async fn add_sso_profile(shell: &Shell, args: AddSsoProfileArgs) -> Reply<AddSsoProfileArgs> {
    let region = args.region.as_deref().map(str::trim).filter(|r| !r.is_empty());
    crate::sso::add_profile(
        shell,
        &args.name,
        &args.account_id,
        &args.role_name,
        args.profile.trim(),
        region,
    )
}

/// Sets how long before a session's end the warnings go out (`["15m", "2m"]`; empty: only at
/// the end), saved to settings.json and in force at once; returns the expiry settings now.
pub async fn set_warn_before(shell: &Shell, args: SetWarnBeforeArgs) -> Reply<SetWarnBeforeArgs> {
    let state = shell.state();
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

/// Turns start-at-login on or off (a desktop entry in ~/.config/autostart on Linux).
pub async fn set_autostart(shell: &Shell, args: SetAutostartArgs) -> Reply<SetAutostartArgs> {
    let enabled = args.enabled;
    let autostart = shell.autostart();
    autostart.set_enabled(enabled)?;
    tracing::info!(enabled, "start at login changed");
    Ok(Settings {
        autostart: autostart.is_enabled()?,
    })
}

/// Shows the app in `language` (`auto`, `en`, `ja`) from now on: saved to settings.json, the
/// tray menu rebuilt in it, every open window sent the new messages.
pub async fn set_language(shell: &Shell, args: SetLanguageArgs) -> Reply<SetLanguageArgs> {
    let setting: LanguageSetting =
        args.language
            .parse()
            .map_err(|e: crate::preferences::language::UnknownLanguage| {
                CommandError::new(codes::INVALID_INPUT, e.to_string())
            })?;
    let state = shell.state();
    let choice = state.set_language(setting)?;
    tracing::info!(setting = setting.code(), language = %choice.language(), "language changed");
    // The tray refresher builds the menu again from the new catalogue.
    state.changed.notify_one();
    let messages = MessagesView::new(choice);
    shell.windows().language(&messages);
    Ok(messages)
}

/// The words of the language in force, for the window to show.
pub async fn get_messages(shell: &Shell, _args: GetMessagesArgs) -> Reply<GetMessagesArgs> {
    Ok(MessagesView::new(shell.state().language()))
}

/// The question the dialog should show now (`null` when none is waiting).
pub async fn mfa_request(shell: &Shell, _args: MfaRequestArgs) -> Reply<MfaRequestArgs> {
    Ok(shell.state().mfa.fetched())
}

/// Answers request `request_id`. A malformed code is refused with `mfa_code_format` and the
/// question stays open; the dialog then waits for the outcome (closed, or asked again).
pub async fn submit_mfa_code(shell: &Shell, args: SubmitMfaCodeArgs) -> Reply<SubmitMfaCodeArgs> {
    shell.state().mfa.submit(args.request_id, &args.code)
}

pub async fn answer_approval(shell: &Shell, args: AnswerApprovalArgs) -> Reply<AnswerApprovalArgs> {
    shell.state().mfa.approve(args.request_id, args.always)
}

pub async fn get_approvals(shell: &Shell, _args: GetApprovalsArgs) -> Reply<GetApprovalsArgs> {
    crate::approval_gate::view(shell)
}

pub async fn set_approval_policy(shell: &Shell, args: SetApprovalPolicyArgs) -> Reply<SetApprovalPolicyArgs> {
    crate::approval_gate::set_policy(shell, &args.profile, args.policy.as_deref())
}

pub async fn revoke_program(shell: &Shell, args: RevokeProgramArgs) -> Reply<RevokeProgramArgs> {
    let program = rolebar_core::approvals::ProgramId::new(args.program.exe, args.program.script);
    crate::approval_gate::revoke(shell, &args.profile, program)
}

pub async fn cancel_mfa(shell: &Shell, args: CancelMfaArgs) -> Reply<CancelMfaArgs> {
    shell.state().mfa.cancel(Some(args.request_id));
    Ok(())
}

/// The profiles matching `query` (fuzzy, over name, account id, role name and region), best
/// first; with nothing typed, live, recent and favourite profiles first. From memory: the
/// profiles were read when the switcher opened.
pub async fn search_profiles(shell: &Shell, args: SearchProfilesArgs) -> Reply<SearchProfilesArgs> {
    Ok(shell.switcher().search(&args.query, switcher::HITS_SHOWN))
}

/// Enter (or Shift+Enter) on a match: closes the switcher and assumes the profile, asking for a
/// code in the MFA dialog when needed (and copies its exports with `copyExports`). Resolves at
/// once; failures are told as the tray tells them.
pub async fn choose_profile(shell: &Shell, args: ChooseProfileArgs) -> Reply<ChooseProfileArgs> {
    if !shell.switcher().offers(&args.profile) {
        return Err(CommandError::new(
            codes::INVALID_INPUT,
            format!("`{}` is not a profile the switcher offers", args.profile),
        ));
    }
    let ChooseProfileArgs { profile, choice } = args;
    tracing::info!(profile, ?choice, "chosen in the quick switcher");
    crate::switcher_flow::choose(shell, profile, choice);
    Ok(())
}

/// The switcher's page is drawn and focused (logs the time from the click).
pub async fn switcher_shown(shell: &Shell, _args: SwitcherShownArgs) -> Reply<SwitcherShownArgs> {
    crate::switcher_flow::shown(shell);
    Ok(())
}

/// Commands only the calling window can answer (it sizes or closes itself): not dispatched.
pub const WINDOW_ONLY: &[&str] = &[FitMfaDialogArgs::NAME, CloseSwitcherArgs::NAME, WindowReadyArgs::NAME];

/// `dispatch`'s table: each command's name, read off its arguments struct, and its body. Also
/// makes `DISPATCHED`, so the test that checks `COMMANDS` against it reads the same list.
macro_rules! dispatch_table {
    ($($args:ident => $body:ident,)*) => {
        /// Every command [`dispatch`] serves.
        pub const DISPATCHED: &[&str] = &[$(<$args as Command>::NAME,)*];

        /// Runs the command `name` with `args` (its arguments object, as the window sends it) and
        /// returns its result as JSON. An unknown name, a window-only command and arguments that
        /// do not fit the command's struct (unknown keys included) are refused with
        /// `invalid_input`, before anything runs.
        pub async fn dispatch(shell: &Shell, name: &str, args: Value) -> Result<Value, CommandError> {
            dispatch_input(shell, name, Input::Value(args)).await
        }

        /// [`dispatch`] with the arguments as JSON text (the agent's `call`): read straight into
        /// the command's struct, so a secret among them (an MFA code, a key) is never held in an
        /// intermediate JSON value that nobody wipes.
        pub async fn dispatch_text(shell: &Shell, name: &str, args: &str) -> Result<Value, CommandError> {
            dispatch_input(shell, name, Input::Text(args)).await
        }

        async fn dispatch_input(shell: &Shell, name: &str, args: Input<'_>) -> Result<Value, CommandError> {
            $(
                if name == <$args as Command>::NAME {
                    return answer($body(shell, read::<$args>(args)?).await);
                }
            )*
            if WINDOW_ONLY.contains(&name) {
                return Err(CommandError::new(
                    codes::INVALID_INPUT,
                    format!("`{name}` is answered by the window that calls it, not by name"),
                ));
            }
            Err(CommandError::new(codes::INVALID_INPUT, format!("there is no command `{name}`")))
        }
    };
}

dispatch_table! {
    GetOverviewArgs => get_overview,
    AssumeProfileArgs => assume_profile,
    RenewSessionArgs => renew_session,
    LogOutArgs => log_out,
    CopyExportsArgs => copy_exports,
    OpenConsoleArgs => open_console,
    WriteSessionArgs => write_session,
    AddKeysArgs => add_keys,
    RemoveKeysArgs => remove_keys,
    RotateKeysArgs => rotate_keys,
    GetSettingsArgs => get_settings,
    SetAutostartArgs => set_autostart,
    SetAutoRefreshArgs => set_auto_refresh,
    SetFavouriteArgs => set_favourite,
    SetWarnBeforeArgs => set_warn_before,
    SetLanguageArgs => set_language,
    GetSwitcherHotkeyArgs => get_switcher_hotkey,
    SetSwitcherHotkeyArgs => set_switcher_hotkey,
    SsoSignInArgs => sso_sign_in,
    SsoSignOutArgs => sso_sign_out,
    SsoAccountsArgs => sso_accounts,
    AddSsoProfileArgs => add_sso_profile,
    QuitArgs => quit,
    ImportAwsVaultArgs => import_aws_vault,
    GetActivityArgs => get_activity,
    GetMessagesArgs => get_messages,
    MfaRequestArgs => mfa_request,
    SubmitMfaCodeArgs => submit_mfa_code,
    CancelMfaArgs => cancel_mfa,
    AnswerApprovalArgs => answer_approval,
    GetApprovalsArgs => get_approvals,
    SetApprovalPolicyArgs => set_approval_policy,
    RevokeProgramArgs => revoke_program,
    SearchProfilesArgs => search_profiles,
    ChooseProfileArgs => choose_profile,
    SwitcherShownArgs => switcher_shown,
}

/// `C`'s arguments from a JSON body, with the message the IPC extractor gave before the window process forwarded commands.
/// A command's arguments as they came: a JSON value (Tauri's IPC, tests) or JSON text (the
/// agent's `call`).
enum Input<'a> {
    Value(Value),
    Text(&'a str),
}

fn read<C: Command>(args: Input<'_>) -> Result<C, CommandError> {
    match args {
        Input::Value(value) => serde_json::from_value(value),
        Input::Text(text) => serde_json::from_str(text),
    }
    .map_err(|e| {
        CommandError::new(
            codes::INVALID_INPUT,
            format!("invalid arguments for `{}`: {e}", C::NAME),
        )
    })
}

fn answer<T: serde::Serialize>(reply: Result<T, CommandError>) -> Result<Value, CommandError> {
    let output = reply?;
    serde_json::to_value(output).map_err(|e| {
        CommandError::new(
            codes::IPC_FAILED,
            format!("the result could not be written as JSON (a bug in Rolebar): {e}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_is_dispatched_or_answered_by_its_window() {
        for name in COMMANDS {
            let dispatched = DISPATCHED.contains(name);
            let window_only = WINDOW_ONLY.contains(name);
            assert!(
                dispatched != window_only,
                "`{name}` must be in exactly one of dispatch_table! (requests.rs) and WINDOW_ONLY \
                 (dispatched: {dispatched}, window only: {window_only})"
            );
        }
        for name in DISPATCHED.iter().chain(WINDOW_ONLY) {
            assert!(
                COMMANDS.contains(name),
                "`{name}` is not in COMMANDS (command_names.rs)"
            );
        }
        let mut seen = DISPATCHED.to_vec();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), DISPATCHED.len(), "a command is dispatched twice");
    }
}

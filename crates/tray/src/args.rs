//! The IPC commands' signatures: one arguments struct per command (`…Args`), each naming its
//! command and result type (`Command`). serde reads a struct from the whole request body (the
//! page's `invoke`, forwarded by the window process to the agent's `call`, read by
//! `requests::dispatch_text`), and ts-rs writes
//! it into `ui/src/bindings.ts`. So the TypeScript table of commands is generated from the very
//! types the handlers use: renaming a field (a parameter) or changing a result type changes the
//! bindings, which the drift test (`bindings.rs`) catches, and the UI's `call(...)` no longer
//! type-checks.
//!
//! The wire format is the page's `invoke("assume_profile", { profile })` body, passed on as it is:
//! the struct's fields are the object's keys, in camelCase as Tauri names parameters.

use crate::error::CommandError;
use crate::sso::SsoAccountView;
use crate::switcher::{SwitcherChoice, SwitcherResults};
use crate::switcher_key::HotkeyView;
use crate::views::{
    AwsVaultImportReport, ConsoleReport, CopyReport, ExpiryView, ExportChoice, KeyView, LogOutReport, MessagesView,
    MfaRequestView, Overview, RotationView, SessionView, Settings, SignInReport, WriteResult,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use zeroize::Zeroizing;

include!("command_names.rs");

/// The arguments of one command: the struct *is* the command's signature.
pub trait Command: DeserializeOwned + TS {
    /// The name JavaScript invokes (one of `COMMANDS`, command_names.rs).
    const NAME: &'static str;
    /// What the command resolves to.
    type Output: Serialize + TS;
}

/// What the command `C` returns: its result type comes from `C`, so the generated table cannot
/// promise another.
pub type Reply<C> = Result<<C as Command>::Output, CommandError>;

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

command_args!(ImportAwsVaultArgs => "import_aws_vault" -> AwsVaultImportReport {
    /// aws-vault's `file` backend passphrase. Wiped from this process's copy when the command ends.
    #[ts(type = "string | null")]
    passphrase: Option<Zeroizing<String>>,
});

command_args!(QuitArgs => "quit" -> () {});

command_args!(GetActivityArgs => "get_activity" -> crate::activity_view::ActivityView {
    /// Only this profile's hand-outs.
    profile: Option<String>,
    /// Only those whose program contains this text (any case).
    program: Option<String>,
    /// At most this many, newest first (default 200, at most 1000).
    limit: Option<u32>,
});

command_args!(AssumeProfileArgs => "assume_profile" -> SessionView { profile: String });

command_args!(RenewSessionArgs => "renew_session" -> SessionView { profile: String });

command_args!(LogOutArgs => "log_out" -> LogOutReport { profile: String });

command_args!(CopyExportsArgs => "copy_exports" -> CopyReport { session_id: String, format: ExportChoice });

command_args!(WriteSessionArgs => "write_session" -> WriteResult { session_id: String, target: String, force: bool });

command_args!(AddKeysArgs => "add_keys" -> KeyView {
    profile: String,
    access_key_id: String,
    /// Wiped from this process's copy when the command ends.
    #[ts(type = "string")]
    secret_access_key: Zeroizing<String>,
});

command_args!(RemoveKeysArgs => "remove_keys" -> bool { profile: String });

command_args!(GetSettingsArgs => "get_settings" -> Settings {});

command_args!(OpenConsoleArgs => "open_console" -> ConsoleReport { profile: String });

command_args!(RotateKeysArgs => "rotate_keys" -> RotationView { profile: String });

command_args!(GetSwitcherHotkeyArgs => "get_switcher_hotkey" -> HotkeyView {});

command_args!(SetSwitcherHotkeyArgs => "set_switcher_hotkey" -> HotkeyView {
    /// `Ctrl+Alt+P`; none (or empty) turns the key off.
    hotkey: Option<String>,
});

command_args!(SetAutoRefreshArgs => "set_auto_refresh" -> ExpiryView { profile: String, enabled: bool });

command_args!(SetFavouriteArgs => "set_favourite" -> Vec<String> { profile: String, pinned: bool });

command_args!(SsoSignInArgs => "sso_sign_in" -> SignInReport { name: String });

command_args!(SsoSignOutArgs => "sso_sign_out" -> usize { name: String });

command_args!(SsoAccountsArgs => "sso_accounts" -> Vec<SsoAccountView> { name: String });

command_args!(AddSsoProfileArgs => "add_sso_profile" -> () {
    /// The sign-in (its sso-session's name).
    name: String,
    account_id: String,
    role_name: String,
    /// The new profile's name.
    profile: String,
    region: Option<String>,
});

command_args!(SetWarnBeforeArgs => "set_warn_before" -> ExpiryView { warn_before: Vec<String> });

command_args!(SetAutostartArgs => "set_autostart" -> Settings { enabled: bool });

command_args!(SetLanguageArgs => "set_language" -> MessagesView { language: String });

// --- both windows ---

command_args!(GetMessagesArgs => "get_messages" -> MessagesView {});

// A page has its words and first content: its window is shown now (answered by the window
// process; a window is made hidden so that nothing blank or half-drawn is ever on screen).
command_args!(WindowReadyArgs => "window_ready" -> () {});

// --- MFA dialog ---

command_args!(MfaRequestArgs => "mfa_request" -> Option<MfaRequestView> {});

command_args!(SubmitMfaCodeArgs => "submit_mfa_code" -> () {
    request_id: u32,
    #[ts(type = "string")]
    code: Zeroizing<String>,
});

command_args!(CancelMfaArgs => "cancel_mfa" -> () { request_id: u32 });

command_args!(FitMfaDialogArgs => "fit_mfa_dialog" -> f64 { height: f64 });

// The dialog's approval question answered: Allow once, or Always for this program (Deny is
// `cancel_mfa`).
command_args!(AnswerApprovalArgs => "answer_approval" -> () { request_id: u32, always: bool });

// --- main window: approvals ---

command_args!(GetApprovalsArgs => "get_approvals" -> crate::approval_gate::ApprovalsView {});

// `policy`: `never`, `new-programs`, `every-time`, or null for the config file's.
command_args!(SetApprovalPolicyArgs => "set_approval_policy" -> crate::approval_gate::ApprovalsView {
    profile: String,
    policy: Option<String>,
});

command_args!(RevokeProgramArgs => "revoke_program" -> crate::approval_gate::ApprovalsView {
    profile: String,
    program: crate::approval_gate::ProgramRef,
});

// --- quick switcher ---

command_args!(SearchProfilesArgs => "search_profiles" -> SwitcherResults { query: String });

command_args!(ChooseProfileArgs => "choose_profile" -> () { profile: String, choice: SwitcherChoice });

command_args!(CloseSwitcherArgs => "close_switcher" -> () {});

command_args!(SwitcherShownArgs => "switcher_shown" -> () {});

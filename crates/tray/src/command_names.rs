// The windows' commands, in one list read by two places: the window process's build script
// (src-tauri/build.rs, `include!`), which declares them in the app manifest so each needs an
// explicit capability grant, and this crate, whose tests check that every name is dispatched. Kept free of `use` and items other than this constant so
// that both can include it.

/// Every IPC command of the app, by the name JavaScript invokes.
pub const COMMANDS: &[&str] = &[
    // main window
    "get_overview",
    "assume_profile",
    "renew_session",
    "log_out",
    "copy_exports",
    "open_console",
    "write_session",
    "add_keys",
    "remove_keys",
    "rotate_keys",
    "get_settings",
    "set_autostart",
    "set_auto_refresh",
    "set_favourite",
    "set_warn_before",
    "set_language",
    "get_switcher_hotkey",
    "set_switcher_hotkey",
    "sso_sign_in",
    "sso_sign_out",
    "sso_accounts",
    "add_sso_profile",
    "quit",
    "import_aws_vault",
    "get_approvals",
    "set_approval_policy",
    "revoke_program",
    "get_activity",
    // every window
    "get_messages",
    "window_ready",
    // MFA dialog
    "mfa_request",
    "submit_mfa_code",
    "cancel_mfa",
    "answer_approval",
    "fit_mfa_dialog",
    // quick switcher
    "search_profiles",
    "choose_profile",
    "close_switcher",
    "switcher_shown",
];

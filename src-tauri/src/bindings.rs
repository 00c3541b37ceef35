//! The TypeScript half of the IPC contract, generated from the Rust types with ts-rs into
//! `ui/src/bindings.ts` (committed). The test below fails when that file is not what the Rust
//! types produce; rewrite it with
//!
//! ```sh
//! ROLEBAR_UPDATE_BINDINGS=1 cargo test -p rolebar-app --lib bindings
//! ```
//!
//! ts-rs generates the data types; the command table (names, argument and result types) is
//! written here beside the command list, and the mock-runtime tests call every command by it.

use crate::commands::COMMANDS;
use crate::error::CommandError;
use crate::views::*;
use crate::windows;
use ts_rs::{Config, TS};

/// (command, arguments as a TypeScript object type, result type). Argument names are the
/// commands' parameters in camelCase, as Tauri expects them.
pub const COMMAND_SIGNATURES: &[(&str, &str, &str)] = &[
    ("get_overview", "{}", "Overview"),
    ("assume_profile", "{ profile: string }", "SessionView"),
    ("renew_session", "{ profile: string }", "SessionView"),
    ("log_out", "{ profile: string }", "LogOutReport"),
    (
        "copy_exports",
        "{ sessionId: string; format: ExportChoice }",
        "CopyReport",
    ),
    (
        "write_session",
        "{ sessionId: string; target: string; force: boolean }",
        "WriteResult",
    ),
    (
        "add_keys",
        "{ profile: string; accessKeyId: string; secretAccessKey: string }",
        "KeyView",
    ),
    ("remove_keys", "{ profile: string }", "boolean"),
    ("get_settings", "{}", "Settings"),
    ("set_autostart", "{ enabled: boolean }", "Settings"),
    (
        "set_auto_refresh",
        "{ profile: string; enabled: boolean }",
        "ExpiryView",
    ),
    ("set_warn_before", "{ warnBefore: string[] }", "ExpiryView"),
    ("set_language", "{ language: string }", "MessagesView"),
    ("get_messages", "{}", "MessagesView"),
    ("mfa_request", "{}", "MfaRequestView | null"),
    ("submit_mfa_code", "{ requestId: number; code: string }", "null"),
    ("cancel_mfa", "{ requestId: number }", "null"),
    ("fit_mfa_dialog", "{ height: number }", "number"),
];

pub const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/ui/src/bindings.ts");

/// The whole text of `ui/src/bindings.ts`.
pub fn typescript() -> String {
    let cfg = Config::new();
    let declarations = [
        CommandError::decl(&cfg),
        ProfileKind::decl(&cfg),
        KeysAt::decl(&cfg),
        WrittenView::decl(&cfg),
        ProfileView::decl(&cfg),
        SessionKindView::decl(&cfg),
        SessionView::decl(&cfg),
        KeyView::decl(&cfg),
        ExportChoice::decl(&cfg),
        ExpiryView::decl(&cfg),
        Overview::decl(&cfg),
        PlacementView::decl(&cfg),
        WriteResult::decl(&cfg),
        CopyReport::decl(&cfg),
        LogOutReport::decl(&cfg),
        Settings::decl(&cfg),
        MfaReasonView::decl(&cfg),
        MfaRequestView::decl(&cfg),
        Intent::decl(&cfg),
        MessagesView::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from the Rust types by src-tauri/src/bindings.rs (ts-rs). Do not edit:\n\
         // ROLEBAR_UPDATE_BINDINGS=1 cargo test -p rolebar-app --lib bindings\n\n",
    );
    for d in declarations {
        out.push_str("export ");
        out.push_str(d.trim());
        out.push_str("\n\n");
    }
    out.push_str("/** Every command: its arguments and what it resolves to (it rejects with a CommandError). */\n");
    out.push_str("export type Commands = {\n");
    for (name, args, result) in COMMAND_SIGNATURES {
        out.push_str(&format!("  {name}: {{ args: {args}; result: {result} }};\n"));
    }
    out.push_str("};\n\nexport type CommandName = keyof Commands;\n\n");
    out.push_str("/** Events the app sends to its windows. */\n");
    out.push_str("export const EVENTS = {\n");
    out.push_str(&format!("  changed: {:?},\n", windows::CHANGED_EVENT));
    out.push_str(&format!("  intent: {:?},\n", windows::INTENT_EVENT));
    out.push_str(&format!("  mfaRequest: {:?},\n", windows::MFA_REQUEST_EVENT));
    out.push_str(&format!("  language: {:?},\n", windows::LANGUAGE_EVENT));
    out.push_str("} as const;\n");
    debug_assert_eq!(COMMANDS.len(), COMMAND_SIGNATURES.len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bindings_are_current() {
        let expected = typescript();
        if std::env::var_os("ROLEBAR_UPDATE_BINDINGS").is_some() {
            std::fs::write(PATH, &expected).expect("write bindings");
            return;
        }
        let committed = std::fs::read_to_string(PATH).unwrap_or_default();
        assert!(
            committed == expected,
            "{PATH} is out of date with the Rust types: run\n  ROLEBAR_UPDATE_BINDINGS=1 cargo test -p rolebar-app --lib bindings\nand commit the result"
        );
    }

    #[test]
    fn every_command_has_a_signature() {
        let names: Vec<&str> = COMMAND_SIGNATURES.iter().map(|(n, _, _)| *n).collect();
        assert_eq!(
            names, COMMANDS,
            "the command table and command_names.rs list the same commands, in order"
        );
    }
}

//! The TypeScript half of the IPC contract, generated from the Rust types with ts-rs into
//! `ui/src/bindings.ts` (committed). The test below fails when that file is not what the Rust
//! types produce; rewrite it with
//!
//! ```sh
//! ROLEBAR_UPDATE_BINDINGS=1 cargo test -p rolebar-tray --lib bindings
//! ```
//!
//! ts-rs generates the data types and each command's arguments struct; the command table
//! (`Commands`: name, arguments, result) is built from the same structs (`ipc::Command`), so a
//! renamed parameter or a changed result type shows here as drift.

use crate::args::*;
use crate::error::CommandError;
use crate::views::*;
use rolebar_core::agent::window_link::events;
use ts_rs::{Config, TS};

/// One row of the command table, read off a command's arguments struct.
#[derive(Debug)]
pub struct Signature {
    pub name: &'static str,
    /// The TypeScript declaration of the arguments struct.
    pub args_decl: String,
    pub args: String,
    pub result: String,
}

fn signature<C: Command>(cfg: &Config) -> Signature {
    Signature {
        name: C::NAME,
        args_decl: C::decl(cfg),
        args: C::name(cfg),
        result: <C::Output as TS>::name(cfg),
    }
}

/// Every command's signature, in the order of `COMMANDS` (a test checks both lists agree).
pub fn signatures(cfg: &Config) -> Vec<Signature> {
    vec![
        signature::<GetOverviewArgs>(cfg),
        signature::<AssumeProfileArgs>(cfg),
        signature::<RenewSessionArgs>(cfg),
        signature::<LogOutArgs>(cfg),
        signature::<CopyExportsArgs>(cfg),
        signature::<OpenConsoleArgs>(cfg),
        signature::<WriteSessionArgs>(cfg),
        signature::<AddKeysArgs>(cfg),
        signature::<RemoveKeysArgs>(cfg),
        signature::<RotateKeysArgs>(cfg),
        signature::<GetSettingsArgs>(cfg),
        signature::<SetAutostartArgs>(cfg),
        signature::<SetAutoRefreshArgs>(cfg),
        signature::<SetFavouriteArgs>(cfg),
        signature::<SetWarnBeforeArgs>(cfg),
        signature::<SetLanguageArgs>(cfg),
        signature::<GetSwitcherHotkeyArgs>(cfg),
        signature::<SetSwitcherHotkeyArgs>(cfg),
        signature::<SsoSignInArgs>(cfg),
        signature::<SsoSignOutArgs>(cfg),
        signature::<SsoAccountsArgs>(cfg),
        signature::<AddSsoProfileArgs>(cfg),
        signature::<QuitArgs>(cfg),
        signature::<ImportAwsVaultArgs>(cfg),
        signature::<GetApprovalsArgs>(cfg),
        signature::<SetApprovalPolicyArgs>(cfg),
        signature::<RevokeProgramArgs>(cfg),
        signature::<GetActivityArgs>(cfg),
        signature::<GetMessagesArgs>(cfg),
        signature::<WindowReadyArgs>(cfg),
        signature::<MfaRequestArgs>(cfg),
        signature::<SubmitMfaCodeArgs>(cfg),
        signature::<CancelMfaArgs>(cfg),
        signature::<AnswerApprovalArgs>(cfg),
        signature::<FitMfaDialogArgs>(cfg),
        signature::<SearchProfilesArgs>(cfg),
        signature::<ChooseProfileArgs>(cfg),
        signature::<CloseSwitcherArgs>(cfg),
        signature::<SwitcherShownArgs>(cfg),
    ]
}

pub const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../ui/src/bindings.ts");

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
        SignInView::decl(&cfg),
        SignInReport::decl(&cfg),
        crate::sso::SsoRoleView::decl(&cfg),
        crate::sso::SsoAccountView::decl(&cfg),
        AgentOffView::decl(&cfg),
        crate::tray_host::TrayHint::decl(&cfg),
        crate::views::AwsVaultOfferView::decl(&cfg),
        Overview::decl(&cfg),
        crate::views::AwsVaultOutcomeView::decl(&cfg),
        crate::views::AwsVaultImportLine::decl(&cfg),
        crate::views::AwsVaultImportReport::decl(&cfg),
        PlacementView::decl(&cfg),
        WriteResult::decl(&cfg),
        CopyReport::decl(&cfg),
        ConsoleReport::decl(&cfg),
        RotationView::decl(&cfg),
        LogOutReport::decl(&cfg),
        Settings::decl(&cfg),
        MfaReasonView::decl(&cfg),
        MfaRequestView::decl(&cfg),
        crate::views::ApprovalAskView::decl(&cfg),
        crate::approval_gate::ApprovalsView::decl(&cfg),
        crate::approval_gate::ProfileApprovalsView::decl(&cfg),
        crate::approval_gate::RememberedProgramView::decl(&cfg),
        crate::approval_gate::ProgramRef::decl(&cfg),
        Intent::decl(&cfg),
        MessagesView::decl(&cfg),
        crate::switcher_key::HotkeyView::decl(&cfg),
        crate::switcher::TextRun::decl(&cfg),
        crate::switcher::SwitcherHit::decl(&cfg),
        crate::switcher::SwitcherResults::decl(&cfg),
        crate::switcher::SwitcherChoice::decl(&cfg),
        crate::activity_view::ActivityEntryView::decl(&cfg),
        crate::activity_view::ActivityView::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from the Rust types by crates/tray/src/bindings.rs (ts-rs). Do not edit:\n\
         // ROLEBAR_UPDATE_BINDINGS=1 cargo test -p rolebar-tray --lib bindings\n\n",
    );
    out.push_str("/** Every code a CommandError carries: rolebar-core's `ErrorCode` and the app's own. */\n");
    out.push_str("export type ErrorCode =\n");
    for code in crate::error::all_codes() {
        out.push_str(&format!("  | {code:?}\n"));
    }
    out.push_str(";\n\n");
    let signatures = signatures(&cfg);
    let argument_declarations = signatures.iter().map(|s| s.args_decl.clone());
    for d in declarations.into_iter().chain(argument_declarations) {
        out.push_str("export ");
        out.push_str(d.trim());
        out.push_str("\n\n");
    }
    out.push_str("/** Every command: its arguments and what it resolves to (it rejects with a CommandError). */\n");
    out.push_str("export type Commands = {\n");
    for Signature { name, args, result, .. } in &signatures {
        out.push_str(&format!("  {name}: {{ args: {args}; result: {result} }};\n"));
    }
    out.push_str("};\n\nexport type CommandName = keyof Commands;\n\n");
    out.push_str("/** Events the app sends to its windows. */\n");
    out.push_str("export const EVENTS = {\n");
    out.push_str(&format!("  changed: {:?},\n", events::CHANGED));
    out.push_str(&format!("  trayGone: {:?},\n", events::TRAY_GONE));
    out.push_str(&format!("  intent: {:?},\n", events::INTENT));
    out.push_str(&format!("  mfaRequest: {:?},\n", events::MFA_REQUEST));
    out.push_str(&format!("  language: {:?},\n", events::LANGUAGE));
    out.push_str("} as const;\n");
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
        // The first line that differs says which type or command drifted.
        let first_difference = committed
            .lines()
            .zip(expected.lines())
            .position(|(c, e)| c != e)
            .map(|i| {
                let line = |text: &str| text.lines().nth(i).unwrap_or("").to_string();
                format!(
                    "line {}:\n  committed: {}\n  from Rust: {}\n",
                    i + 1,
                    line(&committed),
                    line(&expected)
                )
            })
            .unwrap_or_default();
        assert!(
            committed == expected,
            "{PATH} is out of date with the Rust types: {first_difference}run\n  ROLEBAR_UPDATE_BINDINGS=1 cargo test -p rolebar-tray --lib bindings\nand commit the result"
        );
    }

    #[test]
    fn every_command_has_a_signature() {
        let names: Vec<&str> = signatures(&Config::new()).iter().map(|s| s.name).collect();
        assert_eq!(
            names, COMMANDS,
            "the command table and command_names.rs list the same commands, in order"
        );
    }
}

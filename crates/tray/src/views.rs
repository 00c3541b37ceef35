//! What the windows and the tray show, as plain data with no secret in it: profiles read from the
//! AWS files, sessions and stored keys read from the non-secret session index. Each type is also
//! a TypeScript type (ts-rs, see `bindings.rs`), so the UI and Rust cannot drift apart.

use crate::error::CommandError;
use crate::tray_host::TrayHint;
use rolebar_core::keystore::index::KeyRecord;
use rolebar_core::mfa::{MfaReason, MfaRequest};
use rolebar_core::outputs::{ExportFormat, Placement, WriteReport};
use rolebar_core::profile::{
    AwsPaths, CredentialSource, KeySource, ProfileSet, ResolvedProfile, SsoSessionConfig, WrittenSection,
};
use rolebar_core::rotation::KeySettings;
use rolebar_core::session::cache::CachedSessionInfo;
use rolebar_core::session::vault::Vault;
use rolebar_core::session::SessionKind;
use rolebar_core::HasCode;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use time::OffsetDateTime;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ProfileKind {
    /// Long-term keys used as they are (GetSessionToken without MFA).
    Keys,
    /// Long-term keys and an `mfa_serial`: GetSessionToken with MFA.
    SessionToken,
    /// `role_arn`: AssumeRole.
    Role,
    /// An IAM Identity Center role (`sso_account_id` + `sso_role_name`): GetRoleCredentials.
    Sso,
    /// Web identity, credential_source, an SSO sign-in without a role…: listed, not served.
    Unsupported,
    /// The profile's settings are wrong (a missing source_profile, a cycle, a bad value).
    Invalid,
    /// A credentials-file section Rolebar wrote (`manager = rolebar`): a session's temporary
    /// credentials, shown with where they came from and taken back with `log_out`; never assumed.
    Written,
}

/// Where the long-term keys at the root of a profile's chain are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum KeysAt {
    Keyring,
    /// Written in the credentials (or config) file.
    File,
    Missing,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProfileView {
    pub name: String,
    pub kind: ProfileKind,
    pub role_arn: Option<String>,
    /// The MFA device a request for this profile may ask a code for.
    pub mfa_serial: Option<String>,
    pub region: Option<String>,
    /// A role's `source_profile`.
    pub source_profile: Option<String>,
    /// The profile whose long-term keys sign the first STS call of the chain.
    pub key_profile: Option<String>,
    pub keys: Option<KeysAt>,
    /// Why the profile cannot be used (kinds `unsupported` and `invalid`).
    pub problem: Option<CommandError>,
    /// What Rolebar wrote there (kind `written`).
    pub written: Option<WrittenView>,
    /// The IAM Identity Center sign-in it uses (kind `sso`): the sso-session's name, or the
    /// legacy form's start URL.
    pub sso_session: Option<String>,
}

/// A credentials-file section Rolebar wrote, as the file says now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WrittenView {
    /// The profile whose session it holds (absent in sections written before Rolebar said).
    pub source_profile: Option<String>,
    /// RFC 3339; `null` when the section does not say.
    #[serde(with = "time::serde::rfc3339::option")]
    #[ts(type = "string | null")]
    pub expires_at: Option<OffsetDateTime>,
}

impl WrittenView {
    pub fn new(written: WrittenSection) -> Self {
        WrittenView {
            source_profile: written.source_profile,
            expires_at: written.expires_at,
        }
    }

    /// Time left at `now`: `None` when the end is unknown, zero once expired.
    pub fn time_left(&self, now: OffsetDateTime) -> Option<time::Duration> {
        self.expires_at.map(|at| (at - now).max(time::Duration::ZERO))
    }
}

impl ProfileView {
    /// A profile with only its name and kind known; the rest is filled in as it is resolved.
    pub fn bare(name: &str, kind: ProfileKind) -> Self {
        Self {
            name: name.to_string(),
            kind,
            role_arn: None,
            mfa_serial: None,
            region: None,
            source_profile: None,
            key_profile: None,
            keys: None,
            problem: None,
            written: None,
            sso_session: None,
        }
    }

    /// Whether this profile keeps long-term keys of its own (the ones `add_keys` manages).
    pub fn holds_keys(&self) -> bool {
        matches!(self.kind, ProfileKind::Keys | ProfileKind::SessionToken)
            && self.key_profile.as_deref() == Some(self.name.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum SessionKindView {
    AssumeRole,
    GetSessionToken,
    SsoRole,
}

impl From<SessionKind> for SessionKindView {
    fn from(kind: SessionKind) -> Self {
        match kind {
            SessionKind::AssumeRole => SessionKindView::AssumeRole,
            SessionKind::GetSessionToken => SessionKindView::GetSessionToken,
            SessionKind::SsoRole => SessionKindView::SsoRole,
            // Never cached, so never listed; the closest kind until the window shows its own.
            SessionKind::CredentialProcess => SessionKindView::GetSessionToken,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    /// The session's cache entry name (`session:AssumeRole:dev`): names it, grants nothing.
    pub id: String,
    /// The role profile (AssumeRole) or the key-holding profile (GetSessionToken).
    pub profile: String,
    pub kind: SessionKindView,
    /// RFC 3339.
    #[serde(with = "time::serde::rfc3339")]
    #[ts(type = "string")]
    pub expires_at: OffsetDateTime,
    pub mfa_serial: Option<String>,
    pub role_arn: Option<String>,
    /// Credentials-file profiles Rolebar (the app or the CLI) wrote the session to, as the file
    /// says now.
    pub written_to: Vec<String>,
}

impl SessionView {
    pub fn time_left(&self, now: OffsetDateTime) -> time::Duration {
        (self.expires_at - now).max(time::Duration::ZERO)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct KeyView {
    pub profile: String,
    /// `****MPLE`: enough to tell keys apart, not to use one.
    pub masked_key_id: String,
    #[serde(with = "time::serde::rfc3339")]
    #[ts(type = "string")]
    pub added_at: OffsetDateTime,
    /// "key created 2026-08-01 (121 days)" (IAM's date when known, else when it was added).
    pub age: String,
    /// Older than settings.json's `keys.rotate_after` (90 days unless set).
    pub rotate_due: bool,
}

/// Fills each key's age and whether it is due a rotation (settings.json's `keys.rotate_after`
/// in `rotation`, 90 days unless set).
pub fn with_key_ages(keys: &mut [KeyView], vault: &Vault, rotation: KeySettings, now: OffsetDateTime) {
    let ages = vault.keys().ages();
    for key in keys {
        if let Some(age) = ages.iter().find(|a| a.profile == key.profile) {
            key.age = age.describe(now);
            key.rotate_due = rotation.due(age, now);
        }
    }
}

/// A key rotated: which went, which came (masked), and what to know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RotationView {
    pub profile: String,
    pub old_key: String,
    pub new_key: String,
    pub notes: Vec<String>,
}

/// The export formats the UI offers (a subset of the AWS CLI's `--format` names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub enum ExportChoice {
    /// `export NAME=…` for bash and zsh.
    #[serde(rename = "env")]
    Env,
    #[serde(rename = "fish")]
    Fish,
    #[serde(rename = "powershell")]
    PowerShell,
    #[serde(rename = "windows-cmd")]
    WindowsCmd,
}

impl ExportChoice {
    pub const ALL: [ExportChoice; 4] = [
        ExportChoice::Env,
        ExportChoice::Fish,
        ExportChoice::PowerShell,
        ExportChoice::WindowsCmd,
    ];

    pub fn format(self) -> ExportFormat {
        match self {
            ExportChoice::Env => ExportFormat::Env,
            ExportChoice::Fish => ExportFormat::Fish,
            ExportChoice::PowerShell => ExportFormat::PowerShell,
            ExportChoice::WindowsCmd => ExportFormat::WindowsCmd,
        }
    }

    /// The user's shell decides the tray's "Copy env exports" format.
    pub fn for_shell(shell: &str) -> ExportChoice {
        match ExportFormat::from_shell(shell) {
            ExportFormat::Fish => ExportChoice::Fish,
            ExportFormat::PowerShell => ExportChoice::PowerShell,
            _ => ExportChoice::Env,
        }
    }

    pub fn from_env() -> ExportChoice {
        ExportChoice::for_shell(&std::env::var("SHELL").unwrap_or_default())
    }
}

/// Everything the main window lists, in one call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Overview {
    pub profiles: Vec<ProfileView>,
    /// Live sessions (more than zero time left), soonest to expire first.
    pub sessions: Vec<SessionView>,
    pub keys: Vec<KeyView>,
    /// Profiles whose long-term keys can be stored: those holding keys in the config, then
    /// any other name that has keys in the keyring.
    pub key_profiles: Vec<String>,
    /// Profiles pinned as favourites (settings.json), in the order pinned.
    pub favourites: Vec<String>,
    /// The profiles assumed last, newest first (the window lists them after the live ones).
    pub recent: Vec<String>,
    pub config_path: String,
    pub credentials_path: String,
    /// The same two paths with the home folder shown as `~`, for the header (the full ones go in
    /// its tooltip).
    pub config_path_short: String,
    pub credentials_path_short: String,
    /// The AWS files could not be read: `profiles` is empty and this says why.
    pub load_error: Option<CommandError>,
    pub default_export_format: ExportChoice,
    pub expiry: ExpiryView,
    /// The IAM Identity Center sign-ins the profiles use.
    pub sign_ins: Vec<SignInView>,
    /// Why the credentials agent is off (it could not start), for a notice; `null` when it runs.
    pub agent_off: Option<AgentOffView>,
    /// Whether the desktop shows the tray icon (`tray_host`). Without, the window says how to
    /// get it (`tray_hint`) and offers Quit, which is otherwise in the tray's menu.
    pub tray_host: bool,
    pub tray_hint: TrayHint,
    /// aws-vault's keys found while Rolebar's keyring holds none (`import_offer`): the window
    /// offers to import them. `null` otherwise.
    pub aws_vault_offer: Option<AwsVaultOfferView>,
}

/// aws-vault's keys, found without reading a secret: the profiles are the names of its items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AwsVaultOfferView {
    /// The profiles aws-vault holds long-term keys for (not its cached sessions or tokens).
    pub profiles: Vec<String>,
    /// Where they are: aws-vault's Secret Service collection, its `file` backend folder.
    pub places: Vec<String>,
    /// Key files were found: the import needs aws-vault's passphrase (they are encrypted).
    pub needs_passphrase: bool,
    /// aws-vault's Secret Service collection is locked: its keys may not all be listed, and the
    /// import will ask to unlock it (the window says so).
    pub keyring_locked: bool,
}

/// What became of one aws-vault item in an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum AwsVaultOutcomeView {
    Imported,
    /// Rolebar holds this very key already.
    AlreadyThere,
    /// Rolebar holds another key for the profile (`detail`: its masked id); kept.
    KeptOther,
    /// Another aws-vault backend's key for the profile came first.
    Duplicate,
    /// Not keys, or unusable (`detail` says why).
    Skipped,
}

/// One line of an import's report: at most a masked key id, never a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AwsVaultImportLine {
    pub profile: String,
    pub backend: String,
    pub masked_key_id: Option<String>,
    pub outcome: AwsVaultOutcomeView,
    pub detail: Option<String>,
}

/// What `import_aws_vault` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AwsVaultImportReport {
    pub imported: u32,
    pub lines: Vec<AwsVaultImportLine>,
}

/// Why the credentials agent did not start: the tray's menu shows it as a disabled line, the
/// main window as a notice (not only the log: tools then quietly ask in the terminal instead).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AgentOffView {
    /// The socket's folder, when another user made it first (`agent_dir_taken`, e.g.
    /// `/tmp/rolebar-1000` without `XDG_RUNTIME_DIR`): the menu names it.
    pub taken_folder: Option<String>,
    /// The problem and what to do.
    pub error: CommandError,
}

impl AgentOffView {
    pub fn new(error: &rolebar_core::agent::AgentError) -> Self {
        let taken_folder = match error {
            rolebar_core::agent::AgentError::DirTaken { path, .. } => Some(path.display().to_string()),
            _ => None,
        };
        AgentOffView {
            taken_folder,
            error: CommandError {
                code: error.code().to_string(),
                message: error.to_string(),
            },
        }
    }
}

/// The expiry warning settings in force: read from `settings.json` at start, and changed from
/// the main window (`set_warn_before`, `set_auto_refresh`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExpiryView {
    /// How long before a session's end a warning goes out, longest first (`["10m", "2m"]`);
    /// one more goes out at the end.
    pub warn_before: Vec<String>,
    /// Profiles renewed before their end (and rewritten where Rolebar wrote them) when that
    /// needs no MFA code.
    pub auto_refresh: Vec<String>,
    /// Sessions this close to their end show as expiring: the longest threshold, in seconds.
    pub expiring_within_seconds: u32,
    /// The settings file (`null` without a config folder).
    pub settings_path: Option<String>,
    /// The same with the home folder shown as `~`, for the one-line summary.
    pub settings_path_short: Option<String>,
    /// Why the settings file was not used (the defaults apply meanwhile).
    pub problem: Option<CommandError>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum PlacementView {
    Replaced,
    Appended,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WriteResult {
    pub profile: String,
    /// The file written, symbolic links followed.
    pub path: String,
    pub placement: PlacementView,
    pub created_file: bool,
    pub replaced_long_term_keys: bool,
    pub removed_expired: Vec<String>,
    /// Other sections with the same name (the AWS CLI refuses such a file): tell the user.
    pub duplicate_lines: Vec<u32>,
    /// The file's previous mode when it was tightened to 0600.
    pub mode_tightened_from: Option<u32>,
}

impl WriteResult {
    pub fn new(profile: &str, report: WriteReport) -> Self {
        WriteResult {
            profile: profile.to_string(),
            path: report.path.display().to_string(),
            placement: match report.placement {
                Placement::Replaced { .. } => PlacementView::Replaced,
                Placement::Appended => PlacementView::Appended,
            },
            created_file: report.created_file,
            replaced_long_term_keys: report.replaced_long_term_keys,
            removed_expired: report.removed_expired,
            duplicate_lines: report
                .duplicate_lines
                .into_iter()
                .map(|l| u32::try_from(l).unwrap_or(u32::MAX))
                .collect(),
            mode_tightened_from: report.mode_tightened_from,
        }
    }
}

/// What "Copy exports" did: the text itself stays in Rust and the clipboard.
/// "Open AWS console" done: the browser has the sign-in URL (which never comes here).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConsoleReport {
    pub profile: String,
    /// What to know about the console session (e.g. "signs in for at most 1 hour").
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CopyReport {
    pub profile: String,
    pub format: ExportChoice,
    /// How many variables the copied text sets.
    pub variables: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LogOutReport {
    pub profile: String,
    pub sessions_cleared: u32,
    /// Credentials-file sections this app had written for the profile and removed.
    pub sections_removed: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// Start Rolebar when the user logs in (off by default).
    pub autostart: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum MfaReasonView {
    NoSession,
    SessionExpired,
    DifferentDevice,
    SourceWithoutMfa,
    Rejected,
}

/// What the MFA dialog shows: one request for one code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MfaRequestView {
    /// Answers name the request they answer, so a late answer never feeds a newer request.
    pub id: u32,
    /// The profile the user asked for.
    pub profile: String,
    /// The profile whose session the code makes: the source profile when a role uses the same
    /// device as its source (one GetSessionToken code then serves every such role).
    pub code_for: String,
    pub mfa_serial: String,
    pub reason: MfaReasonView,
    /// The reason in words ("AWS rejected the last code").
    pub reason_text: String,
    /// 1 for the first ask, 2 after one rejection, …
    pub attempt: u32,
    /// The program asking through the agent (`aws sts get-caller-identity (pid 4242) via rolebar
    /// credential-process oppara-dev`); none when the user asked in the app.
    pub requester: Option<String>,
    /// Set when the dialog asks for approval, not a code (`approval_gate`): Allow once / Always
    /// for this program / Deny. The code's fields are then unused.
    pub approval: Option<ApprovalAskView>,
}

impl MfaRequestView {
    pub fn new(id: u32, asked: &str, request: &MfaRequest) -> Self {
        MfaRequestView {
            id,
            profile: asked.to_string(),
            code_for: request.profile.clone(),
            mfa_serial: request.mfa_serial.clone(),
            reason: match request.reason {
                MfaReason::NoSession => MfaReasonView::NoSession,
                MfaReason::SessionExpired => MfaReasonView::SessionExpired,
                MfaReason::DifferentDevice => MfaReasonView::DifferentDevice,
                MfaReason::SourceWithoutMfa => MfaReasonView::SourceWithoutMfa,
                MfaReason::Rejected => MfaReasonView::Rejected,
            },
            reason_text: request.reason.describe().to_string(),
            attempt: request.attempt,
            requester: None,
            approval: None,
        }
    }

    /// The approval question for `profile`, asked by `requester`.
    pub fn approval(id: u32, profile: &str, requester: &str, ask: ApprovalAskView) -> Self {
        MfaRequestView {
            id,
            profile: profile.to_string(),
            code_for: profile.to_string(),
            mfa_serial: String::new(),
            reason: MfaReasonView::NoSession,
            reason_text: String::new(),
            attempt: 1,
            requester: Some(requester.to_string()),
            approval: Some(ask),
        }
    }
}

/// The words of the language in force, for the windows: every message of the catalogue, with
/// `{$name}` where the UI puts a value (ui/src/i18n.ts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MessagesView {
    /// The language shown: `en` or `ja` (also for dates and numbers).
    pub language: String,
    /// What the user chose in the main window: `auto`, `en` or `ja`.
    pub setting: String,
    /// What "Auto" gives on this system.
    pub system: String,
    pub messages: BTreeMap<String, String>,
}

impl MessagesView {
    pub fn new(choice: crate::i18n::LanguageChoice) -> Self {
        let catalog = crate::i18n::Catalog::get(choice.language());
        MessagesView {
            language: catalog.language().code().to_string(),
            setting: choice.setting.code().to_string(),
            system: choice.system.code().to_string(),
            messages: catalog.ui_templates(),
        }
    }
}

/// Something the tray asks the main window to do when it opens it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Intent {
    /// Open the "write to profile" form for this session.
    #[serde(rename_all = "camelCase")]
    Write { session_id: String },
}

/// Profiles, sessions and keys as read right now; the overview and the tray menu both come from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub profiles: Vec<ProfileView>,
    pub load_error: Option<CommandError>,
    pub sessions: Vec<SessionView>,
    /// The IAM Identity Center sign-ins the profiles use, as the token cache says.
    pub sign_ins: Vec<SignInView>,
    pub keys: Vec<KeyView>,
    /// The credentials file, home folder shown as `~` (the tray names it above what Rolebar
    /// wrote there).
    pub credentials_file: String,
    /// The profiles that ask before a program gets their credentials (`new-programs`,
    /// `every-time`, or a setting that cannot be read): the menu marks them.
    pub asks_first: BTreeSet<String>,
}

/// An IAM Identity Center sign-in: what the tray's "Sign in to NAME" and the window show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SignInView {
    /// The sso-session's name, or the legacy form's start URL.
    pub name: String,
    pub start_url: String,
    /// When the access token ends (RFC 3339); `null` when not signed in.
    #[serde(with = "time::serde::rfc3339::option")]
    #[ts(type = "string | null")]
    pub expires_at: Option<OffsetDateTime>,
    /// Rolebar renews it without a browser (a refresh token it may still use).
    pub can_refresh: bool,
    /// The token file cannot be read: why (nothing is replaced until the user signs in).
    pub problem: Option<CommandError>,
    /// The profiles that use it.
    pub profiles: Vec<String>,
}

impl SignInView {
    /// Signed in at `now`: a token with time left, or one Rolebar renews by itself.
    pub fn signed_in(&self, now: OffsetDateTime) -> bool {
        self.problem.is_none() && (self.can_refresh || self.expires_at.is_some_and(|at| at > now))
    }
}

/// A sign-in just made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SignInReport {
    /// RFC 3339.
    #[serde(with = "time::serde::rfc3339")]
    #[ts(type = "string")]
    pub expires_at: OffsetDateTime,
    pub can_refresh: bool,
}

/// `path` with the home folder shown as `~` (`~/.aws/credentials`), so it fits a menu line or a
/// header; other paths as they are.
pub fn tilde_path(path: &std::path::Path, home: Option<&std::path::Path>) -> String {
    match home.and_then(|home| path.strip_prefix(home).ok()) {
        Some(rest) if rest.as_os_str().is_empty() => "~".to_string(),
        Some(rest) => format!("~/{}", rest.display()),
        None => path.display().to_string(),
    }
}

impl Snapshot {
    /// Reads the AWS files and the index (never the keyring: listing unlocks nothing).
    /// `written` maps a session's profile to the credentials-file sections written for it.
    pub fn read(
        paths: &AwsPaths,
        vault: &Vault,
        approvals: &crate::approvals_held::Approvals,
        now: OffsetDateTime,
        written: &BTreeMap<String, BTreeSet<String>>,
    ) -> Snapshot {
        let stored = vault.keys().list();
        let (profiles, load_error, set_for_sign_ins) =
            match ProfileSet::load(paths).map(|set| set.with_keyring_profiles(stored.keys().cloned())) {
                Ok(set) => (profile_views(&set, &stored), None, Some(set)),
                Err(e) => (Vec::new(), Some(CommandError::from(e)), None),
            };
        let asks_first = set_for_sign_ins
            .as_ref()
            .map(|set| crate::approvals_held::asking_first(approvals, set))
            .unwrap_or_default();
        Snapshot {
            asks_first,
            sign_ins: sign_in_views(&set_for_sign_ins, vault),
            profiles,
            load_error,
            sessions: session_views(vault.cache().list(), now, written),
            credentials_file: tilde_path(&paths.credentials, dirs::home_dir().as_deref()),
            // Ages are for the window only (`with_key_ages`): the tray's menu shows no keys.
            keys: stored
                .into_iter()
                .map(|(profile, record)| KeyView {
                    profile,
                    masked_key_id: record.masked_key_id,
                    added_at: record.added_at,
                    age: String::new(),
                    rotate_due: false,
                })
                .collect(),
        }
    }

    pub fn overview(self, paths: &AwsPaths, default_export_format: ExportChoice, expiry: ExpiryView) -> Overview {
        let home = dirs::home_dir();
        let mut key_profiles: Vec<String> = self
            .profiles
            .iter()
            .filter(|p| p.holds_keys())
            .map(|p| p.name.clone())
            .collect();
        for k in &self.keys {
            if !key_profiles.contains(&k.profile) {
                key_profiles.push(k.profile.clone());
            }
        }
        Overview {
            profiles: self.profiles,
            sessions: self.sessions,
            keys: self.keys,
            key_profiles,
            favourites: Vec::new(),
            recent: Vec::new(),
            config_path: paths.config.display().to_string(),
            credentials_path: paths.credentials.display().to_string(),
            config_path_short: tilde_path(&paths.config, home.as_deref()),
            credentials_path_short: self.credentials_file,
            load_error: self.load_error,
            default_export_format,
            expiry,
            sign_ins: self.sign_ins,
            agent_off: None,
            tray_host: true,
            tray_hint: TrayHint::Other,
            aws_vault_offer: None,
        }
    }
}

/// The sign-ins of the config: each `[sso-session]` (also one no profile uses yet: the account
/// browser adds the first), then the legacy ones the profiles name, with the profiles using each
/// and what the token cache says of it (no network).
pub fn sign_in_views(set: &Option<ProfileSet>, vault: &Vault) -> Vec<SignInView> {
    let (Some(set), Ok(access)) = (set, vault.sso_access()) else {
        return Vec::new();
    };
    let mut views: Vec<(SsoSessionConfig, SignInView)> = Vec::new();
    let mut add = |session: &SsoSessionConfig, profile: Option<&str>| {
        let view = match views.iter_mut().find(|(s, _)| s == session) {
            Some((_, view)) => view,
            None => {
                let mut view = SignInView {
                    name: session.display_name().to_string(),
                    start_url: session.start_url.clone(),
                    expires_at: None,
                    can_refresh: false,
                    problem: None,
                    profiles: Vec::new(),
                };
                match access.sso.state(session) {
                    Ok(Some(state)) => {
                        view.expires_at = Some(state.expires_at);
                        view.can_refresh = state.can_refresh;
                    }
                    Ok(None) => {}
                    Err(e) => view.problem = Some(e.into()),
                }
                views.push((session.clone(), view));
                &mut views.last_mut().expect("just pushed").1
            }
        };
        view.profiles.extend(profile.map(str::to_string));
    };
    for name in set.sso_session_names() {
        if let Ok(Some(session)) = set.sso_session(name) {
            add(&session, None);
        }
    }
    // Only profiles with SSO settings are resolved (the tray reads this at every redraw).
    let has = |name: &str, key: &str| set.setting(name, key).is_ok_and(|s| s.is_some());
    for name in set
        .names()
        .filter(|name| has(name, "sso_session") || has(name, "sso_start_url"))
    {
        let Ok(resolved) = set.resolve(name) else { continue };
        if let CredentialSource::Sso(role) = &resolved.source {
            add(&role.session, Some(name));
        }
    }
    views.into_iter().map(|(_, view)| view).collect()
}

/// Every profile of the files, in file order (then those only in the keyring), each resolved on
/// its own so one broken profile does not hide the others.
pub fn profile_views(set: &ProfileSet, stored: &BTreeMap<String, KeyRecord>) -> Vec<ProfileView> {
    set.names()
        .map(|name| match set.written_section(name) {
            // Resolving it is refused (it holds no long-term keys): say what it is instead.
            Some(written) => ProfileView {
                written: Some(WrittenView::new(written)),
                ..ProfileView::bare(name, ProfileKind::Written)
            },
            None => profile_view(name, set.resolve(name), stored),
        })
        .collect()
}

fn profile_view(
    name: &str,
    resolved: rolebar_core::Result<ResolvedProfile>,
    stored: &BTreeMap<String, KeyRecord>,
) -> ProfileView {
    let mut view = ProfileView::bare(name, ProfileKind::Invalid);
    let profile = match resolved {
        Ok(p) => p,
        Err(e) => {
            view.problem = Some(e.into());
            return view;
        }
    };
    view.region = profile.region.clone();
    view.mfa_serial = profile.mfa_serial().map(str::to_string);
    view.role_arn = profile.role_arn().map(str::to_string);
    let keys = root_keys(&profile);
    view.key_profile = keys.map(|k| k.profile.clone());
    view.keys = keys.map(|k| keys_at(k, stored));
    view.kind = match &profile.source {
        // A credential_process profile is served like one with keys (its keyring keys win).
        CredentialSource::Keys(_) | CredentialSource::Process(_) => ProfileKind::Keys,
        CredentialSource::SessionToken { .. } => ProfileKind::SessionToken,
        CredentialSource::Role(role) => {
            view.source_profile = Some(role.source.name.clone());
            ProfileKind::Role
        }
        CredentialSource::Sso(role) => {
            view.role_arn = Some(role.role_arn());
            view.sso_session = Some(role.session.display_name().to_string());
            ProfileKind::Sso
        }
        CredentialSource::Unsupported { what, reason } => {
            view.problem = Some(CommandError::new("unsupported_profile", format!("{what}: {reason}")));
            ProfileKind::Unsupported
        }
    };
    view
}

/// The key source at the root of a profile's chain.
fn root_keys(profile: &ResolvedProfile) -> Option<&KeySource> {
    match &profile.source {
        CredentialSource::Keys(k) | CredentialSource::SessionToken { keys: k, .. } => Some(k),
        CredentialSource::Process(p) => Some(&p.keys),
        CredentialSource::Role(role) => root_keys(&role.source),
        CredentialSource::Sso(_) | CredentialSource::Unsupported { .. } => None,
    }
}

/// The vault prefers the keyring over the files; so does this answer.
fn keys_at(keys: &KeySource, stored: &BTreeMap<String, KeyRecord>) -> KeysAt {
    if stored.contains_key(&keys.profile) {
        KeysAt::Keyring
    } else if keys.file_keys.is_some() {
        KeysAt::File
    } else {
        KeysAt::Missing
    }
}

/// Sessions with time left, soonest to expire first (the index's order).
pub fn session_views(
    cached: Vec<CachedSessionInfo>,
    now: OffsetDateTime,
    written: &BTreeMap<String, BTreeSet<String>>,
) -> Vec<SessionView> {
    cached
        .into_iter()
        .filter(|s| s.record.expires_at > now)
        .map(|s| SessionView {
            written_to: written
                .get(&s.record.profile)
                .map(|w| w.iter().cloned().collect())
                .unwrap_or_default(),
            id: s.entry,
            profile: s.record.profile,
            kind: s.record.kind.into(),
            expires_at: s.record.expires_at,
            mfa_serial: s.record.mfa_serial,
            role_arn: s.record.role_arn,
        })
        .collect()
}

/// The sign-ins the schedule watches: those that can be read (`watched::sign_in_refs`).
pub fn sign_in_refs(sign_ins: &[SignInView]) -> Vec<rolebar_core::schedule::SessionRef> {
    rolebar_core::schedule::watched::sign_in_refs(
        sign_ins
            .iter()
            .filter(|s| s.problem.is_none())
            .filter_map(|s| Some((s.name.as_str(), s.expires_at?))),
    )
}

/// The approval question in the dialog (`MfaRequestView::approval`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalAskView {
    /// The program as approvals know it (`/usr/bin/python3.11 /usr/bin/aws`); none when it
    /// cannot be identified (then it cannot be remembered).
    pub program: Option<String>,
    /// `new-programs` or `every-time`.
    pub policy: String,
    /// Whether "Always for this program" is offered (`new-programs`, an identified program).
    pub offer_always: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const CONFIG: &str = "\
[profile oppara]
region = eu-west-1
mfa_serial = arn:aws:iam::111111111111:mfa/oppara

[profile oppara-dev]
role_arn = arn:aws:iam::222222222222:role/developer
source_profile = oppara
mfa_serial = arn:aws:iam::111111111111:mfa/oppara

[profile corp-sso]
sso_session = corp

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1

[profile corp-admin]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = AdministratorAccess

[profile broken]
role_arn = arn:aws:iam::222222222222:role/x
source_profile = nowhere
";

    fn set() -> ProfileSet {
        ProfileSet::parse(Path::new("config"), CONFIG, Path::new("credentials"), "").expect("parses")
    }

    #[test]
    fn every_profile_is_listed_with_what_it_is() {
        let views = profile_views(&set(), &BTreeMap::new());
        let kinds: Vec<_> = views.iter().map(|v| (v.name.as_str(), v.kind)).collect();
        assert_eq!(
            kinds,
            [
                ("oppara", ProfileKind::SessionToken),
                ("oppara-dev", ProfileKind::Role),
                ("corp-sso", ProfileKind::Unsupported),
                ("corp-admin", ProfileKind::Sso),
                ("broken", ProfileKind::Invalid),
            ]
        );
        let sso = &views[3];
        assert_eq!(sso.sso_session.as_deref(), Some("corp"));
        assert_eq!(
            sso.role_arn.as_deref(),
            Some("arn:aws:iam::111111111111:role/AdministratorAccess")
        );
        assert_eq!(sso.keys, None, "no keys to store for an SSO role");
        let dev = &views[1];
        assert_eq!(dev.source_profile.as_deref(), Some("oppara"));
        assert_eq!(dev.key_profile.as_deref(), Some("oppara"));
        assert_eq!(dev.keys, Some(KeysAt::Missing));
        assert_eq!(dev.region.as_deref(), None, "no region of its own and no [default]");
        assert_eq!(views[0].region.as_deref(), Some("eu-west-1"));
        assert!(views[0].holds_keys() && !dev.holds_keys());
        assert_eq!(
            views[2].problem.as_ref().map(|p| p.code.as_str()),
            Some("unsupported_profile")
        );
        assert_eq!(
            views[4].problem.as_ref().map(|p| p.code.as_str()),
            Some("profile_reference_not_found")
        );
    }

    #[test]
    fn stored_keys_win_over_missing_ones() {
        let mut stored = BTreeMap::new();
        stored.insert(
            "oppara".to_string(),
            KeyRecord {
                masked_key_id: "****MPLE".into(),
                added_at: OffsetDateTime::UNIX_EPOCH,
            },
        );
        let views = profile_views(&set(), &stored);
        assert_eq!(views[1].keys, Some(KeysAt::Keyring));
    }

    #[test]
    fn paths_under_home_are_shown_from_tilde_and_others_whole() {
        let home = Path::new("/home/mika");
        assert_eq!(
            tilde_path(Path::new("/home/mika/.aws/credentials"), Some(home)),
            "~/.aws/credentials"
        );
        assert_eq!(tilde_path(Path::new("/home/mika"), Some(home)), "~");
        // A sibling whose name only starts like home is not under it.
        assert_eq!(
            tilde_path(Path::new("/home/mikael/config"), Some(home)),
            "/home/mikael/config"
        );
        assert_eq!(tilde_path(Path::new("/tmp/x/config"), Some(home)), "/tmp/x/config");
        assert_eq!(tilde_path(Path::new("/tmp/x/config"), None), "/tmp/x/config");
    }

    #[test]
    fn export_choices_serialise_as_the_cli_names() {
        let names: Vec<String> = ExportChoice::ALL
            .iter()
            .map(|c| {
                serde_json::to_value(c)
                    .expect("json")
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            })
            .collect();
        assert_eq!(names, ["env", "fish", "powershell", "windows-cmd"]);
        for c in ExportChoice::ALL {
            assert_eq!(c.format().name(), serde_json::to_value(c).expect("json"));
        }
        assert_eq!(ExportChoice::for_shell("/usr/bin/fish"), ExportChoice::Fish);
        assert_eq!(ExportChoice::for_shell("/bin/bash"), ExportChoice::Env);
    }
}

// Generated from the Rust types by crates/tray/src/bindings.rs (ts-rs). Do not edit:
// ROLEBAR_UPDATE_BINDINGS=1 cargo test -p rolebar-tray --lib bindings

/** Every code a CommandError carries: rolebar-core's `ErrorCode` and the app's own. */
export type ErrorCode =
  | "access_denied"
  | "agent_already_running"
  | "agent_bad_reply"
  | "agent_bad_request"
  | "agent_busy"
  | "agent_denied"
  | "agent_dir_taken"
  | "agent_peer_refused"
  | "agent_socket_unsafe"
  | "agent_timeout"
  | "agent_timeout_setting"
  | "agent_unavailable"
  | "agent_version"
  | "approval_required"
  | "approvals_corrupt"
  | "autostart_failed"
  | "aws_vault_passphrase"
  | "aws_vault_unreadable"
  | "browser_failed"
  | "clipboard_unavailable"
  | "config_syntax"
  | "console_duration_invalid"
  | "console_region_invalid"
  | "corrupt_cache_entry"
  | "credential_process_bad_reply"
  | "credential_process_failed"
  | "credential_process_loop"
  | "credential_process_timeout"
  | "credential_process_unavailable"
  | "credentials_io"
  | "credentials_not_utf8"
  | "endpoint_failed"
  | "expired_token"
  | "expiry_state_corrupt"
  | "expiry_state_write"
  | "file_hard_linked"
  | "file_io"
  | "file_read_only"
  | "file_too_large"
  | "frame_too_large"
  | "hotkey_failed"
  | "iam_access_denied"
  | "iam_error"
  | "iam_unreachable"
  | "incomplete_reply"
  | "index_write"
  | "invalid_client_token_id"
  | "invalid_expiry_setting"
  | "invalid_input"
  | "invalid_keys_setting"
  | "invalid_language_setting"
  | "invalid_profile_name"
  | "invalid_setting"
  | "invalid_threshold"
  | "ipc_failed"
  | "json"
  | "keyring_failed"
  | "keyring_locked"
  | "keyring_prompt_dismissed"
  | "keyring_timeout"
  | "keyring_unavailable"
  | "long_term_keys_in_target"
  | "malformed_reply"
  | "mfa_cancelled"
  | "mfa_code_format"
  | "mfa_dialog_lost"
  | "mfa_rejected"
  | "mfa_required"
  | "mfa_source_failed"
  | "mfa_source_no_code"
  | "mfa_source_timeout"
  | "mfa_source_unavailable"
  | "nested_exec"
  | "no_config_dir"
  | "no_home"
  | "no_keys"
  | "not_a_regular_file"
  | "profile_cycle"
  | "profile_exists"
  | "profile_not_found"
  | "profile_reference_not_found"
  | "read_failed"
  | "region_disabled"
  | "rotate_aborted"
  | "rotate_key_not_found"
  | "rotate_new_key_left"
  | "rotate_not_keyring_keys"
  | "rotate_old_key_left"
  | "rotate_outcome_unknown"
  | "rotate_two_keys"
  | "section_changed"
  | "section_not_found"
  | "section_not_managed"
  | "section_not_owned"
  | "session_expired"
  | "session_not_found"
  | "session_not_temporary"
  | "settings_not_writable"
  | "settings_read"
  | "settings_syntax"
  | "settings_write"
  | "signature_mismatch"
  | "signin_bad_reply"
  | "signin_endpoint_invalid"
  | "signin_refused"
  | "signin_timeout"
  | "signin_unreachable"
  | "sso_bad_reply"
  | "sso_cache_corrupt"
  | "sso_device_code_expired"
  | "sso_endpoint_invalid"
  | "sso_loopback_failed"
  | "sso_random_failed"
  | "sso_refused"
  | "sso_role_denied"
  | "sso_sign_in_declined"
  | "sso_sign_in_rejected"
  | "sso_sign_in_required"
  | "sso_sign_in_timeout"
  | "sso_state_mismatch"
  | "sso_timeout"
  | "sso_token_rejected"
  | "sso_unreachable"
  | "stale_mfa_request"
  | "sts_error"
  | "symlink_loop"
  | "target_is_configured_profile"
  | "throttled"
  | "time_format"
  | "timeout"
  | "unexportable_value"
  | "unknown_export_format"
  | "unreachable"
  | "unsupported_profile"
  | "unwritable_value"
  | "window_failed"
  | "written_by_rolebar"
;

export type CommandError = { 
/**
 * rolebar-core's `Error::code()` / `OutputError::code()`, or one of the app's own codes
 * listed in [`codes`]: in TypeScript the union of them all (`ErrorCode`, see `all_codes`).
 */
code: ErrorCode, message: string, };

export type ProfileKind = "keys" | "sessionToken" | "role" | "sso" | "unsupported" | "invalid" | "written";

export type KeysAt = "keyring" | "file" | "missing";

export type WrittenView = { 
/**
 * The profile whose session it holds (absent in sections written before Rolebar said).
 */
sourceProfile: string | null, 
/**
 * RFC 3339; `null` when the section does not say.
 */
expiresAt: string | null, };

export type ProfileView = { name: string, kind: ProfileKind, roleArn: string | null, 
/**
 * The MFA device a request for this profile may ask a code for.
 */
mfaSerial: string | null, region: string | null, 
/**
 * A role's `source_profile`.
 */
sourceProfile: string | null, 
/**
 * The profile whose long-term keys sign the first STS call of the chain.
 */
keyProfile: string | null, keys: KeysAt | null, 
/**
 * Why the profile cannot be used (kinds `unsupported` and `invalid`).
 */
problem: CommandError | null, 
/**
 * What Rolebar wrote there (kind `written`).
 */
written: WrittenView | null, 
/**
 * The IAM Identity Center sign-in it uses (kind `sso`): the sso-session's name, or the
 * legacy form's start URL.
 */
ssoSession: string | null, };

export type SessionKindView = "assumeRole" | "getSessionToken" | "ssoRole";

export type SessionView = { 
/**
 * The session's cache entry name (`session:AssumeRole:dev`): names it, grants nothing.
 */
id: string, 
/**
 * The role profile (AssumeRole) or the key-holding profile (GetSessionToken).
 */
profile: string, kind: SessionKindView, 
/**
 * RFC 3339.
 */
expiresAt: string, mfaSerial: string | null, roleArn: string | null, 
/**
 * Credentials-file profiles Rolebar (the app or the CLI) wrote the session to, as the file
 * says now.
 */
writtenTo: Array<string>, };

export type KeyView = { profile: string, 
/**
 * `****MPLE`: enough to tell keys apart, not to use one.
 */
maskedKeyId: string, addedAt: string, 
/**
 * "key created 2026-08-01 (121 days)" (IAM's date when known, else when it was added).
 */
age: string, 
/**
 * Older than settings.json's `keys.rotate_after` (90 days unless set).
 */
rotateDue: boolean, };

export type ExportChoice = "env" | "fish" | "powershell" | "windows-cmd";

export type ExpiryView = { 
/**
 * How long before a session's end a warning goes out, longest first (`["10m", "2m"]`);
 * one more goes out at the end.
 */
warnBefore: Array<string>, 
/**
 * Profiles renewed before their end (and rewritten where Rolebar wrote them) when that
 * needs no MFA code.
 */
autoRefresh: Array<string>, 
/**
 * Sessions this close to their end show as expiring: the longest threshold, in seconds.
 */
expiringWithinSeconds: number, 
/**
 * The settings file (`null` without a config folder).
 */
settingsPath: string | null, 
/**
 * The same with the home folder shown as `~`, for the one-line summary.
 */
settingsPathShort: string | null, 
/**
 * Why the settings file was not used (the defaults apply meanwhile).
 */
problem: CommandError | null, };

export type SignInView = { 
/**
 * The sso-session's name, or the legacy form's start URL.
 */
name: string, startUrl: string, 
/**
 * When the access token ends (RFC 3339); `null` when not signed in.
 */
expiresAt: string | null, 
/**
 * Rolebar renews it without a browser (a refresh token it may still use).
 */
canRefresh: boolean, 
/**
 * The token file cannot be read: why (nothing is replaced until the user signs in).
 */
problem: CommandError | null, 
/**
 * The profiles that use it.
 */
profiles: Array<string>, };

export type SignInReport = { 
/**
 * RFC 3339.
 */
expiresAt: string, canRefresh: boolean, };

export type SsoRoleView = { roleName: string, 
/**
 * The profile of `~/.aws/config` that already takes this role with this sign-in, if any.
 */
profile: string | null, 
/**
 * A name for a new profile: `account-name-role-name`, lower case.
 */
suggestedProfile: string, };

export type SsoAccountView = { accountId: string, name: string, email: string, roles: Array<SsoRoleView>, };

export type AgentOffView = { 
/**
 * The socket's folder, when another user made it first (`agent_dir_taken`, e.g.
 * `/tmp/rolebar-1000` without `XDG_RUNTIME_DIR`): the menu names it.
 */
takenFolder: string | null, 
/**
 * The problem and what to do.
 */
error: CommandError, };

export type TrayHint = "gnome" | "other";

export type AwsVaultOfferView = { 
/**
 * The profiles aws-vault holds long-term keys for (not its cached sessions or tokens).
 */
profiles: Array<string>, 
/**
 * Where they are: aws-vault's Secret Service collection, its `file` backend folder.
 */
places: Array<string>, 
/**
 * Key files were found: the import needs aws-vault's passphrase (they are encrypted).
 */
needsPassphrase: boolean, 
/**
 * aws-vault's Secret Service collection is locked: its keys may not all be listed, and the
 * import will ask to unlock it (the window says so).
 */
keyringLocked: boolean, };

export type Overview = { profiles: Array<ProfileView>, 
/**
 * Live sessions (more than zero time left), soonest to expire first.
 */
sessions: Array<SessionView>, keys: Array<KeyView>, 
/**
 * Profiles whose long-term keys can be stored: those holding keys in the config, then
 * any other name that has keys in the keyring.
 */
keyProfiles: Array<string>, 
/**
 * Profiles pinned as favourites (settings.json), in the order pinned.
 */
favourites: Array<string>, 
/**
 * The profiles assumed last, newest first (the window lists them after the live ones).
 */
recent: Array<string>, configPath: string, credentialsPath: string, 
/**
 * The same two paths with the home folder shown as `~`, for the header (the full ones go in
 * its tooltip).
 */
configPathShort: string, credentialsPathShort: string, 
/**
 * The AWS files could not be read: `profiles` is empty and this says why.
 */
loadError: CommandError | null, defaultExportFormat: ExportChoice, expiry: ExpiryView, 
/**
 * The IAM Identity Center sign-ins the profiles use.
 */
signIns: Array<SignInView>, 
/**
 * Why the credentials agent is off (it could not start), for a notice; `null` when it runs.
 */
agentOff: AgentOffView | null, 
/**
 * Whether the desktop shows the tray icon (`tray_host`). Without, the window says how to
 * get it (`tray_hint`) and offers Quit, which is otherwise in the tray's menu.
 */
trayHost: boolean, trayHint: TrayHint, 
/**
 * aws-vault's keys found while Rolebar's keyring holds none (`import_offer`): the window
 * offers to import them. `null` otherwise.
 */
awsVaultOffer: AwsVaultOfferView | null, };

export type AwsVaultOutcomeView = "imported" | "alreadyThere" | "keptOther" | "duplicate" | "skipped";

export type AwsVaultImportLine = { profile: string, backend: string, maskedKeyId: string | null, outcome: AwsVaultOutcomeView, detail: string | null, };

export type AwsVaultImportReport = { imported: number, lines: Array<AwsVaultImportLine>, };

export type PlacementView = "replaced" | "appended";

export type WriteResult = { profile: string, 
/**
 * The file written, symbolic links followed.
 */
path: string, placement: PlacementView, createdFile: boolean, replacedLongTermKeys: boolean, removedExpired: Array<string>, 
/**
 * Other sections with the same name (the AWS CLI refuses such a file): tell the user.
 */
duplicateLines: Array<number>, 
/**
 * The file's previous mode when it was tightened to 0600.
 */
modeTightenedFrom: number | null, };

export type CopyReport = { profile: string, format: ExportChoice, 
/**
 * How many variables the copied text sets.
 */
variables: number, };

export type ConsoleReport = { profile: string, 
/**
 * What to know about the console session (e.g. "signs in for at most 1 hour").
 */
notes: Array<string>, };

export type RotationView = { profile: string, oldKey: string, newKey: string, notes: Array<string>, };

export type LogOutReport = { profile: string, sessionsCleared: number, 
/**
 * Credentials-file sections this app had written for the profile and removed.
 */
sectionsRemoved: Array<string>, };

export type Settings = { 
/**
 * Start Rolebar when the user logs in (off by default).
 */
autostart: boolean, };

export type MfaReasonView = "noSession" | "sessionExpired" | "differentDevice" | "sourceWithoutMfa" | "rejected";

export type MfaRequestView = { 
/**
 * Answers name the request they answer, so a late answer never feeds a newer request.
 */
id: number, 
/**
 * The profile the user asked for.
 */
profile: string, 
/**
 * The profile whose session the code makes: the source profile when a role uses the same
 * device as its source (one GetSessionToken code then serves every such role).
 */
codeFor: string, mfaSerial: string, reason: MfaReasonView, 
/**
 * The reason in words ("AWS rejected the last code").
 */
reasonText: string, 
/**
 * 1 for the first ask, 2 after one rejection, …
 */
attempt: number, 
/**
 * The program asking through the agent (`aws sts get-caller-identity (pid 4242) via rolebar
 * credential-process oppara-dev`); none when the user asked in the app.
 */
requester: string | null, 
/**
 * Set when the dialog asks for approval, not a code (`approval_gate`): Allow once / Always
 * for this program / Deny. The code's fields are then unused.
 */
approval: ApprovalAskView | null, };

export type ApprovalAskView = { 
/**
 * The program as approvals know it (`/usr/bin/python3.11 /usr/bin/aws`); none when it
 * cannot be identified (then it cannot be remembered).
 */
program: string | null, 
/**
 * `new-programs` or `every-time`.
 */
policy: string, 
/**
 * Whether "Always for this program" is offered (`new-programs`, an identified program).
 */
offerAlways: boolean, };

export type ApprovalsView = { profiles: Array<ProfileApprovalsView>, 
/**
 * Why the approvals file cannot be read (then nothing that asks first is served).
 */
problem: string | null, };

export type ProfileApprovalsView = { profile: string, 
/**
 * The policy in force: `never`, `new-programs` or `every-time`.
 */
policy: string, 
/**
 * The window's choice, if made (it wins over the config file's).
 */
chosen: string | null, 
/**
 * `rolebar_approve` in the AWS config file, if written.
 */
configured: string | null, 
/**
 * Where it is written (`/home/u/.aws/config:12`).
 */
configuredAt: string | null, programs: Array<RememberedProgramView>, 
/**
 * Why this profile's setting cannot be read (a bad `rolebar_approve`).
 */
problem: string | null, };

export type RememberedProgramView = { exe: string, script: string | null, 
/**
 * When "Always" was answered (RFC 3339).
 */
since: string, };

export type ProgramRef = { exe: string, script: string | null, };

export type Intent = { "kind": "write", sessionId: string, };

export type MessagesView = { 
/**
 * The language shown: `en` or `ja` (also for dates and numbers).
 */
language: string, 
/**
 * What the user chose in the main window: `auto`, `en` or `ja`.
 */
setting: string, 
/**
 * What "Auto" gives on this system.
 */
system: string, messages: { [key in string]: string }, };

export type HotkeyView = { 
/**
 * The key in force, as the user typed it (`Ctrl+Alt+P`), or none.
 */
hotkey: string | null, 
/**
 * Whether this build can grab a global key at all.
 */
available: boolean, };

export type TextRun = { text: string, matched: boolean, };

export type SwitcherHit = { name: string, kind: ProfileKind, account: string | null, role: string | null, region: string | null, 
/**
 * The name cut into runs, matched or not, for highlighting.
 */
nameRuns: Array<TextRun>, 
/**
 * It has a live session (Enter uses it without a code).
 */
live: boolean, recent: boolean, favourite: boolean, };

export type SwitcherResults = { hits: Array<SwitcherHit>, 
/**
 * How many profiles were searched.
 */
searched: number, };

export type SwitcherChoice = "assume" | "copyExports";

export type ActivityEntryView = { 
/**
 * RFC 3339, UTC.
 */
time: string, profile: string, program: string | null, pid: number | null, 
/**
 * `credential_process`, `exec`, `export`, `write`, `console`, `endpoint`, `agent`.
 */
way: string, 
/**
 * `cached`, `new_session`, `denied`, `failed`.
 */
outcome: string, errorCode: string | null, };

export type ActivityView = { 
/**
 * Newest first, at most the limit asked.
 */
entries: Array<ActivityEntryView>, 
/**
 * How many entries passed the filters (more than `entries` holds when the limit cut).
 */
matched: number, 
/**
 * Every profile in the log, sorted (for the profile filter).
 */
profiles: Array<string>, 
/**
 * Lines that could not be read.
 */
skipped: number, };

export type GetOverviewArgs = Record<symbol, never>;

export type AssumeProfileArgs = { profile: string, };

export type RenewSessionArgs = { profile: string, };

export type LogOutArgs = { profile: string, };

export type CopyExportsArgs = { sessionId: string, format: ExportChoice, };

export type OpenConsoleArgs = { profile: string, };

export type WriteSessionArgs = { sessionId: string, target: string, force: boolean, };

export type AddKeysArgs = { profile: string, accessKeyId: string, 
/**
 * Wiped from this process's copy when the command ends.
 */
secretAccessKey: string, };

export type RemoveKeysArgs = { profile: string, };

export type RotateKeysArgs = { profile: string, };

export type GetSettingsArgs = Record<symbol, never>;

export type SetAutostartArgs = { enabled: boolean, };

export type SetAutoRefreshArgs = { profile: string, enabled: boolean, };

export type SetFavouriteArgs = { profile: string, pinned: boolean, };

export type SetWarnBeforeArgs = { warnBefore: Array<string>, };

export type SetLanguageArgs = { language: string, };

export type GetSwitcherHotkeyArgs = Record<symbol, never>;

export type SetSwitcherHotkeyArgs = { 
/**
 * `Ctrl+Alt+P`; none (or empty) turns the key off.
 */
hotkey: string | null, };

export type SsoSignInArgs = { name: string, };

export type SsoSignOutArgs = { name: string, };

export type SsoAccountsArgs = { name: string, };

export type AddSsoProfileArgs = { 
/**
 * The sign-in (its sso-session's name).
 */
name: string, accountId: string, roleName: string, 
/**
 * The new profile's name.
 */
profile: string, region: string | null, };

export type QuitArgs = Record<symbol, never>;

export type ImportAwsVaultArgs = { 
/**
 * aws-vault's `file` backend passphrase. Wiped from this process's copy when the command ends.
 */
passphrase: string | null, };

export type GetApprovalsArgs = Record<symbol, never>;

export type SetApprovalPolicyArgs = { profile: string, policy: string | null, };

export type RevokeProgramArgs = { profile: string, program: ProgramRef, };

export type GetActivityArgs = { 
/**
 * Only this profile's hand-outs.
 */
profile: string | null, 
/**
 * Only those whose program contains this text (any case).
 */
program: string | null, 
/**
 * At most this many, newest first (default 200, at most 1000).
 */
limit: number | null, };

export type GetMessagesArgs = Record<symbol, never>;

export type WindowReadyArgs = Record<symbol, never>;

export type MfaRequestArgs = Record<symbol, never>;

export type SubmitMfaCodeArgs = { requestId: number, code: string, };

export type CancelMfaArgs = { requestId: number, };

export type AnswerApprovalArgs = { requestId: number, always: boolean, };

export type FitMfaDialogArgs = { height: number, };

export type SearchProfilesArgs = { query: string, };

export type ChooseProfileArgs = { profile: string, choice: SwitcherChoice, };

export type CloseSwitcherArgs = Record<symbol, never>;

export type SwitcherShownArgs = Record<symbol, never>;

/** Every command: its arguments and what it resolves to (it rejects with a CommandError). */
export type Commands = {
  get_overview: { args: GetOverviewArgs; result: Overview };
  assume_profile: { args: AssumeProfileArgs; result: SessionView };
  renew_session: { args: RenewSessionArgs; result: SessionView };
  log_out: { args: LogOutArgs; result: LogOutReport };
  copy_exports: { args: CopyExportsArgs; result: CopyReport };
  open_console: { args: OpenConsoleArgs; result: ConsoleReport };
  write_session: { args: WriteSessionArgs; result: WriteResult };
  add_keys: { args: AddKeysArgs; result: KeyView };
  remove_keys: { args: RemoveKeysArgs; result: boolean };
  rotate_keys: { args: RotateKeysArgs; result: RotationView };
  get_settings: { args: GetSettingsArgs; result: Settings };
  set_autostart: { args: SetAutostartArgs; result: Settings };
  set_auto_refresh: { args: SetAutoRefreshArgs; result: ExpiryView };
  set_favourite: { args: SetFavouriteArgs; result: Array<string> };
  set_warn_before: { args: SetWarnBeforeArgs; result: ExpiryView };
  set_language: { args: SetLanguageArgs; result: MessagesView };
  get_switcher_hotkey: { args: GetSwitcherHotkeyArgs; result: HotkeyView };
  set_switcher_hotkey: { args: SetSwitcherHotkeyArgs; result: HotkeyView };
  sso_sign_in: { args: SsoSignInArgs; result: SignInReport };
  sso_sign_out: { args: SsoSignOutArgs; result: number };
  sso_accounts: { args: SsoAccountsArgs; result: Array<SsoAccountView> };
  add_sso_profile: { args: AddSsoProfileArgs; result: null };
  quit: { args: QuitArgs; result: null };
  import_aws_vault: { args: ImportAwsVaultArgs; result: AwsVaultImportReport };
  get_approvals: { args: GetApprovalsArgs; result: ApprovalsView };
  set_approval_policy: { args: SetApprovalPolicyArgs; result: ApprovalsView };
  revoke_program: { args: RevokeProgramArgs; result: ApprovalsView };
  get_activity: { args: GetActivityArgs; result: ActivityView };
  get_messages: { args: GetMessagesArgs; result: MessagesView };
  window_ready: { args: WindowReadyArgs; result: null };
  mfa_request: { args: MfaRequestArgs; result: MfaRequestView | null };
  submit_mfa_code: { args: SubmitMfaCodeArgs; result: null };
  cancel_mfa: { args: CancelMfaArgs; result: null };
  answer_approval: { args: AnswerApprovalArgs; result: null };
  fit_mfa_dialog: { args: FitMfaDialogArgs; result: number };
  search_profiles: { args: SearchProfilesArgs; result: SwitcherResults };
  choose_profile: { args: ChooseProfileArgs; result: null };
  close_switcher: { args: CloseSwitcherArgs; result: null };
  switcher_shown: { args: SwitcherShownArgs; result: null };
};

export type CommandName = keyof Commands;

/** Events the app sends to its windows. */
export const EVENTS = {
  changed: "rolebar://changed",
  trayGone: "rolebar://tray-gone",
  intent: "rolebar://intent",
  mfaRequest: "rolebar://mfa-request",
  language: "rolebar://language",
} as const;

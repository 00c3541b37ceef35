//! What the app does, shared by the tray and the window commands: each a short adapter over
//! rolebar-core that also keeps the tray and the windows up to date.

use crate::error::{codes, CommandError};
use crate::mfa::{source_options, DialogPrompt, TrayTouch};
use crate::notify;
use crate::shell::Shell;
use crate::state::AppState;
use crate::views::{ConsoleReport, CopyReport, ExportChoice, KeyView, LogOutReport, SessionView, WriteResult};
use rolebar_core::activity::{Outcome, Way};
use rolebar_core::mfa::source::SourcedPrompt;
use rolebar_core::mfa::{MfaPrompt, NoPrompt};
use rolebar_core::outputs::{self, WriteOptions};
use rolebar_core::profile::{ProfileSet, ResolvedProfile};
use rolebar_core::session::cache::CacheKey;
use rolebar_core::HasCode;
use rolebar_core::{Credentials, ErrorCode, Session};
use time::OffsetDateTime;

/// Who asked: failures of tray actions become notifications, the window shows its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Tray,
    Window,
}

/// Gets a session for `profile`: from the cache without a dialog when one serves, else through
/// STS, asking for an MFA code in the dialog when the profile needs one. `renew` drops the
/// profile's cached sessions first, so a new one is made.
pub async fn assume(shell: &Shell, profile: &str, renew: bool, origin: Origin) -> Result<SessionView, CommandError> {
    let state = shell.state();
    state.set_busy(profile, true);
    state.touch();
    let result = assume_with_dialog(shell, profile, renew).await;
    state.set_busy(profile, false);
    match &result {
        Ok(session) => {
            tracing::info!(profile, expires_at = %session.expires_at, "session ready");
            state.set_last_error(None);
            state.record_recent(profile);
        }
        // The user said no: nothing to report.
        Err(e) if e.code == ErrorCode::MfaCancelled.as_str() => {}
        Err(e) => {
            tracing::warn!(profile, code = %e.code, "no session: {}", e.message);
            state.set_last_error(Some(format!("{profile}: {}", e.message)));
            if origin == Origin::Tray {
                notify::failure(
                    state
                        .catalog()
                        .tr_args("note-no-session", &[("profile", profile.into())]),
                    e.message.clone(),
                );
            }
        }
    }
    state.touch();
    shell.windows().changed();
    result
}

async fn assume_with_dialog(shell: &Shell, profile: &str, renew: bool) -> Result<SessionView, CommandError> {
    let state = shell.state();
    let resolved = state.profiles()?.resolve(profile)?;
    let dialog = DialogPrompt::new(shell.clone(), profile);
    let touch = TrayTouch::new(state);
    let prompt = SourcedPrompt::new(&resolved, &dialog)
        .with_notice(&touch)
        .with_options(source_options(state));
    let session = if renew {
        renew_session(state, &resolved, &prompt).await
    } else {
        state
            .sessions
            .vault
            .session(&resolved, &prompt)
            .await
            .map_err(CommandError::from)
    };
    // Closes the dialog now, whatever happened.
    drop(prompt);
    drop(dialog);
    let session = session?;
    Ok(session_view(&session, state))
}

/// A new session for `profile` even if the cached one is still fresh (`Sessions::renew`), with
/// the dropped sessions held for the expiry schedule meanwhile, so a failed renewal repeats no
/// warning.
pub async fn renew_session(
    state: &AppState,
    profile: &ResolvedProfile,
    prompt: &dyn MfaPrompt,
) -> Result<Session, CommandError> {
    Ok(state.sessions.renew(profile, prompt, |held| state.hold(held)).await?)
}

/// What an automatic refresh did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshReport {
    /// The new session's cache entry name (`session:AssumeRole:oppara-dev`).
    pub key: String,
    pub profile: String,
    pub expires_at: OffsetDateTime,
    /// Credentials-file sections rewritten with the new session.
    pub rewritten: Vec<String>,
    /// Sections that could not be rewritten, and why.
    pub failed: Vec<(String, CommandError)>,
}

/// Renews `profile`'s session without asking anything ([`NoPrompt`]: a renewal that needs an
/// MFA code fails with `mfa_required` and the current session stays), then rewrites the
/// credentials-file sections Rolebar wrote the profile's session to (app or CLI).
pub async fn auto_refresh(state: &AppState, profile: &str) -> Result<RefreshReport, CommandError> {
    let set = state.profiles()?;
    let resolved = set.resolve(profile)?;
    // Read first: with the credentials file unreadable, nothing is renewed and the warning says
    // why, rather than a refresh that silently leaves the written sections stale.
    let mut written = state.sessions.written(false)?;
    state.set_busy(profile, true);
    state.touch();
    let result = renew_session(state, &resolved, &NoPrompt).await;
    state.set_busy(profile, false);
    state.touch();
    let session = result?;
    let mut report = RefreshReport {
        key: CacheKey::of(session.kind, &session.profile, session.mfa_serial.as_deref()).entry(),
        profile: session.profile.clone(),
        expires_at: session.expires_at,
        rewritten: Vec::new(),
        failed: Vec::new(),
    };
    // The sections holding the renewed session's profile: the name each is checked against.
    let sections = written.remove(&session.profile).unwrap_or_default();
    let rewritten = state.sessions.rewrite_written(&session, sections, &set);
    report.rewritten = rewritten.rewritten;
    report.failed = rewritten
        .failed
        .into_iter()
        .map(|(target, e)| (target, e.into()))
        .collect();
    tracing::info!(profile, expires_at = %session.expires_at, rewritten = ?report.rewritten, "session refreshed");
    state.touch();
    Ok(report)
}

fn session_view(session: &Session, state: &AppState) -> SessionView {
    SessionView {
        id: CacheKey::of(session.kind, &session.profile, session.mfa_serial.as_deref()).entry(),
        written_to: state.sessions.written_to(&session.profile).unwrap_or_else(|e| {
            tracing::warn!(code = e.code(), "cannot tell where the session is written: {e}");
            Vec::new()
        }),
        profile: session.profile.clone(),
        kind: session.kind.into(),
        expires_at: session.expires_at,
        mfa_serial: session.mfa_serial.clone(),
        role_arn: session.role_arn.clone(),
    }
}

/// The cached session `id` (a cache entry name), if it still has time left.
pub fn find_session(state: &AppState, id: &str) -> Result<Session, CommandError> {
    Ok(state.sessions.cached(id)?)
}

/// [`copy_exports`] in the shell's format for a tray action, saying how it went in a
/// notification (the tray and the switcher have no window to say it in).
pub fn copy_exports_and_tell(state: &AppState, id: &str) {
    let format = ExportChoice::from_env();
    let words = state.catalog();
    match copy_exports(state, id, format) {
        Ok(report) => notify::info(
            words.tr_args("note-copied-title", &[("profile", report.profile.as_str().into())]),
            words.tr_args(
                "note-copied-body",
                &[
                    ("count", report.variables.into()),
                    ("format", format.format().to_string().into()),
                ],
            ),
        ),
        Err(e) => notify::failure(words.tr("note-copy-failed"), e.message),
    }
}

/// Puts the session's variables on the clipboard, in `format`. Only a count comes back. Noted
/// in the activity log (way `export`), as is a failure.
pub fn copy_exports(state: &AppState, id: &str, format: ExportChoice) -> Result<CopyReport, CommandError> {
    let copied = copy_exports_unnoted(state, id, format);
    let profile = copied
        .as_ref()
        .map_or_else(|_| session_profile(state, id), |r| Some(r.profile.clone()));
    if let Some(profile) = profile {
        let got = copied.as_ref().map(|_| Outcome::Cached);
        crate::activity_log::note_tray(state, &profile, Way::Export, got);
    }
    copied
}

fn copy_exports_unnoted(state: &AppState, id: &str, format: ExportChoice) -> Result<CopyReport, CommandError> {
    let session = find_session(state, id)?;
    let text = outputs::export_lines(&session, format.format())?;
    state.clipboard.set_text(&text)?;
    tracing::info!(profile = %session.profile, %id, format = %format.format(), "exports copied to the clipboard");
    Ok(CopyReport {
        profile: session.profile,
        format,
        variables: u32::try_from(text.lines().count()).unwrap_or(u32::MAX),
    })
}

/// Writes the session into `[target]` of the credentials file, with the outputs module's guard
/// rails (never over a configured profile; over foreign long-term keys only with `force`).
/// Noted in the activity log (way `write`), as is a failure.
pub fn write_session(state: &AppState, id: &str, target: &str, force: bool) -> Result<WriteResult, CommandError> {
    let written = write_session_unnoted(state, id, target, force);
    if let Some(profile) = session_profile(state, id) {
        let got = written.as_ref().map(|_| Outcome::Cached);
        crate::activity_log::note_tray(state, &profile, Way::Write, got);
    }
    written
}

fn write_session_unnoted(state: &AppState, id: &str, target: &str, force: bool) -> Result<WriteResult, CommandError> {
    let target = target.trim();
    if target.is_empty() {
        return Err(CommandError::new(
            codes::INVALID_INPUT,
            "enter the name of the profile to write to",
        ));
    }
    let session = find_session(state, id)?;
    // The config is read for the guard rail; if it cannot be read, do not guess.
    let set = ProfileSet::load(&state.sessions.paths)?;
    let options = WriteOptions {
        force,
        ..WriteOptions::default()
    };
    let report = outputs::write_profile(
        &state.sessions.paths.credentials,
        target,
        &session,
        Some(set.config_file()),
        state.now(),
        options,
    )?;
    tracing::info!(profile = %session.profile, target, force, "session written to the credentials file");
    state.touch();
    Ok(WriteResult::new(target, report))
}

/// Ends what Rolebar holds for `profile` (`Sessions::log_out`: its cached sessions and the
/// sections written with its session; a section Rolebar wrote, named itself, is taken back).
pub fn log_out(state: &AppState, profile: &str) -> Result<LogOutReport, CommandError> {
    let done = state.sessions.log_out(profile)?;
    state.touch();
    Ok(LogOutReport {
        profile: profile.to_string(),
        sessions_cleared: u32::try_from(done.sessions_cleared).unwrap_or(u32::MAX),
        sections_removed: done.sections_removed,
    })
}

/// The profile a session id belongs to.
pub fn session_profile(state: &AppState, id: &str) -> Option<String> {
    state
        .sessions
        .vault
        .cache()
        .list()
        .into_iter()
        .find(|s| s.entry == id)
        .map(|s| s.record.profile)
}

/// Stores (or replaces) the long-term keys of `profile` in the keyring. The secret comes in from
/// the window once and never goes back out.
pub fn add_keys(state: &AppState, profile: &str, access_key_id: &str, secret: &str) -> Result<KeyView, CommandError> {
    let profile = profile.trim();
    let access_key_id = access_key_id.trim();
    let invalid = |m: &str| Err(CommandError::new(codes::INVALID_INPUT, m));
    // The same rule as `rolebar add` (the keyring's entries are named after it).
    rolebar_core::keystore::keys::check_profile_name(profile)?;
    if access_key_id.len() < 16 || !access_key_id.chars().all(|c| c.is_ascii_alphanumeric()) {
        return invalid("an access key id is 16 or more letters and digits (AKIA…)");
    }
    if secret.is_empty() || secret.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return invalid("the secret access key must not be empty nor contain spaces");
    }
    let keys = Credentials::long_term(access_key_id, secret);
    let now = state.now();
    state.sessions.vault.keys().add(profile, &keys, now)?;
    // Sessions made from the old keys would hide a mistake in the new ones.
    state.sessions.vault.cache().clear(profile)?;
    tracing::info!(profile, key = %keys.masked_key_id(), "keys stored in the keyring");
    state.touch();
    Ok(KeyView {
        profile: profile.to_string(),
        masked_key_id: keys.masked_key_id(),
        added_at: now,
        // Filled by the next overview, from the index (just added: not due).
        age: String::new(),
        rotate_due: false,
    })
}

/// Removes `profile`'s keys from the keyring, and its sessions. `false` when none were stored.
pub fn remove_keys(state: &AppState, profile: &str) -> Result<bool, CommandError> {
    state.sessions.vault.cache().clear(profile)?;
    let removed = state.sessions.vault.keys().remove(profile)?;
    tracing::info!(profile, removed, "keys removed from the keyring");
    state.touch();
    Ok(removed)
}

/// What "Open AWS console" is asked for: a live session (the tray's session submenu), or a
/// profile, assumed first when no session serves (the main window).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsoleFor {
    Session(String),
    Profile(String),
}

/// Opens the AWS console in the browser, signed in with the session of `what`. The sign-in URL
/// is a bearer credential: it goes from Rust to the browser and nowhere else (not to the web
/// view, not to the logs). Failures are told as the origin tells them (tray: notification and
/// menu line); the notes (a 1-hour cap, a federated user without MFA) come back to be shown.
pub async fn open_console(shell: &Shell, what: ConsoleFor, origin: Origin) -> Result<ConsoleReport, CommandError> {
    let state = shell.state();
    let options = rolebar_core::console::ConsoleOptions::default();
    // Whether the sign-in can use a session made before (noted as `cached`).
    let had_session = match &what {
        ConsoleFor::Session(_) => true,
        ConsoleFor::Profile(profile) => state
            .sessions
            .profiles()
            .and_then(|set| set.resolve(profile))
            .and_then(|resolved| state.sessions.vault.cached_session(&resolved))
            .is_ok_and(|cached| cached.is_some()),
    };
    let (profile, login) = match &what {
        ConsoleFor::Session(id) => match find_session(state, id) {
            Ok(session) => (
                session.profile.clone(),
                rolebar_core::console::sign_in_with_session(&state.sessions, &session, &options)
                    .await
                    .map_err(CommandError::from),
            ),
            Err(e) => (session_profile(state, id).unwrap_or_default(), Err(e)),
        },
        ConsoleFor::Profile(profile) => {
            state.set_busy(profile, true);
            state.touch();
            let dialog = DialogPrompt::new(shell.clone(), profile);
            let touch = TrayTouch::new(state);
            let login = match state.sessions.profiles().and_then(|set| set.resolve(profile)) {
                Ok(resolved) => {
                    let prompt = SourcedPrompt::new(&resolved, &dialog)
                        .with_notice(&touch)
                        .with_options(source_options(state));
                    rolebar_core::console::sign_in_profile(&state.sessions, profile, &options, &prompt).await
                }
                Err(e) => Err(e),
            };
            drop(dialog);
            state.set_busy(profile, false);
            state.touch();
            shell.windows().changed();
            (profile.clone(), login.map_err(CommandError::from))
        }
    };
    let opened = match login {
        Ok(login) => rolebar_core::console::open_in_browser(&profile, &login.url)
            .await
            .map(|()| login)
            .map_err(|e| CommandError::from(rolebar_core::Error::from(e))),
        Err(e) => Err(e),
    };
    if !profile.is_empty() {
        let outcome = if had_session {
            Outcome::Cached
        } else {
            Outcome::NewSession
        };
        let got = opened.as_ref().map(|_| outcome);
        crate::activity_log::note_tray(state, &profile, Way::Console, got);
    }
    let words = state.catalog();
    match opened {
        Ok(login) => {
            tracing::info!(profile = %profile, region = %login.region, "AWS console opened");
            let notes: Vec<String> = login.notes.iter().map(ToString::to_string).collect();
            if origin == Origin::Tray {
                notify::info(
                    words.tr_args("note-console-title", &[("profile", profile.as_str().into())]),
                    notes.join("\n"),
                );
            }
            Ok(ConsoleReport { profile, notes })
        }
        Err(e) if e.code == ErrorCode::MfaCancelled.as_str() => Err(e),
        Err(e) => {
            tracing::warn!(profile = %profile, code = %e.code, "console not opened: {}", e.message);
            if origin == Origin::Tray {
                state.set_last_error(Some(format!("{profile}: {}", e.message)));
                state.touch();
                notify::failure(
                    words.tr_args("note-console-failed", &[("profile", profile.as_str().into())]),
                    e.message.clone(),
                );
            }
            Err(e)
        }
    }
}

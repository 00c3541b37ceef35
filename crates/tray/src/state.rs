//! What the app holds for its whole life: the user's sessions (rolebar-core's `Sessions`: the
//! AWS files and the vault — keyring, session cache, STS), the clipboard, the MFA dialog queue, what the tray should say about work in
//! progress, where settings.json is, and the expiry warnings' settings and driver. Held by
//! the `Shell`; requests and tray handlers reach it through `Shell::state`.

use crate::activity::{Activity, Shortcuts};
use crate::clipboard::{ClipboardSink, SystemClipboard};
use crate::error::codes;
use crate::error::CommandError;
use crate::expiry_config::ExpiryConfig;
use crate::i18n::{locale, Catalog, Language, LanguageChoice, LanguageSetting};
use crate::mfa_queue::MfaDialogs;
use crate::preferences::recent::RecentFile;
use crate::preferences::{favourites, PreferencesFile, Section, TraySettings};
use crate::views::Snapshot;
use rolebar_core::clock::{Clock, SystemClock};
use rolebar_core::keystore::index::Index;
use rolebar_core::profile::ProfileSet;
use rolebar_core::schedule::watched::{Held, HeldSessions};
use rolebar_core::schedule::{DriverHandle, ExpirySettings, FiredState, ScheduleError, SessionRef};
use rolebar_core::session::operations::Sessions;
use rolebar_core::settings::{Settings, SettingsFile};
use rolebar_core::HasCode;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use time::{Duration, OffsetDateTime};

#[derive(Debug)]
pub struct AppState {
    pub sessions: Sessions,
    clock: Arc<dyn Clock>,
    pub mfa: MfaDialogs,
    pub clipboard: Arc<dyn ClipboardSink>,
    activity: Mutex<Activity>,
    /// Wakes the tray refresher when something changed (a session made or removed, a failure).
    pub changed: tokio::sync::Notify,
    /// settings.json (`None`: no config folder, or a test that keeps no settings).
    settings_file: Option<SettingsFile>,
    /// The expiry warnings' settings (thresholds, auto-refresh profiles), read at start and
    /// changed from the main window while running.
    expiry: Mutex<ExpiryConfig>,
    /// Where the expiry schedule keeps what it already warned about (`None`: nowhere).
    expiry_state_file: Option<PathBuf>,
    /// The running expiry driver, once started: woken whenever sessions change.
    expiry_driver: OnceLock<DriverHandle>,
    /// Sessions taken out of the cache while they are renewed: still watched for expiry, since a
    /// renewal that fails puts them back (see [`AppState::hold`]).
    held: HeldSessions,
    /// Counts changes to the sessions: open expiry notifications watch it to withdraw themselves
    /// once their session was renewed or logged out.
    sessions_epoch: tokio::sync::watch::Sender<u64>,
    /// The language chosen in the main window (or Auto) and the system's.
    language: Arc<Mutex<LanguageChoice>>,
    /// Where the profiles assumed last are kept (`None`: nowhere, as in tests).
    recent_file: Option<RecentFile>,
    /// When each old key was last the subject of a reminder (rolebar-core's rotation).
    pub key_reminders: Option<rolebar_core::rotation::reminders::ReminderFile>,
    /// The tray's Recent and Favourites, as last read or saved.
    shortcuts: Mutex<Shortcuts>,
    /// Which programs may use which profile unasked (`approval_gate`).
    pub approvals: crate::approvals_held::Approvals,
    /// Where hand-outs are noted (rolebar-core's `activity`; `None`: nowhere, as in tests).
    recorder: Option<rolebar_core::activity::noting::Recorder>,
}

impl AppState {
    /// The real thing, wired as the command line wires it: the OS keyring, the index under
    /// `ROLEBAR_STATE_DIR` (or the XDG state folder), STS through aws-sdk-sts, the system clock.
    pub fn from_env() -> rolebar_core::Result<Self> {
        let sessions = Sessions::from_env(rolebar_core::session::cache::DEFAULT_EXPIRY_WINDOW, true)?;
        let index = Index::default_location()?;
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let expiry_state_file = FiredState::default_path(&index);
        let recent_file = RecentFile::beside(&index);
        let key_reminders = rolebar_core::rotation::reminders::ReminderFile::beside(&index);
        let recorder = rolebar_core::activity::noting::Recorder::new(
            rolebar_core::activity::ActivityLog::beside(&index),
            clock.clone(),
        );
        let state = AppState::new(sessions, clock, Arc::new(SystemClipboard::default()))
            .with_recorder(recorder)
            .with_language(LanguageChoice {
                setting: LanguageSetting::Auto,
                system: locale::system_language(),
            })
            .with_recent_file(recent_file)
            .with_key_reminders(key_reminders)
            .with_approvals_file(rolebar_core::approvals::ApprovalsFile::beside(&index))
            .with_expiry_state_file(expiry_state_file);
        Ok(match SettingsFile::default_location() {
            Ok(file) => state.with_settings_file(file),
            Err(e) => state.with_expiry(ExpiryConfig::unavailable(e)),
        })
    }

    pub fn new(mut sessions: Sessions, clock: Arc<dyn Clock>, clipboard: Arc<dyn ClipboardSink>) -> Self {
        // Tests get English whatever the machine's locale; `from_env` asks the system.
        let language = Arc::new(Mutex::new(LanguageChoice {
            setting: LanguageSetting::Auto,
            system: Language::English,
        }));
        crate::sign_in_ui::sign_in_through_tray(&mut sessions, language.clone());
        AppState {
            sessions,
            clock,
            mfa: MfaDialogs::default(),
            clipboard,
            activity: Mutex::new(Activity::default()),
            changed: tokio::sync::Notify::new(),
            settings_file: None,
            expiry: Mutex::new(ExpiryConfig::default()),
            expiry_state_file: None,
            expiry_driver: OnceLock::new(),
            held: HeldSessions::default(),
            sessions_epoch: tokio::sync::watch::Sender::new(0),
            language,
            recent_file: None,
            key_reminders: None,
            shortcuts: Mutex::new(Shortcuts::default()),
            approvals: crate::approvals_held::Approvals::default(),
            recorder: None,
        }
    }

    /// Keep approvals (the window's policies, remembered programs) in `file`.
    pub fn with_approvals_file(mut self, file: rolebar_core::approvals::ApprovalsFile) -> Self {
        self.approvals = crate::approvals_held::Approvals::in_file(file);
        self
    }

    /// Note hand-outs with `recorder` (the activity log).
    pub fn with_recorder(mut self, recorder: rolebar_core::activity::noting::Recorder) -> Self {
        self.recorder = Some(recorder);
        self
    }

    /// Where hand-outs are noted, if anywhere.
    pub fn recorder(&self) -> Option<&rolebar_core::activity::noting::Recorder> {
        self.recorder.as_ref()
    }

    pub fn with_key_reminders(mut self, file: rolebar_core::rotation::reminders::ReminderFile) -> Self {
        self.key_reminders = Some(file);
        self
    }

    /// Keep the profiles assumed last in `file`, and read them now. An unreadable file is
    /// logged and shown as an empty list: the menu works without it.
    pub fn with_recent_file(mut self, file: RecentFile) -> Self {
        let recent = file.load().unwrap_or_else(|e| {
            tracing::warn!("recent profiles not shown: {e}");
            Vec::new()
        });
        self.recent_file = Some(file);
        lock(&self.shortcuts).recent = recent;
        self
    }

    /// Keep the settings in `file` (settings.json), and put what it says in force now: the
    /// expiry settings, the language and the favourites. A section that cannot be read is
    /// logged and its default applies (the expiry settings' problem is also told at start, by
    /// `expiry::start`, and shown in the main window).
    pub fn with_settings_file(mut self, file: SettingsFile) -> Self {
        let settings = file.load();
        let preferences = file.with_sections::<TraySettings>().load();
        if let Some(e) = preferences.problem(Section::Language) {
            tracing::warn!(code = e.code(), "language setting not used, following the system: {e}");
        }
        if let Some(e) = preferences.problem(Section::Favourites) {
            tracing::warn!(code = e.code(), "favourites not shown: {e}");
        }
        lock(&self.language).setting = preferences.language;
        lock(&self.shortcuts).favourites = preferences.favourites;
        *lock(&self.expiry) = ExpiryConfig::from_settings(&settings);
        self.settings_file = Some(file);
        self
    }

    /// Where settings.json is (`None`: there is no config folder).
    pub fn settings_file(&self) -> Option<&SettingsFile> {
        self.settings_file.as_ref()
    }

    /// What settings.json says now (each broken section with its default and its problem; all
    /// the defaults without a config folder).
    pub fn settings(&self) -> Settings {
        self.settings_file.as_ref().map(SettingsFile::load).unwrap_or_default()
    }

    /// What settings.json says now of the tray's own preferences (as [`settings`](Self::settings)).
    pub fn preferences(&self) -> TraySettings {
        self.settings_file
            .as_ref()
            .map(|file| file.with_sections::<TraySettings>().load())
            .unwrap_or_default()
    }

    /// settings.json, to change it: an error the window shows when there is none.
    pub fn writable_settings(&self) -> Result<&SettingsFile, CommandError> {
        self.settings_file.as_ref().ok_or_else(|| {
            CommandError::new(
                codes::SETTINGS_NOT_WRITABLE,
                "there is no config folder for settings.json (set HOME or XDG_CONFIG_HOME)",
            )
        })
    }

    /// Changes `section` of settings.json with `change` (the file as it is now; the rest of it
    /// kept) and returns the settings as saved. Refused, naming `what` could not be saved, when
    /// the file or that section cannot be read now, even by a change that would leave it as
    /// Rolebar reads it: what the user wrote there is never replaced.
    pub fn change_settings(
        &self,
        section: Section,
        what: &str,
        change: impl FnOnce(&mut TraySettings),
    ) -> Result<TraySettings, CommandError> {
        enum Refused {
            Now(String),
            Settings(ScheduleError),
        }
        impl From<ScheduleError> for Refused {
            fn from(e: ScheduleError) -> Self {
                Refused::Settings(e)
            }
        }
        let file: PreferencesFile = self.writable_settings()?.with_sections();
        file.update(|settings| match settings.problem(section) {
            Some(problem) => Err(Refused::Now(problem.to_string())),
            None => {
                change(settings);
                Ok(())
            }
        })
        .map_err(|e| {
            let why = match e {
                Refused::Now(problem) => problem,
                Refused::Settings(e) => e.to_string(),
            };
            CommandError::new(
                codes::SETTINGS_NOT_WRITABLE,
                format!("cannot save {what} (fix the settings file first; Rolebar does not overwrite it): {why}"),
            )
        })
    }

    /// The tray's Recent and Favourites.
    pub fn shortcuts(&self) -> Shortcuts {
        lock(&self.shortcuts).clone()
    }

    /// Puts `profile` first among the recent ones (a failure to save is logged: the session
    /// is what matters).
    pub fn record_recent(&self, profile: &str) {
        let mut shortcuts = lock(&self.shortcuts);
        match &self.recent_file {
            Some(file) => match file.record(profile) {
                Ok(list) => shortcuts.recent = list,
                Err(e) => tracing::warn!("recent profiles not saved: {e}"),
            },
            None => {
                shortcuts.recent.retain(|p| p != profile);
                shortcuts.recent.insert(0, profile.to_string());
                shortcuts.recent.truncate(crate::preferences::recent::KEEP);
            }
        }
    }

    /// Pins `profile` to the favourites (or unpins it) in the settings file; a broken file is
    /// refused, not overwritten. The caller redraws the tray and the windows.
    pub fn set_favourite(&self, profile: &str, pinned: bool) -> Result<Vec<String>, CommandError> {
        let mut shortcuts = lock(&self.shortcuts);
        let saved = self.change_settings(Section::Favourites, "the favourites", |settings| {
            favourites::set(&mut settings.favourites, profile, pinned)
        })?;
        shortcuts.favourites = saved.favourites.clone();
        Ok(saved.favourites)
    }

    pub fn with_language(self, choice: LanguageChoice) -> Self {
        *lock(&self.language) = choice;
        self
    }

    pub fn language(&self) -> LanguageChoice {
        *lock(&self.language)
    }

    /// The language in force, shared with what shows words outside a command (the sign-in).
    pub fn language_handle(&self) -> Arc<Mutex<LanguageChoice>> {
        self.language.clone()
    }

    /// The words of the language in force now.
    pub fn catalog(&self) -> &'static Catalog {
        Catalog::get(self.language().language())
    }

    /// Saves `setting` in the settings file (the rest of the file kept; a broken file refused)
    /// and puts it in force; the caller redraws the tray and the windows.
    pub fn set_language(&self, setting: LanguageSetting) -> Result<LanguageChoice, CommandError> {
        let mut current = lock(&self.language);
        self.change_settings(Section::Language, "the language", |settings| {
            settings.language = setting
        })?;
        current.setting = setting;
        Ok(*current)
    }

    /// Expiry warnings with these settings (the default: 10 and 2 minutes, no auto-refresh), not
    /// those of a settings file.
    pub fn with_expiry(self, expiry: ExpiryConfig) -> Self {
        *lock(&self.expiry) = expiry;
        self
    }

    /// Keep what was warned about in this file, so a restart repeats no warning.
    pub fn with_expiry_state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.expiry_state_file = Some(path.into());
        self
    }

    /// The profiles of both AWS files and those only in the keyring (from the index: nothing is
    /// unlocked), as the command line reads them.
    pub fn profiles(&self) -> rolebar_core::Result<ProfileSet> {
        self.sessions.profiles()
    }

    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    pub fn clock(&self) -> Arc<dyn Clock> {
        self.clock.clone()
    }

    /// The expiry settings in force now (a copy: they may change).
    pub fn expiry(&self) -> ExpiryConfig {
        lock(&self.expiry).clone()
    }

    /// Turns auto-refresh for `profile` on or off, saved to the settings file; returns the
    /// settings now in force.
    pub fn set_auto_refresh(&self, profile: &str, enabled: bool) -> Result<ExpiryConfig, CommandError> {
        self.change_expiry(|settings| {
            if enabled {
                settings.auto_refresh.insert(profile.to_string());
            } else {
                settings.auto_refresh.remove(profile);
            }
        })
    }

    /// Warns at these thresholds from now on (saved to the settings file; the running schedule
    /// switches at once, keeping what already fired); returns the settings now in force.
    pub fn set_warn_before(&self, thresholds: Vec<Duration>) -> Result<ExpiryConfig, CommandError> {
        self.change_expiry(|settings| settings.thresholds = thresholds)
    }

    /// Edits the settings file as it is now and puts the result in force: the settings held
    /// here, the running schedule's thresholds (the file may have other ones than at start),
    /// and the tray's "expiring" window. All under the lock, so two changes cannot interleave.
    fn change_expiry(&self, edit: impl FnOnce(&mut ExpirySettings)) -> Result<ExpiryConfig, CommandError> {
        let file = self.writable_settings()?;
        let changed = {
            let mut current = lock(&self.expiry);
            let changed = ExpiryConfig::changed(file, edit)?;
            *current = changed.clone();
            if let Some(driver) = self.expiry_driver.get() {
                // Validated by `changed` already; a refusal here would leave the old times running.
                if let Err(e) = driver.set_thresholds(changed.settings.thresholds.clone()) {
                    tracing::warn!(error = %e, "the running expiry schedule kept its thresholds");
                }
            }
            changed
        };
        self.touch();
        Ok(changed)
    }

    pub fn expiry_state_file(&self) -> Option<&Path> {
        self.expiry_state_file.as_deref()
    }

    /// Connects the running expiry driver (once; later calls are ignored).
    pub fn set_expiry_driver(&self, handle: DriverHandle) {
        if self.expiry_driver.set(handle).is_err() {
            tracing::warn!("the expiry driver was started twice; the second is not woken on changes");
        }
    }

    /// The sessions the expiry schedule watches: every cached one (role sessions under their
    /// profile, MFA sessions under the profile holding the keys, as the tray lists them), expired
    /// ones included, plus those held out of the cache by a renewal in progress.
    pub fn watched_sessions(&self) -> Vec<SessionRef> {
        let profiles = self.sessions.profiles().ok();
        let sign_ins = crate::views::sign_in_views(&profiles, &self.sessions.vault);
        self.held.watched(
            &self.sessions.vault.cache().list(),
            crate::views::sign_in_refs(&sign_ins),
        )
    }

    /// Keeps `sessions` watched for expiry while they are out of the cache, until the guard is
    /// dropped.
    pub fn hold(&self, sessions: Vec<SessionRef>) -> Held<'_> {
        self.held.hold(sessions)
    }

    /// A receiver that sees every [`touch`](Self::touch).
    pub fn watch_sessions(&self) -> tokio::sync::watch::Receiver<u64> {
        self.sessions_epoch.subscribe()
    }

    /// Profiles, live sessions and stored keys as of now.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot::read(
            &self.sessions.paths,
            &self.sessions.vault,
            &self.approvals,
            self.now(),
            &self.written_for_display(),
        )
    }

    pub fn activity(&self) -> Activity {
        lock(&self.activity).clone()
    }

    pub fn set_busy(&self, profile: &str, busy: bool) {
        let mut activity = lock(&self.activity);
        activity.busy.retain(|p| p != profile);
        if busy {
            activity.busy.push(profile.to_string());
        }
    }

    /// Marks the sign-in `name` as waiting for the browser (the menu says so instead of
    /// offering a second sign-in), or no longer.
    pub fn set_signing_in(&self, name: &str, on: bool) {
        let mut activity = lock(&self.activity);
        activity.signing_in.retain(|n| n != name);
        if on {
            activity.signing_in.push(name.to_string());
        }
    }

    pub fn set_last_error(&self, error: Option<String>) {
        lock(&self.activity).last_error = error;
    }

    /// Why the credentials agent is off (`crate::agent`), for the menu and the main window.
    pub fn set_agent_off(&self, off: Option<crate::views::AgentOffView>) {
        lock(&self.activity).agent_off = off;
    }

    /// Where sessions are written (`Sessions::written`), for display: an unreadable file is
    /// logged and shows nothing.
    fn written_for_display(&self) -> BTreeMap<String, BTreeSet<String>> {
        self.sessions.written(false).unwrap_or_else(|e| {
            tracing::warn!(code = e.code(), "cannot tell where sessions are written: {e}");
            BTreeMap::new()
        })
    }

    /// Something changed (a session made, renewed or removed, work started or ended): the tray
    /// refreshes now (a permit is kept if the refresher is busy, so none is lost), the expiry
    /// driver re-plans, and open expiry notifications check that their session is still there.
    pub fn touch(&self) {
        self.changed.notify_one();
        if let Some(driver) = self.expiry_driver.get() {
            driver.sessions_changed();
        }
        self.sessions_epoch.send_modify(|n| *n = n.wrapping_add(1));
    }
}

/// A poisoned lock only means a panic elsewhere; the data (lists of names) is still usable.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

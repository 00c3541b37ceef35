//! Where an MFA code comes from, in aws-vault v7's order: an explicit code (`--mfa-token`),
//! then the profile's `mfa_process`, then a YubiKey OATH credential through `ykman`, then the
//! caller's own prompt (the tray's dialog, the CLI's terminal).
//!
//! [`SourcedPrompt`] is an [`MfaPrompt`] wrapping the caller's prompt: the vault asks it as it
//! asks any prompt, and it answers from the first source configured for the device asked about
//! (found in the [`ResolvedProfile`] the request is for, see [`plan`]). A source that runs longer
//! than [`SourceOptions::notice_after`] is announced through a [`TouchNotice`] ("touch your
//! YubiKey") until it ends. A source that fails (exit status, no 6-digit code, more than
//! [`SourceOptions::timeout`]) is a [`MfaSourceError`] naming it; the caller chooses whether its
//! prompt is then asked instead ([`OnSourceFailure`]).
//!
//! A source runs with stdin from `/dev/null`, and on Unix in a process group of its own. The
//! first line with text it prints on stdout is the answer, taken as soon as the line ends (a
//! helper may leave a background child holding stdout open for good); output that ends without
//! a line end is the answer when the output ends or the process exits. More than
//! [`OUTPUT_CAP`] bytes before that fail at once. When the run ends, however it ends (an answer,
//! an error, the timeout, or the caller dropping the future), the whole group is killed: what the
//! source left running is not kept (a daemon it starts must leave the group, as gpg-agent does
//! with its own session). On Windows only the process itself is killed.
//!
//! A code AWS rejected is never sent again: an explicit code is used once, and a TOTP source
//! (mfa_process, ykman) asked again within the same 30-second window would print the same code,
//! so after a rejection the wrapper waits for the next window (saying so) and asks the source
//! once more; a second rejection goes to the prompt.

pub(crate) mod error;
use crate::clock::{Clock, SystemClock};
use crate::error::Result;
use crate::error_code::HasCode;
use crate::mfa::{MfaCode, MfaPrompt, MfaReason, MfaRequest};
use crate::profile::mfa_sources::{MfaSourceSettings, YkmanSettings};
use crate::profile::{CredentialSource, ResolvedProfile};
use crate::programs::group::{stopped, ProcessGroup};
pub use error::MfaSourceError;
use std::collections::HashMap;
use std::ffi::OsString;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::AsyncReadExt;

/// `ROLEBAR_YKMAN`: the `ykman` program to run (default: `ykman` found on PATH).
pub const YKMAN_VAR: &str = "ROLEBAR_YKMAN";
/// How long a source may run: a YubiKey waiting for a touch gives up after ~15 s, a password
/// manager waiting for its unlock may take longer; a minute is aws-vault's order of magnitude.
pub const SOURCE_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a source runs before the user is told to touch the key: a code a process prints at
/// once needs no notice, a key blinking for a touch does.
pub const NOTICE_AFTER: Duration = Duration::from_secs(1);
/// TOTP codes change every 30 seconds (RFC 6238's default, AWS's virtual devices and YubiKey
/// OATH-TOTP credentials).
const TOTP_STEP: u64 = 30;
/// Bytes a source may print before its first line with text ends: a code is 6 digits and a line
/// end; a source printing more is no code source, and the rest is not read.
pub const OUTPUT_CAP: usize = 4 * 1024;
/// Bytes of stderr kept for an error (its first line is shown); the rest is read and dropped, so
/// a chatty stderr never fills its pipe and blocks the process.
const STDERR_KEPT: usize = 4 * 1024;
/// Characters of stderr's first line put in an error.
const STDERR_CHARS: usize = 200;
/// How long output is still read once the process has exited (what it wrote is in the pipe
/// already; only a process outside its group can still hold the pipe open), and how long a
/// process whose first line is no code is given to exit (a failed status explains more).
const SETTLE: Duration = Duration::from_millis(500);
/// How often (Linux) a running source is checked for having been stopped by the terminal.
const STOP_CHECK: Duration = Duration::from_millis(200);
/// The status of a source the terminal stopped (see [`stopped`]).
const STOPPED: &str = "stopped: it waited for input on the terminal, which a code source cannot use";

/// Where one code comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeSource {
    /// Given on the command line (`--mfa-token`); used for one ask only.
    Explicit(MfaCode),
    /// `mfa_process`, run through the shell.
    Process {
        command: String,
        /// The profile the command is written in.
        profile: String,
    },
    /// `ykman [--device SERIAL] oath accounts code --single NAME`.
    Ykman {
        device: Option<String>,
        name: String,
        /// The profile that asks for ykman.
        profile: String,
    },
}

impl CodeSource {
    /// The source as the user configured it, for notices and errors ("mfa_process `pass otp
    /// aws` of profile base", "ykman, device 12345678"). Never holds a code.
    pub fn label(&self) -> String {
        match self {
            CodeSource::Explicit(_) => "--mfa-token".to_string(),
            CodeSource::Process { command, profile } => format!("mfa_process `{command}` of profile {profile}"),
            CodeSource::Ykman { device: Some(d), .. } => format!("ykman, device {d}"),
            CodeSource::Ykman { device: None, .. } => "ykman".to_string(),
        }
    }

    /// A process that may wait for a key's touch (every source but an explicit code).
    fn runs(&self) -> bool {
        !matches!(self, CodeSource::Explicit(_))
    }
}

/// What the caller's prompt does when a source fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnSourceFailure {
    /// Tell [`TouchNotice::source_failed`], then ask the prompt (the tray; a CLI on a terminal).
    Prompt,
    /// Return the source's error (a CLI whose stdin is not a terminal: nobody would answer).
    Fail,
}

/// Tunables of [`SourcedPrompt`], with the product's values by default.
#[derive(Debug, Clone)]
pub struct SourceOptions {
    /// The `ykman` program ([`YKMAN_VAR`], else `ykman` on PATH).
    pub ykman_program: OsString,
    /// Use ykman for every MFA device, also of profiles that do not ask for it (settings.json's
    /// `mfa_ykman`); a profile's `rolebar_ykman = false` still wins.
    pub ykman_everywhere: bool,
    pub timeout: Duration,
    pub notice_after: Duration,
    pub on_failure: OnSourceFailure,
    /// The time TOTP windows are counted in.
    pub clock: Arc<dyn Clock>,
}

impl Default for SourceOptions {
    fn default() -> Self {
        SourceOptions {
            ykman_program: "ykman".into(),
            ykman_everywhere: false,
            timeout: SOURCE_TIMEOUT,
            notice_after: NOTICE_AFTER,
            on_failure: OnSourceFailure::Prompt,
            clock: Arc::new(SystemClock),
        }
    }
}

impl SourceOptions {
    /// The defaults with [`YKMAN_VAR`] read from the environment.
    pub fn from_env() -> Self {
        let mut options = SourceOptions::default();
        if let Some(program) = std::env::var_os(YKMAN_VAR).filter(|p| !p.is_empty()) {
            options.ykman_program = program;
        }
        options
    }
}

/// What a notice is about: which profile's code, from which source.
#[derive(Debug, Clone, Copy)]
pub struct Touch<'a> {
    /// The profile the user asked for.
    pub profile: &'a str,
    pub mfa_serial: &'a str,
    pub source: &'a CodeSource,
}

/// Withdraws a notice when dropped.
pub struct NoticeHandle(Option<Box<dyn FnOnce() + Send>>);

impl NoticeHandle {
    /// `withdraw` runs once, when the handle is dropped (the source ended, however).
    pub fn new(withdraw: impl FnOnce() + Send + 'static) -> Self {
        NoticeHandle(Some(Box::new(withdraw)))
    }

    /// Nothing to withdraw (a terminal line stays printed).
    pub fn none() -> Self {
        NoticeHandle(None)
    }
}

impl std::fmt::Debug for NoticeHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("NoticeHandle").field(&self.0.is_some()).finish()
    }
}

impl Drop for NoticeHandle {
    fn drop(&mut self) {
        if let Some(withdraw) = self.0.take() {
            withdraw();
        }
    }
}

/// How the user is told what a source is doing: the tray shows notifications, the CLI prints
/// lines on stderr.
pub trait TouchNotice: Send + Sync {
    /// `touch.source` has run for [`SourceOptions::notice_after`]: it probably waits for the
    /// key's touch. The notice stays until the handle is dropped.
    fn show(&self, touch: &Touch<'_>) -> NoticeHandle;

    /// AWS rejected the code `touch.source` gave; the next one is asked after `wait`.
    fn waiting_for_next_code(&self, touch: &Touch<'_>, wait: Duration) {
        let _ = (touch, wait);
    }

    /// `error` ended the source; the prompt is asked instead ([`OnSourceFailure::Prompt`]).
    fn source_failed(&self, touch: &Touch<'_>, error: &MfaSourceError) {
        let _ = (touch, error);
    }
}

/// No notices (tests, and callers with no one to tell).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoNotice;

impl TouchNotice for NoNotice {
    fn show(&self, _: &Touch<'_>) -> NoticeHandle {
        NoticeHandle::none()
    }
}

/// The sources that may give a code for `mfa_serial` in a request for `profile`, in order
/// (without an explicit code, which the caller holds): the settings of the first profile in the
/// chain (from the one asked for down its source profiles) whose own device `mfa_serial` is.
pub fn plan(profile: &ResolvedProfile, mfa_serial: &str, options: &SourceOptions) -> Vec<CodeSource> {
    let settings = owner_settings(profile, mfa_serial).unwrap_or(&profile.mfa_sources);
    let mut sources = Vec::new();
    if let Some(process) = &settings.process {
        sources.push(CodeSource::Process {
            command: process.command.clone(),
            profile: process.profile.clone(),
        });
    }
    let everywhere = YkmanSettings {
        device: None,
        name: None,
        profile: profile.name.clone(),
    };
    let ykman = settings
        .ykman
        .as_ref()
        .or((options.ykman_everywhere && !settings.ykman_off).then_some(&everywhere));
    if let Some(yk) = ykman {
        sources.push(CodeSource::Ykman {
            device: yk.device.clone(),
            name: yk.name.clone().unwrap_or_else(|| mfa_serial.to_string()),
            profile: yk.profile.clone(),
        });
    }
    sources
}

/// The settings of the profile in `profile`'s chain that owns the device `mfa_serial`.
fn owner_settings<'a>(profile: &'a ResolvedProfile, mfa_serial: &str) -> Option<&'a MfaSourceSettings> {
    match &profile.source {
        CredentialSource::SessionToken { mfa_serial: own, .. } if own == mfa_serial => Some(&profile.mfa_sources),
        CredentialSource::Role(role) if role.mfa_serial.as_deref() == Some(mfa_serial) => Some(&profile.mfa_sources),
        CredentialSource::Role(role) => owner_settings(&role.source, mfa_serial),
        _ => None,
    }
}

/// Who gave a device's last code.
#[derive(Debug, Default)]
enum Last {
    #[default]
    Nothing,
    Source(CodeSource),
    Prompt,
}

/// What happened at one device in this request, for the next ask about it.
#[derive(Debug, Default)]
struct DeviceState {
    last: Last,
    /// Its code was rejected once already and asked again after the window turned.
    retried: bool,
}

/// An [`MfaPrompt`] answering from the configured sources before asking `inner`. One per
/// request (per `Vault::session` call): it remembers which source gave which device's code.
pub struct SourcedPrompt<'a> {
    profile: &'a ResolvedProfile,
    inner: &'a dyn MfaPrompt,
    notice: &'a dyn TouchNotice,
    explicit: Mutex<Option<MfaCode>>,
    options: SourceOptions,
    devices: Mutex<HashMap<String, DeviceState>>,
}

impl std::fmt::Debug for SourcedPrompt<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourcedPrompt")
            .field("profile", &self.profile.name)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl<'a> SourcedPrompt<'a> {
    /// Sources of `profile` (the one passed to the vault), then `inner`; no notices, the
    /// product's options with `ROLEBAR_YKMAN` read.
    pub fn new(profile: &'a ResolvedProfile, inner: &'a dyn MfaPrompt) -> Self {
        SourcedPrompt {
            profile,
            inner,
            notice: &NoNotice,
            explicit: Mutex::new(None),
            options: SourceOptions::from_env(),
            devices: Mutex::new(HashMap::new()),
        }
    }

    pub fn with_notice(mut self, notice: &'a dyn TouchNotice) -> Self {
        self.notice = notice;
        self
    }

    /// A code given by the user (`--mfa-token`): the first ask uses it, any later one (a second
    /// device, or after AWS rejected it) goes on to the other sources.
    pub fn with_explicit(self, code: Option<MfaCode>) -> Self {
        *lock(&self.explicit) = code;
        self
    }

    pub fn with_options(mut self, options: SourceOptions) -> Self {
        self.options = options;
        self
    }

    /// The sources for this ask, in order, the prompt after them.
    fn sources_for(&self, request: &MfaRequest) -> (Vec<CodeSource>, Option<Duration>) {
        let mut devices = lock(&self.devices);
        let state = devices.entry(request.mfa_serial.clone()).or_default();
        if request.reason == MfaReason::Rejected {
            match std::mem::take(&mut state.last) {
                // A TOTP source gives the same code until the window turns: once, wait and ask
                // it again (aws-vault #1110: a code used twice); a second rejection is the
                // prompt's (a wrong credential name, a clock off).
                Last::Source(source) if source.runs() && !state.retried => {
                    state.retried = true;
                    let wait = until_next_window(self.options.clock.now());
                    return (vec![source], Some(wait));
                }
                Last::Source(source) if source.runs() => return (Vec::new(), None),
                // The user typed the rejected code: the user types the next one.
                Last::Prompt => return (Vec::new(), None),
                // An explicit code was used; the configured sources come next.
                Last::Source(_) | Last::Nothing => {}
            }
        }
        let mut sources = Vec::new();
        if let Some(code) = lock(&self.explicit).take() {
            sources.push(CodeSource::Explicit(code));
        }
        sources.extend(plan(self.profile, &request.mfa_serial, &self.options));
        (sources, None)
    }

    fn remember(&self, request: &MfaRequest, last: Last) {
        let mut devices = lock(&self.devices);
        devices.entry(request.mfa_serial.clone()).or_default().last = last;
    }

    /// Runs `source` with the notice after [`SourceOptions::notice_after`] and the bound of
    /// [`SourceOptions::timeout`].
    async fn ask_source(&self, request: &MfaRequest, source: &CodeSource) -> Result<MfaCode, MfaSourceError> {
        let (program, args) = match source {
            CodeSource::Explicit(code) => return Ok(code.clone()),
            CodeSource::Process { command, .. } => shell(command),
            CodeSource::Ykman { device, name, .. } => {
                let mut args: Vec<OsString> = Vec::new();
                if let Some(d) = device {
                    args.extend(["--device".into(), d.into()]);
                }
                args.extend(["oath", "accounts", "code", "--single"].map(OsString::from));
                args.push(name.into());
                (self.options.ykman_program.clone(), args)
            }
        };
        let touch = Touch {
            profile: &request.profile,
            mfa_serial: &request.mfa_serial,
            source,
        };
        let failure = |kind: Failure| kind.into_error(request, source);
        let run = run_for_code(program, args);
        tokio::pin!(run);
        let deadline = tokio::time::sleep(self.options.timeout);
        tokio::pin!(deadline);
        let mut shown: Option<NoticeHandle> = None;
        let notice_at = tokio::time::sleep(self.options.notice_after);
        tokio::pin!(notice_at);
        loop {
            tokio::select! {
                outcome = &mut run => return outcome.map_err(failure),
                () = &mut deadline => return Err(failure(Failure::TimedOut(self.options.timeout))),
                () = &mut notice_at, if shown.is_none() => {
                    tracing::info!(profile = %request.profile, source = %source.label(), "waiting for an MFA code source (a key's touch?)");
                    shown = Some(self.notice.show(&touch));
                }
            }
        }
    }
}

#[async_trait::async_trait]
impl MfaPrompt for SourcedPrompt<'_> {
    async fn code(&self, request: &MfaRequest) -> Result<MfaCode> {
        let (sources, wait) = self.sources_for(request);
        if let (Some(wait), Some(source)) = (wait, sources.first()) {
            let touch = Touch {
                profile: &request.profile,
                mfa_serial: &request.mfa_serial,
                source,
            };
            tracing::info!(profile = %request.profile, source = %source.label(), wait_s = wait.as_secs(), "code rejected; waiting for the next TOTP window");
            self.notice.waiting_for_next_code(&touch, wait);
            tokio::time::sleep(wait).await;
        }
        // The first source decides: a second configured one is not tried after the first
        // failed (aws-vault uses one); the prompt is the fallback.
        if let Some(source) = sources.into_iter().next() {
            match self.ask_source(request, &source).await {
                Ok(code) => {
                    tracing::info!(profile = %request.profile, source = %source.label(), "MFA code from a source");
                    self.remember(request, Last::Source(source));
                    return Ok(code);
                }
                Err(e) => {
                    tracing::warn!(profile = %request.profile, code = e.code(), error = %e, "MFA code source failed");
                    if self.options.on_failure == OnSourceFailure::Fail {
                        return Err(e.into());
                    }
                    let touch = Touch {
                        profile: &request.profile,
                        mfa_serial: &request.mfa_serial,
                        source: &source,
                    };
                    self.notice.source_failed(&touch, &e);
                }
            }
        }
        self.remember(request, Last::Prompt);
        self.inner.code(request).await
    }
}

/// settings.json's top-level `mfa_ykman` (`true`: ykman for every MFA device whose profile does
/// not say otherwise, [`SourceOptions::ykman_everywhere`]); absent means false.
pub const YKMAN_SETTING: &str = "mfa_ykman";

/// [`YKMAN_SETTING`] in the settings file's object (absent: false); `path` only names the file
/// in errors. Read through [`crate::settings`].
pub(crate) fn ykman_everywhere_from_root(
    path: &std::path::Path,
    root: &serde_json::Map<String, serde_json::Value>,
) -> Result<bool, crate::schedule::ScheduleError> {
    match root.get(YKMAN_SETTING) {
        None | Some(serde_json::Value::Null) => Ok(false),
        Some(serde_json::Value::Bool(on)) => Ok(*on),
        Some(other) => Err(crate::schedule::ScheduleError::InvalidSetting {
            path: path.to_path_buf(),
            key: YKMAN_SETTING.into(),
            value: other.to_string(),
            reason: "must be true or false".into(),
        }),
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic elsewhere leaves plain data here, still consistent.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Time to the next TOTP window, plus a second for clocks a little apart.
fn until_next_window(now: time::OffsetDateTime) -> Duration {
    let into = now.unix_timestamp().rem_euclid(TOTP_STEP as i64) as u64;
    Duration::from_secs(TOTP_STEP - into + 1)
}

/// `sh -c COMMAND` (aws-vault's way), `cmd /C COMMAND` on Windows.
fn shell(command: &str) -> (OsString, Vec<OsString>) {
    #[cfg(windows)]
    {
        ("cmd".into(), vec!["/C".into(), command.into()])
    }
    #[cfg(not(windows))]
    {
        ("sh".into(), vec!["-c".into(), command.into()])
    }
}

/// How a run failed, before it is named.
#[derive(Debug)]
enum Failure {
    CannotStart(String),
    Status { status: String, stderr: Option<String> },
    NoCode { stderr: Option<String> },
    TooMuchOutput,
    TimedOut(Duration),
}

impl Failure {
    fn into_error(self, request: &MfaRequest, source: &CodeSource) -> MfaSourceError {
        let profile = request.profile.clone();
        let mfa_serial = request.mfa_serial.clone();
        let source_label = source.label();
        let keep = match source {
            CodeSource::Ykman { device: Some(d), .. } => Some(d.as_str()),
            _ => None,
        };
        let masked = |s: Option<String>| s.map(|line| mask_digits(&line, keep));
        match self {
            Failure::CannotStart(detail) => MfaSourceError::CannotStart {
                profile,
                mfa_serial,
                detail: match source {
                    CodeSource::Ykman { .. } => {
                        format!("{detail} (install yubikey-manager, or set {YKMAN_VAR} to the ykman program)")
                    }
                    _ => detail,
                },
                source_label,
            },
            Failure::Status { status, stderr } => MfaSourceError::Failed {
                profile,
                mfa_serial,
                source_label,
                status,
                stderr: masked(stderr),
            },
            Failure::NoCode { stderr } => MfaSourceError::NoCode {
                profile,
                mfa_serial,
                source_label,
                stderr: masked(stderr),
            },
            Failure::TooMuchOutput => MfaSourceError::TooMuchOutput {
                profile,
                mfa_serial,
                source_label,
                cap: OUTPUT_CAP,
            },
            Failure::TimedOut(waited) => MfaSourceError::TimedOut {
                profile,
                mfa_serial,
                source_label,
                waited,
            },
        }
    }
}

/// Runs the program for a code: the first line with text on its stdout, trimmed, or all of it
/// if it ends without a line end (see the module's documentation). The process group is killed
/// when this returns, and if this future is dropped (the timeout, a caller that gave up).
async fn run_for_code(program: OsString, args: Vec<OsString>) -> Result<MfaCode, Failure> {
    let mut command = tokio::process::Command::new(&program);
    command
        .args(&args)
        // Not the caller's stdin: it may be the code prompt's, or a pipe the command reads.
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // On Windows, where there is no group, at least the process itself.
        .kill_on_drop(true);
    #[cfg(unix)]
    command.process_group(0);
    let mut child = command.spawn().map_err(|e| Failure::CannotStart(e.to_string()))?;
    let mut group = ProcessGroup::of(&child);
    let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
        return Err(Failure::CannotStart("no pipes to the process".into()));
    };
    let mut printed = Printed::new(stdout);
    let mut stderr = Stderr::new(stderr);
    let mut status = None;
    let waited = |e: std::io::Error| Failure::CannotStart(e.to_string());

    let read = stderr
        .while_running(async {
            let settle = tokio::time::sleep(SETTLE);
            tokio::pin!(settle);
            let mut stop_check = tokio::time::interval(STOP_CHECK);
            stop_check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    biased;
                    read = printed.first_line() => return Ok(read),
                    exit = child.wait(), if status.is_none() => {
                        status = Some(exit.map_err(waited)?);
                        // What it left running is stopped: a background child holding stdout
                        // would otherwise keep the pipe open for good.
                        group.kill();
                        settle.as_mut().reset(tokio::time::Instant::now() + SETTLE);
                    }
                    () = &mut settle, if status.is_some() => return Ok(Read::End),
                    _ = stop_check.tick(), if status.is_none() && cfg!(target_os = "linux") => {
                        if child.id().is_some_and(stopped) {
                            return Ok(Read::Stopped);
                        }
                    }
                }
            }
        })
        .await?;

    match read {
        Read::TooMuch => return Err(Failure::TooMuchOutput),
        Read::Stopped => {
            group.kill();
            stderr.finish().await;
            return Err(Failure::Status {
                status: STOPPED.into(),
                stderr: stderr.first_line(),
            });
        }
        Read::Line => {
            if let Some(code) = printed.line().and_then(six_digits) {
                // The answer is in; whatever the process does next is not waited for.
                return Ok(code);
            }
            if status.is_none() {
                if let Ok(exit) = stderr.while_running(tokio::time::timeout(SETTLE, child.wait())).await {
                    status = Some(exit.map_err(waited)?);
                    group.kill();
                }
            }
        }
        Read::End => {
            if status.is_none() {
                // Its stdout closed; its status decides, as aws-vault's does.
                status = Some(stderr.while_running(child.wait()).await.map_err(waited)?);
                group.kill();
            }
        }
    }
    // Anything still running in the group is gone: stderr's writers too, so it ends at once.
    group.kill();
    stderr.finish().await;
    let stderr = stderr.first_line();
    if let Some(status) = status.filter(|s| !s.success()) {
        let status = match status.code() {
            Some(code) => format!("exit status {code}"),
            None => "killed by a signal".to_string(),
        };
        return Err(Failure::Status { status, stderr });
    }
    let answer = match read {
        Read::Line => printed.line(),
        Read::End | Read::TooMuch | Read::Stopped => Some(printed.all()),
    };
    answer.and_then(six_digits).ok_or(Failure::NoCode { stderr })
}

/// The first line with text in `output`, trimmed, if it has ended (a line end came after it):
/// blank lines before it are skipped, anything after it is not looked at.
fn first_line(output: &[u8]) -> Option<&[u8]> {
    output
        .split_inclusive(|&b| b == b'\n')
        .take_while(|line| line.ends_with(b"\n"))
        .map(<[u8]>::trim_ascii)
        .find(|line| !line.is_empty())
}

/// Only the 6 digits: not MfaCode's lenient `123 456`, which a process does not print; anything
/// else is garbage, whatever it holds.
fn six_digits(text: &[u8]) -> Option<MfaCode> {
    if text.len() != 6 || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(text)
        .ok()
        .and_then(|code| MfaCode::parse(code).ok())
}

/// How far stdout was read.
#[derive(Debug, Clone, Copy)]
enum Read {
    /// The first line with text has ended: it is the answer, whatever follows.
    Line,
    /// The output ended (or the process exited and nothing more came) without a line end.
    End,
    /// More than [`OUTPUT_CAP`] bytes without a line end.
    TooMuch,
    /// The process is stopped (see [`stopped`]).
    Stopped,
}

/// A source's stdout, read up to the answer and no further. The bytes may hold a code: they
/// are in one buffer, never reallocated, wiped when dropped.
struct Printed {
    pipe: tokio::process::ChildStdout,
    /// One byte past the cap, so a full buffer means "more than the cap".
    bytes: zeroize::Zeroizing<Vec<u8>>,
    len: usize,
    open: bool,
}

impl Printed {
    fn new(pipe: tokio::process::ChildStdout) -> Self {
        Printed {
            pipe,
            bytes: zeroize::Zeroizing::new(vec![0; OUTPUT_CAP + 1]),
            len: 0,
            open: true,
        }
    }

    /// Reads until the first line with text has ended, the output ended, or the cap. Cancel
    /// safe (a select may drop it between reads): what was read is kept.
    async fn first_line(&mut self) -> Read {
        loop {
            if self.line().is_some() {
                return Read::Line;
            }
            if self.len == self.bytes.len() {
                return Read::TooMuch;
            }
            if !self.open {
                return Read::End;
            }
            match self.pipe.read(&mut self.bytes[self.len..]).await {
                Ok(0) | Err(_) => self.open = false,
                Ok(n) => self.len += n,
            }
        }
    }

    fn line(&self) -> Option<&[u8]> {
        first_line(&self.bytes[..self.len])
    }

    /// All that was read, trimmed: the answer of an output that ended without a line end.
    fn all(&self) -> &[u8] {
        self.bytes[..self.len].trim_ascii()
    }
}

/// A source's stderr, read for as long as the source runs so it never blocks on a full pipe;
/// its first [`STDERR_KEPT`] bytes are kept for an error.
struct Stderr {
    pipe: Option<tokio::process::ChildStderr>,
    kept: Vec<u8>,
}

impl Stderr {
    fn new(pipe: tokio::process::ChildStderr) -> Self {
        Stderr {
            pipe: Some(pipe),
            kept: Vec::new(),
        }
    }

    /// One read (pending for ever once the pipe ended). Cancel safe.
    async fn read_some(&mut self) {
        let Some(pipe) = self.pipe.as_mut() else {
            return std::future::pending().await;
        };
        let mut chunk = [0u8; 8 * 1024];
        match pipe.read(&mut chunk).await {
            Ok(0) | Err(_) => self.pipe = None,
            Ok(n) => {
                let room = STDERR_KEPT.saturating_sub(self.kept.len());
                self.kept.extend_from_slice(&chunk[..n.min(room)]);
            }
        }
    }

    /// `work`'s output, stderr read meanwhile.
    async fn while_running<F: std::future::Future>(&mut self, work: F) -> F::Output {
        tokio::pin!(work);
        loop {
            tokio::select! {
                biased;
                out = &mut work => return out,
                () = self.read_some() => {}
            }
        }
    }

    /// Reads to the end, for at most [`SETTLE`] (a process outside the group may hold it).
    async fn finish(&mut self) {
        let _ = tokio::time::timeout(SETTLE, async {
            while self.pipe.is_some() {
                self.read_some().await;
            }
        })
        .await;
    }

    /// The first line with text, shortened.
    fn first_line(&self) -> Option<String> {
        String::from_utf8_lossy(&self.kept)
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .map(|l| l.chars().take(STDERR_CHARS).collect())
    }
}

/// `line` with every run of 6 or more digits replaced by `******` (it could be a code), but for
/// `keep` (the YubiKey's serial, which the user wrote in the config).
fn mask_digits(line: &str, keep: Option<&str>) -> String {
    let mut out = String::with_capacity(line.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() >= 6 && Some(run.as_str()) != keep {
            out.push_str("******");
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in line.chars() {
        if c.is_ascii_digit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::resolve::Environment;
    use crate::profile::ProfileSet;
    use std::path::Path;

    const CONFIG: &str = "\
[profile base]
mfa_serial = arn:aws:iam::1:mfa/alice
mfa_process = otp alice

[profile dev]
source_profile = base
role_arn = arn:aws:iam::2:role/dev
mfa_serial = arn:aws:iam::1:mfa/alice
rolebar_ykman = true

[profile audit]
source_profile = base
role_arn = arn:aws:iam::2:role/audit
mfa_serial = arn:aws:iam::1:mfa/key
rolebar_ykman_name = aws-audit

[profile plain]
source_profile = base
role_arn = arn:aws:iam::2:role/plain
mfa_serial = arn:aws:iam::1:mfa/plain
";

    fn resolved(name: &str) -> ResolvedProfile {
        ProfileSet::parse(Path::new("config"), CONFIG, Path::new("credentials"), "[base]\n")
            .expect("parses")
            .resolve_with(name, &Environment::default())
            .expect("resolves")
    }

    fn labels(sources: &[CodeSource]) -> Vec<String> {
        sources.iter().map(CodeSource::label).collect()
    }

    #[test]
    fn the_owner_of_the_device_decides_and_mfa_process_comes_before_ykman() {
        let options = SourceOptions::default();
        let dev = resolved("dev");
        // The role's own device: its ykman, and base's mfa_process inherited (same device).
        assert_eq!(
            plan(&dev, "arn:aws:iam::1:mfa/alice", &options),
            [
                CodeSource::Process {
                    command: "otp alice".into(),
                    profile: "base".into()
                },
                CodeSource::Ykman {
                    device: None,
                    name: "arn:aws:iam::1:mfa/alice".into(),
                    profile: "dev".into()
                },
            ]
        );
        let audit = resolved("audit");
        // Its own device: only its own ykman, with the name it gives.
        assert_eq!(labels(&plan(&audit, "arn:aws:iam::1:mfa/key", &options)), ["ykman"]);
        assert!(matches!(
            &plan(&audit, "arn:aws:iam::1:mfa/key", &options)[0],
            CodeSource::Ykman { name, .. } if name == "aws-audit"
        ));
        // The source's device, asked in the same request: the source's own process.
        assert_eq!(
            labels(&plan(&audit, "arn:aws:iam::1:mfa/alice", &options)),
            ["mfa_process `otp alice` of profile base"]
        );
        assert!(plan(&resolved("plain"), "arn:aws:iam::1:mfa/plain", &options).is_empty());
    }

    #[test]
    fn ykman_everywhere_serves_profiles_without_a_source_of_their_own() {
        let options = SourceOptions {
            ykman_everywhere: true,
            ..SourceOptions::default()
        };
        assert_eq!(
            labels(&plan(&resolved("plain"), "arn:aws:iam::1:mfa/plain", &options)),
            ["ykman"]
        );
    }

    #[test]
    fn the_settings_key_is_read_and_checked() {
        use crate::settings::Section;
        let (_dir, file) = crate::settings::temp_settings_file();
        let path = file.path();
        let ykman = |on| {
            let settings = file.load();
            assert_eq!(settings.problem(Section::MfaYkman), None, "{on}");
            assert_eq!(settings.mfa_ykman, on, "{on}");
        };
        ykman(false); // no file: off
        std::fs::create_dir_all(path.parent().expect("folder")).expect("mkdir");
        std::fs::write(path, r#"{"mfa_ykman": true, "favourites": []}"#).expect("write");
        ykman(true);
        std::fs::write(path, r#"{"mfa_ykman": "yes"}"#).expect("write");
        let settings = file.load();
        let err = settings.problem(Section::MfaYkman).expect("not a bool");
        assert!(err.to_string().contains("mfa_ykman"), "{err}");
        assert!(!settings.mfa_ykman);
    }

    #[test]
    fn digit_runs_that_could_be_codes_are_masked_but_the_serial_is_kept() {
        assert_eq!(
            mask_digits("got 123456 for 12345678", Some("12345678")),
            "got ****** for 12345678"
        );
        assert_eq!(mask_digits("code 12345 x 1234567", None), "code 12345 x ******");
        assert_eq!(mask_digits("no digits", None), "no digits");
    }

    #[test]
    fn the_first_line_with_text_is_the_answer_once_it_has_ended() {
        let line = |s: &str| first_line(s.as_bytes()).map(|l| String::from_utf8_lossy(l).into_owned());
        assert_eq!(line("123456\n"), Some("123456".into()));
        assert_eq!(line("\n \r\n\t123456 \r\nmore\n"), Some("123456".into()));
        assert_eq!(line("abc\n123456\n"), Some("abc".into()));
        assert_eq!(line("123456"), None, "not ended yet");
        assert_eq!(line("\n\n12345"), None, "blank lines only, then a line not ended");
        assert_eq!(line(""), None);
        assert!(six_digits(b"123456").is_some());
        for garbage in [&b"12345"[..], b"1234567", b"123 456", b"12345a", b"\xff\xfe1234"] {
            assert!(six_digits(garbage).is_none(), "{garbage:?}");
        }
    }

    #[test]
    fn the_next_window_is_waited_for_with_a_second_to_spare() {
        let at = |secs: i64| time::OffsetDateTime::from_unix_timestamp(secs).expect("time");
        assert_eq!(until_next_window(at(1_800_000_000)), Duration::from_secs(31));
        assert_eq!(until_next_window(at(1_800_000_029)), Duration::from_secs(2));
        assert_eq!(until_next_window(at(1_800_000_013)), Duration::from_secs(18));
    }
}

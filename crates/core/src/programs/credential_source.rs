//! A profile's `credential_process`, run as the AWS CLI runs it, as the source of its credentials.
//!
//! - The line is split into words like a POSIX shell (botocore's `shlex.split`) and run without a
//!   shell.
//! - Its stdout is read as version 1 JSON (`Version`, `AccessKeyId`, `SecretAccessKey`, optional
//!   `SessionToken` and `Expiration`), up to [`OUTPUT_CAP`] bytes; what it prints is never shown,
//!   not even in an error: it holds secrets.
//! - Its stderr is the terminal's (as aws-vault passes it on), so a helper can say what it is
//!   doing or ask the user something there; its stdin is not (Rolebar may ask for an MFA code on
//!   it), and it runs in its own process group, killed as a whole when Rolebar is done with it.
//! - It is given [`DEPTH_VAR`]: a Rolebar it runs (a `rolebar credential-process` line) never runs
//!   a `credential_process` of its own, so no line can call itself without end.

use crate::credentials::Credentials;
use crate::error_code::{ErrorCode, HasCode};
use crate::programs::group::{stopped, ProcessGroup};
use crate::sensitive::Secret;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use time::OffsetDateTime;
use tokio::io::AsyncReadExt;
use zeroize::Zeroizing;

/// How long a `credential_process` may take (it may be waiting on the user, as aws-vault does
/// for an MFA code).
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// The most stdout read: a version 1 reply is well under 4 KiB, even with a long session token.
pub const OUTPUT_CAP: usize = 64 * 1024;

/// Set for the command Rolebar runs; a Rolebar that finds it set runs no `credential_process`.
pub const DEPTH_VAR: &str = "ROLEBAR_CREDENTIAL_PROCESS_DEPTH";

/// How often (Linux) the running command is checked for having been stopped by the terminal.
const STOP_CHECK: Duration = Duration::from_millis(200);

/// A profile's `credential_process` line and where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessCommand {
    pub command: String,
    pub path: PathBuf,
    pub line: usize,
}

impl ProcessCommand {
    /// The words the command runs as (botocore's `shlex.split`); `None` for an unclosed quote or
    /// a line with no words.
    pub fn argv(&self) -> Option<Vec<String>> {
        shlex::split(&self.command).filter(|words| !words.is_empty())
    }

    /// Whether the line asks Rolebar for `profile` itself (`rolebar credential-process NAME`,
    /// `rolebar export --format json NAME`…): run without keys in the keyring, it would call
    /// this very line again.
    pub fn calls_rolebar_for(&self, profile: &str) -> bool {
        let Some(argv) = self.argv() else {
            return false;
        };
        let program = Path::new(&argv[0])
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        program == "rolebar"
            && argv[1..].iter().any(|word| {
                word == profile
                    || word
                        .split_once('=')
                        .is_some_and(|(flag, value)| flag.starts_with('-') && value == profile)
            })
    }
}

/// What a `credential_process` gave.
#[derive(Debug, Clone)]
pub struct ProcessCredentials {
    pub credentials: Credentials,
    /// Its `Expiration`; none for keys it hands out as long-term.
    pub expires_at: Option<OffsetDateTime>,
}

/// Why a `credential_process` gave no credentials. Never holds what it printed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CredentialProcessError {
    #[error("profile `{profile}`: cannot run its credential_process ({} line {line}): {detail}", path.display())]
    CannotStart {
        profile: String,
        path: PathBuf,
        line: usize,
        detail: String,
    },
    #[error("profile `{profile}`: its credential_process ({} line {line}) failed ({status}); what it said, if anything, is on stderr above", path.display())]
    Failed {
        profile: String,
        path: PathBuf,
        line: usize,
        status: String,
    },
    #[error("profile `{profile}`: its credential_process ({} line {line}) printed {problem}; its output is not shown, as it may hold secrets", path.display())]
    BadReply {
        profile: String,
        path: PathBuf,
        line: usize,
        problem: String,
    },
    #[error("profile `{profile}`: its credential_process ({} line {line}) gave no credentials within {} s; it was stopped", path.display(), waited.as_secs())]
    TimedOut {
        profile: String,
        path: PathBuf,
        line: usize,
        waited: Duration,
    },
    #[error("profile `{profile}`: its credential_process ({} line {line}) asks Rolebar for `{profile}` itself, and Rolebar's keyring has no keys for it: store them with `rolebar add {profile}` (the line then serves other tools), or point credential_process at another program", path.display())]
    CallsItself {
        profile: String,
        path: PathBuf,
        line: usize,
    },
    #[error("profile `{profile}`: its credential_process ({} line {line}) was not run: this Rolebar was itself started by a credential_process ({DEPTH_VAR} is set), and running another could go round for good; give `{profile}` keys (`rolebar add {profile}`) or a source that is not a credential_process", path.display())]
    Nested {
        profile: String,
        path: PathBuf,
        line: usize,
    },
}

impl HasCode for CredentialProcessError {
    fn error_code(&self) -> ErrorCode {
        match self {
            CredentialProcessError::CannotStart { .. } => ErrorCode::CredentialProcessUnavailable,
            CredentialProcessError::Failed { .. } => ErrorCode::CredentialProcessFailed,
            CredentialProcessError::BadReply { .. } => ErrorCode::CredentialProcessBadReply,
            CredentialProcessError::TimedOut { .. } => ErrorCode::CredentialProcessTimeout,
            CredentialProcessError::CallsItself { .. } | CredentialProcessError::Nested { .. } => {
                ErrorCode::CredentialProcessLoop
            }
        }
    }
}

/// Why a run failed, before the profile and line are put to it.
enum Failure {
    CannotStart(String),
    Failed(String),
    BadReply(String),
    TimedOut(Duration),
    Nested,
}

/// Runs `command` for `profile`, within `timeout`, and reads its credentials (refused when they
/// have expired by `now`).
pub async fn run(
    profile: &str,
    command: &ProcessCommand,
    timeout: Duration,
    now: OffsetDateTime,
) -> Result<ProcessCredentials, CredentialProcessError> {
    let failure = match run_inner(command, timeout, now).await {
        Ok(credentials) => return Ok(credentials),
        Err(failure) => failure,
    };
    let (profile, path, line) = (profile.to_string(), command.path.clone(), command.line);
    Err(match failure {
        Failure::CannotStart(detail) => CredentialProcessError::CannotStart {
            profile,
            path,
            line,
            detail,
        },
        Failure::Failed(status) => CredentialProcessError::Failed {
            profile,
            path,
            line,
            status,
        },
        Failure::BadReply(problem) => CredentialProcessError::BadReply {
            profile,
            path,
            line,
            problem,
        },
        Failure::TimedOut(waited) => CredentialProcessError::TimedOut {
            profile,
            path,
            line,
            waited,
        },
        Failure::Nested => CredentialProcessError::Nested { profile, path, line },
    })
}

async fn run_inner(
    command: &ProcessCommand,
    timeout: Duration,
    now: OffsetDateTime,
) -> Result<ProcessCredentials, Failure> {
    if std::env::var_os(DEPTH_VAR).is_some() {
        return Err(Failure::Nested);
    }
    let argv = command
        .argv()
        .ok_or_else(|| Failure::CannotStart("the line has no command, or a quote that is not closed".into()))?;
    let mut process = tokio::process::Command::new(&argv[0]);
    process
        .args(&argv[1..])
        .env(DEPTH_VAR, "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    #[cfg(unix)]
    process.process_group(0);
    let mut child = process
        .spawn()
        .map_err(|e| Failure::CannotStart(format!("`{}`: {e}", argv[0])))?;
    // Killed when this returns, and if the timeout drops the run.
    let mut group = ProcessGroup::of(&child);
    let Some(mut stdout) = child.stdout.take() else {
        return Err(Failure::CannotStart("no pipe to the process".into()));
    };
    // One buffer, never reallocated, wiped when dropped: the output holds secrets.
    let mut printed = Zeroizing::new(vec![0u8; OUTPUT_CAP + 1]);
    let work = async {
        let mut len = 0;
        let mut status = None;
        let mut stop_check = tokio::time::interval(STOP_CHECK);
        stop_check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut open = true;
        while open || status.is_none() {
            tokio::select! {
                read = stdout.read(&mut printed[len..]), if open => match read {
                    Ok(0) => open = false,
                    Ok(n) => {
                        len += n;
                        if len > OUTPUT_CAP {
                            return Err(Failure::BadReply(format!("more than {} KiB", OUTPUT_CAP / 1024)));
                        }
                    }
                    Err(e) => return Err(Failure::Failed(format!("its output could not be read: {e}"))),
                },
                exit = child.wait(), if status.is_none() => {
                    status = Some(exit.map_err(|e| Failure::Failed(e.to_string()))?);
                    // What it left running would hold stdout open for good.
                    group.kill();
                }
                _ = stop_check.tick(), if status.is_none() && cfg!(target_os = "linux") => {
                    if child.id().is_some_and(stopped) {
                        return Err(Failure::Failed(
                            "stopped: it waited for input on the terminal, which it cannot read here".into(),
                        ));
                    }
                }
            }
        }
        Ok((len, status))
    };
    let (len, status) = match tokio::time::timeout(timeout, work).await {
        Ok(done) => done?,
        Err(_) => return Err(Failure::TimedOut(timeout)),
    };
    group.kill();
    if let Some(status) = status.filter(|s| !s.success()) {
        return Err(Failure::Failed(match status.code() {
            Some(code) => format!("exit status {code}"),
            None => "killed by a signal".to_string(),
        }));
    }
    parse(&printed[..len], now)
}

/// A version 1 reply. Strings are moved into `Secret`s, never copied.
#[derive(Deserialize)]
struct Reply {
    #[serde(rename = "Version")]
    version: Option<serde_json::Value>,
    #[serde(rename = "AccessKeyId")]
    access_key_id: Option<String>,
    #[serde(rename = "SecretAccessKey")]
    secret_access_key: Option<String>,
    #[serde(rename = "SessionToken")]
    session_token: Option<String>,
    #[serde(rename = "Expiration")]
    expiration: Option<String>,
}

fn parse(printed: &[u8], now: OffsetDateTime) -> Result<ProcessCredentials, Failure> {
    // serde_json's messages may quote a value: only its category and place are named.
    let reply: Reply = serde_json::from_slice(printed).map_err(|e| {
        Failure::BadReply(match e.classify() {
            serde_json::error::Category::Data => {
                "JSON whose fields have the wrong types (version 1 wants strings and `\"Version\": 1`)".to_string()
            }
            _ if printed.trim_ascii().is_empty() => "nothing".to_string(),
            _ => format!(
                "something that is not a JSON object (line {}, column {})",
                e.line(),
                e.column()
            ),
        })
    })?;
    let secret = reply.secret_access_key.map(Secret::new);
    let token = reply.session_token.filter(|t| !t.is_empty()).map(Secret::new);
    if reply.version.as_ref().and_then(serde_json::Value::as_u64) != Some(1) {
        let version = match &reply.version {
            None => "no Version".to_string(),
            Some(v @ serde_json::Value::Number(_)) => format!("Version {v}"),
            Some(_) => "a Version that is not a number".to_string(),
        };
        return Err(Failure::BadReply(format!(
            "{version}; Rolebar and the AWS CLI read version 1"
        )));
    }
    let (Some(access_key_id), Some(secret)) = (reply.access_key_id.filter(|k| !k.is_empty()), secret) else {
        return Err(Failure::BadReply(
            "a reply without AccessKeyId or SecretAccessKey".into(),
        ));
    };
    let expires_at = match reply.expiration {
        None => None,
        Some(text) => {
            let at = OffsetDateTime::parse(&text, &time::format_description::well_known::Rfc3339)
                .map_err(|_| Failure::BadReply("an Expiration that is not an RFC 3339 time".into()))?;
            if at <= now {
                return Err(Failure::BadReply(format!("credentials that expired at {text}")));
            }
            Some(at)
        }
    };
    Ok(ProcessCredentials {
        credentials: Credentials {
            access_key_id,
            secret_access_key: secret,
            session_token: token,
        },
        expires_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn command(line: &str) -> ProcessCommand {
        ProcessCommand {
            command: line.into(),
            path: "config".into(),
            line: 3,
        }
    }

    #[test]
    fn lines_are_split_as_botocore_splits_them() {
        assert_eq!(
            command(r#"/opt/my tool/x --a "b c" 'd e' f\ g"#).argv(),
            Some(vec![
                "/opt/my".to_string(),
                "tool/x".into(),
                "--a".into(),
                "b c".into(),
                "d e".into(),
                "f g".into()
            ])
        );
        assert_eq!(command("x 'open").argv(), None);
        assert_eq!(command("   ").argv(), None);
    }

    #[test]
    fn a_line_asking_rolebar_for_the_same_profile_calls_itself() {
        assert!(command("rolebar credential-process dev").calls_rolebar_for("dev"));
        assert!(command("/usr/local/bin/rolebar export --format=json dev").calls_rolebar_for("dev"));
        assert!(command("rolebar.exe credential-process --profile=dev").calls_rolebar_for("dev"));
        assert!(!command("rolebar credential-process prod").calls_rolebar_for("dev"));
        assert!(!command("aws-vault export --format=json dev").calls_rolebar_for("dev"));
    }

    #[test]
    fn replies_are_read_as_version_1_and_never_quoted() {
        let now = OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000);
        let ok = parse(
            br#"{"Version":1,"AccessKeyId":"ASIAX","SecretAccessKey":"s3cr3t","SessionToken":"tok","Expiration":"2030-01-01T00:00:00Z"}"#,
            now,
        )
        .map_err(|_| ())
        .expect("version 1");
        assert_eq!(ok.credentials.access_key_id, "ASIAX");
        assert!(ok.expires_at.is_some());
        for (printed, expected) in [
            (
                &br#"{"Version":2,"AccessKeyId":"A","SecretAccessKey":"s3cr3t"}"#[..],
                "Version 2",
            ),
            (br#"{"AccessKeyId":"A","SecretAccessKey":"s3cr3t"}"#, "no Version"),
            (br#"{"Version":1,"SecretAccessKey":"s3cr3t"}"#, "without AccessKeyId"),
            (br#"{"Version":1,"AccessKeyId":"A","SecretAccessKey":5}"#, "wrong types"),
            (b"s3cr3t is not json", "not a JSON object"),
            (b"", "nothing"),
            (
                br#"{"Version":1,"AccessKeyId":"A","SecretAccessKey":"s3cr3t","Expiration":"1999-01-01T00:00:00Z"}"#,
                "expired",
            ),
        ] {
            let Err(Failure::BadReply(problem)) = parse(printed, now) else {
                panic!("refused: {expected}");
            };
            assert!(problem.contains(expected), "{problem}");
            assert!(!problem.contains("s3cr3t"), "{problem}");
        }
    }
}

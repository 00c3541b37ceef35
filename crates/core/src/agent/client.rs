//! The asking side: what `rolebar credential-process`, `export` and `exec` use to get a session
//! from the running tray app. No agent is a normal answer (`Ok(None)`), found out at once.

use super::error::AgentError;
use super::frame::{FrameError, FrameReader};
use super::link::Link;
use super::paths::{check_dir_owner, effective_uid};
use super::protocol::{
    decode_call_reply, decode_credentials, decode_reply, encode_request, AgentInfo, CallFailure, CallRequest,
    ClientContext, CredentialsRequest, Request, SessionList, SessionSummary, SubscribeRequest, MAX_COMMAND_NAME,
};
use crate::session::Session;
use std::ffi::OsStr;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::UnixStream;

/// How long a request waits for its answer unless `ROLEBAR_AGENT_TIMEOUT` says otherwise: long
/// enough to find the phone and type a code in the dialog.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

/// The same for a profile that may need an IAM Identity Center sign-in: the browser sign-in's
/// own bound (10 minutes) and a minute more, so the caller does not give up (and end the
/// sign-in) while the user is still signing in.
pub const SIGN_IN_REQUEST_TIMEOUT: Duration = Duration::from_secs(660);

/// The longest reply to a front end's command (`call`): what a window shows of hundreds of
/// profiles fits many times over.
pub const MAX_CALL_REPLY: usize = 16 * 1024 * 1024;

/// How long connecting may take (a local socket answers at once or not at all).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// Seconds a request waits for the agent's answer.
pub const TIMEOUT_ENV: &str = "ROLEBAR_AGENT_TIMEOUT";

/// The request timeout: `$ROLEBAR_AGENT_TIMEOUT` seconds when set, else two minutes (eleven
/// when `sign_in`: the request may wait for a browser sign-in).
pub fn request_timeout(sign_in: bool) -> Result<Duration, AgentError> {
    let default = if sign_in {
        SIGN_IN_REQUEST_TIMEOUT
    } else {
        DEFAULT_REQUEST_TIMEOUT
    };
    parse_timeout(std::env::var_os(TIMEOUT_ENV).as_deref(), default)
}

fn parse_timeout(value: Option<&OsStr>, default: Duration) -> Result<Duration, AgentError> {
    let Some(value) = value.filter(|v| !v.is_empty()) else {
        return Ok(default);
    };
    value
        .to_str()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|seconds| *seconds > 0)
        .map(Duration::from_secs)
        .ok_or_else(|| AgentError::TimeoutSetting {
            value: value.to_string_lossy().into_owned(),
        })
}

/// A connection to the agent. One request at a time; after a timeout or a broken connection
/// the client refuses further requests (a late answer would be taken for the next one).
#[derive(Debug)]
pub struct Client {
    path: PathBuf,
    reader: FrameReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
    context: Option<ClientContext>,
    broken: bool,
}

impl Client {
    /// Connects to the agent at `path`. `Ok(None)` when no agent runs there: no socket file, or a
    /// stale one (its agent was killed), found without waiting. An error when something is there
    /// but cannot be used (no permission, a socket served by another user, a timeout).
    /// A socket in a folder of another user is refused before connecting
    /// ([`AgentError::DirTaken`]): whoever answers there, it is not our agent.
    pub async fn connect(path: &Path, connect_timeout: Duration) -> Result<Option<Client>, AgentError> {
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            check_dir_owner(dir)?;
        }
        let stream = match tokio::time::timeout(connect_timeout, UnixStream::connect(path)).await {
            Err(_) => {
                return Err(AgentError::Timeout {
                    waited: connect_timeout,
                })
            }
            Ok(Err(e)) if no_agent(&e) => {
                tracing::debug!(path = %path.display(), error = %e, "no agent");
                return Ok(None);
            }
            Ok(Err(source)) => {
                return Err(AgentError::Unavailable {
                    path: path.to_path_buf(),
                    source,
                })
            }
            Ok(Ok(stream)) => stream,
        };
        // The folder is private, so this only fails if someone else got to make it; checked
        // anyway, as the agent checks us.
        let theirs = stream.peer_cred().map_err(|source| AgentError::Unavailable {
            path: path.to_path_buf(),
            source,
        })?;
        let ours = effective_uid().map_err(|source| AgentError::Unavailable {
            path: path.to_path_buf(),
            source,
        })?;
        if theirs.uid() != ours {
            return Err(AgentError::SocketUnsafe {
                path: path.to_path_buf(),
                reason: format!("is served by uid {}, not by you (uid {ours})", theirs.uid()),
                fix: "Do not use it: remove the socket and its folder, or set ROLEBAR_AGENT_SOCKET".into(),
            });
        }
        let (read, writer) = stream.into_split();
        Ok(Some(Client {
            path: path.to_path_buf(),
            reader: FrameReader::new(read),
            writer,
            context: None,
            broken: false,
        }))
    }

    /// Context sent with credentials requests (shown to the user, e.g. the command line).
    pub fn with_context(mut self, context: ClientContext) -> Self {
        self.context = Some(context);
        self
    }

    pub async fn ping(&mut self, timeout: Duration) -> Result<AgentInfo, AgentError> {
        self.exchange(&Request::Ping, timeout, decode_reply::<AgentInfo>).await
    }

    pub async fn sessions(&mut self, timeout: Duration) -> Result<Vec<SessionSummary>, AgentError> {
        let list = self
            .exchange(&Request::Sessions, timeout, decode_reply::<SessionList>)
            .await?;
        Ok(list.sessions)
    }

    /// A session for `profile` with more than `min_left` left. With `prompt` the tray may ask
    /// for an MFA code in its dialog, so allow `timeout` for a person (see [`request_timeout`]);
    /// without it a needed code fails at once with `mfa_required`.
    pub async fn request_credentials(
        &mut self,
        profile: &str,
        min_left: time::Duration,
        prompt: bool,
        timeout: Duration,
    ) -> Result<Session, AgentError> {
        let request = Request::Credentials(CredentialsRequest {
            profile: profile.to_string(),
            min_left,
            prompt,
            client: self.context.clone(),
        });
        self.exchange(&request, timeout, decode_credentials).await
    }

    /// Runs the front-end command `command` with `args` (a JSON object; it may hold a secret,
    /// and is wiped from the request buffer). The outer error is the connection's; the inner
    /// one the command's, with the front end's code.
    pub async fn call(
        &mut self,
        command: &str,
        args: &impl serde::Serialize,
        timeout: Duration,
    ) -> Result<Result<serde_json::Value, CallFailure>, AgentError> {
        let well_formed = !command.is_empty()
            && command.len() <= MAX_COMMAND_NAME
            && command
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        let args = serde_json::to_string(args).map_err(|e| AgentError::BadReply {
            detail: format!("the arguments of `{command}` cannot be written as JSON: {e}"),
        })?;
        let args = zeroize::Zeroizing::new(args);
        if !well_formed || !args.starts_with('{') {
            return Ok(Err(CallFailure::new(
                crate::error_code::ErrorCode::AgentBadRequest.as_str(),
                format!("`{command}` is not a command name with an object of arguments"),
            )));
        }
        let request = Request::Call(CallRequest {
            command: command.to_string(),
            args,
        });
        self.exchange_long(&request, timeout, decode_call_reply).await
    }

    /// Subscribes as a front end: on success the connection becomes a [`Link`], with what the
    /// agent said first (its `ok` value). A refusal is the inner error.
    pub async fn subscribe(
        mut self,
        request: SubscribeRequest,
        timeout: Duration,
    ) -> Result<Result<(serde_json::Value, Link), CallFailure>, AgentError> {
        let hello = self
            .exchange_long(&Request::Subscribe(request), timeout, decode_call_reply)
            .await?;
        Ok(hello.map(|hello| (hello, Link::new(self.reader, self.writer))))
    }

    /// [`Self::exchange`] for replies that may be longer than a request may be (a front end's
    /// command results: the overview of hundreds of profiles), up to [`MAX_CALL_REPLY`]. They
    /// hold no secret.
    async fn exchange_long<T>(
        &mut self,
        request: &Request,
        timeout: Duration,
        decode: impl FnOnce(&[u8]) -> Result<T, AgentError>,
    ) -> Result<T, AgentError> {
        self.exchange_with(request, timeout, decode, Some(MAX_CALL_REPLY)).await
    }

    async fn exchange<T>(
        &mut self,
        request: &Request,
        timeout: Duration,
        decode: impl FnOnce(&[u8]) -> Result<T, AgentError>,
    ) -> Result<T, AgentError> {
        self.exchange_with(request, timeout, decode, None).await
    }

    async fn exchange_with<T>(
        &mut self,
        request: &Request,
        timeout: Duration,
        decode: impl FnOnce(&[u8]) -> Result<T, AgentError>,
        long: Option<usize>,
    ) -> Result<T, AgentError> {
        if self.broken {
            return Err(AgentError::Closed {
                path: self.path.clone(),
            });
        }
        let line = encode_request(request);
        let path = &self.path;
        let unavailable = |source| AgentError::Unavailable {
            path: path.clone(),
            source,
        };
        let (reader, writer) = (&mut self.reader, &mut self.writer);
        let work = async move {
            let written = writer.write_all(line.as_slice()).await;
            // Credentials replies are read in place from the reader's wiped buffer; long replies
            // (a front end's results, never a secret) into a vector of their own.
            let long_reply;
            let reply = match long {
                Some(max) => {
                    long_reply = reader.next_long_frame(max).await;
                    match &long_reply {
                        Ok(line) => Ok(line.as_deref()),
                        Err(FrameError::TooLarge) => Err(FrameError::TooLarge),
                        Err(FrameError::Truncated) => Err(FrameError::Truncated),
                        Err(FrameError::Io(e)) => Err(FrameError::Io(std::io::Error::new(e.kind(), e.to_string()))),
                    }
                }
                None => reader.next_frame().await,
            };
            if let Err(e) = written {
                // An agent with no slot for us answers `agent_busy` and hangs up, maybe before our
                // request went out: its reply is still there to read, and says more than EPIPE.
                return match reply {
                    Ok(Some(reply)) => decode(reply),
                    _ => Err(unavailable(e)),
                };
            }
            match reply {
                Ok(Some(reply)) => decode(reply),
                Ok(None) | Err(FrameError::Truncated) => Err(AgentError::Closed { path: path.clone() }),
                Err(FrameError::TooLarge) => Err(AgentError::FrameTooLarge),
                Err(FrameError::Io(source)) => Err(unavailable(source)),
            }
        };
        let result = tokio::time::timeout(timeout, work)
            .await
            .unwrap_or(Err(AgentError::Timeout { waited: timeout }));
        let busy = matches!(&result, Err(AgentError::Refused(f)) if f.code == crate::error_code::ErrorCode::AgentBusy);
        if busy
            || matches!(
                result,
                Err(AgentError::Timeout { .. }
                    | AgentError::Closed { .. }
                    | AgentError::Unavailable { .. }
                    | AgentError::FrameTooLarge)
            )
        {
            self.broken = true;
        }
        result
    }
}

/// The errors of connecting that mean "no agent here" rather than "something is wrong".
fn no_agent(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::NotFound | io::ErrorKind::ConnectionRefused)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error_code::HasCode;

    #[test]
    fn the_timeout_setting_is_whole_seconds() {
        let d = DEFAULT_REQUEST_TIMEOUT;
        assert_eq!(parse_timeout(None, d).expect("default"), Duration::from_secs(120));
        assert_eq!(
            parse_timeout(None, SIGN_IN_REQUEST_TIMEOUT).expect("default for a sign-in"),
            Duration::from_secs(660)
        );
        assert_eq!(
            parse_timeout(Some(OsStr::new("")), d).expect("default"),
            Duration::from_secs(120)
        );
        assert_eq!(
            parse_timeout(Some(OsStr::new(" 30 ")), SIGN_IN_REQUEST_TIMEOUT).expect("30"),
            Duration::from_secs(30)
        );
        for bad in ["0", "-1", "2m", "1.5", "lots"] {
            let err = parse_timeout(Some(OsStr::new(bad)), d).expect_err(bad);
            assert_eq!(err.code(), "agent_timeout_setting");
            assert!(
                err.to_string().contains(&format!("ROLEBAR_AGENT_TIMEOUT={bad:?}")),
                "{err}"
            );
        }
    }
}

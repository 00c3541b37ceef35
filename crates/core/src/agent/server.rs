//! The agent's listening side: binding the socket safely, and serving connections with the
//! peer's uid checked, a bound on connections (and a prompt "busy" reply beyond it), a bounded
//! life for connections that ask for nothing, and one flight per request.
//!
//! What the agent answers is up to the [`Handler`] (the tray app: its vault, cache and dialog).

use super::error::{AgentError, AgentFailure};
use super::frame::{FrameError, FrameReader};
use super::link::Link;
use super::paths::{effective_uid, ensure_private_dir, SOCKET_ENV};
use super::peer::Peer;
use super::protocol::{
    decode_request, encode_call_failure, encode_credentials, encode_failure, encode_ok, frame_too_large, AgentInfo,
    CallFailure, CallRequest, CredentialsRequest, Request, SessionList, SessionSummary, SubscribeRequest,
};
use super::single_flight::SingleFlight;
use crate::error_code::ErrorCode;
use crate::session::Session;
use std::fs::File;
use std::io;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use zeroize::Zeroizing;

/// What the agent answers with: the tray app implements it over its vault and dialog.
#[async_trait::async_trait]
pub trait Handler: Send + Sync {
    /// A session for `request.profile` with more than `request.min_left` left, asking the user
    /// (naming `peer.describe()`) only when `request.prompt` allows it. Concurrent equal requests
    /// are already folded into one call by the server. A denied dialog is
    /// [`AgentFailure::denied`]; a library error converts with `AgentFailure::from`.
    async fn credentials(&self, request: CredentialsRequest, peer: &Peer) -> Result<Session, AgentFailure>;

    /// The sessions the agent holds, without secrets.
    async fn sessions(&self) -> Vec<SessionSummary>;

    /// A front end's command (`call`): its result as JSON, never a secret. The default serves
    /// none. A call may wait for a person (an MFA dialog): the server sets no bound on it.
    async fn call(&self, request: CallRequest, _peer: &Peer) -> Result<serde_json::Value, CallFailure> {
        Err(CallFailure::new(
            crate::error_code::ErrorCode::AgentBadRequest.as_str(),
            format!(
                "this agent serves no front-end commands (asked for `{}`)",
                request.command
            ),
        ))
    }

    /// A front end that stays connected (`subscribe`): the handler writes the reply first
    /// ([`super::LinkWriter::accept`] or `refuse`), then owns the link until it returns; the
    /// connection closes then. The default refuses.
    async fn subscribe(&self, request: SubscribeRequest, _peer: &Peer, link: Link) {
        let refusal = CallFailure::new(
            crate::error_code::ErrorCode::AgentBadRequest.as_str(),
            format!("this agent takes no subscriptions (asked by a `{}`)", request.role),
        );
        let _ = link.writer.refuse(&refusal).await;
    }
}

#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// A connection is closed this long after it opened, or after the answer to its last
    /// credentials request, unless it sends another credentials request: pings and session
    /// lists do not keep it open (a client pinging forever would hold its slot forever), nor
    /// does a half-written line. The time a request takes to answer does not count.
    pub idle_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
    /// How long a new connection may wait for a slot when all are taken, so that bursts are
    /// served; then it gets the `agent_busy` reply and is closed. It waits on while every slot
    /// is answering a credentials request (a dialog is open: those end with it).
    pub slot_wait: Duration,
    /// New connections that may wait for a slot at once; more get `agent_busy` at once.
    pub max_waiting: usize,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            idle_timeout: Duration::from_secs(30),
            max_connections: 64,
            slot_wait: Duration::from_secs(2),
            max_waiting: 256,
        }
    }
}

/// A bound agent socket, ready to [`Agent::serve`]. Dropping it (or `serve` returning) removes
/// the socket file, if it is still the one this agent made.
#[derive(Debug)]
pub struct Agent {
    listener: std::os::unix::net::UnixListener,
    socket: SocketFile,
    uid: u32,
    options: ServerOptions,
}

/// The socket file and the lock that says an agent owns it.
#[derive(Debug)]
struct SocketFile {
    path: PathBuf,
    /// (device, inode) of the socket this agent bound.
    id: (u64, u64),
    /// Held (flock) for the agent's life; the lock file itself is never deleted, so two agents
    /// can never each lock a different one.
    _lock: File,
}

impl Drop for SocketFile {
    fn drop(&mut self) {
        let ours = std::fs::symlink_metadata(&self.path).is_ok_and(|m| (m.dev(), m.ino()) == self.id);
        if ours {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

impl Agent {
    /// Binds the agent's socket at `path` (see [`super::socket_path`]):
    ///
    /// 1. the parent folder is made private or checked to be ([`ensure_private_dir`]);
    /// 2. a lock next to the socket (`agent.sock.lock`) is taken: held by another agent, this is
    ///    [`AgentError::AlreadyRunning`];
    /// 3. a socket left at `path` is probed: one that answers belongs to a running agent
    ///    (`AlreadyRunning`); one that refuses is stale (its agent was killed) and is replaced;
    ///    anything that is not a socket is refused and left alone;
    /// 4. the new socket is made 0600.
    ///
    /// Needs no async runtime; [`Agent::serve`] does.
    pub fn bind(path: &Path) -> Result<Agent, AgentError> {
        let io = |action: &'static str, at: &Path| {
            let path = at.to_path_buf();
            move |source| AgentError::Io { action, path, source }
        };
        let (Some(dir), Some(name)) = (path.parent().filter(|d| !d.as_os_str().is_empty()), path.file_name()) else {
            return Err(AgentError::SocketUnsafe {
                path: path.to_path_buf(),
                reason: "is not a path to a file in a folder".into(),
                fix: format!("Set {SOCKET_ENV} to a full path such as /run/user/1000/rolebar/agent.sock"),
            });
        };
        ensure_private_dir(dir)?;
        let lock_path = dir.join(format!("{}.lock", name.to_string_lossy()));
        let lock = lock_file(&lock_path).map_err(io("open the lock file", &lock_path))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(AgentError::AlreadyRunning {
                    path: path.to_path_buf(),
                })
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io("lock", &lock_path)(e)),
        }
        match std::fs::symlink_metadata(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io("look at", path)(e)),
            Ok(meta) if meta.file_type().is_socket() => match std::os::unix::net::UnixStream::connect(path) {
                Ok(_) => {
                    return Err(AgentError::AlreadyRunning {
                        path: path.to_path_buf(),
                    })
                }
                Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
                    tracing::info!(path = %path.display(), "replacing a stale agent socket (its agent is gone)");
                    std::fs::remove_file(path).map_err(io("remove the stale socket", path))?;
                }
                Err(e) => return Err(io("check the socket left at", path)(e)),
            },
            Ok(meta) => {
                let kind = if meta.is_dir() {
                    "a folder"
                } else if meta.file_type().is_symlink() {
                    "a symbolic link"
                } else {
                    "a file"
                };
                return Err(AgentError::SocketUnsafe {
                    path: path.to_path_buf(),
                    reason: format!("is {kind}, not a socket"),
                    fix: format!("Rolebar will not delete it: move it away, or set {SOCKET_ENV} to another path"),
                });
            }
        }
        let listener = std::os::unix::net::UnixListener::bind(path).map_err(io("listen on", path))?;
        let set_up = || -> Result<(u64, u64), AgentError> {
            // The folder is private, so nobody could reach the socket before this tightening.
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
                .map_err(io("set the permissions of", path))?;
            listener.set_nonblocking(true).map_err(io("set up the socket", path))?;
            let meta = std::fs::symlink_metadata(path).map_err(io("look at", path))?;
            Ok((meta.dev(), meta.ino()))
        };
        let id = set_up().inspect_err(|_| {
            // A socket nobody serves would only look stale to the next start.
            let _ = std::fs::remove_file(path);
        })?;
        let uid = effective_uid().map_err(io("find the user id for", path))?;
        Ok(Agent {
            listener,
            socket: SocketFile {
                path: path.to_path_buf(),
                id,
                _lock: lock,
            },
            uid,
            options: ServerOptions::default(),
        })
    }

    pub fn with_options(mut self, options: ServerOptions) -> Self {
        self.options = options;
        self
    }

    pub fn path(&self) -> &Path {
        &self.socket.path
    }

    /// Serves until `shutdown` resolves, then closes every connection and removes the socket.
    /// Errors only if the socket cannot be handed to the runtime; a failed connection is logged
    /// and the rest go on.
    pub async fn serve(
        self,
        handler: Arc<dyn Handler>,
        shutdown: impl std::future::Future<Output = ()>,
    ) -> Result<(), AgentError> {
        let Agent {
            listener,
            socket,
            uid,
            options,
        } = self;
        let listener = UnixListener::from_std(listener).map_err(|source| AgentError::Io {
            action: "serve on",
            path: socket.path.clone(),
            source,
        })?;
        let max_connections = options.max_connections.max(1);
        let shared = Arc::new(Shared {
            handler,
            flights: SingleFlight::new(),
            uid,
            idle_timeout: options.idle_timeout,
            slot_wait: options.slot_wait,
            slots: Arc::new(Semaphore::new(max_connections)),
            max_connections,
            answering: AtomicUsize::new(0),
            busy_log: std::sync::Mutex::new(BusyLog::default()),
        });
        let waiting = Arc::new(Semaphore::new(options.max_waiting));
        let mut connections = JoinSet::new();
        tracing::info!(path = %socket.path.display(), "agent listening");
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                Some(ended) = connections.join_next(), if !connections.is_empty() => {
                    if let Err(e) = ended {
                        if e.is_panic() {
                            tracing::error!("an agent connection panicked");
                        }
                    }
                }
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => match shared.slots.clone().try_acquire_owned() {
                        Ok(slot) => {
                            connections.spawn(connection(stream, slot, shared.clone()));
                        }
                        Err(_) => match waiting.clone().try_acquire_owned() {
                            Ok(turn) => {
                                connections.spawn(wait_for_slot(stream, turn, shared.clone()));
                            }
                            Err(_) => refuse_at_once(&stream, &shared),
                        },
                    },
                    Err(e) => {
                        // Out of file descriptors, say: back off instead of spinning.
                        tracing::warn!(error = %e, "agent cannot accept a connection");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                },
            }
        }
        tracing::info!(path = %socket.path.display(), "agent stopped");
        connections.shutdown().await;
        drop(socket);
        Ok(())
    }
}

fn lock_file(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        // Neither a link planted under that name nor a FIFO may be followed or hang the open.
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::other("the lock file is not a regular file"));
    }
    Ok(file)
}

/// A connection that came when every slot was taken: it waits for one in turn (bounded by
/// `slot_wait`, or as long as every slot is answering a credentials request), else is told the
/// agent is busy. Connections are accepted at once either way, so a client hears "busy" within
/// seconds instead of waiting in the socket's backlog until its own timeout blames the dialog.
async fn wait_for_slot(mut stream: UnixStream, turn: OwnedSemaphorePermit, shared: Arc<Shared>) {
    // One acquire for the whole wait keeps this connection's place in the (fair) queue.
    let acquire = shared.slots.clone().acquire_owned();
    tokio::pin!(acquire);
    let slot = loop {
        tokio::select! {
            slot = &mut acquire => match slot {
                Ok(slot) => break slot,
                Err(_) => return,
            },
            () = tokio::time::sleep(shared.slot_wait) => {
                if !shared.all_answering() {
                    let line = shared.refusal(&stream, BusyWhy::NoSlotInTime);
                    let _ = tokio::time::timeout(shared.slot_wait, stream.write_all(&line)).await;
                    return;
                }
            }
        }
    };
    drop(turn);
    connection(stream, slot, shared).await;
}

/// Too many are waiting already: the refusal is written without waiting (a fresh socket's
/// buffer takes one short line whole) and the connection closed, all in the accept loop.
fn refuse_at_once(stream: &UnixStream, shared: &Shared) {
    let line = shared.refusal(stream, BusyWhy::TooManyWaiting);
    let _ = stream.try_write(&line);
}

struct Shared {
    handler: Arc<dyn Handler>,
    flights: SingleFlight<FlightKey, Result<Session, AgentFailure>>,
    uid: u32,
    idle_timeout: Duration,
    slot_wait: Duration,
    /// One permit per connection served.
    slots: Arc<Semaphore>,
    max_connections: usize,
    /// Connections inside a credentials request right now (waiting for its answer).
    answering: AtomicUsize,
    busy_log: std::sync::Mutex<BusyLog>,
}

#[derive(Clone, Copy)]
enum BusyWhy {
    NoSlotInTime,
    TooManyWaiting,
}

/// Refusals are logged at most once a minute (with how many there were), so a flood cannot
/// fill the log.
#[derive(Default)]
struct BusyLog {
    last: Option<tokio::time::Instant>,
    unlogged: u64,
}

const BUSY_LOG_EVERY: Duration = Duration::from_secs(60);

impl Shared {
    /// Connections being served now.
    fn open(&self) -> usize {
        self.max_connections - self.slots.available_permits().min(self.max_connections)
    }

    /// Whether every open connection is waiting for a credentials answer.
    fn all_answering(&self) -> bool {
        self.answering.load(Ordering::SeqCst) >= self.open()
    }

    /// The reply for a connection that gets no slot: `agent_busy`, or for another user the same
    /// refusal as ever (it learns nothing of the agent's load).
    fn refusal(&self, stream: &UnixStream, why: BusyWhy) -> Vec<u8> {
        let credentials = stream.peer_cred().ok();
        if credentials.is_some_and(|c| c.uid() != self.uid) {
            return encode_failure(&peer_refused());
        }
        let open = self.open();
        self.log_busy(open, credentials.and_then(|c| c.pid()));
        encode_failure(&busy(open, self.slot_wait, self.idle_timeout, why))
    }

    fn log_busy(&self, open: usize, pid: Option<i32>) {
        let mut log = self.busy_log.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        log.unlogged += 1;
        let now = tokio::time::Instant::now();
        if log.last.is_none_or(|last| now.duration_since(last) >= BUSY_LOG_EVERY) {
            tracing::warn!(
                open,
                refused = log.unlogged,
                ?pid,
                "agent is busy: every connection slot is taken, new connections are refused"
            );
            log.last = Some(now);
            log.unlogged = 0;
        }
    }
}

fn peer_refused() -> AgentFailure {
    AgentFailure::new(
        ErrorCode::AgentPeerRefused,
        "the Rolebar agent serves only the user who runs it",
    )
}

fn busy(open: usize, slot_wait: Duration, idle_timeout: Duration, why: BusyWhy) -> AgentFailure {
    let waited = match why {
        BusyWhy::NoSlotInTime => format!("none came free in {}", super::error::human_duration(slot_wait)),
        BusyWhy::TooManyWaiting => "more are already waiting for one".to_string(),
    };
    let open = match open {
        1 => "1 connection is open".to_string(),
        n => format!("{n} connections are open"),
    };
    AgentFailure::new(
        ErrorCode::AgentBusy,
        format!(
            "the Rolebar agent is busy: {open} (the most it serves at once) and {waited}. \
             A program of yours may be holding connections open without asking for credentials (the agent \
             closes those after {}); try again shortly",
            super::error::human_duration(idle_timeout)
        ),
    )
}

/// Counts a connection as answering a credentials request while it lives.
struct Answering<'a>(&'a AtomicUsize);

impl<'a> Answering<'a> {
    fn start(count: &'a AtomicUsize) -> Self {
        count.fetch_add(1, Ordering::SeqCst);
        Answering(count)
    }
}

impl Drop for Answering<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Requests that may share one answer: same profile, same minimum, same permission to prompt.
/// Profile, `min_left`, `prompt`, and the program asking (`Peer::program`): a profile that asks
/// before serving a program must not hand one program's approved answer to another.
type FlightKey = (String, time::Duration, bool, Option<crate::approvals::ProgramId>);

/// A reply line; the credentials one is wiped when dropped.
enum Reply {
    Plain(Vec<u8>),
    Secret(Zeroizing<String>),
}

impl Reply {
    fn bytes(&self) -> &[u8] {
        match self {
            Reply::Plain(line) => line,
            Reply::Secret(line) => line.as_bytes(),
        }
    }
}

async fn connection(stream: UnixStream, _permit: OwnedSemaphorePermit, shared: Arc<Shared>) {
    let credentials = match stream.peer_cred() {
        Ok(credentials) => credentials,
        Err(e) => {
            tracing::warn!(error = %e, "agent cannot read a connection's peer credentials; closing it");
            return;
        }
    };
    let (read, mut write) = stream.into_split();
    if credentials.uid() != shared.uid {
        tracing::warn!(
            uid = credentials.uid(),
            pid = ?credentials.pid(),
            "agent refused a connection from another user"
        );
        let _ = tokio::time::timeout(shared.idle_timeout, write.write_all(&encode_failure(&peer_refused()))).await;
        return;
    }
    let peer = Peer::inspect(credentials.uid(), credentials.pid());
    let pid = peer.pid;
    let mut reader = FrameReader::new(read);
    // Moved on only by an answered credentials request: pings and session lists are cheap to
    // send forever, and would otherwise hold a slot forever.
    let mut deadline = tokio::time::Instant::now() + shared.idle_timeout;
    loop {
        let request = match tokio::time::timeout_at(deadline, reader.next_frame()).await {
            Err(_) => {
                tracing::debug!(?pid, "agent closed an idle connection");
                return;
            }
            Ok(Ok(None)) => return,
            Ok(Ok(Some(line))) => decode_request(line),
            Ok(Err(FrameError::TooLarge)) => {
                tracing::debug!(?pid, "agent closed a connection that sent an over-long line");
                let _ = tokio::time::timeout(
                    shared.idle_timeout,
                    write.write_all(&encode_failure(&frame_too_large())),
                )
                .await;
                return;
            }
            Ok(Err(e)) => {
                tracing::debug!(?pid, error = %e, "agent connection ended");
                return;
            }
        };
        // Calls count as credentials requests do: they may wait for a person, and are the work a
        // front end's connection is for.
        let asked_for_credentials = matches!(request, Ok(Request::Credentials(_) | Request::Call(_)));
        let reply = match request {
            Ok(Request::Subscribe(request)) => {
                tracing::debug!(?pid, op = "subscribe", role = %request.role, "agent request");
                // The link has no idle bound: the front end is connected while it lives. It keeps
                // its connection slot.
                shared.handler.subscribe(request, &peer, Link::new(reader, write)).await;
                return;
            }
            Ok(Request::Call(call)) => {
                tracing::debug!(?pid, op = "call", command = %call.command, "agent request");
                let _answering = Answering::start(&shared.answering);
                // Not withdrawn when the front end hangs up: a command half done (a session
                // written, a setting saved) is finished, and only its answer is lost.
                match shared.handler.call(call, &peer).await {
                    Ok(value) => Reply::Plain(encode_ok(&value)),
                    Err(failure) => {
                        tracing::debug!(?pid, code = %failure.code, "a front-end command failed");
                        Reply::Plain(encode_call_failure(&failure))
                    }
                }
            }
            Err(failure) => {
                tracing::debug!(?pid, code = %failure.code, "agent got a request it cannot read");
                Reply::Plain(encode_failure(&failure))
            }
            Ok(Request::Ping) => {
                tracing::debug!(?pid, op = "ping", "agent request");
                Reply::Plain(encode_ok(&AgentInfo::current()))
            }
            Ok(Request::Sessions) => {
                tracing::debug!(?pid, op = "sessions", "agent request");
                let sessions = shared.handler.sessions().await;
                Reply::Plain(encode_ok(&SessionList { sessions }))
            }
            Ok(Request::Credentials(request)) => {
                tracing::debug!(?pid, op = "credentials", profile = %request.profile, prompt = request.prompt, "agent request");
                let _answering = Answering::start(&shared.answering);
                let key = (
                    request.profile.clone(),
                    request.min_left,
                    request.prompt,
                    peer.program(),
                );
                let answer = tokio::select! {
                    answer = shared.flights.run(key, || shared.handler.credentials(request, &peer)) => answer,
                    // A client that hangs up (Ctrl-C on the AWS CLI) withdraws its request; the
                    // dialog stays only while someone still waits for it.
                    () = reader.closed() => {
                        tracing::debug!(?pid, "agent client left before its answer");
                        return;
                    }
                };
                match answer.and_then(|session| encode_credentials(&session)) {
                    Ok(line) => Reply::Secret(line),
                    Err(failure) => {
                        tracing::debug!(?pid, code = %failure.code, "agent refused a credentials request");
                        Reply::Plain(encode_failure(&failure))
                    }
                }
            }
        };
        match tokio::time::timeout(shared.idle_timeout, write.write_all(reply.bytes())).await {
            Ok(Ok(())) => {
                if asked_for_credentials {
                    deadline = tokio::time::Instant::now() + shared.idle_timeout;
                }
            }
            Ok(Err(e)) => {
                tracing::debug!(?pid, error = %e, "agent cannot answer: the client left");
                return;
            }
            Err(_) => {
                tracing::debug!(?pid, "agent closed a connection that does not read its answers");
                return;
            }
        }
    }
}

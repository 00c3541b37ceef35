//! Handing the sign-in URL to the browser without putting it in any process's arguments or
//! environment: `/proc/PID/cmdline` is readable by every local user, and a browser started with
//! the URL keeps it there for as long as it runs (a first Firefox window: all day).
//!
//! The browser command gets a stand-in instead:
//!
//! - [`HandoffKind::Loopback`] (Linux): `http://127.0.0.1:PORT/TOKEN`, a one-shot page that
//!   answers `303 See Other` to the sign-in URL once, and only to a connection made by a process
//!   of the same user (the connection's owner is read from `/proc/net/tcp{,6}`, matched by
//!   address and port). Another user gets 403 and nothing of the URL, a second fetch 410 or a
//!   closed port, a wrong path 404. The TOKEN (32 random bytes) is compared in constant time.
//!   Sandboxed browsers (snap, flatpak) share the loopback network, so they open it too.
//! - [`HandoffKind::File`] (other Unix systems, or Linux without a readable `/proc/net/tcp`): a
//!   `file://` URL to a page that redirects to the sign-in URL, 0600 in a new 0700 folder of the
//!   runtime folder (`$XDG_RUNTIME_DIR`, `$TMPDIR` on macOS), deleted once the browser read it
//!   (seen by its access time, where the file system keeps one) or at the bound. A sandboxed
//!   browser that cannot read that folder cannot open it.
//! - [`HandoffKind::Argument`] (Windows): the URL itself, as before.
//!
//! Either page is withdrawn after [`HANDOFF_BOUND`] if the browser never comes for it.

use super::error::ConsoleError;
use super::federation::SigninUrl;
use crate::Secret;
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;
#[cfg(unix)]
use zeroize::Zeroizing;

/// How long a hand-off page waits for the browser: a cold browser start takes seconds, and the
/// sign-in token inside lives 15 minutes.
pub const HANDOFF_BOUND: Duration = Duration::from_secs(120);

/// How the browser gets the sign-in URL (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandoffKind {
    /// A one-shot page on 127.0.0.1 for the same user only.
    Loopback,
    /// A private file that redirects.
    File,
    /// The URL as the browser command's argument.
    Argument,
}

impl HandoffKind {
    /// The kind this system supports best.
    #[allow(clippy::let_and_return)] // one `let` per platform
    pub fn for_this_system() -> HandoffKind {
        #[cfg(target_os = "linux")]
        let kind = if loopback::peer_uids_known() {
            HandoffKind::Loopback
        } else {
            HandoffKind::File
        };
        #[cfg(all(unix, not(target_os = "linux")))]
        let kind = HandoffKind::File;
        #[cfg(not(unix))]
        let kind = HandoffKind::Argument;
        kind
    }
}

/// What a hand-off is made with.
#[derive(Debug, Clone)]
pub struct HandoffOptions {
    pub kind: HandoffKind,
    /// How long the page waits for the browser.
    pub bound: Duration,
    /// Where a [`HandoffKind::File`] page's folder is made; default: the runtime folder.
    pub file_parent: Option<PathBuf>,
}

impl Default for HandoffOptions {
    fn default() -> Self {
        HandoffOptions {
            kind: HandoffKind::for_this_system(),
            bound: HANDOFF_BOUND,
            file_parent: None,
        }
    }
}

/// How a hand-off ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(unix), allow(dead_code))]
enum Outcome {
    Used,
    Expired,
}

/// A task that is aborted when dropped: a hand-off dropped unused takes its page with it.
#[derive(Debug)]
struct AbortOnDrop(JoinHandle<Outcome>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A sign-in URL waiting for the browser. Dropping it withdraws the page at once; [`finish`]
/// waits for the browser, [`detach`] lets the page wait in the background.
///
/// [`finish`]: Handoff::finish
/// [`detach`]: Handoff::detach
pub struct Handoff {
    profile: String,
    kind: HandoffKind,
    /// What the browser command gets. For a loopback page it holds the page's token: worthless
    /// to another user, but still not logged.
    browser_url: Secret,
    used: watch::Receiver<bool>,
    task: Option<AbortOnDrop>,
    bound: Duration,
    /// The file page, for tests and messages.
    file: Option<PathBuf>,
}

impl std::fmt::Debug for Handoff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handoff")
            .field("profile", &self.profile)
            .field("kind", &self.kind)
            .field("used", &self.used())
            .finish_non_exhaustive()
    }
}

impl Handoff {
    /// Prepares the page for `url` (the sign-in of `profile`): listening, or written.
    pub async fn start(profile: &str, url: &SigninUrl, options: &HandoffOptions) -> Result<Handoff, ConsoleError> {
        let failed = |detail: String| ConsoleError::HandoffFailed {
            profile: profile.to_string(),
            detail,
        };
        let (used_tx, used) = watch::channel(false);
        let (browser_url, task, file) = match options.kind {
            HandoffKind::Argument => {
                let _ = used_tx.send(true);
                (Secret::new(url.expose()), None, None)
            }
            #[cfg(target_os = "linux")]
            HandoffKind::Loopback => {
                let page = loopback::Page::bind(url.clone()).await.map_err(failed)?;
                let browser_url = page.browser_url();
                let task = tokio::spawn(page.serve(options.bound, used_tx));
                (browser_url, Some(task), None)
            }
            #[cfg(not(target_os = "linux"))]
            HandoffKind::Loopback => {
                return Err(failed(
                    "a loopback page needs Linux's /proc/net/tcp to know who fetches it".into(),
                ))
            }
            #[cfg(unix)]
            HandoffKind::File => {
                let parent = match &options.file_parent {
                    Some(parent) => parent.clone(),
                    None => file_page::runtime_dir(),
                };
                let page = file_page::Page::write(&parent, url).map_err(failed)?;
                let browser_url = page.browser_url();
                let path = page.path().to_path_buf();
                let task = tokio::spawn(page.wait(options.bound, used_tx));
                (browser_url, Some(task), Some(path))
            }
            #[cfg(not(unix))]
            HandoffKind::File => return Err(failed("a private file page needs Unix file modes".into())),
        };
        Ok(Handoff {
            profile: profile.to_string(),
            kind: options.kind,
            browser_url,
            used,
            task: task.map(AbortOnDrop),
            bound: options.bound,
            file,
        })
    }

    pub fn kind(&self) -> HandoffKind {
        self.kind
    }

    /// The URL for the browser command: the page, not the sign-in URL (except
    /// [`HandoffKind::Argument`]).
    pub fn browser_url(&self) -> &str {
        self.browser_url.expose()
    }

    /// Whether the browser has come for the page (always for [`HandoffKind::Argument`]).
    pub fn used(&self) -> bool {
        *self.used.borrow()
    }

    /// A receiver that turns `true` once the browser came for the page.
    pub(crate) fn used_signal(&self) -> watch::Receiver<bool> {
        self.used.clone()
    }

    /// The file page's path ([`HandoffKind::File`]).
    pub fn file(&self) -> Option<&std::path::Path> {
        self.file.as_deref()
    }

    /// Waits until the browser came for the page (`Ok`) or the bound passed (the page is then
    /// withdrawn, and the error says what to do).
    pub async fn finish(mut self) -> Result<(), ConsoleError> {
        let Some(mut task) = self.task.take() else {
            return Ok(());
        };
        match (&mut task.0).await {
            Ok(Outcome::Used) => Ok(()),
            Ok(Outcome::Expired) => Err(ConsoleError::BrowserNeverCame {
                profile: self.profile.clone(),
                waited_secs: self.bound.as_secs(),
            }),
            Err(e) => Err(ConsoleError::HandoffFailed {
                profile: self.profile.clone(),
                detail: format!("the page's task ended: {e}"),
            }),
        }
    }

    /// Lets the page wait in the background (the tray app, whose runtime outlives the click),
    /// logging how it ended. Must be called within a Tokio runtime.
    pub fn detach(self) {
        if self.task.is_none() {
            return;
        }
        tokio::spawn(async move {
            let profile = self.profile.clone();
            match self.finish().await {
                Ok(()) => tracing::info!(profile, "the browser opened the console sign-in page"),
                Err(e) => tracing::warn!(profile, "console sign-in page withdrawn: {e}"),
            }
        });
    }
}

/// 32 random bytes, base64url: unguessable, and safe in a URL path or file name.
#[cfg(unix)]
fn random_token() -> Result<Zeroizing<String>, String> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let mut bytes = Zeroizing::new([0u8; 32]);
    getrandom::fill(bytes.as_mut_slice()).map_err(|e| format!("no random numbers from the system: {e}"))?;
    Ok(Zeroizing::new(URL_SAFE_NO_PAD.encode(bytes.as_slice())))
}

#[cfg(target_os = "linux")]
mod loopback {
    //! The one-shot page on 127.0.0.1.

    use super::{random_token, Outcome};
    use crate::accept_guard::AcceptGuard;
    use crate::console::federation::SigninUrl;
    use crate::Secret;
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use std::time::Duration;
    use subtle::ConstantTimeEq;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};
    use tokio::sync::watch;
    use tokio::task::JoinSet;
    use zeroize::Zeroizing;

    /// How long one connection may take to send its request (a browser's idle speculative
    /// connection must not hold a slot for long).
    const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
    /// The same for another user's connection, only read so that the 403 is not lost to a reset:
    /// a flood of them must not keep the slots from the browser.
    const OTHER_USER_TIMEOUT: Duration = Duration::from_secs(1);
    /// A browser's request head is a few hundred bytes.
    const MAX_REQUEST: usize = 16 * 1024;
    /// Connections served at once; more wait in the listen backlog (`accept_guard`).
    const MAX_CONNECTIONS: usize = 16;

    /// Whether the owner of a loopback connection can be found here: `/proc/net/tcp` is
    /// readable and our own uid known.
    pub(crate) fn peer_uids_known() -> bool {
        std::fs::File::open("/proc/net/tcp").is_ok() && effective_uid().is_some()
    }

    /// Our effective uid, from `/proc/self/status` (no `unsafe` for geteuid).
    fn effective_uid() -> Option<u32> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        status
            .lines()
            .find_map(|line| line.strip_prefix("Uid:"))
            .and_then(|ids| ids.split_whitespace().nth(1))
            .and_then(|id| id.parse().ok())
    }

    pub(crate) struct Page {
        listener: TcpListener,
        address: SocketAddr,
        token: Zeroizing<String>,
        target: SigninUrl,
        uid: u32,
    }

    impl Page {
        pub(crate) async fn bind(target: SigninUrl) -> Result<Page, String> {
            let uid = effective_uid().ok_or("cannot read this process's user id from /proc/self/status")?;
            let token = random_token()?;
            let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
                .await
                .map_err(|e| format!("cannot listen on 127.0.0.1: {e}"))?;
            let address = listener
                .local_addr()
                .map_err(|e| format!("cannot listen on 127.0.0.1: {e}"))?;
            Ok(Page {
                listener,
                address,
                token,
                target,
                uid,
            })
        }

        pub(crate) fn browser_url(&self) -> Secret {
            Secret::new(format!("http://{}/{}", self.address, self.token.as_str()))
        }

        /// Serves until the page was handed out once, or `bound` passed.
        pub(crate) async fn serve(self, bound: Duration, used_tx: watch::Sender<bool>) -> Outcome {
            let deadline = tokio::time::Instant::now() + bound;
            let shared = Arc::new(Shared {
                address: self.address,
                token: self.token,
                target: self.target,
                uid: self.uid,
                taken: AtomicBool::new(false),
            });
            let mut connections: JoinSet<bool> = JoinSet::new();
            let mut guard = AcceptGuard::new("console sign-in page", MAX_CONNECTIONS);
            loop {
                tokio::select! {
                    () = tokio::time::sleep_until(deadline) => {
                        tracing::info!("the console sign-in page was not fetched in time: withdrawn");
                        return Outcome::Expired;
                    }
                    Some(done) = connections.join_next() => {
                        if matches!(done, Ok(true)) {
                            let _ = used_tx.send(true);
                            // The listener and any other connection close with `self`.
                            return Outcome::Used;
                        }
                    }
                    (stream, slot) = guard.accept(&self.listener) => {
                        // A connection reset before it could be looked at tells nothing.
                        let Ok(peer) = stream.peer_addr() else { continue };
                        let shared = shared.clone();
                        connections.spawn(async move {
                            let _slot = slot;
                            handle(stream, peer, shared).await
                        });
                    }
                }
            }
        }
    }

    struct Shared {
        address: SocketAddr,
        token: Zeroizing<String>,
        target: SigninUrl,
        uid: u32,
        /// Set by the one connection that gets the redirect.
        taken: AtomicBool,
    }

    /// Answers one connection; whether it got the sign-in URL.
    async fn handle(mut stream: TcpStream, peer: SocketAddr, shared: Arc<Shared>) -> bool {
        // Looked up before reading: the connection is established now, so its row is there.
        let owner = {
            let ours = shared.address;
            tokio::task::spawn_blocking(move || connection_owner(ours, peer))
                .await
                .ok()
                .flatten()
        };
        let within = if owner == Some(shared.uid) {
            REQUEST_TIMEOUT
        } else {
            OTHER_USER_TIMEOUT
        };
        let Ok(Some(request_line)) = tokio::time::timeout(within, read_head(&mut stream)).await else {
            return false;
        };
        let (reply, served) = answer(&shared, owner, &request_line);
        let _ = stream.write_all(reply.as_bytes()).await;
        let _ = stream.shutdown().await;
        served
    }

    /// The reply to `request_line` from a connection owned by `owner`, and whether it is the
    /// redirect.
    fn answer(shared: &Shared, owner: Option<u32>, request_line: &str) -> (Zeroizing<String>, bool) {
        match owner {
            Some(uid) if uid == shared.uid => {}
            Some(uid) => {
                tracing::warn!(uid, "refused the console sign-in page to another user");
                return (
                    plain(403, "Forbidden", "This sign-in page is for another user.\n"),
                    false,
                );
            }
            None => {
                tracing::warn!("refused the console sign-in page: cannot tell which user connected");
                return (
                    plain(403, "Forbidden", "This sign-in page is for another user.\n"),
                    false,
                );
            }
        }
        let mut words = request_line.split(' ');
        let (method, target) = (words.next().unwrap_or_default(), words.next().unwrap_or_default());
        let expected = format!("/{}", shared.token.as_str());
        let right_path = bool::from(target.as_bytes().ct_eq(expected.as_bytes()));
        if method != "GET" || !right_path {
            tracing::debug!(method, "console sign-in page: a request for another path");
            return (plain(404, "Not Found", "Not found.\n"), false);
        }
        if shared.taken.swap(true, Ordering::SeqCst) {
            return (
                plain(
                    410,
                    "Gone",
                    "This sign-in page was already used. Run `rolebar login PROFILE` again for a new one.\n",
                ),
                false,
            );
        }
        let reply = Zeroizing::new(format!(
            "HTTP/1.1 303 See Other\r\nLocation: {}\r\nCache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            shared.target.expose()
        ));
        (reply, true)
    }

    fn plain(status: u16, reason: &str, body: &str) -> Zeroizing<String> {
        Zeroizing::new(format!(
            "HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\nCache-Control: no-store\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ))
    }

    /// Reads the request head (all of it, so closing does not reset the connection before the
    /// reply is read); its first line, or `None` for a connection that ends first or sends too
    /// much.
    async fn read_head(stream: &mut TcpStream) -> Option<String> {
        let mut head = Vec::new();
        let mut buf = [0u8; 2048];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut buf).await.ok()?;
            if n == 0 || head.len() + n > MAX_REQUEST {
                return None;
            }
            head.extend_from_slice(&buf[..n]);
        }
        let line = head.split(|&b| b == b'\r').next()?;
        Some(String::from_utf8_lossy(line).into_owned())
    }

    /// The uid owning the client end of the connection from `peer` to `ours`, from
    /// `/proc/net/tcp` and `/proc/net/tcp6` (a client socket may be IPv6 with a mapped address).
    fn connection_owner(ours: SocketAddr, peer: SocketAddr) -> Option<u32> {
        ["/proc/net/tcp", "/proc/net/tcp6"].iter().find_map(|table| {
            let text = std::fs::read_to_string(table).ok()?;
            owner_in_table(&text, ours, peer)
        })
    }

    /// The uid of the row whose local end is `peer` and remote end `ours`.
    pub(super) fn owner_in_table(table: &str, ours: SocketAddr, peer: SocketAddr) -> Option<u32> {
        table.lines().skip(1).find_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let local = parse_address(fields.get(1)?)?;
            let remote = parse_address(fields.get(2)?)?;
            if same(local, peer) && same(remote, ours) {
                fields.get(7)?.parse().ok()
            } else {
                None
            }
        })
    }

    fn same(a: SocketAddr, b: SocketAddr) -> bool {
        let canonical = |ip: IpAddr| match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(IpAddr::V6(v6)),
            v4 => v4,
        };
        a.port() == b.port() && canonical(a.ip()) == canonical(b.ip())
    }

    /// `0100007F:1F90` (IPv4) or 32 hex digits and a port (IPv6): each 32-bit word is printed
    /// as the kernel holds it, in host byte order.
    fn parse_address(field: &str) -> Option<SocketAddr> {
        let (ip, port) = field.split_once(':')?;
        let port = u16::from_str_radix(port, 16).ok()?;
        let word = |hex: &str| u32::from_str_radix(hex, 16).ok().map(u32::to_ne_bytes);
        let ip = match ip.len() {
            8 => IpAddr::V4(Ipv4Addr::from(word(ip)?)),
            32 => {
                let mut bytes = [0u8; 16];
                for (i, chunk) in bytes.chunks_mut(4).enumerate() {
                    chunk.copy_from_slice(&word(ip.get(i * 8..i * 8 + 8)?)?);
                }
                IpAddr::V6(Ipv6Addr::from(bytes))
            }
            _ => return None,
        };
        Some(SocketAddr::new(ip, port))
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn addr(s: &str) -> SocketAddr {
            s.parse().expect("address")
        }

        #[test]
        #[cfg(target_endian = "little")]
        fn a_connections_owner_is_found_by_both_ends_in_either_table() {
            let tcp =
                "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n\
                0: 0100007F:A0C8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0\n\
                1: 0100007F:D431 0100007F:A0C8 01 00000000:00000000 00:00000000 00000000  1000        0 2 1 0\n\
                2: 0100007F:A0C8 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 3 1 0\n\
                3: 0100007F:D432 0100007F:A0C8 01 00000000:00000000 00:00000000 00000000 65534        0 4 1 0\n";
            let ours = addr("127.0.0.1:41160");
            assert_eq!(owner_in_table(tcp, ours, addr("127.0.0.1:54321")), Some(1000));
            assert_eq!(owner_in_table(tcp, ours, addr("127.0.0.1:54322")), Some(65534));
            assert_eq!(owner_in_table(tcp, ours, addr("127.0.0.1:54323")), None);
            // A v6 socket connected to ::ffff:127.0.0.1.
            let tcp6 = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n\
                0: 0000000000000000FFFF00000100007F:D433 0000000000000000FFFF00000100007F:A0C8 01 00000000:00000000 00:00000000 00000000  1001        0 5 1 0\n";
            assert_eq!(owner_in_table(tcp6, ours, addr("127.0.0.1:54323")), Some(1001));
            assert_eq!(
                owner_in_table("garbage\nmore garbage here x y z", ours, addr("127.0.0.1:1")),
                None
            );
        }

        #[test]
        fn our_own_connection_is_ours() {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            let client = std::net::TcpStream::connect(listener.local_addr().expect("addr")).expect("connect");
            let (_server, peer) = listener.accept().expect("accept");
            assert_eq!(peer, client.local_addr().expect("client addr"));
            let ours = listener.local_addr().expect("addr");
            assert_eq!(connection_owner(ours, peer), effective_uid());
            assert!(effective_uid().is_some());
        }
    }
}

#[cfg(unix)]
mod file_page {
    //! The private file page.

    use super::{random_token, Outcome};
    use crate::console::federation::SigninUrl;
    use crate::Secret;
    use std::io::Write;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    use std::path::{Path, PathBuf};
    use std::time::{Duration, SystemTime};
    use tokio::sync::watch;
    use zeroize::Zeroizing;

    /// How often the page's access time is looked at.
    const POLL: Duration = Duration::from_millis(250);
    /// Left after the browser read the page, for a browser that reads it twice.
    const GRACE: Duration = Duration::from_secs(2);
    /// Folders of this kind older than this were left by a Rolebar that was killed.
    const STALE_AFTER: Duration = Duration::from_secs(10 * 60);
    const PREFIX: &str = "rolebar-console-";

    /// The runtime folder: `$XDG_RUNTIME_DIR` (`$TMPDIR` on macOS) when absolute, else the
    /// system's temporary folder (a new 0700 folder is made there, so a shared one is safe).
    pub(crate) fn runtime_dir() -> PathBuf {
        let var = if cfg!(target_os = "macos") {
            "TMPDIR"
        } else {
            "XDG_RUNTIME_DIR"
        };
        std::env::var_os(var)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .unwrap_or_else(std::env::temp_dir)
    }

    pub(crate) struct Page {
        dir: tempfile::TempDir,
        path: PathBuf,
        /// The access time right after writing: a later one means the browser read it.
        written: Option<SystemTime>,
    }

    impl Page {
        /// Writes the page for `target` into a new private folder in `parent`.
        pub(crate) fn write(parent: &Path, target: &SigninUrl) -> Result<Page, String> {
            let context = |what: &str, path: &Path, e: std::io::Error| format!("cannot {what} {}: {e}", path.display());
            // mkdir with a random name: a new folder, ours, never someone else's or a link.
            let dir = tempfile::Builder::new()
                .prefix(PREFIX)
                .permissions(std::fs::Permissions::from_mode(0o700))
                .tempdir_in(parent)
                .map_err(|e| context("make a private folder in", parent, e))?;
            // The umask may have taken bits from 0700 (and would make the folder unusable).
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700))
                .map_err(|e| context("set the mode of", dir.path(), e))?;
            sweep_stale(parent, dir.path());
            let name = format!("signin-{}.html", &random_token()?[..16]);
            let path = dir.path().join(name);
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .custom_flags(libc::O_NOFOLLOW)
                .open(&path)
                .map_err(|e| context("create", &path, e))?;
            file.write_all(page(target).as_bytes())
                .map_err(|e| context("write", &path, e))?;
            let written = file.metadata().and_then(|m| m.accessed()).ok();
            Ok(Page { dir, path, written })
        }

        pub(crate) fn path(&self) -> &Path {
            &self.path
        }

        pub(crate) fn browser_url(&self) -> Secret {
            Secret::new(file_url(&self.path))
        }

        /// Waits until the browser read the page or `bound` passed; the folder is deleted either
        /// way (and if this future is dropped).
        pub(crate) async fn wait(self, bound: Duration, used_tx: watch::Sender<bool>) -> Outcome {
            let deadline = tokio::time::Instant::now() + bound;
            loop {
                let read = match (self.written, std::fs::metadata(&self.path).and_then(|m| m.accessed())) {
                    (Some(written), Ok(now)) => now != written,
                    _ => false,
                };
                if read {
                    let _ = used_tx.send(true);
                    tokio::time::sleep(GRACE).await;
                    drop(self.dir);
                    return Outcome::Used;
                }
                if tokio::time::Instant::now() >= deadline {
                    tracing::info!("the console sign-in page was not read in time: withdrawn");
                    drop(self.dir);
                    return Outcome::Expired;
                }
                tokio::time::sleep(POLL).await;
            }
        }
    }

    /// A page that sends the browser on to `target` and keeps no referrer.
    fn page(target: &SigninUrl) -> Zeroizing<String> {
        let url = Zeroizing::new(html_escape(target.expose()));
        Zeroizing::new(format!(
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\
             <meta name=\"referrer\" content=\"no-referrer\">\
             <meta http-equiv=\"refresh\" content=\"0;url={url}\">\
             <title>AWS console sign-in</title></head>\
             <body><p><a href=\"{url}\">Continue to the AWS console</a></p></body></html>\n",
            url = url.as_str()
        ))
    }

    fn html_escape(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&#39;"),
                c => out.push(c),
            }
        }
        out
    }

    /// `file://` and the path, bytes outside the unreserved set percent-encoded.
    fn file_url(path: &Path) -> String {
        use std::os::unix::ffi::OsStrExt;
        let mut url = String::from("file://");
        for &b in path.as_os_str().as_bytes() {
            if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
                url.push(char::from(b));
            } else {
                url.push_str(&format!("%{b:02X}"));
            }
        }
        url
    }

    /// Removes page folders a killed Rolebar left in `parent`: ours (same owner as `fresh`, the
    /// folder just made), real folders, and older than [`STALE_AFTER`].
    fn sweep_stale(parent: &Path, fresh: &Path) {
        use std::os::unix::fs::MetadataExt;
        let Ok(ours) = std::fs::symlink_metadata(fresh).map(|m| m.uid()) else {
            return;
        };
        let Ok(entries) = std::fs::read_dir(parent) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path == fresh || !entry.file_name().to_string_lossy().starts_with(PREFIX) {
                continue;
            }
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            let old = meta
                .modified()
                .ok()
                .and_then(|m| m.elapsed().ok())
                .is_some_and(|age| age > STALE_AFTER);
            if meta.is_dir() && meta.uid() == ours && old {
                match std::fs::remove_dir_all(&path) {
                    Ok(()) => tracing::info!(path = %path.display(), "removed a stale console sign-in page"),
                    Err(e) => {
                        tracing::debug!(path = %path.display(), "cannot remove a stale console sign-in page: {e}")
                    }
                }
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn the_page_escapes_the_url_and_the_file_url_its_path() {
            let url = SigninUrl::new("https://signin.aws.amazon.com/federation?Action=login&SigninToken=a%2Bb\"<x>");
            let text = page(&url);
            assert!(
                text.contains(
                    "url=https://signin.aws.amazon.com/federation?Action=login&amp;SigninToken=a%2Bb&quot;&lt;x&gt;\""
                ),
                "{}",
                text.as_str()
            );
            assert_eq!(
                file_url(Path::new("/run/user/1000/a b/ü.html")),
                "file:///run/user/1000/a%20b/%C3%BC.html"
            );
        }

        #[test]
        fn stale_page_folders_of_ours_are_swept_and_others_kept() {
            let parent = tempfile::tempdir().expect("tempdir");
            let stale = parent.path().join(format!("{PREFIX}old"));
            let recent = parent.path().join(format!("{PREFIX}recent"));
            let other = parent.path().join("unrelated");
            for dir in [&stale, &recent, &other] {
                std::fs::create_dir(dir).expect("mkdir");
            }
            let long_ago = SystemTime::now() - Duration::from_secs(3600);
            for dir in [&stale, &other] {
                std::fs::File::open(dir)
                    .and_then(|f| f.set_modified(long_ago))
                    .expect("age");
            }
            let fresh = parent.path().join(format!("{PREFIX}fresh"));
            std::fs::create_dir(&fresh).expect("mkdir");
            sweep_stale(parent.path(), &fresh);
            assert!(!stale.exists());
            assert!(recent.exists() && other.exists() && fresh.exists());
        }
    }
}

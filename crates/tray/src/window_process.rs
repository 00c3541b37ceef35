//! The window process, seen from the tray: started when a window is wanted, linked over the
//! agent socket (`subscribe`), let go when it has had no window for a while — at most one at a
//! time.
//!
//! Lines for the windows go through here. An `open` with no process starts one and waits in a
//! queue until it subscribes; other lines (changes, the language, close) are only for open
//! windows, so with no process they are dropped. A process that asks to go (`bye`) is told to
//! `quit` only if it has read every line sent to it: an `open` still on its way keeps it, and
//! once told to quit it is forgotten, so the next `open` starts a new one instead of going to a
//! process on its way out.
//!
//! What the window process says (a window created or destroyed) and its loss (a crash, a kill)
//! go to the [`Watcher`] the shell gives, which keeps the MFA dialog's queue in step.

use rolebar_core::agent::window_link::{FromTray, ToTray, WindowLabel};
use rolebar_core::agent::{CallFailure, Link, LinkReader, LinkWriter};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// How long a started process may take to subscribe before the next `open` starts another.
pub const START_BOUND: Duration = Duration::from_secs(10);

/// Error code for a second window process (the first one is still linked).
pub const WINDOW_PROCESS_RUNNING: &str = "window_process_running";

/// What the shell hears from the window process.
pub trait Watcher: Send + Sync + 'static {
    fn created(&self, window: WindowLabel);
    fn destroyed(&self, window: WindowLabel);
    /// The process ended without closing these windows (it crashed or was killed), or never
    /// came up (`open` empty, `starting` true).
    fn lost(&self, open: &BTreeSet<WindowLabel>, starting: bool);
    /// The process ended after its last window closed, as it should.
    fn gone(&self) {}
}

/// Starts a window process (the real one runs `rolebar-window`; tests start their own).
pub trait Launch: Send + Sync + 'static {
    fn launch(&self) -> std::io::Result<()>;
}

/// `rolebar-window` next to the running tray's binary (or `ROLEBAR_WINDOW_BIN`), with the
/// tray's environment and stderr.
#[derive(Debug)]
pub struct WindowBinary {
    pub path: PathBuf,
    /// Variables of the tray's own that the window process must not inherit.
    pub unset: Vec<&'static str>,
}

/// The variable that names the window binary (tests, and running from a build tree).
pub const WINDOW_BIN_ENV: &str = "ROLEBAR_WINDOW_BIN";

impl WindowBinary {
    pub fn beside_this_program() -> Self {
        let path = std::env::var_os(WINDOW_BIN_ENV)
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .or_else(|| {
                let exe = std::env::current_exe().ok()?;
                Some(exe.with_file_name(format!("rolebar-window{}", std::env::consts::EXE_SUFFIX)))
            })
            .unwrap_or_else(|| PathBuf::from("rolebar-window"));
        WindowBinary {
            path,
            unset: Vec::new(),
        }
    }
}

impl Launch for WindowBinary {
    fn launch(&self) -> std::io::Result<()> {
        let mut command = tokio::process::Command::new(&self.path);
        command.stdin(std::process::Stdio::null());
        for name in &self.unset {
            command.env_remove(name);
        }
        let mut child = command.spawn()?;
        // Reaped when it exits, so no zombie is left; its exit is seen on the link.
        tokio::spawn(async move {
            match child.wait().await {
                Ok(status) if !status.success() => tracing::warn!(%status, "the window process ended with an error"),
                Ok(_) => tracing::debug!("the window process ended"),
                Err(e) => tracing::warn!(error = %e, "cannot wait for the window process"),
            }
        });
        Ok(())
    }
}

enum State {
    Idle,
    Starting {
        since: Instant,
        queue: Vec<FromTray>,
    },
    Linked {
        id: u64,
        outbox: mpsc::UnboundedSender<FromTray>,
    },
}

pub struct WindowProcess {
    state: Mutex<State>,
    next_id: Mutex<u64>,
    launch: Box<dyn Launch>,
    watcher: Arc<dyn Watcher>,
}

impl std::fmt::Debug for WindowProcess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WindowProcess").finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl WindowProcess {
    pub fn new(launch: impl Launch, watcher: Arc<dyn Watcher>) -> Self {
        WindowProcess {
            state: Mutex::new(State::Idle),
            next_id: Mutex::new(0),
            launch: Box::new(launch),
            watcher,
        }
    }

    /// Whether a window process is linked now.
    pub fn linked(&self) -> bool {
        matches!(*lock(&self.state), State::Linked { .. })
    }

    /// Sends `line`; an `open` starts a process when there is none. Fails only when a process
    /// is needed and cannot be started.
    pub fn send(&self, line: FromTray) -> std::io::Result<()> {
        let opens = matches!(line, FromTray::Open { .. });
        let mut state = lock(&self.state);
        match &mut *state {
            State::Linked { outbox, .. } => match outbox.send(line) {
                Ok(()) => Ok(()),
                // The link is ending (its task is gone): as if there were no process.
                Err(mpsc::error::SendError(line)) if opens => self.start(&mut state, line),
                Err(_) => Ok(()),
            },
            State::Starting { since, queue } if since.elapsed() < START_BOUND => {
                if opens || !queue.is_empty() {
                    queue.push(line);
                }
                Ok(())
            }
            State::Starting { .. } | State::Idle if opens => {
                if matches!(*state, State::Starting { .. }) {
                    tracing::warn!(
                        "the window process did not connect in {} s: starting another",
                        START_BOUND.as_secs()
                    );
                    self.watcher.lost(&BTreeSet::new(), true);
                }
                self.start(&mut state, line)
            }
            State::Starting { .. } | State::Idle => Ok(()),
        }
    }

    fn start(&self, state: &mut State, first: FromTray) -> std::io::Result<()> {
        self.launch.launch().inspect_err(|e| {
            tracing::error!(error = %e, "cannot start the window process");
            *state = State::Idle;
        })?;
        tracing::debug!("window process started");
        *state = State::Starting {
            since: Instant::now(),
            queue: vec![first],
        };
        Ok(())
    }

    /// Serves a window process's link (from the agent's `subscribe`) until it ends: refused
    /// while another one is linked.
    pub async fn attach(&self, link: Link) {
        let Link { reader, writer } = link;
        let (outbox, queued) = mpsc::unbounded_channel();
        let id = {
            let mut state = lock(&self.state);
            if let State::Linked { .. } = &*state {
                None
            } else {
                if let State::Starting { queue, .. } = &mut *state {
                    for line in queue.drain(..) {
                        let _ = outbox.send(line);
                    }
                }
                let mut next = lock(&self.next_id);
                *next += 1;
                *state = State::Linked {
                    id: *next,
                    outbox: outbox.clone(),
                };
                Some(*next)
            }
        };
        let Some(id) = id else {
            let refusal = CallFailure::new(
                WINDOW_PROCESS_RUNNING,
                "Rolebar's windows already run in another process; this one is not needed",
            );
            let _ = writer.refuse(&refusal).await;
            return;
        };
        drop(outbox);
        if writer.accept(&serde_json::json!({})).await.is_err() {
            self.ended(id, &BTreeSet::new());
            return;
        }
        tracing::info!("window process connected");
        let open = self.serve(id, reader, writer, queued).await;
        self.ended(id, &open);
    }

    /// Moves lines both ways; returns the windows still open (or asked for and not yet reported
    /// destroyed) when the link ended (none after a `quit`).
    async fn serve(
        &self,
        id: u64,
        mut reader: LinkReader,
        writer: LinkWriter,
        mut queued: mpsc::UnboundedReceiver<FromTray>,
    ) -> BTreeSet<WindowLabel> {
        let mut open = BTreeSet::new();
        let mut sent: u64 = 0;
        loop {
            tokio::select! {
                line = queued.recv() => {
                    let Some(line) = line else { return open };
                    // A window asked for counts as open from now: a process killed before it
                    // said `created` lost that window too (an MFA question on its way).
                    if let FromTray::Open { window, .. } = &line {
                        open.insert(*window);
                    }
                    if let Err(e) = writer.send(&line).await {
                        tracing::warn!(error = %e, "cannot reach the window process");
                        return open;
                    }
                    sent += 1;
                }
                heard = reader.recv::<ToTray>() => match heard {
                    Ok(Some(ToTray::Created { window })) => {
                        open.insert(window);
                        self.watcher.created(window);
                    }
                    Ok(Some(ToTray::Destroyed { window })) => {
                        open.remove(&window);
                        self.watcher.destroyed(window);
                    }
                    Ok(Some(ToTray::Bye { seen })) => {
                        // Nothing on its way (sent, or waiting to be): let it go, and forget it
                        // before anyone can queue a line for it.
                        let let_go = {
                            let mut state = lock(&self.state);
                            let current = matches!(*state, State::Linked { id: current, .. } if current == id);
                            let go = seen == sent && queued.is_empty() && current;
                            if go {
                                *state = State::Idle;
                            }
                            go
                        };
                        if let_go {
                            tracing::debug!("window process let go");
                            let _ = writer.send(&FromTray::Quit).await;
                            return BTreeSet::new();
                        }
                    }
                    Ok(Some(ToTray::Unknown)) => tracing::debug!("an event from the window process this build does not know"),
                    Ok(None) => return open,
                    Err(e) => {
                        tracing::warn!(error = %e, "the link to the window process failed");
                        return open;
                    }
                },
            }
        }
    }

    fn ended(&self, id: u64, open: &BTreeSet<WindowLabel>) {
        {
            let mut state = lock(&self.state);
            if matches!(*state, State::Linked { id: current, .. } if current == id) {
                *state = State::Idle;
            }
        }
        if !open.is_empty() {
            tracing::warn!(windows = ?open, "the window process ended with windows open (crashed or killed)");
            self.watcher.lost(open, false);
        } else {
            tracing::debug!("window process gone");
            self.watcher.gone();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rolebar_core::agent::window_link::WINDOW_ROLE;
    use rolebar_core::agent::{
        Agent, AgentFailure, Client, CredentialsRequest, Handler, Peer, SessionSummary, SubscribeRequest,
        DEFAULT_CONNECT_TIMEOUT,
    };
    use rolebar_core::Session;
    use serde_json::json;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[derive(Default)]
    struct Heard(Mutex<Vec<String>>, tokio::sync::Notify);

    impl Heard {
        fn push(&self, what: String) {
            lock(&self.0).push(what);
            self.1.notify_one();
        }

        async fn wait_for(&self, what: &str) {
            let bound = tokio::time::timeout(Duration::from_secs(10), async {
                loop {
                    let notified = self.1.notified();
                    if lock(&self.0).iter().any(|w| w == what) {
                        return;
                    }
                    notified.await;
                }
            });
            bound
                .await
                .unwrap_or_else(|_| panic!("never heard {what:?}: {:?}", lock(&self.0)));
        }
    }

    impl Watcher for Heard {
        fn created(&self, window: WindowLabel) {
            self.push(format!("created {}", window.as_str()));
        }
        fn destroyed(&self, window: WindowLabel) {
            self.push(format!("destroyed {}", window.as_str()));
        }
        fn lost(&self, open: &BTreeSet<WindowLabel>, starting: bool) {
            let names: Vec<_> = open.iter().map(|w| w.as_str()).collect();
            self.push(format!("lost {} starting={starting}", names.join(",")));
        }
    }

    #[derive(Clone, Default)]
    struct Launches(Arc<AtomicUsize>);

    impl Launch for Launches {
        fn launch(&self) -> std::io::Result<()> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
    }

    struct Tray(Arc<WindowProcess>);

    #[async_trait::async_trait]
    impl Handler for Tray {
        async fn credentials(&self, request: CredentialsRequest, _peer: &Peer) -> Result<Session, AgentFailure> {
            Err(AgentFailure::denied(&request.profile))
        }
        async fn sessions(&self) -> Vec<SessionSummary> {
            Vec::new()
        }
        async fn subscribe(&self, _request: SubscribeRequest, _peer: &Peer, link: Link) {
            self.0.attach(link).await;
        }
    }

    struct Setup {
        windows: Arc<WindowProcess>,
        heard: Arc<Heard>,
        launches: Launches,
        path: PathBuf,
        _stop: tokio::sync::oneshot::Sender<()>,
        _dir: tempfile::TempDir,
    }

    fn setup() -> Setup {
        let heard = Arc::new(Heard::default());
        let launches = Launches::default();
        let windows = Arc::new(WindowProcess::new(launches.clone(), heard.clone()));
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("rolebar").join("agent.sock");
        let agent = Agent::bind(&path).expect("bind");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(agent.serve(Arc::new(Tray(windows.clone())), async move {
            let _ = stopped.await;
        }));
        Setup {
            windows,
            heard,
            launches,
            path,
            _stop: stop,
            _dir: dir,
        }
    }

    /// Plays the window process: subscribes as `rolebar-window` does.
    async fn window_process(path: &std::path::Path) -> Result<Link, CallFailure> {
        let client = Client::connect(path, DEFAULT_CONNECT_TIMEOUT)
            .await
            .expect("connect")
            .expect("agent");
        let request = SubscribeRequest {
            role: WINDOW_ROLE.into(),
            pid: Some(1),
            build: None,
        };
        client
            .subscribe(request, DEFAULT_CONNECT_TIMEOUT)
            .await
            .expect("answered")
            .map(|(_, link)| link)
    }

    fn open(window: WindowLabel) -> FromTray {
        FromTray::Open {
            window,
            title: None,
            intent: None,
            request: None,
        }
    }

    async fn next(link: &mut Link) -> FromTray {
        tokio::time::timeout(Duration::from_secs(10), link.reader.recv::<FromTray>())
            .await
            .expect("a line in time")
            .expect("read")
            .expect("not the end")
    }

    #[tokio::test]
    async fn an_open_starts_one_process_and_reaches_it_once_it_subscribes() {
        let s = setup();
        s.windows.send(FromTray::Changed).expect("sent");
        assert_eq!(s.launches.0.load(Ordering::SeqCst), 0, "a change alone starts nothing");
        s.windows.send(open(WindowLabel::Main)).expect("sent");
        s.windows.send(open(WindowLabel::Switcher)).expect("sent");
        assert_eq!(s.launches.0.load(Ordering::SeqCst), 1, "one process for both");
        let mut link = window_process(&s.path).await.expect("accepted");
        assert_eq!(next(&mut link).await, open(WindowLabel::Main));
        assert_eq!(next(&mut link).await, open(WindowLabel::Switcher));
        assert!(s.windows.linked());
        link.writer
            .send(&ToTray::Created {
                window: WindowLabel::Mfa,
            })
            .await
            .expect("send");
        s.heard.wait_for("created mfa").await;
        // A second process is refused while this one is linked.
        let refused = window_process(&s.path).await.expect_err("one at a time");
        assert_eq!(refused.code, WINDOW_PROCESS_RUNNING);
        s.windows.send(FromTray::Changed).expect("sent");
        assert_eq!(next(&mut link).await, FromTray::Changed);
    }

    #[tokio::test]
    async fn a_process_that_read_everything_is_let_go_and_the_next_open_starts_another() {
        let s = setup();
        s.windows.send(open(WindowLabel::Main)).expect("sent");
        let mut link = window_process(&s.path).await.expect("accepted");
        assert_eq!(next(&mut link).await, open(WindowLabel::Main));
        link.writer.send(&ToTray::Bye { seen: 1 }).await.expect("bye");
        assert_eq!(next(&mut link).await, FromTray::Quit);
        assert!(!s.windows.linked(), "forgotten once told to quit");
        s.windows.send(open(WindowLabel::Mfa)).expect("sent");
        assert_eq!(
            s.launches.0.load(Ordering::SeqCst),
            2,
            "a new process for the next window"
        );
        let mut second = window_process(&s.path).await.expect("accepted: the first one is gone");
        assert_eq!(next(&mut second).await, open(WindowLabel::Mfa));
    }

    #[tokio::test]
    async fn a_bye_that_crossed_an_open_keeps_the_process() {
        let s = setup();
        s.windows.send(open(WindowLabel::Main)).expect("sent");
        let mut link = window_process(&s.path).await.expect("accepted");
        assert_eq!(next(&mut link).await, open(WindowLabel::Main));
        s.windows.send(open(WindowLabel::Switcher)).expect("sent");
        // The process had read one line when it asked to go; the switcher was already sent.
        link.writer.send(&ToTray::Bye { seen: 1 }).await.expect("bye");
        assert_eq!(next(&mut link).await, open(WindowLabel::Switcher));
        s.windows.send(FromTray::Changed).expect("sent");
        assert_eq!(next(&mut link).await, FromTray::Changed, "not told to quit");
        assert!(s.windows.linked());
        assert_eq!(s.launches.0.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_process_that_dies_with_the_mfa_dialog_open_is_reported_lost() {
        let s = setup();
        s.windows.send(open(WindowLabel::Mfa)).expect("sent");
        let mut link = window_process(&s.path).await.expect("accepted");
        assert_eq!(next(&mut link).await, open(WindowLabel::Mfa));
        link.writer
            .send(&ToTray::Created {
                window: WindowLabel::Mfa,
            })
            .await
            .expect("created");
        s.heard.wait_for("created mfa").await;
        drop(link);
        s.heard.wait_for("lost mfa starting=false").await;
        assert!(!s.windows.linked());
        // A clean close is not a loss.
        s.windows.send(open(WindowLabel::Main)).expect("sent");
        let mut link = window_process(&s.path).await.expect("accepted");
        assert_eq!(next(&mut link).await, open(WindowLabel::Main));
        for line in [
            ToTray::Created {
                window: WindowLabel::Main,
            },
            ToTray::Destroyed {
                window: WindowLabel::Main,
            },
        ] {
            link.writer.send(&line).await.expect("send");
        }
        s.heard.wait_for("destroyed main").await;
        drop(link);
        let quiet = tokio::time::timeout(Duration::from_millis(300), s.heard.wait_for("lost  starting=false")).await;
        assert!(quiet.is_err(), "no loss reported for a process with no window");
        assert_eq!(lock(&s.heard.0).iter().filter(|w| w.starts_with("lost")).count(), 1);
    }

    #[tokio::test]
    async fn a_process_killed_before_it_said_created_lost_the_window_it_was_asked_for() {
        let s = setup();
        s.windows.send(open(WindowLabel::Mfa)).expect("sent");
        let mut link = window_process(&s.path).await.expect("accepted");
        assert_eq!(next(&mut link).await, open(WindowLabel::Mfa));
        drop(link);
        s.heard.wait_for("lost mfa starting=false").await;
    }

    #[tokio::test]
    async fn garbage_from_the_window_process_ends_its_link_without_harm() {
        let s = setup();
        s.windows.send(open(WindowLabel::Main)).expect("sent");
        let mut link = window_process(&s.path).await.expect("accepted");
        assert_eq!(next(&mut link).await, open(WindowLabel::Main));
        link.writer.send(&json!({"event": 7})).await.expect("send");
        let end = tokio::time::timeout(Duration::from_secs(10), link.reader.recv::<FromTray>())
            .await
            .expect("ended in time");
        assert!(matches!(end, Ok(None) | Err(_)), "{end:?}");
        assert!(!s.windows.linked());
    }
}

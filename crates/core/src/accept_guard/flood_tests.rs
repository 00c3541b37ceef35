//! Issue 19, item 2, with real exhaustion: each listener runs in a child process (this test
//! binary again, started by [`flood_child`]) under `ulimit -n`, with every descriptor but a few
//! already in use, and another process (the test) opens hundreds of connections, as another
//! local user would. Accept then really fails with EMFILE; the child must stay idle, log a
//! bounded number of lines, and answer the right request once the flood is gone.
//!
//! A child process, not the test's own: `unsafe_code` is forbidden (no `setrlimit`), and the
//! limit must not starve the test's own side of the connections.

use crate::container_endpoint::{CredentialSource, Endpoint};
use crate::sso::loopback::{Callback, Loopback};
use crate::{Credentials, Session, SessionKind};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Names the listener the child serves: `endpoint` or `loopback`. Unset: not a child.
const CHILD_ENV: &str = "ROLEBAR_TEST_FLOOD_CHILD";
/// The child's descriptor limit: low, so filling it is quick.
const NOFILE: usize = 256;
/// Descriptors the child leaves free for connections: fewer than either listener's cap, so
/// accept runs out of descriptors before it runs out of slots.
const SPARE: usize = 6;
/// Connections the flood opens: beyond what the child can accept, within the listen backlog
/// (128), so each connect completes instead of waiting for SYN retries.
const FLOOD: usize = 100;
/// How long the flood is held while the child's CPU time is measured.
const WINDOW: Duration = Duration::from_secs(3);
const ACCEPT_FAILED: &str = "cannot accept a connection";
const STATE: &str = "right-state";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYFLOODTEST";

/// The child's side; does nothing unless [`CHILD_ENV`] is set (a plain test run).
#[test]
fn flood_child() {
    let Ok(which) = std::env::var(CHILD_ENV) else {
        return;
    };
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .with_writer(std::io::stderr)
        .finish();
    let _logging = tracing::subscriber::set_default(subscriber);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        match which.as_str() {
            "endpoint" => {
                let endpoint = Endpoint::bind().await.expect("bind");
                let _held = fill_descriptors();
                println!("READY {} {}", endpoint.uri(), endpoint.token());
                // Served until the test closes stdin.
                let stdin_closed = async {
                    let _ = tokio::task::spawn_blocking(|| std::io::stdin().read_to_end(&mut Vec::new())).await;
                };
                endpoint.serve(Arc::new(Fixed), stdin_closed).await;
            }
            "loopback" => {
                let loopback = Loopback::bind().await.expect("bind");
                let _held = fill_descriptors();
                println!("READY {}", loopback.redirect_uri());
                match loopback.wait(STATE, Duration::from_secs(60)).await {
                    Callback::Code(code) => println!("CODE {}", code.expose()),
                    other => println!("OTHER {other:?}"),
                }
            }
            other => panic!("{CHILD_ENV}={other}"),
        }
    });
}

/// Opens `/dev/null` until the limit, then closes [`SPARE`]: what else a process has open.
fn fill_descriptors() -> Vec<std::fs::File> {
    let mut held = Vec::new();
    while let Ok(file) = std::fs::File::open("/dev/null") {
        held.push(file);
        assert!(held.len() <= NOFILE, "the descriptor limit was not lowered");
    }
    held.truncate(held.len().saturating_sub(SPARE));
    held
}

struct Fixed;

#[async_trait::async_trait]
impl CredentialSource for Fixed {
    async fn session(&self) -> Result<Session, crate::container_endpoint::SourceFailure> {
        Ok(Session {
            profile: "dev".into(),
            kind: SessionKind::AssumeRole,
            credentials: Credentials::temporary("ASIAFLOODTEST0000001", SECRET, "FLOODTOKEN"),
            expires_at: time::macros::datetime!(2030-01-01 12:00 UTC),
            issued_at: None,
            mfa_serial: None,
            role_arn: None,
            region: None,
        })
    }
}

/// The child, its stdout, and what its stderr said (counted as it comes: a spinning loop can
/// write hundreds of MB).
struct Flooded {
    child: Child,
    stdout: mpsc::Receiver<String>,
    failures: Arc<AtomicUsize>,
    lines: Arc<AtomicUsize>,
    recovered: Arc<AtomicUsize>,
    first_lines: Arc<Mutex<Vec<String>>>,
}

impl Drop for Flooded {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Flooded {
    /// Starts the child serving `which` under `ulimit -n NOFILE`; returns it and its READY words.
    fn start(which: &str) -> (Flooded, Vec<String>) {
        let exe = std::env::current_exe().expect("test binary");
        let name = format!(
            "{}::flood_child",
            module_path!().split_once("::").map_or(module_path!(), |(_, m)| m)
        );
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(format!("ulimit -n {NOFILE} && exec \"$0\" \"$@\""))
            .arg(exe)
            .args(["--exact", &name, "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, which)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the child");
        let (failures, lines, recovered): (Arc<AtomicUsize>, Arc<AtomicUsize>, Arc<AtomicUsize>) = Default::default();
        let first_lines = Arc::new(Mutex::new(Vec::new()));
        let stderr = child.stderr.take().expect("stderr");
        {
            let (failures, lines, recovered, first_lines) = (
                Arc::clone(&failures),
                Arc::clone(&lines),
                Arc::clone(&recovered),
                first_lines.clone(),
            );
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines() {
                    let Ok(line) = line else { break };
                    if line.contains(ACCEPT_FAILED) {
                        failures.fetch_add(1, Ordering::SeqCst);
                    }
                    if line.contains("accepting connections again") {
                        recovered.fetch_add(1, Ordering::SeqCst);
                    }
                    if lines.fetch_add(1, Ordering::SeqCst) < 20 {
                        first_lines.lock().expect("lock").push(line);
                    }
                }
            });
        }
        let (sender, stdout) = mpsc::channel();
        let out = child.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let mut flooded = Flooded {
            child,
            stdout,
            failures,
            lines,
            recovered,
            first_lines,
        };
        let ready = flooded.line_starting("READY ");
        (flooded, ready.split_whitespace().skip(1).map(String::from).collect())
    }

    /// From `prefix` on, the child's next stdout line that has it (libtest writes on the same
    /// lines), within 30 s.
    fn line_starting(&mut self, prefix: &str) -> String {
        let until = Instant::now() + Duration::from_secs(30);
        loop {
            let left = until.saturating_duration_since(Instant::now());
            match self.stdout.recv_timeout(left) {
                Ok(line) => {
                    if let Some(at) = line.find(prefix) {
                        return line[at..].trim_end().to_string();
                    }
                }
                Err(e) => panic!(
                    "no {prefix:?} from the child ({e}); stderr: {:?}",
                    self.first_lines.lock().expect("lock")
                ),
            }
        }
    }

    fn open_descriptors(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.child.id()))
            .map(|d| d.count())
            .unwrap_or(0)
    }

    /// User + system CPU time of the child so far.
    fn cpu(&self) -> Duration {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).expect("stat");
        // After the command name in parentheses: state is field 3, utime 14, stime 15.
        let fields: Vec<&str> = stat.rsplit_once(')').expect("stat").1.split_whitespace().collect();
        let ticks: u64 = fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime");
        Duration::from_secs_f64(ticks as f64 / clock_ticks() as f64)
    }

    /// Floods `address` with [`FLOOD`] connections until the child is out of descriptors, holds
    /// them for [`WINDOW`] and checks the child stayed quiet, then closes them all.
    fn flood(&mut self, address: &str) {
        let address: std::net::SocketAddr = address.parse().expect("address");
        let mut flood = Vec::with_capacity(FLOOD);
        for _ in 0..FLOOD {
            flood.push(TcpStream::connect_timeout(&address, Duration::from_secs(5)).expect("flood connect"));
        }
        // Out of descriptors: a real EMFILE, not one the test made up.
        let until = Instant::now() + Duration::from_secs(10);
        while self.open_descriptors() < NOFILE {
            assert!(Instant::now() < until, "the child never ran out of descriptors");
            std::thread::sleep(Duration::from_millis(10));
        }
        let (cpu_before, started) = (self.cpu(), Instant::now());
        std::thread::sleep(WINDOW);
        let (cpu, wall) = (self.cpu() - cpu_before, started.elapsed());
        let failures = self.failures.load(Ordering::SeqCst);
        let lines = self.lines.load(Ordering::SeqCst);
        eprintln!("flood of {FLOOD}: child CPU {cpu:?} over {wall:?}, {failures} accept-failure lines, {lines} lines");
        assert!(
            cpu < wall / 5,
            "out of descriptors, the child used {cpu:?} of CPU in {wall:?} (more than 20 %): it spins"
        );
        assert!(
            (1..=2).contains(&failures) && lines <= 4,
            "{failures} accept-failure warnings in {wall:?} (one per {} s, and at least one: accept \
             did fail); {lines} lines in all; first: {:?}",
            super::WARN_EVERY.as_secs(),
            self.first_lines.lock().expect("lock")
        );
        drop(flood);
    }

    /// Waits (bounded) for the child to log that it accepts again.
    fn recovered(&self) {
        let until = Instant::now() + Duration::from_secs(10);
        while self.recovered.load(Ordering::SeqCst) == 0 {
            assert!(Instant::now() < until, "no \"accepting connections again\" was logged");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

fn clock_ticks() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100)
}

/// One GET with a bound on every step; the whole reply.
fn get(address: &str, target: &str, headers: &str) -> String {
    let mut stream = TcpStream::connect(address).expect("connect after the flood");
    stream.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    stream
        .set_write_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n{headers}\r\n"
    )
    .expect("write");
    let mut reply = String::new();
    stream.read_to_string(&mut reply).expect("a reply within 10 s");
    reply
}

#[test]
fn the_endpoint_out_of_descriptors_idles_logs_little_and_answers_after_the_flood() {
    let (mut child, ready) = Flooded::start("endpoint");
    let (uri, token) = (&ready[0], &ready[1]);
    let address = uri.trim_start_matches("http://").trim_end_matches('/').to_string();
    child.flood(&address);
    let reply = get(&address, "/", &format!("Authorization: {token}\r\n"));
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(reply.contains(SECRET), "{reply}");
    child.recovered();
}

#[test]
fn the_sign_in_redirect_out_of_descriptors_idles_logs_little_and_gets_the_code_after_the_flood() {
    let (mut child, ready) = Flooded::start("loopback");
    let redirect = &ready[0];
    let address = redirect
        .trim_start_matches("http://")
        .split_once('/')
        .expect("a path")
        .0
        .to_string();
    child.flood(&address);
    let reply = get(&address, &format!("/oauth/callback?code=c0de&state={STATE}"), "");
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert_eq!(child.line_starting("CODE "), "CODE c0de");
    child.recovered();
}

//! The console federation double (`federation_double.py`) and the test browser
//! (`test_browser.py`), for the core and CLI console tests: the double runs on a free port of
//! 127.0.0.1 for as long as the value lives, checking sessions at moto when given its URL.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn support_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("core")
        .join("tests")
        .join("support")
}

/// The harness venv's python (it has boto3), else Debian's (enough without moto).
pub fn python(with_boto3: bool) -> PathBuf {
    match std::env::var_os("ROLEBAR_CACHE_DIR") {
        Some(cache) if with_boto3 => PathBuf::from(cache).join("venv").join("bin").join("python"),
        _ => PathBuf::from("/usr/bin/python3"),
    }
}

pub struct FederationDouble {
    /// The base URL (`AWS_ENDPOINT_URL_SIGNIN`).
    pub url: String,
    pub dir: tempfile::TempDir,
    child: Child,
}

impl FederationDouble {
    /// Starts the double; `moto`: check sessions there; `chained_roles`: role names whose
    /// sessions it treats as chained (refusing SessionDuration).
    pub fn start(moto: Option<&str>, chained_roles: &[&str]) -> FederationDouble {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut cmd = Command::new(python(moto.is_some()));
        cmd.arg(support_dir().join("federation_double.py"))
            .arg("--log")
            .arg(dir.path().join("requests.jsonl"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Some(moto) = moto {
            cmd.args(["--moto", moto]);
        }
        for role in chained_roles {
            cmd.args(["--chained-role", role]);
        }
        let mut child = cmd.spawn().expect("federation double starts");
        // Readiness: the double prints its port once it is listening. Read on a thread so a
        // double that hangs before printing fails the test after a deadline.
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                panic!("the federation double did not start within 30 s");
            }
        };
        let port: u16 = line.trim().parse().unwrap_or_else(|_| {
            let _ = child.kill();
            panic!("the federation double printed {line:?}, not its port")
        });
        FederationDouble {
            url: format!("http://127.0.0.1:{port}"),
            dir,
            child,
        }
    }

    /// Every request the double saw, in order.
    pub fn requests(&self) -> Vec<serde_json::Value> {
        read_lines(&self.dir.path().join("requests.jsonl"))
    }

    /// The getSigninToken requests.
    pub fn token_requests(&self) -> Vec<serde_json::Value> {
        self.requests()
            .into_iter()
            .filter(|r| r["action"] == "getSigninToken")
            .collect()
    }

    /// A `BROWSER` value that records into `record` and fetches the URL once.
    pub fn browser(&self, record: &Path) -> String {
        format!(
            "{} {} {} %s",
            python(false).display(),
            support_dir().join("test_browser.py").display(),
            record.display()
        )
    }

    /// Fetches `url` as the test browser does; (status or None, recorded line).
    pub fn visit(&self, url: &str) -> serde_json::Value {
        let record = self.dir.path().join(format!("visit-{}.jsonl", rand_suffix()));
        let status = Command::new(python(false))
            .arg(support_dir().join("test_browser.py"))
            .arg(&record)
            .arg(url)
            .status()
            .expect("browser runs");
        let mut lines = read_lines(&record);
        assert_eq!(lines.len(), 1, "one visit recorded (exit {status})");
        lines.remove(0)
    }
}

impl Drop for FederationDouble {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn read_lines(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default()
}

/// The query parameter `name` of `url`, percent-decoded.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| percent_decode(v))
    })
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(b) = u8::from_str_radix(hex, 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

//! The IAM Identity Center double (`sso_double.py`: SSO OIDC and the SSO portal on one base
//! URL) and the SSO tests' browser (`sso_browser.py`). The double runs on a free port of
//! 127.0.0.1 for as long as the value lives; with a moto URL it mints role credentials there.
//! What it implements, and what not, is written at the top of `sso_double.py`.
//!
//! Usable from other crates' tests with
//! `#[path = "../../core/tests/support/sso.rs"] mod sso;` (it needs only std, tempfile and
//! serde_json).
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
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
fn python(with_boto3: bool) -> PathBuf {
    match std::env::var_os("ROLEBAR_CACHE_DIR") {
        Some(cache) if with_boto3 => PathBuf::from(cache).join("venv").join("bin").join("python"),
        _ => PathBuf::from("/usr/bin/python3"),
    }
}

/// An account assigned to the double's user, with the roles (permission sets) it may take.
#[derive(Debug, Clone)]
pub struct SsoAccount {
    pub id: String,
    pub name: String,
    pub roles: Vec<String>,
}

impl SsoAccount {
    pub fn new(id: &str, name: &str, roles: &[&str]) -> SsoAccount {
        SsoAccount {
            id: id.into(),
            name: name.into(),
            roles: roles.iter().map(|r| r.to_string()).collect(),
        }
    }

    fn spec(&self) -> String {
        format!("{}:{}:{}", self.id, self.name, self.roles.join(","))
    }
}

/// How to start the double; `Default` is its defaults (accounts 111111111111 Sandbox with
/// AdministratorAccess and ReadOnly, 222222222222 Production with ReadOnly; tokens for 1 h,
/// sign-ins for 8 h; devices wait for a visit of their verification URI; pages of 2).
#[derive(Debug, Clone, Default)]
pub struct SsoOptions {
    /// An auth-off moto (`ROLEBAR_TEST_MOTO_OPEN_URL`): role credentials are minted there by
    /// AssumeRole, so moto accepts them. Needs the harness venv (boto3).
    pub moto: Option<String>,
    /// Empty: the double's default accounts.
    pub accounts: Vec<SsoAccount>,
    pub access_ttl: Option<u64>,
    pub refresh_ttl: Option<u64>,
    /// Approve every device authorization by itself after this many pending polls.
    pub device_pending: Option<u32>,
    /// The only start URL StartDeviceAuthorization accepts (default: any).
    pub start_url: Option<String>,
    /// List page size when the caller gives no max_result (default 2).
    pub page_size: Option<u32>,
}

pub struct SsoDouble {
    /// The base URL of both services (`AWS_ENDPOINT_URL_SSO` and `AWS_ENDPOINT_URL_SSO_OIDC`).
    pub url: String,
    pub dir: tempfile::TempDir,
    child: Child,
}

impl SsoDouble {
    pub fn start(opts: SsoOptions) -> SsoDouble {
        let dir = tempfile::tempdir().expect("tempdir");
        let with_moto = opts.moto.is_some();
        if with_moto && std::env::var_os("ROLEBAR_CACHE_DIR").is_none() {
            panic!("the SSO double needs the harness venv (boto3) to mint at moto: run scripts/test.sh");
        }
        let mut cmd = Command::new(python(with_moto));
        cmd.arg(support_dir().join("sso_double.py"))
            .arg("--log")
            .arg(dir.path().join("requests.jsonl"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Some(moto) = &opts.moto {
            cmd.args(["--moto", moto]);
        }
        for account in &opts.accounts {
            cmd.args(["--account", &account.spec()]);
        }
        let numbers = [
            ("--access-ttl", opts.access_ttl),
            ("--refresh-ttl", opts.refresh_ttl),
            ("--device-pending", opts.device_pending.map(u64::from)),
            ("--page-size", opts.page_size.map(u64::from)),
        ];
        for (flag, value) in numbers {
            if let Some(value) = value {
                cmd.args([flag, &value.to_string()]);
            }
        }
        if let Some(start_url) = &opts.start_url {
            cmd.args(["--start-url", start_url]);
        }
        let mut child = cmd.spawn().expect("the SSO double starts");
        let port = read_port(&mut child);
        SsoDouble {
            url: format!("http://127.0.0.1:{port}"),
            dir,
            child,
        }
    }

    /// Every request the double saw, in order (secrets appear as their first 6 characters).
    pub fn requests(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(self.dir.path().join("requests.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect()
    }

    /// The requests of one operation (`"CreateToken"`, `"GetRoleCredentials"`, `"Authorize"`…).
    pub fn requests_of(&self, operation: &str) -> Vec<serde_json::Value> {
        self.requests()
            .into_iter()
            .filter(|r| r["operation"] == operation)
            .collect()
    }

    /// POSTs a control action (`"revoke"`, `"expire-access"`, `"expire-refresh"`,
    /// `"approve-all-devices"`, with or without the `/_control/` prefix); its JSON answer.
    pub fn control(&self, action: &str) -> serde_json::Value {
        let path = format!("/_control/{}", action.trim_start_matches("/_control/"));
        let reply = http(&self.url, "POST", &path, &[], None);
        assert_eq!(reply.status, 200, "control {path}: {}", reply.body);
        reply.json()
    }

    /// The counts by operation (`"Authorize"`, `"CreateToken:device_code"`,
    /// `"CreateToken!AuthorizationPendingException"`, `"SignIn"`, `"RoleCredentials"`…).
    pub fn counts(&self) -> serde_json::Value {
        let reply = http(&self.url, "GET", "/_control/counts", &[], None);
        assert_eq!(reply.status, 200, "counts: {}", reply.body);
        reply.json()
    }

    /// One count, 0 when the key was never counted.
    pub fn count(&self, key: &str) -> u64 {
        self.counts()[key].as_u64().unwrap_or(0)
    }

    /// A GET of `path_and_query` at the double.
    pub fn get(&self, path_and_query: &str, headers: &[(&str, &str)]) -> HttpReply {
        http(&self.url, "GET", path_and_query, headers, None)
    }

    /// A POST of a JSON body at the double, as the SDKs send restJson1 requests.
    pub fn post_json(&self, path: &str, body: &serde_json::Value) -> HttpReply {
        let body = body.to_string();
        http(
            &self.url,
            "POST",
            path,
            &[("Content-Type", "application/json")],
            Some(body.as_bytes()),
        )
    }
}

impl Drop for SsoDouble {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Readiness: the double prints its port once it is listening. Read on a thread so a double
/// that hangs before printing fails the test after a deadline.
fn read_port(child: &mut Child) -> u16 {
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let Ok(line) = rx.recv_timeout(Duration::from_secs(30)) else {
        let _ = child.kill();
        panic!("the SSO double did not start within 30 s");
    };
    line.trim().parse().unwrap_or_else(|_| {
        let _ = child.kill();
        panic!("the SSO double printed {line:?}, not its port")
    })
}

/// A `BROWSER` value that records each visit into `record` and signs in: it fetches loopback
/// URLs and follows redirects that stay on loopback (see `sso_browser.py`).
pub fn browser_command(record: &Path) -> String {
    format!(
        "{} {} {} %s",
        python(false).display(),
        support_dir().join("sso_browser.py").display(),
        record.display()
    )
}

/// [`browser_command`] with `SSO_BROWSER_MODE` set: `"ignore"` (never signs in) or
/// `"tamper"` (forges the `state` of the redirect to the app).
pub fn browser_command_in_mode(record: &Path, mode: &str) -> String {
    format!("/usr/bin/env SSO_BROWSER_MODE={mode} {}", browser_command(record))
}

/// An HTTP answer: status, headers (names as sent), body.
#[derive(Debug)]
pub struct HttpReply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpReply {
    /// The first header named `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body))
    }

    /// The AWS error type (`x-amzn-ErrorType`), if any.
    pub fn error_type(&self) -> Option<&str> {
        self.header("x-amzn-ErrorType")
    }
}

/// One HTTP/1.1 request to `base` (`http://127.0.0.1:PORT`) over a fresh connection, which
/// the reply closes: plain std, so the tests need no HTTP client crate.
pub fn http(base: &str, method: &str, path: &str, headers: &[(&str, &str)], body: Option<&[u8]>) -> HttpReply {
    let authority = base.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = TcpStream::connect(authority).unwrap_or_else(|e| panic!("connect {authority}: {e}"));
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("read timeout");
    let body = body.unwrap_or_default();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    let mut bytes = request.into_bytes();
    bytes.extend_from_slice(body);
    stream.write_all(&bytes).expect("send the request");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read the reply");
    parse_reply(&raw)
}

fn parse_reply(raw: &[u8]) -> HttpReply {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n").expect("an HTTP reply");
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    HttpReply {
        status,
        headers,
        body: body.to_string(),
    }
}

/// `application/x-www-form-urlencoded`-style percent-encoding of one query value.
pub fn encode_query_value(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

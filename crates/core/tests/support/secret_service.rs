//! A fake Secret Service (tests/support/fake_secret_service.py) on a private bus of its own:
//! what no real keyring does on demand, such as never answering or dismissing its prompt.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

const PYTHON: &str = "/usr/bin/python3";
const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/fake_secret_service.py");

/// The private bus and the fake on it; both end when this is dropped.
pub struct FakeSecretService {
    /// The bus address, for DBUS_SESSION_BUS_ADDRESS.
    pub address: String,
    bus: Child,
    fake: Child,
    _dir: tempfile::TempDir,
}

impl FakeSecretService {
    /// Starts the fake in `mode` ("silent" or "prompts"). `None`, after saying why, when
    /// dbus-daemon or Debian's python3-dbus is missing outside scripts/test.sh (which installs
    /// both, so there a missing one fails the test).
    pub fn start(mode: &str) -> Option<Self> {
        let python_ok = Command::new(PYTHON)
            .args(["-c", "import dbus, gi"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        let bus_ok = Command::new("dbus-daemon")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !(python_ok && bus_ok) {
            assert!(
                std::env::var_os("ROLEBAR_TEST_KEYRING").is_none(),
                "dbus-daemon or python3-dbus/python3-gi is missing, though scripts/test.sh installs them"
            );
            eprintln!("skipped: needs dbus-daemon and python3-dbus (run through `bash scripts/test.sh`)");
            return None;
        }
        let dir = tempfile::tempdir().expect("tempdir");
        // No <servicedir>: nothing is ever activated, so a real gnome-keyring cannot answer instead.
        let config = dir.path().join("bus.conf");
        std::fs::write(
            &config,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
                dir.path().display()
            ),
        )
        .expect("bus config");
        let mut bus = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            // Only a complaint that it may not raise its file limit, as a non-system bus.
            .stderr(Stdio::null())
            .spawn()
            .expect("start dbus-daemon");
        let address = first_line(&mut bus);
        assert!(address.starts_with("unix:"), "dbus-daemon printed {address:?}");
        let mut fake = Command::new(PYTHON)
            .args([SCRIPT, mode])
            .env("DBUS_SESSION_BUS_ADDRESS", &address)
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the fake Secret Service");
        let ready = first_line(&mut fake);
        if ready != "ready" {
            let _ = bus.kill();
            let _ = bus.wait();
            panic!("the fake Secret Service did not start (it printed {ready:?})");
        }
        Some(FakeSecretService {
            address,
            bus,
            fake,
            _dir: dir,
        })
    }
}

/// The first line `child` prints (empty if it ends first).
fn first_line(child: &mut Child) -> String {
    let mut line = String::new();
    if let Some(out) = child.stdout.take() {
        let _ = BufReader::new(out).read_line(&mut line);
    }
    line.trim().to_string()
}

impl Drop for FakeSecretService {
    fn drop(&mut self) {
        for child in [&mut self.fake, &mut self.bus] {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

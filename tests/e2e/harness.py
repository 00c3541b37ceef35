"""The world one end-to-end test runs in, and the app launched into it.

`World`: a throwaway HOME with `~/.aws/config` holding the seed profile (`oppara-dev`:
source_profile=default, mfa_serial, role_arn = the moto fixture's `developer` role), an empty
credentials file, a private ROLEBAR_STATE_DIR, XDG dirs inside that HOME, and STS pointed at
moto (or at the STS double). `World.add_keys()` stores the long-term key with the CLI, as a user
would (`printf 'ID\\nSECRET\\n' | rolebar add default`).

`App`: one launch of `rolebar-tray` through tauri-driver. tauri-driver passes its own
environment to the app, not ours, so the app is launched through a small wrapper script per
test that exports the world's environment, records its PID and sends stderr to a log file,
then `exec`s the binary (so the PID stays the app's).

Environment read (run.sh sets the ROLEBAR_E2E_* ones; the harness, scripts/test.sh, the rest):
  ROLEBAR_TEST_MOTO_URL, ROLEBAR_TEST_MOTO_FIXTURE, ROLEBAR_TEST_AWS_CLI
  ROLEBAR_E2E_WEBDRIVER_URL   tauri-driver (default http://127.0.0.1:4444)
  ROLEBAR_E2E_APP / _CLI      the binaries (default $CARGO_TARGET_DIR or target/, debug profile)
  ROLEBAR_E2E_PROFILE         debug (default) or release, for the default binary paths
  ROLEBAR_TEST_ARTIFACTS      screenshots and logs (default target/e2e-artifacts)
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from tray import Tray, TrayItem, wait_until
from webdriver import Session, WebDriverError

REPO = Path(__file__).resolve().parents[2]
MAIN_TITLE = "Rolebar"
MFA_TITLE = "Rolebar — MFA code"
PROFILE = "oppara-dev"
# Figures measured along the way ("click → switcher focused: 230 ms"), printed at the end of the
# run by conftest's terminal summary, whether the tests passed or not.
FIGURES: list[str] = []

GOOD_CODE = "123456"


def is_profile_entry(label: str) -> bool:
    """`oppara-dev` or `oppara-dev (role)`, per ui/TESTIDS.md; not `oppara-dev — 37 min`."""
    return label == PROFILE or label.startswith(PROFILE + " (")


def need(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set: run through `bash scripts/test.sh --shell -- bash tests/e2e/run.sh`")
    return value


def target_dir() -> Path:
    return Path(os.environ.get("CARGO_TARGET_DIR") or REPO / "target")


def binary(env_name: str, name: str) -> Path:
    if os.environ.get(env_name):
        return Path(os.environ[env_name])
    return target_dir() / os.environ.get("ROLEBAR_E2E_PROFILE", "debug") / name


def artifacts_dir() -> Path:
    path = Path(os.environ.get("ROLEBAR_TEST_ARTIFACTS") or REPO / "target" / "e2e-artifacts")
    if not path.is_absolute():
        path = REPO / path
    path.mkdir(parents=True, exist_ok=True)
    return path


def fixture() -> dict:
    with open(need("ROLEBAR_TEST_MOTO_FIXTURE")) as f:
        return json.load(f)


def safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)[:120]


def pid_alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def descendants(pid: int) -> list[int]:
    """All processes below `pid` (by PPid, from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def clear_keyring() -> None:
    """Sessions are filed in the keyring by profile name, which every test shares: start clean.
    (The harness's gnome-keyring belongs to this run only.)"""
    if shutil.which("secret-tool"):
        subprocess.run(["secret-tool", "clear", "service", "rolebar"], check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)


class World:
    def __init__(self, name: str, sts_url: str | None = None) -> None:
        self.name = safe_name(name)
        self.fx = fixture()
        self.moto_url = need("ROLEBAR_TEST_MOTO_URL")
        self.aws_cli = need("ROLEBAR_TEST_AWS_CLI")
        self.sts_url = sts_url or self.moto_url
        base = os.environ.get("ROLEBAR_TEST_TMP") or None
        self.dir = Path(tempfile.mkdtemp(prefix=f"e2e-{self.name[:40]}-", dir=base))
        self.home = self.dir / "home"
        self.aws_dir = self.home / ".aws"
        self.aws_dir.mkdir(parents=True)
        self.config = self.aws_dir / "config"
        self.credentials = self.aws_dir / "credentials"
        self.state = self.dir / "state"
        self.artifacts = artifacts_dir() / self.name
        if self.artifacts.exists():
            shutil.rmtree(self.artifacts)
        self.artifacts.mkdir(parents=True)
        role = self.fx["roles"]["developer"]
        mfa = self.fx["users"]["oppara"]["mfa_serial"]
        self.config.write_text(
            "[default]\noutput=json\nregion=us-east-1\n\n"
            f"[profile {PROFILE}]\nsource_profile=default\nmfa_serial={mfa}\nrole_arn={role}\n"
        )
        self.credentials.write_text("")
        self.env = {
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "XDG_DATA_HOME": str(self.home / ".local/share"),
            "XDG_CACHE_HOME": str(self.home / ".cache"),
            "XDG_STATE_HOME": str(self.home / ".local/state"),
            "AWS_CONFIG_FILE": str(self.config),
            "AWS_SHARED_CREDENTIALS_FILE": str(self.credentials),
            "AWS_ENDPOINT_URL_STS": self.sts_url,
            "ROLEBAR_STATE_DIR": str(self.state),
            # The app's credentials agent and the CLI meet here (a folder of the test's own).
            "ROLEBAR_AGENT_SOCKET": str(self.home / "run" / "rolebar" / "agent.sock"),
            # The app speaks the system's language: English unless a test asks for another
            # (LANG=ja_JP.UTF-8 for the Japanese pass). LC_ALL and LC_MESSAGES would win over
            # LANG, so the wrapper unsets them.
            "LANG": "C.UTF-8",
            "ROLEBAR_LOG": os.environ.get("ROLEBAR_LOG", "info,rolebar=debug,rolebar_core=debug,rolebar_tray=debug,rolebar_window=debug"),
            "RUST_BACKTRACE": "1",
            "NO_COLOR": "1",  # plain logs
            "NO_AT_BRIDGE": "1",  # no accessibility bus activated per launch
        }
        clear_keyring()

    def full_env(self, extra: dict | None = None) -> dict:
        env = dict(os.environ)
        for var in ("ROLEBAR_PROFILE", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID",
                    "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            env.pop(var, None)
        env.update(self.env)
        env.update(extra or {})
        return env

    def rolebar(self, *args: str, stdin: str = "", check: bool = True) -> subprocess.CompletedProcess:
        cli = binary("ROLEBAR_E2E_CLI", "rolebar")
        proc = subprocess.run([str(cli), *args], input=stdin, capture_output=True, text=True,
                              env=self.full_env(), timeout=60)
        if check and proc.returncode != 0:
            raise AssertionError(f"rolebar {' '.join(args)} exited {proc.returncode}:\n{proc.stderr}")
        return proc

    def add_keys(self) -> None:
        user = self.fx["users"]["oppara"]
        self.rolebar("add", "default", stdin=f"{user['access_key_id']}\n{user['secret_access_key']}\n")

    def aws(self, *args: str, env: dict | None = None, endpoint: str | None = None) -> subprocess.CompletedProcess:
        """The real AWS CLI v2, against moto unless told otherwise; only the world's files."""
        full = self.full_env()
        for var in list(full):
            if var.startswith("AWS_") and var not in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE",
                                                      "AWS_EC2_METADATA_DISABLED"):
                full.pop(var)
        full.setdefault("AWS_DEFAULT_REGION", "us-east-1")  # a written profile may carry no region
        full.update(env or {})
        cmd = [self.aws_cli, *args, "--endpoint-url", endpoint or self.moto_url, "--output", "json"]
        return subprocess.run(cmd, capture_output=True, text=True, env=full, timeout=60)

    def cleanup(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


class App:
    """Rolebar in a World: `rolebar-tray` started here (its tray item, its agent), and its window
    process `rolebar-window` started by tauri-driver (so WebDriver drives its windows), linked to
    the tray as *the* window process: the main window, the MFA dialogs and the switcher open in it.

    The tray is told to start a window program that does nothing (`ROLEBAR_WINDOW_BIN`): what it
    asks for before the driver's window process is linked (the main window of a tray without a
    host) waits for that process. Tests of the tray starting real window processes itself pass
    `window_bin`."""

    def __init__(self, world: World, tray: Tray, webdriver_url: str, extra_env: dict | None = None,
                 expect_tray: bool = True, webdriver: bool = True) -> None:
        self.world = world
        self.tray = tray
        self.binary = binary("ROLEBAR_E2E_APP", "rolebar-tray")
        self.window_binary = binary("ROLEBAR_E2E_WINDOW", "rolebar-window")
        for path in (self.binary, self.window_binary):
            if not path.exists():
                raise RuntimeError(f"{path} does not exist: build it with "
                                   "`cargo build -p rolebar-tray -p rolebar-app` (run.sh does)")
        self.log = world.artifacts / "app-stderr.log"
        self.pidfile = world.dir / "app.pid"
        self.window_pidfile = world.dir / "window.pid"
        # A previous launch in the same World (a restart) left its PID here: a dead PID read
        # before the new wrapper writes its own would look like an app that died at start-up.
        self.pidfile.unlink(missing_ok=True)
        self.window_pidfile.unlink(missing_ok=True)
        env = dict(world.env)
        env.update(extra_env or {})
        # Both processes write to the one log the tests read.
        env["ROLEBAR_E2E_APP_LOG"] = str(self.log)
        window_wrapper = world.dir / "launch-window.sh"
        idle_window = world.dir / "no-window.sh"
        idle_window.write_text("#!/bin/sh\n# The tray's own window processes: none (WebDriver starts the one).\nexit 0\n")
        idle_window.chmod(0o755)
        env.setdefault("ROLEBAR_WINDOW_BIN", str(idle_window))
        self._write_wrapper(window_wrapper, env, self.window_binary, self.window_pidfile)
        wrapper = world.dir / "launch-app.sh"
        self._write_wrapper(wrapper, env, self.binary, self.pidfile)
        self.wrapper = wrapper
        self.pid: int | None = None
        self.session: Session | None = None
        self.item: TrayItem | None = None
        self.main_handle: str | None = None
        self.started = time.monotonic()
        self.proc = subprocess.Popen([str(wrapper)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        try:
            self.pid = wait_until("the tray's pid file", self._read_pid, 10)
            socket_path = Path(env["ROLEBAR_AGENT_SOCKET"])

            def agent_up() -> bool:
                if not self.alive():
                    raise AssertionError(f"the tray exited during start-up\n{self.log_tail()}")
                return socket_path.exists()

            wait_until("the tray's agent socket", agent_up, 30)
            # An app on a bus with no tray host (test_no_tray.py) has no item to wait for.
            if expect_tray:
                self.item = tray.wait_item(self.pid, timeout=30, alive=self.alive)
            if webdriver:
                self._start_window_process(webdriver_url, window_wrapper)
        except BaseException as e:
            # Not handed to the fixture yet: stop it here, or it outlives the test.
            shots = self.screenshot_all("startup-failure") if self.session else []
            self.stop()
            raise AssertionError(f"{e}\n{self.log_tail()}\nscreenshots: {[str(p) for p in shots]}") from None
        self.ready_after = time.monotonic() - self.started

    @staticmethod
    def _write_wrapper(path: Path, env: dict, program: Path, pidfile: Path) -> None:
        exports = "\n".join(f"export {k}={shlex.quote(v)}" for k, v in env.items())
        path.write_text(
            "#!/bin/sh\n"
            "# Written by tests/e2e/harness.py: tauri-driver gives the app its own environment.\n"
            "unset ROLEBAR_PROFILE AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN\n"
            "unset LC_ALL LC_MESSAGES\n"
            f"{exports}\n"
            f"echo $$ > {shlex.quote(str(pidfile))}\n"
            f"exec {shlex.quote(str(program))} \"$@\" 2>>{shlex.quote(str(env['ROLEBAR_E2E_APP_LOG']))}\n"
        )
        path.chmod(0o755)

    def _start_window_process(self, webdriver_url: str, window_wrapper: Path) -> None:
        caps = {"alwaysMatch": {"browserName": "wry",
                                "tauri:options": {"application": str(window_wrapper),
                                                  "args": ["--open", "main", "--linger"]}}}
        # The new-session request blocks until the window's webview answers; run it aside so a
        # window process (or a tray) that dies at start-up fails the test at once.
        outcome: dict = {}

        def new_session():
            try:
                outcome["session"] = Session(webdriver_url, caps, timeout=90)
            except Exception as e:  # noqa: BLE001
                outcome["error"] = e

        starter = threading.Thread(target=new_session, name="webdriver-new-session", daemon=True)
        starter.start()
        deadline = time.monotonic() + 90
        while starter.is_alive() and time.monotonic() < deadline:
            if not self.alive():
                raise AssertionError(f"the tray exited while its window started\n{self.log_tail()}")
            pid = self._read_window_pid()
            if pid and not pid_alive(pid):
                raise AssertionError(f"the window process exited during start-up\n{self.log_tail()}")
            starter.join(0.05)
        if "session" not in outcome:
            raise AssertionError(f"WebDriver could not start the window process: "
                                 f"{outcome.get('error', 'timed out after 90 s')}\n{self.log_tail()}")
        self.session = outcome["session"]
        self.main_handle = self.session.current_window

    @property
    def window_pid(self) -> int | None:
        return self._read_window_pid()

    def _read_window_pid(self) -> int | None:
        try:
            text = self.window_pidfile.read_text().strip()
        except FileNotFoundError:
            return None
        return int(text) if text else None

    def _read_pid(self) -> int | None:
        try:
            text = self.pidfile.read_text().strip()
        except FileNotFoundError:
            return None
        return int(text) if text else None

    # --- state ------------------------------------------------------------------------------

    def alive(self) -> bool:
        return self.pid is not None and pid_alive(self.pid)

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_text().splitlines()[-lines:]
        return f"app stderr ({self.log}), last {len(text)} lines:\n" + "\n".join(text)

    # --- windows ----------------------------------------------------------------------------

    def window_titles(self) -> dict[str, str]:
        return self.session.titles()

    def switch_main(self) -> None:
        self.session.switch_to(self.main_handle)

    def wait_mfa_window(self, timeout: float = 15) -> str:
        return self.session.wait_window(MFA_TITLE, timeout)

    def mfa_window_open(self) -> bool:
        return MFA_TITLE in self.window_titles().values()

    def screenshot(self, name: str) -> Path:
        """The current window as the X server shows it (what a person sees): the screen cropped
        to the window's rectangle. Not WebDriver's /screenshot: that is WebKit's own snapshot,
        which without accelerated compositing (the app's default, see crates/core/src/rendering.rs)
        can wait forever for a paint an unchanged page never makes."""
        path = self.world.artifacts / f"{safe_name(name)}.png"
        try:
            self.session.wait_painted()
        except WebDriverError:
            pass  # a screenshot of whatever is there beats none (failure reports)
        r = self.session.window_rect()
        crop = f"{int(r['width'])}x{int(r['height'])}+{max(int(r['x']), 0)}+{max(int(r['y']), 0)}"
        subprocess.run(["import", "-window", "root", "-crop", crop, "+repage", str(path)], check=True,
                       timeout=30, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        return path

    def screenshot_all(self, prefix: str) -> list[Path]:
        """Every window (WebDriver) plus the whole X screen (ImageMagick), for failure reports."""
        shots: list[Path] = []
        if self.session:
            try:
                current = self.session.current_window
            except WebDriverError:
                current = None
            try:
                for i, handle in enumerate(self.session.window_handles):
                    try:
                        self.session.switch_to(handle)
                        title = self.session.title
                        shots.append(self.screenshot(f"{prefix}-window{i}-{title}"))
                    except WebDriverError:
                        continue
                if current:
                    self.session.switch_to(current)
            except WebDriverError:
                pass
        if shutil.which("import") and os.environ.get("DISPLAY"):
            path = self.world.artifacts / f"{safe_name(prefix)}-screen.png"
            subprocess.run(["import", "-window", "root", str(path)], check=False, timeout=30,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if path.exists():
                shots.append(path)
        return shots

    # --- tray -------------------------------------------------------------------------------

    def session_label(self, timeout: float = 20) -> str:
        """Wait for the tray entry `oppara-dev — …` that shows a live session."""
        return self.item.wait_for(f"{PROFILE} —", timeout).label

    def icon_kind(self) -> str:
        """Which of icons/tray-{idle,active,expiring}.png the tray shows now (by pixels), or
        a description of what it shows instead."""
        from tray import png_pixels

        state = self.item.icon_state()
        for kind in ("idle", "active", "expiring"):
            if state["pixels"] and state["pixels"] == png_pixels(str(REPO / "icons" / f"tray-{kind}.png")):
                return kind
        return f"unknown icon {state}"

    def wait_icon(self, kind: str, timeout: float = 15) -> None:
        wait_until(f"the tray icon to be icons/tray-{kind}.png", lambda: self.icon_kind() == kind, timeout,
                   describe=lambda: f"the tray shows: {self.icon_kind()}")

    def profile_entry(self, timeout: float = 15):
        """The profile's own entry (`oppara-dev (role)`; not its session submenu `oppara-dev — …`),
        once it is enabled."""
        return self.item.wait_where(f"an enabled tray entry for the profile {PROFILE}",
                                    lambda n: is_profile_entry(n.label) and n.enabled, timeout)

    def click_profile(self, timeout: float = 15):
        return self.item.click(self.profile_entry(timeout))

    # --- end --------------------------------------------------------------------------------

    def stop(self) -> None:
        if self.session:
            try:
                self.session.quit()
            except Exception:  # noqa: BLE001
                pass  # the window process may be gone already (a test killed it)
        window = self.window_pid
        tree = descendants(self.pid) if self.pid and self.alive() else []
        if window and pid_alive(window):
            tree += [window, *descendants(window)]
        if self.pid and self.alive():
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.kill(self.pid, sig)
                except ProcessLookupError:
                    break
                deadline = time.monotonic() + 5
                while self.alive() and time.monotonic() < deadline:
                    time.sleep(0.05)
                if not self.alive():
                    break
        if self.proc.poll() is None:
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
        for child in tree:  # the window process and WebKit helpers, should any outlive the tray
            try:
                os.kill(child, signal.SIGKILL)
            except ProcessLookupError:
                pass
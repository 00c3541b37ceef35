"""The real rolebar-tray, end to end, as a person uses it: the tray menu over D-Bus, the windows
over WebDriver, the clipboard through X, and the AWS CLI as the proof that what the app hands
out works. STS is moto (auth enforced) or, where a wrong MFA code must be refused, the double.

Each test starts its own app in its own HOME (see harness.py); keys are stored beforehand with
the `rolebar` CLI, as a user would.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from harness import GOOD_CODE, MAIN_TITLE, MFA_TITLE, PROFILE, REPO, App, descendants
from webdriver import ConnectionDropped
from notifications import NotificationMock
from tray import wait_until
import xwindow

SESSION_PREFIX = f"{PROFILE} —"


# --- helpers ------------------------------------------------------------------------------------

def minutes_left(label: str) -> int:
    """`oppara-dev — 37 min` / `… 1 h 05 min` / `… under 1 min` (ui/TESTIDS.md) → minutes."""
    text = label.split("—", 1)[1]
    hours = re.search(r"(\d+)\s*h", text)
    mins = re.search(r"(\d+)\s*m", text)
    if not hours and not mins:
        raise AssertionError(f"no time left in the tray label {label!r}")
    return (int(hours.group(1)) * 60 if hours else 0) + (int(mins.group(1)) if mins else 0)


def enter_code(app: App, code: str) -> None:
    s = app.session
    app.wait_mfa_window()
    # WebKitWebDriver now and then drops a command that arrives while the dialog window is still
    # being set up (ConnectionDropped). Typing is safe to repeat (the field is cleared first);
    # a dropped click is repeated only if the dialog shows no sign of having taken it.
    for attempt in range(3):
        try:
            field = s.wait("#mfa-code")
            field.fill(code)
            break
        except ConnectionDropped:
            if attempt == 2:
                raise
            time.sleep(0.2)
    for attempt in range(3):
        try:
            s.wait("#mfa-submit").click()
            return
        except ConnectionDropped:
            if attempt == 2:
                raise
            deadline = time.monotonic() + 2
            while time.monotonic() < deadline:
                if not _dialog_waiting_for_submit(app):
                    return
                time.sleep(0.1)


def _dialog_waiting_for_submit(app: App) -> bool:
    """The dialog is open with its submit button enabled: the click has not been taken."""
    try:
        if not app.mfa_window_open():
            return False
        return bool(app.session.execute(
            "const b = document.querySelector('#mfa-submit'); return !!b && !b.disabled;"))
    except ConnectionDropped:
        return True


def assume(app: App, code: str = GOOD_CODE) -> str:
    """Click the profile in the tray, answer the MFA dialog; return the session's tray label."""
    app.click_profile()
    enter_code(app, code)
    label = app.session_label()
    wait_until("the MFA dialog to close", lambda: not app.mfa_window_open(), 15,
               describe=lambda: f"windows: {app.window_titles()}")
    app.switch_main()
    return label


def _colours(png: Path) -> int:
    return int(subprocess.run(["convert", str(png), "-format", "%k", "info:"], capture_output=True,
                              text=True, check=True, timeout=30).stdout.strip())


def rendered_screenshot(app: App, name: str, min_colours: int = 8, timeout: float = 10) -> Path:
    """A screenshot of the current window once WebKit has painted it: a screenshot taken right
    after a window appears is sometimes one flat colour (nothing composited yet), so take it
    again until it shows something (bounded)."""
    deadline = time.monotonic() + timeout
    while True:
        png = app.screenshot(name)
        if not shutil.which("convert") or _colours(png) >= min_colours or time.monotonic() > deadline:
            return png
        time.sleep(0.2)


def assert_rendered(png: Path, min_colours: int = 8) -> None:
    """A screenshot that shows something: a real PNG with more than a handful of colours."""
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{png} is not a PNG"
    if shutil.which("convert"):
        colours = int(subprocess.run(["convert", str(png), "-format", "%k", "info:"], capture_output=True,
                                     text=True, check=True, timeout=30).stdout.strip())
        assert colours >= min_colours, f"{png} looks blank ({colours} colours)"


def read_clipboard() -> str:
    proc = subprocess.run(["xclip", "-selection", "clipboard", "-o"], capture_output=True, text=True, timeout=10)
    return proc.stdout if proc.returncode == 0 else ""


def aws_with_exports(world, exports: str) -> subprocess.CompletedProcess:
    """`eval` the copied lines in bash, then run the AWS CLI with nothing else to go on."""
    env = {k: v for k, v in world.full_env().items() if not k.startswith("AWS_")}
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    env["AWS_CONFIG_FILE"] = "/dev/null"
    env["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null"
    script = exports + '\nexec "$0" sts get-caller-identity --endpoint-url "$1" --output json\n'
    return subprocess.run(["bash", "-c", script, world.aws_cli, world.moto_url], capture_output=True, text=True,
                          env=env, timeout=60)


def assert_no_mfa_window(app: App, for_seconds: float = 3.0) -> None:
    """The dialog must not appear: watched for a bounded time (a negative cannot be awaited)."""
    deadline = time.monotonic() + for_seconds
    while time.monotonic() < deadline:
        titles = app.window_titles()
        assert MFA_TITLE not in titles.values(), f"an MFA dialog opened: windows {titles}"
        time.sleep(0.1)


# --- scenarios ----------------------------------------------------------------------------------

def test_assume_role_through_the_tray_and_the_mfa_dialog(world, launch):
    """(a, f) oppara-dev in the menu → click → MFA dialog → 123456 → `oppara-dev — NN min`;
    the icon goes from idle to active; screenshots of both windows render."""
    world.add_keys()
    app = launch(world)
    app.profile_entry()
    app.switch_main()
    # The main window lists the profile and its stored key (testids: ui/TESTIDS.md).
    app.session.wait(f'[data-testid="profile-row"][data-profile="{PROFILE}"]')
    app.session.wait('[data-testid="key-row"][data-profile="default"]')
    main_shot = rendered_screenshot(app, "main-window")
    app.wait_icon("idle")

    clicked_at = time.monotonic()
    app.click_profile()
    app.wait_mfa_window()
    app.session.wait("#mfa-code")
    app.session.wait_text("#mfa-profile", lambda t: t.strip() == PROFILE, f"to name {PROFILE}")
    # A figure, not a bound (the window process is running: WebDriver started it).
    print(f"[e2e] click → MFA dialog showing its question: {(time.monotonic() - clicked_at) * 1000:.0f} ms")
    mfa_serial = world.fx["users"]["oppara"]["mfa_serial"]
    app.session.wait_text("#mfa-device", lambda t: t.strip() == mfa_serial, f"to show {mfa_serial}")
    mfa_shot = rendered_screenshot(app, "mfa-dialog")
    enter_code(app, GOOD_CODE)

    label = app.session_label()
    assert 55 <= minutes_left(label) <= 60, label
    wait_until("the MFA dialog to close", lambda: not app.mfa_window_open(), 15,
               describe=lambda: f"windows: {app.window_titles()}")
    app.wait_icon("active")
    assert app.item.icon_state()["Status"] in ("Active", "NeedsAttention"), app.item.icon_state()
    print(f"[e2e] tray label {label!r}")

    assert_rendered(main_shot)
    assert_rendered(mfa_shot)
    print(f"[e2e] screenshots: {main_shot} {mfa_shot}; app ready {app.ready_after:.2f}s after launch")


def test_a_wrong_code_is_refused_in_the_dialog_then_the_right_one_works(make_world, sts_double, launch):
    """(b) STS refuses 000000: the dialog stays with an error; 123456 then succeeds."""
    world = make_world(sts_url=sts_double.url)
    world.add_keys()
    app = launch(world)
    app.click_profile()
    enter_code(app, "000000")

    error = app.session.wait_text("#mfa-error", lambda t: bool(t.strip()), "to show an error")
    assert "MFA" in error or "code" in error.lower(), f"unhelpful error text: {error!r}"
    assert app.mfa_window_open(), "the dialog closed after a refused code"
    assert app.item.find(SESSION_PREFIX) is None, app.item.render()
    app.screenshot("mfa-dialog-wrong-code")

    enter_code(app, GOOD_CODE)
    app.session_label()
    wait_until("the MFA dialog to close", lambda: not app.mfa_window_open(), 15)
    codes = [r.get("TokenCode") for r in sts_double.requests if "TokenCode" in r]
    assert codes == ["000000", GOOD_CODE], f"STS saw codes {codes}"


def test_copy_env_exports_gives_a_shell_working_credentials(world, launch, tray):
    """(c) The session's "Copy env exports" → X clipboard → eval in bash → AWS CLI works; the
    app says so in a notification (the menu closes on click: it is the only feedback)."""
    world.add_keys()
    app = launch(world)
    assume(app)
    mock = NotificationMock(tray.bus)
    since = mock.mark() if mock.available() else 0
    app.item.click("Copy env exports")
    exports = wait_until("env exports on the X clipboard", lambda: (c := read_clipboard()) and
                         "AWS_SESSION_TOKEN" in c and c, 10, describe=lambda: f"clipboard: {read_clipboard()[:200]!r}")
    assert app.alive()
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        assert re.search(rf"^export {var}=", exports, re.M), f"{var} missing from:\n{exports}"

    proc = aws_with_exports(world, exports)
    assert proc.returncode == 0, f"aws with the copied exports failed:\n{proc.stderr}"
    arn = json.loads(proc.stdout)["Arn"]
    assert ":assumed-role/developer/" in arn, arn

    if mock.available():
        wait_until("a 'Copied exports' notification", lambda: [n for n in mock.notifications(since)
                                                              if "Copied exports" in n.summary and PROFILE in n.summary],
                   10, describe=lambda: f"notifications: {mock.notifications(since)}")


def test_write_to_profile_from_the_main_window(world, launch):
    """(d) In the main window, write the session to a target profile of the credentials file;
    the AWS CLI then works with `--profile <target>`. (testids: ui/TESTIDS.md)"""
    world.add_keys()
    app = launch(world)
    assume(app)
    s = app.session
    row = f'[data-testid="session-row"][data-profile="{PROFILE}"]'
    s.wait(row)
    s.wait(f'{row} [data-testid="open-write"]').click()
    s.wait('[data-testid="write-form"]')
    target = "oppara-dev-session"
    field = s.wait('[data-testid="write-target"]')
    field.fill(target)
    s.find('[data-testid="write-submit"]').click()
    wait_until(f"[{target}] in {world.credentials}", lambda: f"[{target}]" in world.credentials.read_text(), 15,
               describe=s.describe)
    s.wait_text('[data-testid="notice"]', lambda t: f"[{target}]" in t, f"to confirm the write to [{target}]")
    app.screenshot("main-window-after-write")

    proc = world.aws("sts", "get-caller-identity", "--profile", target)
    assert proc.returncode == 0, f"aws --profile {target} failed:\n{proc.stderr}\n{world.credentials.read_text()}"
    assert ":assumed-role/developer/" in json.loads(proc.stdout)["Arn"]


def test_write_to_profile_from_the_tray_opens_the_write_form(world, launch):
    """(d) The session submenu's "Write to profile…" brings up the main window's write form
    for that session."""
    world.add_keys()
    app = launch(world)
    assume(app)
    app.item.click("Write to profile…")
    s = app.session
    app.switch_main()
    s.wait('[data-testid="write-form"]')
    s.wait_text('[data-testid="write-profile"]', lambda t: t.strip() == PROFILE, f"to name {PROFILE}")
    s.wait('[data-testid="write-target"]')
    app.screenshot("write-form-from-tray")


def test_a_second_click_within_the_session_asks_nothing(make_world, sts_double, launch):
    """(e) With a live session, clicking the profile again opens no dialog and calls no STS."""
    world = make_world(sts_url=sts_double.url)
    world.add_keys()
    app = launch(world)
    first = assume(app)
    calls = len(sts_double.requests)

    app.click_profile()
    assert_no_mfa_window(app, 3.0)
    assert app.item.find(SESSION_PREFIX) is not None, app.item.render()
    assert len(sts_double.requests) == calls, f"STS was called again: {sts_double.requests[calls:]}"
    assert minutes_left(app.session_label()) <= minutes_left(first)


def test_a_session_ending_within_10_minutes_turns_the_icon_to_expiring(make_world, sts_double, launch):
    """A session with 9 minutes left (STS double): the label says so, the icon is "expiring"."""
    sts_double.expires_in = 9 * 60
    world = make_world(sts_url=sts_double.url)
    world.add_keys()
    app = launch(world)
    label = assume(app)
    assert minutes_left(label) in (8, 9), label
    app.wait_icon("expiring")


def test_the_tray_counts_the_session_down(make_world, sts_double, launch):
    """The session's label (a submenu's) follows the time left: a session of 30 min 5 s drops to
    `29 min` a few seconds after it is made. Regression: the tray host kept a submenu's label
    changed in place, so the countdown stood still until something else rebuilt the menu."""
    sts_double.expires_in = 30 * 60 + 5
    world = make_world(sts_url=sts_double.url)
    world.add_keys()
    app = launch(world)
    first = assume(app)
    # At most a minute after the first label (if the assume took longer than 5 s).
    later = app.item.wait_where("the session's time left to drop by a minute",
                                lambda n: n.label.startswith(SESSION_PREFIX) and
                                minutes_left(n.label) == minutes_left(first) - 1, 75)
    assert later.is_submenu, app.item.render()


def _app_notifies() -> bool:
    """Whether the app sends desktop notifications at all (it uses notify-rust for them)."""
    src = REPO / "crates" / "tray" / "src"
    return src.is_dir() and any("notify_rust" in p.read_text(errors="replace") for p in src.rglob("*.rs"))


def test_expiry_warning_notification_and_renew(make_world, sts_double, launch, tray):
    """(g) A session inside the 10-minute warning window → one notification naming the profile
    and its time left. If it offers a "renew" action, invoking it (ActionInvoked, as a click on
    the button) asks for a code again and renews the session."""
    if not _app_notifies():
        pytest.skip("the app does not implement notifications yet (no notify_rust in crates/tray/src)")
    mock = NotificationMock(tray.bus)
    if not mock.available():
        pytest.skip("no python-dbusmock notification daemon on the bus (run.sh starts one)")
    sts_double.expires_in = 9 * 60  # fresh (more than the 5-minute reuse window), but past the 10m warning
    world = make_world(sts_url=sts_double.url)
    world.add_keys()
    app = launch(world)
    since = mock.mark()
    assume(app)

    def warnings():
        return [n for n in mock.notifications(since) if PROFILE in n.summary + " " + n.body and "expire" in
                (n.summary + " " + n.body).lower()]

    note = wait_until("an expiry notification for oppara-dev", warnings, 40,
                      describe=lambda: f"notifications: {mock.notifications(since)}")[0]
    assert re.search(r"\b[89] min\b", note.summary + " " + note.body), note
    print(f"[e2e] expiry notification: {note}")

    assert note.summary == "Rolebar" and note.body.startswith(f"{PROFILE} expires in"), note
    assert note.actions == {"renew": "Renew", "dismiss": "Dismiss"}, note
    sts_double.expires_in = 60 * 60  # the renewed session is a normal one: time left goes up
    calls = len(sts_double.calls("AssumeRole"))
    mock.invoke_action(note.id, "renew")
    enter_code(app, GOOD_CODE)
    wait_until("a second AssumeRole", lambda: len(sts_double.calls("AssumeRole")) > calls, 15)
    wait_until("the tray's time left to go up", lambda: minutes_left(app.session_label()) >= 55, 20,
               describe=lambda: app.item.render())
    app.wait_icon("active")


def _web_processes(app: App) -> list[int]:
    """The app's live WebKit web processes (one per open webview): the window process's."""
    found = []
    window = app.window_pid
    for pid in descendants(window) if window else []:
        try:
            if Path(f"/proc/{pid}/comm").read_text().startswith("WebKitWebProces"):
                found.append(pid)
        except OSError:
            pass  # ended meanwhile
    return found


def test_closing_the_main_window_keeps_the_tray_and_frees_the_webview(world, launch):
    """Closing the main window leaves Rolebar in the tray with its WebKit web process gone (the
    webview is destroyed, not hidden); a second launch of the app only brings the window back in
    the running one (single instance); so does the tray's `Open Rolebar…`."""
    world.add_keys()
    app = launch(world)
    app.profile_entry()
    app.switch_main()
    app.session.wait(f'[data-testid="profile-row"][data-profile="{PROFILE}"]')
    assert _web_processes(app), "no WebKit web process while the main window is open"

    def close_main() -> None:
        app.session.wait_window(MAIN_TITLE)
        ids = wait_until("the main window on the X display", lambda: xwindow.windows_titled(MAIN_TITLE), 15)
        assert len(ids) == 1, f"{len(ids)} X windows titled {MAIN_TITLE!r}"
        xwindow.request_close(ids[0])
        wait_until("the main window to close", lambda: not xwindow.windows_titled(MAIN_TITLE), 15)
        wait_until("the web process to end (webview freed)", lambda: not _web_processes(app), 15,
                   describe=lambda: f"still running: {_web_processes(app)}")
        assert app.alive(), f"the app exited when its window closed\n{app.log_tail()}"
        app.profile_entry()  # the tray item is still there and answers

    close_main()
    second = subprocess.run([str(app.binary)], env=world.full_env(), capture_output=True, text=True, timeout=30)
    assert second.returncode == 0, f"second launch: {second.returncode} {second.stderr[-2000:]}"
    app.session.wait_window(MAIN_TITLE)

    close_main()
    app.item.click("Open Rolebar")
    app.session.wait_window(MAIN_TITLE)
    app.session.wait(f'[data-testid="profile-row"][data-profile="{PROFILE}"]')


def test_auto_refresh_is_turned_on_from_the_main_window(world, launch):
    """The profile's auto-refresh box saves settings.json at once and the window says so."""
    world.add_keys()
    app = launch(world)
    app.switch_main()
    settings = world.home / ".config" / "rolebar" / "settings.json"
    box = f'[data-testid="auto-refresh"][data-profile="{PROFILE}"]'
    assert app.session.wait(box).prop("checked") is False, "auto-refresh is off by default"
    app.session.wait(box).click()

    def saved():
        try:
            return PROFILE in json.loads(settings.read_text()).get("expiry", {}).get("auto_refresh", [])
        except (OSError, ValueError):
            return False

    wait_until(f"{settings} to list {PROFILE} under expiry.auto_refresh", saved, 15)
    wait_until("the window to say auto-refresh is on",
               lambda: f"auto-refresh: {PROFILE}" in app.session.wait('[data-testid="expiry-settings"]').text, 15,
               describe=app.session.describe)
    assert app.session.wait(box).prop("checked") is True


def test_a_failed_assume_shows_in_the_menu_and_a_notification(make_world, launch, tray):
    """STS unreachable: after the code, no session is made; the tray says `Failed: …`, a
    notification says what happened, the icon stays idle, and the app keeps running."""
    mock = NotificationMock(tray.bus)
    if not mock.available():
        pytest.skip("no python-dbusmock notification daemon on the bus (run.sh starts one)")
    with socket.socket() as s:  # a port nothing listens on once this is closed
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    world = make_world(sts_url=f"http://127.0.0.1:{port}")
    world.add_keys()
    app = launch(world)
    since = mock.mark()
    app.click_profile()
    enter_code(app, GOOD_CODE)
    failed = app.item.wait_for("Failed:", 60)
    assert PROFILE in failed.label and not failed.enabled, failed
    note = wait_until("a failure notification", lambda: [n for n in mock.notifications(since)
                                                         if f"no session for {PROFILE}" in n.summary], 30,
                      describe=lambda: f"notifications: {mock.notifications(since)}")[0]
    assert "127.0.0.1" in note.body or "reach" in note.body.lower() or "connect" in note.body.lower(), note.body
    assert app.item.find(SESSION_PREFIX) is None, f"a session appeared:\n{app.item.render()}"
    assert app.icon_kind() == "idle"
    assert app.alive()


def test_warning_times_are_changed_from_the_main_window(world, launch):
    """"Change warning times…": a bad value is refused in the form, nothing saved; good ones are
    saved to settings.json and shown at once."""
    world.add_keys()
    app = launch(world)
    app.switch_main()
    s = app.session
    settings = world.home / ".config" / "rolebar" / "settings.json"
    s.click_until('[data-testid="warn-edit"]', lambda: s.find('[data-testid="warn-form"]').displayed, "the form open")
    field = s.wait('[data-testid="warn-before"]')
    field.fill("30m, 5x")
    s.wait('[data-testid="warn-save"]').click()
    error = wait_until("the form to refuse 5x", lambda: (t := s.wait('[data-testid="warn-error"]').text) and t, 15,
                       describe=s.describe)
    assert "5x" in error, error
    assert not settings.exists(), "nothing saved for a refused value"

    field.fill("30m, 5m")
    s.wait('[data-testid="warn-save"]').click()
    wait_until("the window to show the new times",
               lambda: "30m and 5m" in s.wait('[data-testid="expiry-settings"]').text, 15, describe=s.describe)
    saved = json.loads(settings.read_text())
    assert saved["expiry"]["warn_before"] == ["30m", "5m"], saved
    rendered_screenshot(app, "warning-times-changed")


def test_two_profiles_needing_codes_get_one_dialog_at_a_time(make_world, sts_double, launch):
    """oppara-dev clicked, then oppara-ops (another MFA device) while the dialog is open: one
    dialog, the first profile's; after its code, the second's; each code reached STS with its
    own device, never mixed up; both sessions end up in the menu."""
    world = make_world(sts_url=sts_double.url)
    ops_device = "arn:aws:iam::123456789012:mfa/ops"
    role = world.fx["roles"]["developer"]
    world.config.write_text(world.config.read_text() +
                            f"\n[profile oppara-ops]\nsource_profile=default\nmfa_serial={ops_device}\nrole_arn={role}\n")
    world.add_keys()
    app = launch(world)

    def dialog_profile() -> str:
        app.wait_mfa_window(timeout=5)
        return app.session.find("#mfa-profile").text

    app.click_profile()
    wait_until("the dialog for oppara-dev", lambda: dialog_profile() == PROFILE, 20)
    app.item.click("oppara-ops")
    app.item.wait_for("Getting a session for oppara-ops", 15)  # queued behind the open dialog
    assert list(app.window_titles().values()).count(MFA_TITLE) == 1, app.window_titles()
    assert dialog_profile() == PROFILE, "the queued profile took over the open dialog"

    sts_double.accepted_code = "111111"
    enter_code(app, "111111")
    wait_until("the dialog for oppara-ops", lambda: dialog_profile() == "oppara-ops", 20,
               describe=lambda: f"windows: {app.window_titles()}")
    assert ops_device in app.session.find("#mfa-device").text
    sts_double.accepted_code = "222222"
    enter_code(app, "222222")

    app.item.wait_for(SESSION_PREFIX, 20)
    app.item.wait_for("oppara-ops —", 20)
    wait_until("the MFA dialog to close", lambda: not app.mfa_window_open(), 15)
    sent = {r.get("SerialNumber"): r.get("TokenCode") for r in sts_double.calls("AssumeRole")}
    assert sent == {world.fx["users"]["oppara"]["mfa_serial"]: "111111", ops_device: "222222"}, sent

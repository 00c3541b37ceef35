"""Issue 20: the tray process holds no web engine; its windows live in a window process it starts
on demand (`rolebar-window`), which goes about 2 s after its last window closes. Here the tray
starts its real window processes itself (no WebDriver): they are found by their X windows and
their place under the tray in the process tree.

- a window process comes for "Open Rolebar…", goes after the window is closed (no WebKit process
  left), and a new one comes for the next window;
- killed (SIGKILL) with the MFA dialog open for the AWS CLI, the dialog is shown again in a new
  window process and the code typed there serves the AWS CLI; killed again, the AWS CLI fails at
  once with Rolebar's message instead of waiting minutes;
- when the tray dies, the window says so and its process closes it;
- the tray program links no web engine.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from harness import GOOD_CODE, MAIN_TITLE, MFA_TITLE, binary, descendants, pid_alive
from test_agent import add_credential_process_profile, start_aws
from tray import wait_until
import xwindow

# The window process asks to go this long after its last window closed; the tray agrees at once.
IDLE_EXIT_S = 2.0


def comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def window_processes(app) -> list[int]:
    """The live window processes under the tray (a killed one stays a zombie until the tray reaps
    it: not counted)."""
    return [p for p in descendants(app.pid) if comm(p) == "rolebar-window" and pid_alive(p)]


def webkit_processes(app) -> list[int]:
    return [p for p in descendants(app.pid) if comm(p).startswith("WebKit")]


def launch_tray_only(launch, world):
    """The tray, starting the real window program itself (no WebDriver session)."""
    return launch(world, webdriver=False, ROLEBAR_WINDOW_BIN=str(binary("ROLEBAR_E2E_WINDOW", "rolebar-window")))


def xdotool(*args: str) -> str:
    return subprocess.run(["xdotool", *args], check=True, capture_output=True, text=True, timeout=20).stdout


def type_code_in_dialog(app, code: str) -> None:
    """Types `code` into the MFA dialog on the X display and presses Enter, as a person does, until
    the code reaches the tray (the agent logs each `submit_mfa_code`): keys typed before the page
    has focused its input are lost, and nothing outside the page says when it has."""
    ids = wait_until("the MFA dialog on the X display", lambda: xwindow.windows_titled(MFA_TITLE), 30)
    submitted = app.log_text().count("command=submit_mfa_code")
    for _ in range(10):
        xdotool("windowfocus", "--sync", str(ids[0]))
        xdotool("type", "--delay", "40", code)
        xdotool("key", "Return")
        try:
            wait_until("the code to reach the tray",
                       lambda: app.log_text().count("command=submit_mfa_code") > submitted, 3)
            return
        except AssertionError:
            xdotool("key", "ctrl+a", "BackSpace")
    raise AssertionError(f"the typed code never reached the tray\n{app.log_tail()}")


def test_a_window_process_comes_for_a_window_and_goes_after_it(world, launch):
    world.add_keys()
    app = launch_tray_only(launch, world)
    app.profile_entry(timeout=30)
    assert not window_processes(app), "a window process before any window was asked for"

    app.item.click("Open Rolebar")
    ids = wait_until("the main window on the X display", lambda: xwindow.windows_titled(MAIN_TITLE), 30)
    first = wait_until("one window process under the tray", lambda: window_processes(app), 10)
    assert len(first) == 1, first
    assert webkit_processes(app), "the main window shows, so WebKit runs (under the window process)"

    closed_at = time.monotonic()
    xwindow.request_close(ids[0])
    wait_until("the window process to exit", lambda: not window_processes(app), 15,
               describe=lambda: f"still running: {window_processes(app)}")
    gone_after = time.monotonic() - closed_at
    print(f"[e2e] last window closed → window process gone in {gone_after * 1000:.0f} ms")
    assert gone_after < IDLE_EXIT_S + 3, f"the window process took {gone_after:.1f} s to go"
    wait_until("no WebKit process left", lambda: not webkit_processes(app), 10,
               describe=lambda: f"still running: {webkit_processes(app)}")
    assert app.alive(), f"the tray exited with its window\n{app.log_tail()}"

    # The next window gets a new process.
    app.item.click("Open Rolebar")
    wait_until("the main window again", lambda: xwindow.windows_titled(MAIN_TITLE), 30)
    second = wait_until("a new window process", lambda: window_processes(app), 10)
    assert second != first, (first, second)


def asked_with_the_trays_own_windows(make_world, sts_double, launch):
    """The AWS CLI asking through `credential_process` with the tray's MFA dialog open in a window
    process the tray started: (world, app, the AWS CLI's process)."""
    world = make_world(sts_url=sts_double.url)
    world.add_keys()
    add_credential_process_profile(world)
    app = launch_tray_only(launch, world)
    app.profile_entry(timeout=30)
    asked_at = time.monotonic()
    aws = start_aws(world, sts_double.url)
    wait_until("the MFA dialog", lambda: xwindow.windows_titled(MFA_TITLE), 30)
    # A figure, not a bound: the AWS CLI starting, the agent asking, a cold window process.
    print(f"[e2e] AWS CLI started → MFA dialog on screen (cold window process): "
          f"{(time.monotonic() - asked_at) * 1000:.0f} ms")
    return world, app, aws


def kill_window_processes(app) -> list[int]:
    victims = wait_until("the window process", lambda: window_processes(app), 10)
    for pid in victims:
        os.kill(pid, signal.SIGKILL)
    wait_until("the window process to die", lambda: not any(pid_alive(p) for p in victims), 10)
    return victims


def test_an_mfa_dialog_lost_with_its_process_is_shown_again_and_serves_the_caller(make_world, sts_double, launch):
    world, app, aws = asked_with_the_trays_own_windows(make_world, sts_double, launch)
    victims = kill_window_processes(app)
    again = wait_until("the MFA dialog in a new window process",
                       lambda: xwindow.windows_titled(MFA_TITLE) and [p for p in window_processes(app) if p not in victims],
                       20, describe=lambda: f"window processes: {window_processes(app)}\n{app.log_tail()}")
    print(f"[e2e] window process {victims} killed; the dialog came back in {again}")
    type_code_in_dialog(app, GOOD_CODE)
    out, err = aws.communicate(timeout=60)
    assert aws.returncode == 0, f"the AWS CLI failed after the dialog came back: {err}\n{app.log_tail()}"
    assert "the MFA dialog was lost with its window process" in app.log_text(), app.log_tail()
    assert len(sts_double.calls("AssumeRole")) == 1


def test_an_mfa_dialog_lost_twice_fails_the_caller_at_once_with_rolebars_message(make_world, sts_double, launch):
    world, app, aws = asked_with_the_trays_own_windows(make_world, sts_double, launch)
    kill_window_processes(app)
    wait_until("the MFA dialog shown again", lambda: xwindow.windows_titled(MFA_TITLE), 30)
    kill_window_processes(app)
    killed_at = time.monotonic()
    out, err = aws.communicate(timeout=60)
    failed_after = time.monotonic() - killed_at
    print(f"[e2e] the AWS CLI failed {failed_after:.1f} s after the second loss: {err.strip()[-300:]}")
    assert aws.returncode != 0, out
    assert "MFA dialog could not be shown" in err, err
    assert failed_after < 15, f"the caller waited {failed_after:.0f} s"
    assert app.alive(), app.log_tail()
    assert not sts_double.calls("AssumeRole"), "no code, no STS call"


def test_when_the_tray_dies_the_window_says_so_and_goes(world, launch):
    world.add_keys()
    app = launch(world)  # the main window, in the window process WebDriver started
    app.profile_entry(timeout=30)
    app.switch_main()
    app.session.wait('[data-testid="profile-row"]')  # the page is loaded and listening
    window = app.window_pid
    assert window and pid_alive(window)
    os.kill(app.pid, signal.SIGKILL)
    notice = app.session.wait('[data-testid="tray-gone"]', timeout=10).text
    print(f"[e2e] the window says: {notice!r}")
    assert "Rolebar has quit or stopped" in notice, notice
    wait_until("the window process to exit after the tray died", lambda: not pid_alive(window), 15,
               describe=lambda: app.log_tail())
    assert "the Rolebar tray has quit or crashed" in app.log_text(), app.log_tail()
    # The fixture still ends the WebDriver session: the driver serves one session at a time, and
    # one left open (its browser gone) would refuse the next test's.


def test_the_tray_program_links_no_web_engine():
    tray = binary("ROLEBAR_E2E_APP", "rolebar-tray")
    linked = subprocess.run(["ldd", str(tray)], capture_output=True, text=True, check=True).stdout
    engine = [line.strip() for line in linked.splitlines()
              if any(name in line for name in ("webkit", "javascriptcore", "libsoup"))]
    assert not engine, f"{tray} links a web engine: {engine}"
    window = binary("ROLEBAR_E2E_WINDOW", "rolebar-window")
    linked = subprocess.run(["ldd", str(window)], capture_output=True, text=True, check=True).stdout
    assert "webkit2gtk" in linked, "the window program is the one with WebKit (the check can see it)"

"""A desktop that shows no tray icons (stock GNOME without the AppIndicator extension, several
tiling window managers): nobody owns `org.kde.StatusNotifierWatcher` on the session bus.

The app runs on a private session bus of the test's own (no watcher, no keyring: the demo's
`ROLEBAR_KEYRING=memory`), started without `ROLEBAR_OPEN_MAIN`: it opens its main window by
itself, says how to get the icon and offers Quit; closing that window keeps the agent serving; a
second start opens the window again; Quit ends the app. A watcher that appears later gets the
icon (libayatana registers by itself) and the notice goes.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time

import pytest

from harness import MAIN_TITLE, App
from sni_watcher import WatcherThread
from tray import wait_until
from webdriver import WebDriverError
import xwindow

NOTICE = '[data-testid="no-tray"]'
NOTICE_TEXT = '[data-testid="no-tray-text"]'
QUIT = '[data-testid="quit"]'


class PrivateBus:
    """A session bus of its own: what a desktop without a tray host offers."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                                     stdout=subprocess.PIPE, text=True, start_new_session=True)
        self.address = self.proc.stdout.readline().strip()
        if not self.address:
            self.stop()
            raise RuntimeError("dbus-daemon printed no address")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)


@pytest.fixture
def bare_bus():
    bus = PrivateBus()
    yield bus
    bus.stop()


def launch_without_tray(launch, world, bus: PrivateBus, **env) -> App:
    app = launch(world, expect_tray=False, DBUS_SESSION_BUS_ADDRESS=bus.address, ROLEBAR_OPEN_MAIN="0",
                 ROLEBAR_KEYRING="memory", **env)
    app.switch_main()
    return app


def agent_ping(world) -> dict:
    """One `ping` to the app's credentials agent (docs/agent-protocol.md)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(10)
        s.connect(world.env["ROLEBAR_AGENT_SOCKET"])
        s.sendall(b'{"v":1,"op":"ping"}\n')
        line = s.makefile("rb").readline()
    return json.loads(line)


def test_without_a_tray_host_the_window_opens_says_how_and_quits(world, launch, bare_bus):
    app = launch_without_tray(launch, world, bare_bus, XDG_CURRENT_DESKTOP="ubuntu:GNOME")
    s = app.session
    assert s.title == MAIN_TITLE, f"the app opened {s.title!r}, not its main window"
    text = s.wait(NOTICE_TEXT).text
    assert "no tray icons" in text and "AppIndicator and KStatusNotifierItem Support" in text, text
    assert "start it again to open this window" in s.wait('[data-testid="no-tray-keeps-running"]').text
    assert s.wait(QUIT).displayed
    assert "no tray host" in app.log_text(), app.log_tail()
    app.screenshot("no-tray-main-window")

    # Closing the window leaves Rolebar running: the agent still answers.
    ids = wait_until("the main window on the X display", lambda: xwindow.windows_titled(MAIN_TITLE), 15)
    xwindow.request_close(ids[0])
    wait_until("the main window to close", lambda: not xwindow.windows_titled(MAIN_TITLE), 15)
    assert app.alive(), f"the app exited when its window closed\n{app.log_tail()}"
    assert "ok" in agent_ping(world), "the agent stopped serving with the window closed"

    # Starting Rolebar again (the desktop entry) opens the window in the running app.
    env = world.full_env({"DBUS_SESSION_BUS_ADDRESS": bare_bus.address, "ROLEBAR_OPEN_MAIN": "0",
                          "ROLEBAR_KEYRING": "memory", "XDG_CURRENT_DESKTOP": "ubuntu:GNOME"})
    second = subprocess.run([str(app.binary)], env=env, capture_output=True, text=True, timeout=30)
    assert second.returncode == 0, f"second start: {second.returncode} {second.stderr[-2000:]}"
    wait_until("the main window to open again", lambda: len(xwindow.windows_titled(MAIN_TITLE)) == 1, 15,
               describe=lambda: f"windows titled {MAIN_TITLE!r}: {xwindow.windows_titled(MAIN_TITLE)}")
    s.switch_to(s.wait_window(MAIN_TITLE))
    s.wait(NOTICE_TEXT)

    # Quit ends the app, as the tray's Quit does.
    started = time.monotonic()
    try:
        s.wait(QUIT).click()
    except WebDriverError:
        pass  # the app may end before the driver answers the click: its exit below decides
    wait_until("the app to exit after Quit", lambda: not app.alive(), 15)
    print(f"[e2e] Quit → exited in {(time.monotonic() - started) * 1000:.0f} ms")


def test_a_tray_host_that_appears_later_takes_the_notice_away(world, launch, bare_bus):
    app = launch_without_tray(launch, world, bare_bus, XDG_CURRENT_DESKTOP="sway")
    s = app.session
    text = s.wait(NOTICE_TEXT).text
    assert "add a system tray" in text and "GNOME" not in text, text
    watcher = WatcherThread(bus_address=bare_bus.address).start()
    try:
        # The icon registers by itself with a watcher that starts after the app.
        wait_until("the app's item to register with the new watcher", lambda: watcher.items, 15)
        wait_until("the notice to go", lambda: not s.find_all(NOTICE) or not s.find(NOTICE).displayed, 15,
                   describe=s.describe)
        assert not s.find(QUIT).displayed, "Quit is in the tray's menu once there is a tray"
        assert "the tray host changed" in app.log_text(), app.log_tail()
    finally:
        watcher.stop()

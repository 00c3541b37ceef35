"""Issue 12: the AWS console in one click. The tray's **Open AWS console** on the `oppara-dev`
session and the main window's **Console** button hand the browser (a `BROWSER` stand-in that
records its own argv and environment and follows loopback redirects) a one-shot loopback page
that redirects to a sign-in URL the federation double accepts: the double checked the session at
moto and issued the token the login URL carries. The URL is never in the app's log, nor in the
browser's arguments or environment (issue 19).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness import GOOD_CODE, PROFILE, REPO
from test_app import enter_code
from tray import wait_until

SUPPORT = REPO / "crates" / "core" / "tests" / "support"


@pytest.fixture
def federation(world):
    log = world.home / "federation.jsonl"
    proc = subprocess.Popen([sys.executable, str(SUPPORT / "federation_double.py"), "--log", str(log),
                             "--moto", world.moto_url], stdout=subprocess.PIPE, text=True)
    port = int(proc.stdout.readline().strip())
    yield f"http://127.0.0.1:{port}", log
    proc.terminate()
    proc.wait(timeout=10)


def opened(record: Path) -> list[dict]:
    return [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []


def signin_hop(entry: dict) -> dict:
    """The hop of a browser visit that reached the sign-in URL, through the hand-off page; no
    12 characters of its token in the browser's arguments or environment."""
    assert entry["hops"][0]["status"] == 303, entry
    hop = next(h for h in entry["hops"] if "/federation?Action=login" in h["url"])
    token = hop["url"].split("SigninToken=", 1)[1].split("&", 1)[0]
    seen = json.dumps([entry["url"], entry["argv"], entry["environ"]])
    assert all(token[i:i + 12] not in seen for i in range(len(token) - 11)), "token in argv/environ"
    return hop


def test_open_aws_console_from_the_tray_and_the_window(world, launch, federation):
    endpoint, _ = federation
    record = world.home / "browser.jsonl"
    world.add_keys()
    app = launch(world, BROWSER=f"{sys.executable} {SUPPORT / 'console_browser.py'} {record} %s",
                 AWS_ENDPOINT_URL_SIGNIN=endpoint)
    app.click_profile(timeout=30)
    enter_code(app, GOOD_CODE)
    app.session_label()

    app.item.click("Open AWS console", exact=True)
    first = wait_until("the browser to get a sign-in URL", lambda: opened(record), 30,
                       describe=lambda: app.log_tail())[0]
    hop = signin_hop(first)
    assert hop["url"].startswith(f"{endpoint}/federation?Action=login"), hop["url"][:60]
    assert "Issuer=Rolebar" in hop["url"] and "SigninToken=" in hop["url"]
    assert hop["status"] == 302, first

    # The window's Console button on the profile's row: the session is reused, no dialog.
    app.switch_main()
    app.session.wait(f'[data-testid="profile-row"][data-profile="{PROFILE}"] [data-testid="open-console"]').click()
    both = wait_until("a second sign-in URL", lambda: len(opened(record)) >= 2 and opened(record), 30)
    assert signin_hop(both[1])["status"] == 302 and signin_hop(both[1])["url"] != hop["url"], both
    assert not app.mfa_window_open()
    log = app.log_text()
    for entry in both:
        url = signin_hop(entry)["url"]
        token = url.split("SigninToken=", 1)[1].split("&", 1)[0]
        assert token not in log and url not in log, "a sign-in URL in the app's log"
        assert entry["url"] not in log, "a hand-off page's URL in the app's log"

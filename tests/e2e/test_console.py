"""Issue 12: the AWS console in one click. The tray's **Open AWS console** on the `oppara-dev`
session and the main window's **Console** button hand the browser (a `BROWSER` script that
records the URL and fetches it) a sign-in URL that the federation double accepts: the double
checked the session at moto and issued the token the login URL carries. The URL is never in the
app's log.
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


def test_open_aws_console_from_the_tray_and_the_window(world, launch, federation):
    endpoint, _ = federation
    record = world.home / "browser.jsonl"
    world.add_keys()
    app = launch(world, BROWSER=f"{sys.executable} {SUPPORT / 'test_browser.py'} {record} %s",
                 AWS_ENDPOINT_URL_SIGNIN=endpoint)
    app.click_profile(timeout=30)
    enter_code(app, GOOD_CODE)
    app.session_label()

    app.item.click("Open AWS console", exact=True)
    first = wait_until("the browser to get a sign-in URL", lambda: opened(record), 30,
                       describe=lambda: app.log_tail())[0]
    assert first["url"].startswith(f"{endpoint}/federation?Action=login"), first["url"][:60]
    assert "Issuer=Rolebar" in first["url"] and "SigninToken=" in first["url"]
    assert first["status"] == 302, first

    # The window's Console button on the profile's row: the session is reused, no dialog.
    app.switch_main()
    app.session.wait(f'[data-testid="profile-row"][data-profile="{PROFILE}"] [data-testid="open-console"]').click()
    both = wait_until("a second sign-in URL", lambda: len(opened(record)) >= 2 and opened(record), 30)
    assert both[1]["status"] == 302 and both[1]["url"] != first["url"], both
    assert not app.mfa_window_open()
    log = app.log_text()
    for entry in both:
        token = entry["url"].split("SigninToken=", 1)[1].split("&", 1)[0]
        assert token not in log and entry["url"] not in log, "a sign-in URL in the app's log"

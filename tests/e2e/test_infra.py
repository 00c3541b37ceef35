"""The suite's own machinery, checked without the app: the watcher with a fake tray item, the
tray driver, the STS double, and the WebDriver server's presence. Fast (a second or two), so a
broken harness fails here with a clear message rather than inside an app scenario."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tray import Bus, MenuNode, TrayItem, strip_mnemonic, wait_until
from sts_double import INVALID_MFA, StsDouble
from webdriver import driver_ready

HERE = Path(__file__).resolve().parent


def test_strip_mnemonic():
    assert strip_mnemonic("_Copy env exports") == "Copy env exports"
    assert strip_mnemonic("my__profile") == "my_profile"
    assert strip_mnemonic("oppara-dev — 59m left") == "oppara-dev — 59m left"


@pytest.fixture
def fake_item():
    proc = subprocess.Popen([sys.executable, str(HERE / "fake_item.py")], stderr=subprocess.PIPE, text=True)
    yield proc
    proc.terminate()
    proc.wait(timeout=10)


def test_watcher_and_tray_driver_with_a_fake_item(tray, fake_item):
    item = tray.wait_item(fake_item.pid, timeout=10, alive=lambda: fake_item.poll() is None)
    assert item.path == "/org/ayatana/NotificationItem/fake_rolebar"
    assert item.menu_path.endswith("/Menu")

    root = item.layout()
    assert root.labels() == ["oppara-dev", "Quit Rolebar", "Hidden"]
    assert root.find("Hidden") is None, "hidden entries are not found"
    before = item.icon_state()
    assert before["IconName"] == "rolebar-idle" and before["Status"] == "Active"

    item.click("oppara-dev")
    node = item.wait_for("oppara-dev —", timeout=5)
    assert node.is_submenu and [c.label for c in node.children] == ["Copy env exports", "Write to profile…"]
    after = wait_until("the icon to change", lambda: item.icon_state() != before and item.icon_state(), 5)
    assert after["IconName"] == "rolebar-active" and after["IconPixmap"] != before["IconPixmap"]
    item.click("Copy env exports")  # a click on a submenu child goes through

    # The item leaves the watcher's list with its connection.
    fake_item.terminate()
    fake_item.wait(timeout=10)
    wait_until("the fake item to be unregistered", lambda: item.item not in tray.items(), 5,
               describe=lambda: str(tray.items()))


def test_watcher_accepts_a_bus_name(tray):
    """KDE-style items pass their bus name; the item is then at /StatusNotifierItem."""
    other = Bus()
    try:
        name = other.bus.unique_name
        other.call("org.kde.StatusNotifierWatcher", "/StatusNotifierWatcher", "org.kde.StatusNotifierWatcher",
                   "RegisterStatusNotifierItem", "s", [name])
        assert f"{name}/StatusNotifierItem" in tray.items()
        assert tray.bus.get_property("org.kde.StatusNotifierWatcher", "/StatusNotifierWatcher",
                                     "org.kde.StatusNotifierWatcher", "IsStatusNotifierHostRegistered") is True
        assert tray.bus.get_property("org.kde.StatusNotifierWatcher", "/StatusNotifierWatcher",
                                     "org.kde.StatusNotifierWatcher", "ProtocolVersion") == 0
    finally:
        other.close()
    wait_until("the bus-name item to go with its connection", lambda: f"{name}/StatusNotifierItem" not in tray.items(), 5)


def _post(url: str, form: dict) -> tuple[int, str]:
    req = urllib.request.Request(url + "/", data=urllib.parse.urlencode(form).encode(), method="POST",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_sts_double_rejects_wrong_codes_and_serves_the_aws_cli(tmp_path):
    double = StsDouble().start()
    try:
        base = {"Action": "AssumeRole", "Version": "2011-06-15", "RoleArn": "arn:aws:iam::123456789012:role/developer",
                "RoleSessionName": "t", "SerialNumber": "arn:aws:iam::123456789012:mfa/x"}
        status, body = _post(double.url, {**base, "TokenCode": "000000"})
        assert status == 403 and "<Code>AccessDenied</Code>" in body and INVALID_MFA in body
        status, body = _post(double.url, {**base, "TokenCode": "123456", "DurationSeconds": "900"})
        assert status == 200 and "<AssumeRoleResult>" in body and "assumed-role/developer/t" in body
        status, body = _post(double.url, {"Action": "GetSessionToken", "TokenCode": "123456"})
        assert status == 200 and "<GetSessionTokenResult>" in body
        assert [r["TokenCode"] for r in double.calls("AssumeRole")] == ["000000", "123456"]

        # A real SDK (the AWS CLI's botocore) parses both shapes.
        cli = os.environ["ROLEBAR_TEST_AWS_CLI"]
        env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "AWS_ACCESS_KEY_ID": "AKIADOUBLE",
               "AWS_SECRET_ACCESS_KEY": "x", "AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true"}
        args = [cli, "sts", "assume-role", "--endpoint-url", double.url, "--role-arn", base["RoleArn"],
                "--role-session-name", "cli", "--serial-number", base["SerialNumber"], "--output", "json"]
        bad = subprocess.run([*args, "--token-code", "000000"], capture_output=True, text=True, env=env, timeout=60)
        assert bad.returncode != 0 and "AccessDenied" in bad.stderr and "invalid MFA one time pass code" in bad.stderr, bad.stderr
        good = subprocess.run([*args, "--token-code", "123456"], capture_output=True, text=True, env=env, timeout=60)
        assert good.returncode == 0, good.stderr
        assert json.loads(good.stdout)["AssumedRoleUser"]["Arn"].endswith(":assumed-role/developer/cli")
    finally:
        double.stop()


def test_webdriver_server_is_up():
    url = os.environ.get("ROLEBAR_E2E_WEBDRIVER_URL", "http://127.0.0.1:4444")
    assert driver_ready(url), f"tauri-driver does not answer on {url}"


def test_menu_node_render():
    root = MenuNode(0, "", {}, [MenuNode(1, "a", {}), MenuNode(2, "", {"type": "separator"}),
                                MenuNode(3, "b", {"enabled": False}, [MenuNode(4, "c", {})])])
    assert root.render() == "a\n-----\nb  [disabled]\n  c"
    assert isinstance(TrayItem, type)


def test_notification_mock_records_and_invokes_actions(tray):
    """The notification mock as the expiry test uses it: read a Notify, click its action."""
    from notifications import NotificationMock

    mock = NotificationMock(tray.bus)
    if not mock.available():
        pytest.skip("no python-dbusmock notification daemon on the bus (run.sh starts one)")
    since = mock.mark()
    proc = subprocess.Popen(["notify-send", "-a", "e2e", "-A", "renew=Renew", "Session ends soon", "oppara-dev: 9 min"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        note = wait_until("notify-send's notification", lambda: mock.notifications(since), 10)[0]
        assert (note.app_name, note.summary, note.actions) == ("e2e", "Session ends soon", {"renew": "Renew"})
        mock.invoke_action(note.id, "renew")
        out, err = proc.communicate(timeout=10)
        assert out.strip() == "renew", (out, err)
    finally:
        if proc.poll() is None:
            proc.kill()

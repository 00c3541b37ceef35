"""Issue 13: codes without typing. `oppara-dev` gets its code from `mfa_process` (a command that
takes 1.5 s, as a YubiKey waiting for a touch does): clicking it in the tray assumes it with no
dialog, the code reaches STS (the double records it), and a "Touch your YubiKey" notification is
shown while the command runs and withdrawn when it has answered.
"""

from __future__ import annotations

from harness import GOOD_CODE, PROFILE
from notifications import NotificationMock
from tray import wait_until


def test_mfa_process_gives_the_code_with_a_touch_notice_and_no_dialog(make_world, sts_double, launch, tray):
    mock = NotificationMock(tray.bus)
    if not mock.available():
        import pytest

        pytest.skip("no python-dbusmock notification daemon on the bus (run.sh starts one)")
    world = make_world(sts_url=sts_double.url)
    world.add_keys()
    text = world.config.read_text()
    assert f"[profile {PROFILE}]\n" in text, text
    world.config.write_text(text.replace(f"[profile {PROFILE}]\n",
                                         f"[profile {PROFILE}]\nmfa_process = sleep 1.5; echo {GOOD_CODE}\n", 1))
    since = mock.mark()
    app = launch(world)
    app.click_profile(timeout=30)
    app.session_label(timeout=30)
    assert not app.mfa_window_open(), "no dialog: the code came from mfa_process"
    codes = [r.get("TokenCode") for r in sts_double.requests if r.get("TokenCode")]
    assert codes == [GOOD_CODE], sts_double.requests

    touch = wait_until("the touch notification",
                       lambda: [n for n in mock.notifications(since) if n.summary == "Touch your YubiKey"], 15,
                       describe=lambda: f"{mock.notifications(since)}")[0]
    assert PROFILE in touch.body and "mfa_process" in touch.body, touch
    wait_until("the touch notification withdrawn", lambda: touch.id in mock.closed(), 15,
               describe=lambda: f"closed: {mock.closed()}")

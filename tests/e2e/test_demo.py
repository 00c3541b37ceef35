"""The demo's set-up (`scripts/run.sh --demo`): keys in the sandbox's credentials file and
`ROLEBAR_KEYRING=memory`. The whole flow works — assume through the tray and the MFA dialog —
and nothing at all is stored in the OS keyring (the demo must run where it is locked or missing).
"""

from __future__ import annotations

import subprocess

from harness import PROFILE, App
from test_app import assert_no_mfa_window, enter_code, minutes_left


def keyring_items(service: str) -> str:
    """What the session's Secret Service holds under `service` (secret-tool prints attributes)."""
    proc = subprocess.run(["secret-tool", "search", "--all", "service", service],
                          capture_output=True, text=True, timeout=30, check=False)
    return proc.stdout + proc.stderr


def test_the_demo_store_assumes_without_touching_the_keyring(world, launch):
    user = world.fx["users"]["oppara"]
    world.credentials.write_text(
        f"[default]\naws_access_key_id = {user['access_key_id']}\n"
        f"aws_secret_access_key = {user['secret_access_key']}\n"
    )
    world.credentials.chmod(0o600)
    service = f"rolebar-e2e-demo-{world.name}"[:60]
    app: App = launch(world, ROLEBAR_KEYRING="memory", ROLEBAR_KEYRING_SERVICE=service)
    app.profile_entry()
    app.click_profile()
    enter_code(app, "123456")
    label = app.session_label()
    assert 55 <= minutes_left(label) <= 60, label
    # A second click is served from the session kept in memory: no dialog.
    app.click_profile()
    assert_no_mfa_window(app, 3.0)
    for name in (service, "rolebar"):
        held = keyring_items(name)
        assert "attribute" not in held and PROFILE not in held, f"the keyring holds {name}: {held}"

"""Issue 24 item 6: a role with `duration_seconds = 900` (AWS's shortest session) through the tray.
The AWS CLI's `credential_process` and boto3 through `exec --server` want 15 minutes left, which a
15-minute session never has: the tray asked a code twice within seconds (reason SessionExpired for
a session a few seconds old) and made a new AssumeRole per request. Now a session is handed out
while it has a third of its life left: one dialog, one AssumeRole, the same keys for every caller.
"""

from __future__ import annotations

import json
import subprocess
import sys

from harness import GOOD_CODE, binary
from test_app import enter_code

SHORT = "short-role"

BOTO3_THRICE = """
import boto3, json
creds = boto3.session.Session().get_credentials()
print(json.dumps({"method": creds.method, "keys": [creds.get_frozen_credentials().access_key for _ in range(3)]}))
"""


def add_short_role(world) -> None:
    mfa = world.fx["users"]["oppara"]["mfa_serial"]
    role = world.fx["roles"]["developer"]
    world.config.write_text(world.config.read_text()
                            + f"\n[profile {SHORT}]\nsource_profile=default\nmfa_serial={mfa}\nrole_arn={role}\n"
                              "duration_seconds=900\n")


def test_a_900_second_role_takes_one_code_and_one_assume_role_for_every_tool(make_world, sts_double, launch):
    world = make_world(sts_url=sts_double.url)
    world.add_keys()
    add_short_role(world)
    app = launch(world)
    app.profile_entry(timeout=30)
    cli = str(binary("ROLEBAR_E2E_CLI", "rolebar"))
    env = world.full_env()

    first = subprocess.Popen([cli, "credential-process", SHORT], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=env)
    app.wait_mfa_window(30)
    enter_code(app, GOOD_CODE)
    out, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    key = json.loads(out)["AccessKeyId"]
    assumed = sts_double.calls("AssumeRole")
    assert len(assumed) == 1 and assumed[0].get("DurationSeconds") == "900", sts_double.requests

    # Five more credential_process runs (what the AWS CLI makes under its 15-minute window).
    for _ in range(5):
        proc = subprocess.run([cli, "credential-process", SHORT], capture_output=True, text=True, env=env, timeout=60)
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["AccessKeyId"] == key
    assert not app.mfa_window_open(), "no second dialog for a session seconds old"

    # boto3 through `exec --server`, refreshing at each read: the same session again.
    proc = subprocess.run([cli, "exec", "--server", SHORT, "--", sys.executable, "-c", BOTO3_THRICE],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["method"] == "container-role", report
    assert report["keys"] == [key] * 3, report

    assert len(sts_double.calls("AssumeRole")) == 1, sts_double.requests
    assert app.log_text().count("asking for an MFA code") == 1
    assert not app.mfa_window_open()

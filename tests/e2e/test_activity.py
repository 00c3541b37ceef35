"""Issue 23: the activity log through the real tray. The AWS CLI (a `credential_process = rolebar
credential-process …` profile) and a boto3 script get credentials from moto through the tray's
agent; the log in the world's state folder then names both callers, one entry per hand-out, and
holds none of the secrets handed out (every byte of activity*.jsonl scanned); the main window's
Activity view lists them and filters by profile and by program.
"""

from __future__ import annotations

import json
import subprocess
import sys

from harness import binary
from tray import wait_until

ROLE_PROFILE = "ci-deploy"
OTHER_PROFILE = "ops-read"
VIA = "via-rolebar"

BOTO3_CALLER = """
import boto3, json
session = boto3.session.Session(profile_name="via-rolebar")
frozen = session.get_credentials().get_frozen_credentials()
arn = session.client("sts").get_caller_identity()["Arn"]
print(json.dumps({"AccessKeyId": frozen.access_key, "SecretAccessKey": frozen.secret_key,
                  "SessionToken": frozen.token, "Arn": arn}))
"""


def set_up(world) -> None:
    """Two roles assumed from the stored keys (no MFA), and a profile whose credential_process
    asks Rolebar for the first."""
    role = world.fx["roles"]["developer"]
    cli = binary("ROLEBAR_E2E_CLI", "rolebar")
    world.config.write_text(
        world.config.read_text()
        + f"\n[profile {ROLE_PROFILE}]\nsource_profile=default\nrole_arn={role}\n"
        + f"\n[profile {OTHER_PROFILE}]\nsource_profile=default\nrole_arn={role}\n"
        + f"\n[profile {VIA}]\nregion=us-east-1\ncredential_process = {cli} credential-process {ROLE_PROFILE}\n")


def activity_bytes(world) -> bytes:
    files = sorted(world.state.glob("activity*.jsonl"))
    assert files, f"no activity log in {world.state}"
    return b"".join(p.read_bytes() for p in files)


def entries(world) -> list[dict]:
    return [json.loads(line) for line in activity_bytes(world).decode().splitlines() if line.strip()]


def test_the_log_names_the_aws_cli_and_boto3_and_holds_no_secret(world, launch):
    world.add_keys()
    set_up(world)
    app = launch(world)
    app.profile_entry(timeout=30)

    # The AWS CLI: the tray makes the session (AssumeRole at moto) and hands it out.
    aws = world.aws("sts", "get-caller-identity", "--profile", VIA)
    assert aws.returncode == 0, aws.stderr
    assert json.loads(aws.stdout)["Arn"], aws.stdout

    # boto3, as a script of its own: served from the tray's cache. It prints what it got.
    script = world.dir / "boto3_caller.py"
    script.write_text(BOTO3_CALLER)
    env = world.full_env()
    env["AWS_ENDPOINT_URL_STS"] = world.moto_url
    boto = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=120)
    assert boto.returncode == 0, boto.stderr
    handed = json.loads(boto.stdout)
    assert handed["AccessKeyId"].startswith("ASIA"), handed

    # Another profile, by `rolebar export` (through the agent too).
    world.rolebar("export", OTHER_PROFILE, "--format", "env")

    got = entries(world)
    for e in got:
        print(f"[e2e] activity: {e['profile']} {e['way']} {e['outcome']} pid={e.get('pid')} {e.get('program')}")
    ours = [e for e in got if e["profile"] == ROLE_PROFILE]
    assert [(e["way"], e["outcome"]) for e in ours] == [("credential_process", "new_session"),
                                                          ("credential_process", "cached")], got
    aws_entry, boto_entry = ours
    assert "aws" in aws_entry["program"] and "get-caller-identity" in aws_entry["program"], aws_entry
    assert "python" in boto_entry["program"] and "boto3_caller.py" in boto_entry["program"], boto_entry
    for e in ours:
        # The caller first, then the client it ran (named by its real path when not on PATH).
        assert " via " in e["program"] and f"rolebar credential-process {ROLE_PROFILE}" in e["program"], e
    assert boto_entry["pid"] != aws_entry["pid"]
    other = [e for e in got if e["profile"] == OTHER_PROFILE]
    assert [(e["way"], e["outcome"]) for e in other] == [("export", "new_session")], got
    assert len(got) == 3, f"one entry per hand-out: {got}"

    # Not one secret: what boto3 was handed (the same session the AWS CLI got), nor the stored keys.
    user = world.fx["users"]["oppara"]
    log = activity_bytes(world)
    for secret in (handed["AccessKeyId"], handed["SecretAccessKey"], handed["SessionToken"],
                   user["access_key_id"], user["secret_access_key"]):
        assert secret.encode() not in log, "a secret or a key id in the activity log"
    for path in world.state.glob("activity*.jsonl"):
        assert path.stat().st_mode & 0o777 == 0o600, oct(path.stat().st_mode)

    # The Activity view: opened, it lists the three, newest first.
    app.switch_main()
    app.session.find("#activity summary").click()
    rows = '[data-testid="activity-row"]'

    def programs() -> list[str]:
        return app.session.execute(
            "return [...document.querySelectorAll('[data-testid=\"activity-row\"]')]"
            ".map(r => r.dataset.profile + ' | ' + r.querySelector('[data-testid=\"activity-program-cell\"]').textContent)")

    listed = wait_until("the Activity view to list three hand-outs", lambda: (p := programs()) and len(p) == 3 and p, 20)
    print(f"[e2e] the Activity view: {listed}")
    assert listed[0].startswith(f"{OTHER_PROFILE} | "), listed
    assert listed[1].startswith(f"{ROLE_PROFILE} | ") and "boto3_caller.py" in listed[1], listed
    assert listed[2].startswith(f"{ROLE_PROFILE} | ") and "get-caller-identity" in listed[2], listed

    # Filter by profile: only that profile's rows.
    app.session.execute(
        "const s = document.getElementById('activity-profile');"
        f"s.value = {json.dumps(OTHER_PROFILE)}; s.dispatchEvent(new Event('change'));")
    wait_until("the profile filter", lambda: (p := programs()) and len(p) == 1 and p[0].startswith(OTHER_PROFILE), 15)
    # Back to all profiles, then by part of the program.
    app.session.execute(
        "const s = document.getElementById('activity-profile'); s.value = ''; s.dispatchEvent(new Event('change'));")
    wait_until("all profiles again", lambda: len(programs()) == 3, 15)
    app.session.find("#activity-program").fill("BOTO3_CALLER")
    wait_until("the program filter", lambda: (p := programs()) and len(p) == 1 and "boto3_caller.py" in p[0], 15)
    assert app.session.find(rows).attribute("data-way") == "credential_process"

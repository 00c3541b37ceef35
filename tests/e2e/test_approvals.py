"""Issue 23, "Approvals": a profile with `rolebar_approve` asks before a program gets its
credentials, even with a session cached. Through the real tray, its dialog (WebDriver), the real
AWS CLI and a boto3 script, all asking through `credential_process = rolebar credential-process`:
(a) every-time: the AWS CLI is asked about although a session is cached; Allow once serves it; a
boto3 script is another program and is asked again; Deny fails it with Rolebar's Deny error;
(b) new-programs: "Always for this program" serves the AWS CLI without a dialog, also after the
tray restarts; Revoke in the window makes it ask again;
(c) no tray: the CLI fails with a message that says why, and serves nothing.
"""

from __future__ import annotations

import subprocess
import sys

from harness import GOOD_CODE, PROFILE, binary
from tray import wait_until
from webdriver import WebDriverError

VIA = "via-rolebar"

BOTO3 = """
import boto3, sys
client = boto3.session.Session(profile_name=sys.argv[1]).client("sts", endpoint_url=sys.argv[2], region_name="us-east-1")
print(client.get_caller_identity()["Account"])
"""


def world_with_a_cached_session(make_world, approve: str):
    """Keys, a session cached by the CLI (before any approval applies), then `rolebar_approve`
    on the profile and a `credential_process` profile that asks Rolebar for it."""
    world = make_world()
    world.add_keys()
    world.rolebar("exec", PROFILE, "--mfa-token", GOOD_CODE, "--", "true")
    cli = binary("ROLEBAR_E2E_CLI", "rolebar")
    # The profile's section is the config's last: the key lands in it.
    world.config.write_text(world.config.read_text() + f"rolebar_approve = {approve}\n"
                            + f"\n[profile {VIA}]\ncredential_process = {cli} credential-process {PROFILE}\n")
    return world


def aws_env(world) -> dict:
    env = world.full_env()
    for var in [v for v in env if v.startswith("AWS_") and v not in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")]:
        env.pop(var)
    env["AWS_DEFAULT_REGION"] = "us-east-1"
    return env


def start_aws(world) -> subprocess.Popen:
    return subprocess.Popen([world.aws_cli, "sts", "get-caller-identity", "--profile", VIA, "--endpoint-url",
                             world.moto_url, "--output", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=aws_env(world))


def start_boto3(world) -> subprocess.Popen:
    script = world.dir / "list_account.py"
    script.write_text(BOTO3)
    return subprocess.Popen([sys.executable, str(script), VIA, world.moto_url], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=aws_env(world))


def approval_asked(app) -> str:
    """Waits for the dialog's approval question; returns the program it names."""
    app.wait_mfa_window(30)
    app.session.wait('[data-testid="approval"]', timeout=15)
    return app.session.wait_text('[data-testid="approval-program"]', lambda t: t.strip() != "", "to name the program")


def answer(app, button: str, caller: subprocess.Popen) -> None:
    """Clicks `button` in the approval dialog. The dialog closes as it answers, so the driver may
    report the window gone or drop the command: clicked again only while the dialog is still
    there and the caller still waits."""
    for attempt in range(3):
        try:
            app.session.execute_once(f"document.querySelector('[data-testid=\"{button}\"]').click();")
        except WebDriverError as e:
            print(f"[e2e] the driver after {button}: {e}")
        try:
            wait_until(f"the dialog to close after {button}", lambda: caller.poll() is not None or not app.mfa_window_open(), 5)
            return
        except AssertionError:
            if attempt == 2:
                raise
            app.wait_mfa_window(5)


def served(proc: subprocess.Popen, timeout: float = 60) -> str:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err
    return out


def test_every_time_asks_each_program_although_a_session_is_cached(make_world, launch):
    world = world_with_a_cached_session(make_world, "every-time")
    app = launch(world)
    app.profile_entry(timeout=30)

    aws = start_aws(world)
    program = approval_asked(app)
    print(f"[e2e] the approval dialog names: {program!r}")
    assert "aws" in program, program
    assert not app.session.find('[data-testid="approval-always"]').displayed, "every-time offers no Always"
    answer(app, "approval-once", aws)
    assert '"Account"' in served(aws)

    # A boto3 script is another program: asked again, although the session is cached.
    boto = start_boto3(world)
    program = approval_asked(app)
    assert "list_account.py" in program and "python" in program, program
    answer(app, "approval-deny", boto)
    out, err = boto.communicate(timeout=60)
    assert boto.returncode != 0, out
    assert "denied" in err and PROFILE in err, err


def test_always_is_remembered_across_restarts_and_revocable_in_the_window(make_world, launch):
    world = world_with_a_cached_session(make_world, "new-programs")
    app = launch(world)
    app.profile_entry(timeout=30)
    aws = start_aws(world)
    approval_asked(app)
    assert app.session.find('[data-testid="approval-always"]').displayed
    answer(app, "approval-always", aws)
    served(aws)
    app.stop()

    # A new tray: the AWS CLI is served with no dialog (it would wait for one and time out).
    app = launch(world)
    app.profile_entry(timeout=30)
    served(start_aws(world), timeout=30)
    assert not app.mfa_window_open()

    # Revoked in the window: asked again.
    app.switch_main()
    app.session.wait(f'[data-testid="approved-{PROFILE}"]', timeout=20)
    app.session.click_until(f'[data-testid="revoke-{PROFILE}"]',
                            lambda: not app.session.exists(f'[data-testid="approved-{PROFILE}"]'),
                            "the program to be revoked")
    aws = start_aws(world)
    approval_asked(app)
    answer(app, "approval-once", aws)
    served(aws)


def test_without_the_tray_a_profile_that_asks_first_serves_nothing(make_world):
    world = world_with_a_cached_session(make_world, "every-time")
    proc = world.rolebar("credential-process", PROFILE, check=False)
    assert proc.returncode != 0 and proc.stdout == "", proc.stdout
    assert "asks before a program gets its credentials" in proc.stderr, proc.stderr
    assert "Start Rolebar" in proc.stderr and "rolebar_approve = never" in proc.stderr, proc.stderr
    aws = start_aws(world)
    out, err = aws.communicate(timeout=60)
    assert aws.returncode != 0, out
    assert "asks before a program" in err, err

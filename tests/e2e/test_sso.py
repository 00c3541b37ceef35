"""Issue 14: IAM Identity Center from the tray. The SSO double (crates/core/tests/support/
sso_double.py) stands for AWS's sign-in and portal and mints role credentials at the auth-off
moto; the `BROWSER` is sso_browser.py, which follows the sign-in page back to the app's loopback
redirect as a user's browser would. Signed in from the menu, the SSO profile's session shows with
its time left and "Copy env exports" works with the real AWS CLI; 20 `credential_process` calls
with the tray running open one browser tab; the window's account browser adds a profile to
~/.aws/config.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from harness import REPO, binary, need
from test_app import minutes_left, read_clipboard
from notifications import NotificationMock
from tray import wait_until

SUPPORT = REPO / "crates" / "core" / "tests" / "support"
# SHA-1 of "corp": the AWS CLI's token file for [sso-session corp].
TOKEN_FILE = "ee0bfd2552fbd840c02cc48b6e823320543c450f.json"
SSO_PROFILE = "sandbox-admin"


def start_double(world, *extra: str) -> "SsoDouble":
    proc = subprocess.Popen([sys.executable, str(SUPPORT / "sso_double.py"), "--log", str(world.home / "sso.jsonl"),
                             "--moto", need("ROLEBAR_TEST_MOTO_OPEN_URL"), *extra], stdout=subprocess.PIPE, text=True)
    port = int(proc.stdout.readline().strip())
    return SsoDouble(f"http://127.0.0.1:{port}", proc)


class SsoDouble:
    def __init__(self, url: str, proc: subprocess.Popen) -> None:
        self.url = url
        self.proc = proc

    def count(self, key: str) -> int:
        with urllib.request.urlopen(f"{self.url}/_control/counts", timeout=10) as reply:
            return int(json.load(reply).get(key, 0))


@pytest.fixture
def sso_double(world):
    double = start_double(world)
    yield double
    double.proc.terminate()
    double.proc.wait(timeout=10)


@pytest.fixture
def short_sso_double(world):
    """Tokens of 5 minutes: inside the 10-minute warning time from the start; device codes
    approved on the first poll (the tray signs the legacy form in with one)."""
    double = start_double(world, "--access-ttl", "300", "--device-pending", "1")
    yield double
    double.proc.terminate()
    double.proc.wait(timeout=10)


def sso_env(world, double: SsoDouble) -> dict:
    """The SSO profiles in the world's config, and what the app (or the CLI) needs to reach the
    double and the browser."""
    world.config.write_text(
        world.config.read_text()
        + "\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n"
          "sso_registration_scopes = sso:account:access\n\n"
          f"[profile {SSO_PROFILE}]\nsso_session = corp\nsso_account_id = 111111111111\n"
          "sso_role_name = AdministratorAccess\nregion = us-east-1\n"
    )
    record = world.home / "browser.jsonl"
    return {
        "AWS_ENDPOINT_URL_SSO": double.url,
        "AWS_ENDPOINT_URL_SSO_OIDC": double.url,
        "BROWSER": f"{sys.executable} {SUPPORT / 'sso_browser.py'} {record} %s",
    }


def visits(world) -> list[dict]:
    record: Path = world.home / "browser.jsonl"
    return [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []


def caller_arn_with_exports(world, exports: str) -> str:
    """`eval` the copied lines in bash, then the AWS CLI with nothing else to go on, at the moto
    that minted the role credentials."""
    env = {k: v for k, v in world.full_env().items() if not k.startswith("AWS_")}
    env.update(AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    script = exports + '\nexec "$0" sts get-caller-identity --endpoint-url "$1" --output json\n'
    proc = subprocess.run(["bash", "-c", script, world.aws_cli, need("ROLEBAR_TEST_MOTO_OPEN_URL")],
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, f"aws with the copied exports failed:\n{proc.stderr}"
    return json.loads(proc.stdout)["Arn"]


def test_sign_in_from_the_menu_then_the_sso_session_and_its_exports(world, launch, sso_double):
    env = sso_env(world, sso_double)
    app = launch(world, **env)
    app.item.click("Sign in to corp…", timeout=30, exact=True)
    signed_in = app.item.wait_for("corp — signed in, ", 30).label
    print(f"[e2e] the menu says: {signed_in!r}")
    token = json.loads((world.home / ".aws" / "sso" / "cache" / TOKEN_FILE).read_text())
    assert token["startUrl"] == "https://corp.awsapps.com/start" and token["refreshToken"], sorted(token)
    assert len(visits(world)) == 1, visits(world)

    app.item.click(f"{SSO_PROFILE} (SSO)", exact=True)
    label = app.item.wait_for(f"{SSO_PROFILE} —", 30).label
    assert 50 <= minutes_left(label) <= 60, label

    app.item.click("Copy env exports")
    exports = wait_until("env exports on the X clipboard", lambda: (c := read_clipboard()) and
                         "AWS_SESSION_TOKEN" in c and c, 10, describe=lambda: f"clipboard: {read_clipboard()[:200]!r}")
    arn = caller_arn_with_exports(world, exports)
    assert ":111111111111:assumed-role/AdministratorAccess/" in arn, arn
    assert sso_double.count("SignIn") == 1 and sso_double.count("RoleCredentials") == 1
    log = app.log_text()
    assert token["accessToken"] not in log and token["refreshToken"] not in log, "a token in the app's log"

    # Signed out from the menu: the token file and the role's session go.
    app.item.click("Sign out")
    app.item.wait_for("Sign in to corp…", 30, exact=True)
    assert not (world.home / ".aws" / "sso" / "cache" / TOKEN_FILE).exists()
    wait_until("the SSO session to leave the menu", lambda: app.item.find(f"{SSO_PROFILE} —") is None, 15)


def test_twenty_credential_processes_for_two_roles_open_one_browser_tab(world, launch, sso_double):
    env = sso_env(world, sso_double)
    # A second role of the same sign-in: the agent folds equal requests, so two profiles prove
    # that the sign-in itself is made once.
    world.config.write_text(world.config.read_text() + "\n[profile sandbox-ro]\nsso_session = corp\n"
                            "sso_account_id = 111111111111\nsso_role_name = ReadOnly\n")
    app = launch(world, **env)
    app.item.wait_for("Sign in to corp…", 30, exact=True)
    cli = str(binary("ROLEBAR_E2E_CLI", "rolebar"))
    # The tray owns the sign-in: the callers' own BROWSER is one that fails, so a caller that
    # opened a tab itself would show as a failure.
    callers = world.full_env({**env, "BROWSER": "/bin/false"})
    profiles = [SSO_PROFILE if i % 2 else "sandbox-ro" for i in range(20)]
    calls = [subprocess.Popen([cli, "credential-process", p], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=callers) for p in profiles]
    results = [c.communicate(timeout=90) for c in calls]
    failures = [(c.returncode, err) for c, (_, err) in zip(calls, results) if c.returncode != 0]
    assert not failures, failures[:3]
    keys = {p: {json.loads(out)["AccessKeyId"] for (out, _), q in zip(results, profiles) if q == p} for p in set(profiles)}
    assert all(len(k) == 1 for k in keys.values()), f"one session per profile: {keys}"
    assert len(visits(world)) == 1, f"one browser tab: {visits(world)}"
    assert sso_double.count("SignIn") == 1 and sso_double.count("RoleCredentials") == 2
    app.item.wait_for("corp — signed in, ", 30)


def test_the_window_lists_accounts_and_roles_and_adds_a_profile(world, launch, sso_double):
    env = sso_env(world, sso_double)
    # Signed in by the command line: the app uses the AWS CLI's token file it wrote.
    proc = subprocess.run([str(binary("ROLEBAR_E2E_CLI", "rolebar")), "login-sso", "corp"], capture_output=True,
                          text=True, env=world.full_env(env), timeout=60)
    assert proc.returncode == 0, proc.stderr
    app = launch(world, **env)
    app.switch_main()
    s = app.session
    status = s.wait_text('[data-testid="sign-in-row"][data-sign-in="corp"] [data-testid="sign-in-status"]',
                         lambda t: t.startswith("signed in"), "the sign-in's status")
    print(f"[e2e] the window says: {status!r}")
    s.click_until('[data-testid="sso-browse"][data-sign-in="corp"]',
                  lambda: s.find_all('[data-testid="sso-role-row"]'), "the account browser to list roles")
    rows = wait_until("three roles over two accounts", lambda: len(s.find_all('[data-testid="sso-role-row"]')) == 3
                      and s.find_all('[data-testid="sso-role-row"]'), 30)
    assert len(rows) == 3
    # The role the config already has a profile for says so.
    existing = s.find('[data-testid="sso-role-row"][data-account="111111111111"][data-role="AdministratorAccess"]'
                      ' [data-testid="sso-existing-profile"]')
    assert existing.text == SSO_PROFILE
    before = world.config.read_text()
    new_name = s.find('[data-testid="sso-new-profile"][data-account="222222222222"][data-role="ReadOnly"]')
    assert new_name.value == "production-readonly", new_name.value
    s.click_until('[data-testid="sso-add-profile"][data-account="222222222222"][data-role="ReadOnly"]',
                  lambda: "[profile production-readonly]" in world.config.read_text(), "the profile to be added")
    after = world.config.read_text()
    assert after.startswith(before), "every byte before the new profile is kept"
    assert after[len(before):] == ("\n[profile production-readonly]\nsso_session = corp\n"
                                   "sso_account_id = 222222222222\nsso_role_name = ReadOnly\n"), after[len(before):]
    s.wait('[data-testid="profile-row"][data-profile="production-readonly"]')
    app.item.wait_for("production-readonly (SSO)", 30, exact=True)


def test_a_sign_in_that_cannot_renew_itself_warns_and_signs_in_again(world, launch, short_sso_double, tray):
    mock = NotificationMock(tray.bus)
    if not mock.available():
        pytest.skip("no python-dbusmock notification daemon on the bus (run.sh starts one)")
    env = sso_env(world, short_sso_double)
    # The legacy form: no refresh token, as in the AWS CLI; its sign-in ends with its token.
    world.config.write_text(world.config.read_text() + "\n[profile old-ro]\nsso_start_url = https://old.awsapps.com/start\n"
                            "sso_region = us-east-1\nsso_account_id = 222222222222\nsso_role_name = ReadOnly\n")
    app = launch(world, **env)
    since = mock.mark()
    app.item.click("Sign in to https://old.awsapps.com/start…", timeout=30, exact=True)
    app.item.wait_for("https://old.awsapps.com/start — signed in, ", 30)

    def warnings():
        return [n for n in mock.notifications(since) if n.body.startswith("Your sign-in to https://old.awsapps.com/start")]

    note = wait_until("a warning that the sign-in ends", warnings, 40,
                      describe=lambda: f"notifications: {mock.notifications(since)}")[0]
    print(f"[e2e] sign-in warning: {note}")
    assert re.search(r"ends in [45] min", note.body), note
    assert note.actions == {"renew": "Sign in again", "dismiss": "Dismiss"}, note
    signed_in = short_sso_double.count("SignIn")
    mock.invoke_action(note.id, "renew")
    wait_until("a second sign-in", lambda: short_sso_double.count("SignIn") > signed_in, 30)


def test_a_sign_in_that_renews_itself_is_renewed_before_its_token_ends(world, launch, short_sso_double, tray):
    mock = NotificationMock(tray.bus)
    env = sso_env(world, short_sso_double)
    subprocess.run([str(binary("ROLEBAR_E2E_CLI", "rolebar")), "login-sso", "corp"], capture_output=True, text=True,
                   env=world.full_env(env), timeout=60, check=True)
    since = mock.mark() if mock.available() else 0
    before = json.loads((world.home / ".aws" / "sso" / "cache" / TOKEN_FILE).read_text())["accessToken"]
    app = launch(world, **env)
    wait_until("the token renewed by its refresh token", lambda: short_sso_double.count("CreateToken:refresh_token") >= 1,
               40, describe=lambda: app.log_tail())
    after = json.loads((world.home / ".aws" / "sso" / "cache" / TOKEN_FILE).read_text())["accessToken"]
    assert after != before, "a new token in the AWS CLI's file"
    app.item.wait_for("corp — signed in, ", 30)
    # Renewed once for the warning time its first token was already inside, not again and again
    # for the new tokens born inside it too.
    assert short_sso_double.count("CreateToken:refresh_token") == 1, short_sso_double.count("CreateToken:refresh_token")
    if mock.available():
        assert not [n for n in mock.notifications(since) if "corp" in n.body], mock.notifications(since)

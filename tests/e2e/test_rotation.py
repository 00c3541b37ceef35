"""Issue 13: Rotate key… in the main window, against moto's IAM (auth on). A user of its own
(`window-rotator`; a rotation deletes a key at moto for good) is rotated: the window shows the
new masked key, the old key no longer works at moto, and the new one does (`rolebar rotate
--age` signs IAM's ListAccessKeys with the keyring's key). The user `twokeys` already has two
access keys, IAM's limit: the window shows Rolebar's error naming the other key (masked) and
the way out, and the keyring keeps its key.
"""

from __future__ import annotations

import subprocess

from harness import binary
from tray import wait_until


def rotate_in_the_window(world, launch, user: dict, profile: str):
    """`user`'s keys in the keyring as `profile`, the app's window open, Rotate key… clicked
    (its confirm() answered in the page: a real one would block WebDriver). Returns the app,
    the key row's selector and the masked key shown before."""
    world.config.write_text(world.config.read_text() + f"\n[profile {profile}]\nregion = us-east-1\n")
    world.rolebar("add", profile, stdin=f"{user['access_key_id']}\n{user['secret_access_key']}\n")
    app = launch(world, AWS_ENDPOINT_URL_IAM=world.moto_url)
    app.switch_main()
    s = app.session
    row = f'[data-testid="key-row"][data-profile="{profile}"]'
    s.wait(f'{row} [data-testid="key-age"]')
    before = s.wait(f'{row} [data-testid="key-masked"]').text
    s.execute("window.confirm = () => true;")
    s.wait(f'{row} [data-testid="key-rotate"]').click()
    return app, row, before


def test_rotate_key_in_the_window_replaces_the_key_at_iam_and_in_the_keyring(world, launch):
    user = world.fx["rotation_users"]["window-rotator"]
    app, row, before = rotate_in_the_window(world, launch, user, "rot")
    s = app.session
    after = wait_until("the new key in the window",
                       lambda: (t := s.wait(f'{row} [data-testid="key-masked"]').text) != before and t, 60,
                       describe=s.describe)
    assert after.startswith("****") and after != before

    # The old key is refused at moto; the new one (in the keyring) works for the AWS CLI.
    old = world.aws("sts", "get-caller-identity",
                    env={"AWS_ACCESS_KEY_ID": user["access_key_id"], "AWS_SECRET_ACCESS_KEY": user["secret_access_key"]})
    assert old.returncode != 0, old.stdout
    # The keyring's key now signs IAM calls: `rotate --age` asks ListAccessKeys with it.
    cli = str(binary("ROLEBAR_E2E_CLI", "rolebar"))
    env = world.full_env({"ROLEBAR_NO_AGENT": "1", "AWS_ENDPOINT_URL_IAM": world.moto_url})
    new = subprocess.run([cli, "rotate", "rot", "--age"], capture_output=True, text=True, env=env, timeout=60)
    assert new.returncode == 0, new.stderr
    assert after in new.stderr + new.stdout, (new.stdout, new.stderr)
    assert user["secret_access_key"] not in app.log_text()


def test_rotate_key_in_the_window_names_the_other_key_when_iam_has_two(world, launch):
    two = world.fx["rotation_users"]["twokeys"]
    app, row, masked = rotate_in_the_window(world, launch, two, "two")
    s = app.session
    other = "****" + two["other_key_ids"][0][-4:]
    banner = s.wait_text('[data-testid="banner-text"]', lambda t: "two access keys" in t, "to say why", timeout=60)
    assert other in banner and "rolebar rotate two --delete-key" in banner, banner
    assert s.find('[data-testid="banner-code"]').text == "rotate_two_keys"
    assert s.wait(f'{row} [data-testid="key-masked"]').text == masked, "the keyring keeps its key"
    log = app.log_text()
    assert two["secret_access_key"] not in log and two["access_key_id"] not in log

"""Issue 13: Rotate key… in the main window, against moto's IAM (auth on). The user `twokeys`
already has two access keys, IAM's limit: the window's Rotate key… reaches IAM and shows
Rolebar's error naming the other key (masked) and the way out, and the keyring keeps the key it
had. (A successful rotation deletes a key at moto for good; the command line's service test
does that once per run with its own user.)
"""

from __future__ import annotations

from tray import wait_until


def test_rotate_key_in_the_window_names_the_other_key_when_iam_has_two(world, launch):
    two = world.fx["rotation_users"]["twokeys"]
    world.config.write_text(world.config.read_text() + "\n[profile two]\nregion = us-east-1\n")
    world.rolebar("add", "two", stdin=f"{two['access_key_id']}\n{two['secret_access_key']}\n")
    app = launch(world, AWS_ENDPOINT_URL_IAM=world.moto_url)
    app.switch_main()
    s = app.session
    row = '[data-testid="key-row"][data-profile="two"]'
    s.wait(f'{row} [data-testid="key-age"]')
    masked = s.wait(f'{row} [data-testid="key-masked"]').text
    # The browser's confirm() would block WebDriver: answer it in the page.
    s.execute("window.confirm = () => true;")
    s.wait(f'{row} [data-testid="key-rotate"]').click()
    other = "****" + two["other_key_ids"][0][-4:]
    banner = s.wait_text('[data-testid="banner-text"]', lambda t: "two access keys" in t, "to say why", timeout=60)
    assert other in banner and "rolebar rotate two --delete-key" in banner, banner
    assert s.find('[data-testid="banner-code"]').text == "rotate_two_keys"
    assert s.wait(f'{row} [data-testid="key-masked"]').text == masked, "the keyring keeps its key"
    log = app.log_text()
    assert two["secret_access_key"] not in log and two["access_key_id"] not in log

"""Issue 10, items 7 and 8, end to end: a section Rolebar wrote to ~/.aws/credentials is shown
as Rolebar's output (window and tray), never as a profile to assume, and "Log out" takes it back;
the MFA dialog is as tall as its content (no blank band under its buttons), centred, in English
and in Japanese; the main window's header shows the AWS files from `~`.
"""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest

from harness import PROFILE, App
from test_app import assert_rendered, rendered_screenshot
from tray import wait_until

LANG_JA = "ja_JP.UTF-8"


def written_section(name: str, source: str, minutes: int) -> str:
    end = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=minutes)
    return (f"[{name}]\naws_access_key_id = ASIAFAKEWRITTEN00001\naws_secret_access_key = fake\n"
            f"aws_session_token = fake\nmanager = rolebar\n"
            f"rolebar_expiration = {end.strftime('%Y-%m-%dT%H:%M:%SZ')}\nrolebar_source_profile = {source}\n\n")


def test_a_written_section_shows_as_written_in_the_window_and_the_tray(world, launch):
    world.credentials.write_text(written_section("oppara-dev-session", PROFILE, 40)
                                 + written_section("from-tray", PROFILE, 50))
    app = launch(world)

    # Tray: a small part under its own line, each section with its source and time left and a
    # "Log out"; not among the profiles (no "assume" entry for it).
    app.item.wait_for("Written to ~/.aws/credentials", 15, enabled=False)
    entry = app.item.wait_for("oppara-dev-session — from oppara-dev, ", 15)
    assert entry.is_submenu and "min left" in entry.label, app.item.render()
    assert [c.label for c in entry.children if c.visible] == ["Log out"], app.item.render()
    assert app.item.find("oppara-dev-session", exact=True) is None, app.item.render()

    # Window: the row says what it is, with Log out and no Assume.
    app.switch_main()
    s = app.session
    row = '[data-testid="profile-row"][data-profile="oppara-dev-session"]'
    s.wait(row)
    info = s.wait_text(f'{row} [data-testid="written-info"]', lambda t: "left" in t, "to give the time left")
    assert info.startswith(f"from {PROFILE}, ") and info.endswith(" left"), info
    assert "written by Rolebar" in s.find(row).text, s.find(row).text
    assert not s.exists(f'{row} [data-testid="assume"]'), "a written section must not be assumable"
    # The header's paths are short, the full ones in the tooltip.
    paths = s.execute("const p = document.querySelector('[data-testid=\"paths\"]'); return [p.textContent, p.title];")
    assert paths[0] == "~/.aws/config · ~/.aws/credentials", paths
    assert str(world.credentials) in paths[1], paths
    expiry = s.execute("const e = document.querySelector('[data-testid=\"expiry-settings\"]'); return [e.textContent, e.title];")
    assert "settings: ~/.config/rolebar/settings.json" in expiry[0] and str(world.home) in expiry[1], expiry
    shot = rendered_screenshot(app, "main-window-written-section")
    assert_rendered(shot)
    print(f"[e2e] screenshot: {shot}")

    # Log out in the window takes the section back (and nothing else).
    s.find(f'{row} [data-testid="written-log-out"]').click()
    wait_until("[oppara-dev-session] taken back", lambda: "[oppara-dev-session]" not in world.credentials.read_text(),
               15, describe=lambda: world.credentials.read_text())
    assert "[from-tray]" in world.credentials.read_text()
    app.item.wait_gone("oppara-dev-session —")

    # The tray's Log out does the same for the other one.
    entry = app.item.wait_for("from-tray — ", 15)
    app.item.about_to_show(entry.id)
    log_out = next(c for c in app.item.find("from-tray — ").children if c.label == "Log out")
    app.item.click(log_out)
    wait_until("[from-tray] taken back", lambda: "[from-tray]" not in world.credentials.read_text(), 15,
               describe=lambda: world.credentials.read_text())
    app.item.wait_gone("Written to ")
    s.wait_text('[data-testid="profiles"]', lambda t: "from-tray" not in t, "to drop the section")


def x_geometry(window: int) -> dict[str, int]:
    out = subprocess.run(["xwininfo", "-id", str(window)], capture_output=True, text=True, check=True,
                         timeout=10).stdout
    values = {}
    for key, name in (("Absolute upper-left X", "x"), ("Absolute upper-left Y", "y"), ("Width", "width"),
                      ("Height", "height")):
        line = next(l for l in out.splitlines() if l.strip().startswith(key + ":"))
        values[name] = int(line.split(":")[1])
    return values


def screen_size() -> tuple[int, int]:
    out = subprocess.run(["xdpyinfo"], capture_output=True, text=True, check=True, timeout=10).stdout
    dims = next(l for l in out.splitlines() if "dimensions:" in l).split()[1]
    w, h = dims.split("x")
    return int(w), int(h)


@pytest.mark.parametrize("lang", ["C.UTF-8", LANG_JA])
def test_the_mfa_dialog_is_as_tall_as_its_content_and_centred(make_world, sts_double, launch, lang):
    world = make_world(sts_url=sts_double.url)
    world.add_keys()
    app: App = launch(world, LANG=lang)
    app.click_profile()
    app.wait_mfa_window()
    s = app.session
    s.wait("#mfa-submit")
    s.wait_text("#mfa-profile", lambda t: t.strip() == PROFILE, f"to name {PROFILE}")

    def gap() -> float:
        # The window's inner height minus the page's: the blank band (negative: cut off).
        return s.execute("return window.innerHeight - document.body.getBoundingClientRect().height;")

    def tried() -> str:
        return s.execute_async(
            "const done = arguments[arguments.length - 1];"
            "window.__TAURI_INTERNALS__.invoke('fit_mfa_dialog', {height: 250})"
            ".then(r => done('ok ' + r + ' inner ' + window.innerHeight), e => done('err ' + JSON.stringify(e)));")

    wait_until("the dialog to fit its content", lambda: 0 <= gap() < 1.5, 15,
               describe=lambda: f"gap {gap()} px; body {s.execute('return document.body.getBoundingClientRect().height')}; a call: {tried()}")
    # Under the buttons: only the page's own bottom padding.
    below = s.execute("const b = document.querySelector('#mfa-submit').getBoundingClientRect();"
                      "return window.innerHeight - b.bottom;")
    assert below < 40, f"{below} px of blank below the buttons"

    # The X window agrees (no window manager under Xvfb: no decorations), and it is centred.
    # Found by the app's PID and the dialog's width: xdotool's title pattern does not match the
    # Japanese title (the X title is the catalogue's, in the app's language).
    found = subprocess.run(["xdotool", "search", "--onlyvisible", "--pid", str(app.window_pid)], capture_output=True,
                           text=True, timeout=10)
    dialogs = [g for g in (x_geometry(int(w)) for w in found.stdout.split()) if g["width"] == 440]
    assert len(dialogs) == 1, f"X windows of the app 440 px wide: {dialogs}"
    geometry = dialogs[0]
    inner = s.execute("return window.innerHeight;")
    assert abs(geometry["height"] - inner) <= 1, (geometry, inner)
    width, height = screen_size()
    assert abs(geometry["x"] + geometry["width"] / 2 - width / 2) <= 2, (geometry, width)
    assert abs(geometry["y"] + geometry["height"] / 2 - height / 2) <= 2, (geometry, height)
    assert s.execute("return document.hasFocus();"), "the dialog has the focus"

    shot = rendered_screenshot(app, f"mfa-dialog-fitted-{lang.split('.')[0]}")
    assert_rendered(shot)
    print(f"[e2e] screenshot: {shot} geometry {geometry}")

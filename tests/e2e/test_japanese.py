"""One pass in Japanese: the app started with LANG=ja_JP.UTF-8, as on a Japanese desktop.

The tray menu, the MFA dialog, an expiry notification and the main window speak Japanese; the
dialog's heading is checked on the X screen for tofu (see glyphs.py: the same element redrawn
with characters no font has is the reference for what tofu looks like here); and the language
chosen in the main window takes effect at once in the tray and the window, and is saved.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

import glyphs
from harness import GOOD_CODE, PROFILE, App
from notifications import NotificationMock
from test_app import assert_rendered, enter_code, rendered_screenshot
from tray import wait_until

LANG_JA = "ja_JP.UTF-8"
HEADING = "MFA コードを入力してください"
HEADING_CJK_CHARS = len("コードを入力してください")


def element_screenshot(app: App, css: str, name: str) -> Path:
    """The element `css` of the current window as the X screen shows it: the window's
    screenshot cut to the element's box (plus a few pixels, so ink never touches the edge)."""
    window = rendered_screenshot(app, f"{name}-window")
    left, top, width, height, dx, dy = app.session.execute(
        "const r = document.querySelector(arguments[0]).getBoundingClientRect();"
        "return [r.left, r.top, r.width, r.height,"
        " window.outerWidth - window.innerWidth, window.outerHeight - window.innerHeight];", css)
    pad = 4
    x, y = max(int(left + dx / 2) - pad, 0), max(int(top + dy) - pad, 0)
    crop = f"{int(width) + 2 * pad}x{int(height) + 2 * pad}+{x}+{y}"
    out = window.with_name(f"{name}.png")
    subprocess.run(["convert", str(window), "-crop", crop, "+repage", str(out)], check=True, timeout=30)
    return out


def assert_not_tofu(app: App, css: str, cjk_chars: int, name: str) -> None:
    text = element_screenshot(app, css, name)
    original = app.session.execute(
        "const el = document.querySelector(arguments[0]); const t = el.textContent;"
        "el.textContent = t.replace(/[^\\x00-\\x7f]/g, arguments[1]); return t;", css, glyphs.MISSING_CHAR)
    try:
        tofu = element_screenshot(app, css, f"{name}-tofu-reference")
    finally:
        app.session.execute("document.querySelector(arguments[0]).textContent = arguments[1];", css, original)
    seen, reference = glyphs.measure(text), glyphs.measure(tofu)
    is_tofu, why = glyphs.looks_like_tofu(seen, reference, cjk_chars)
    print(f"[e2e] {css}: {why} ({text}, reference {tofu})")
    assert not is_tofu, f"{css} shows missing-glyph boxes, not Japanese: {why}; see {text} and {tofu}"


def test_japanese_menu_dialog_notification_and_switching(make_world, sts_double, launch, tray):
    fonts = glyphs.japanese_fonts()
    assert fonts, ("no font with Japanese glyphs (fc-list :lang=ja is empty): install fonts-ipafont-gothic "
                   "(scripts/test.sh does; the .deb recommends one)")
    mock = NotificationMock(tray.bus)
    if not mock.available():
        pytest.skip("no python-dbusmock notification daemon on the bus (run.sh starts one)")
    # Past the 10-minute warning at once, so an expiry notification follows the assume.
    sts_double.expires_in = 9 * 60
    world = make_world(sts_url=sts_double.url)
    world.add_keys()
    app = launch(world, LANG=LANG_JA)

    # Tray: profile first, then the Japanese words.
    app.item.wait_for("Rolebar を開く…", 15)
    assert app.item.find("終了", exact=True) is not None, app.item.render()
    assert app.item.find(f"{PROFILE} (ロール)", exact=True) is not None, app.item.render()

    # The main window is Japanese too.
    app.switch_main()
    app.session.wait_text("#sessions-title", lambda t: t == "有効なセッション", "in Japanese")
    assert app.session.execute("return document.documentElement.lang;") == "ja"
    assert app.session.execute("return document.querySelector('#language').value;") == "auto"

    # The MFA dialog, on screen in Japanese glyphs.
    since = mock.mark()
    app.click_profile()
    app.wait_mfa_window()
    s = app.session
    s.wait_text("h1", lambda t: t == HEADING, "in Japanese")
    assert s.wait("#mfa-reason").text == "まだセッションがありません"
    assert s.wait("#mfa-submit").text == "続ける"
    assert_rendered(rendered_screenshot(app, "ja-mfa-dialog"))
    assert_not_tofu(app, "h1", HEADING_CJK_CHARS, "ja-mfa-heading")
    enter_code(app, GOOD_CODE)

    # The session in the tray: the profile name first, the time left in Japanese.
    label = app.session_label()
    assert label.startswith(f"{PROFILE} — 残り ") and label.endswith(" 分"), label
    assert re.fullmatch(rf"{PROFILE} — 残り [89] 分", label), label
    submenu = app.item.find(f"{PROFILE} —")
    assert [c.label for c in submenu.children] == ["環境変数をコピー", "AWS コンソールを開く", "コンテナに提供…", "プロファイルに書き込む…", "ログアウト", "お気に入りに追加"], \
        app.item.render()

    # The expiry warning, worded by the app from the warning's data.
    def warnings():
        return [n for n in mock.notifications(since) if n.body.startswith(f"{PROFILE} はあと")]

    note = wait_until("a Japanese expiry notification", warnings, 40,
                      describe=lambda: f"notifications: {mock.notifications(since)}")[0]
    print(f"[e2e] expiry notification: {note}")
    assert note.body.endswith("分で期限切れになります"), note
    assert note.actions == {"renew": "更新", "dismiss": "閉じる"}, note

    # Switching in the window: at once in the tray and the window, saved in settings.json.
    app.switch_main()
    choose = ("const s = document.querySelector('#language'); s.value = arguments[0];"
              "s.dispatchEvent(new Event('change'));")
    s.execute(choose, "en")
    app.item.wait_for("Open Rolebar…", 15)
    s.wait_text("#sessions-title", lambda t: t == "Active sessions", "in English")
    assert app.session_label().endswith(" min"), app.item.render()
    settings = Path(world.env["XDG_CONFIG_HOME"]) / "rolebar" / "settings.json"
    assert json.loads(settings.read_text())["language"] == "en"
    assert_rendered(rendered_screenshot(app, "en-main-after-switch"))

    s.execute(choose, "auto")
    app.item.wait_for("Rolebar を開く…", 15)
    s.wait_text("#sessions-title", lambda t: t == "有効なセッション", "in Japanese again")
    assert "language" not in json.loads(settings.read_text())
    assert_rendered(rendered_screenshot(app, "ja-main"))

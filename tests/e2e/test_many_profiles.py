"""Issue 15: a tray that scales to hundreds of profiles. With 300 role profiles the menu's top
level stays short (Recent, Favourites, All profiles in bounded submenus), the live session
comes first, a favourite pinned from the menu is there again after a restart (settings.json), and
one pinned from the main window's profile row joins it in the tray; the window lists profiles in
the same order and filters them.
"""

from __future__ import annotations

from harness import pid_alive, GOOD_CODE, PROFILE, is_profile_entry
from test_app import enter_code
from tray import wait_until

MAX_TOP_LEVEL = 40
MAX_SUBMENU = 25


def top_labels(root) -> list[str]:
    return [c.label for c in root.children if not c.is_separator]


def add_roles(world, count: int) -> None:
    """`count` more roles from the same source profile as oppara-dev, in a dozen teams."""
    mfa = world.fx["users"]["oppara"]["mfa_serial"]
    role = world.fx["roles"]["developer"]
    extra = "".join(
        f"\n[profile team{i % 12:02}-app{i:03}]\nsource_profile=default\nmfa_serial={mfa}\nrole_arn={role}\n"
        for i in range(count)
    )
    world.config.write_text(world.config.read_text() + extra)


def test_300_profiles_short_menu_session_first_and_a_favourite_kept_across_restarts(world, launch):
    add_roles(world, 299)
    world.add_keys()

    app = launch(world)
    app.profile_entry(timeout=30)
    root = app.item.layout()
    assert len(root.children) <= MAX_TOP_LEVEL, root.render()
    assert "All profiles" in top_labels(root), root.render()
    for node in root.walk():
        assert len(node.children) <= MAX_SUBMENU, f"{node.label}: {len(node.children)} entries"
    # Every profile (the 300 roles and `default`, which holds the keys) is reachable once under
    # All profiles.
    all_profiles = next(c for c in root.children if c.label == "All profiles")
    names = [n.label.split(" (")[0] for n in all_profiles.walk() if not n.children and n is not all_profiles]
    assert len(names) == 301 and len(set(names)) == 301, sorted(names)[:10]

    # Assume oppara-dev (found under All profiles) through the MFA dialog.
    app.click_profile()
    enter_code(app, GOOD_CODE)
    app.session_label()
    root = app.item.wait_layout(
        "the live session first (after Find a profile…), then Recent",
        lambda r: top_labels(r)[:2] and top_labels(r)[0] == "Find a profile…"
        and top_labels(r)[1].startswith(f"{PROFILE} —") and "Recent" in top_labels(r),
        timeout=20,
    )
    assert len(root.children) <= MAX_TOP_LEVEL, root.render()
    labels = top_labels(root)
    assert is_profile_entry(labels[labels.index("Recent") + 1]), root.render()

    # Pin it from the session's submenu.
    app.item.click("Pin to favourites", exact=True)
    app.item.wait_for("Unpin from favourites", exact=True, timeout=20)
    settings = world.home / ".config" / "rolebar" / "settings.json"
    assert PROFILE in settings.read_text(), settings.read_text()
    app.stop()
    app.session = None  # quit once: the fixture stops it again at the end
    # A new start that found the old one's agent still serving would hand over and exit.
    wait_until("the stopped app's window process to end", lambda: not (app.window_pid and pid_alive(app.window_pid)), 15)

    again = launch(world)
    root = again.item.wait_layout(
        "Favourites with oppara-dev after the restart",
        lambda r: "Favourites" in top_labels(r)
        and is_profile_entry(top_labels(r)[top_labels(r).index("Favourites") + 1]),
        timeout=30,
    )
    labels = top_labels(root)
    assert is_profile_entry(labels[labels.index("Recent") + 1]), root.render()
    assert len(root.children) <= MAX_TOP_LEVEL, root.render()

    # Pin another profile from the main window's profile row: the tray lists it too.
    other = "team00-app000"
    again.switch_main()
    pressed = f'[data-testid="favourite"][data-profile="{other}"][aria-pressed="true"]'
    again.session.click_until(f'[data-testid="favourite"][data-profile="{other}"][aria-pressed="false"]',
                              lambda: again.session.exists(pressed), f"{other} pinned in the window")

    def favourites(r) -> list[str]:
        labels = top_labels(r)
        if "Favourites" not in labels:
            return []
        rest = labels[labels.index("Favourites") + 1:]
        return [label for label in rest[: rest.index("All profiles")]]

    root = again.item.wait_layout(f"{other} among the tray's favourites",
                                  lambda r: f"{other} (role)" in favourites(r), timeout=20)
    assert is_profile_entry(favourites(root)[0]), root.render()

    # The window lists the profiles in the tray's order (live, recent, favourites, the rest), and
    # its filter box narrows them.
    def rows() -> list[str]:
        return again.session.execute(
            "return [...document.querySelectorAll('[data-testid=\"profile-row\"]')].map(r => r.dataset.profile);")

    order = wait_until("the window's rows in the tray's order",
                       lambda: (r := rows()) and r[:2] == [PROFILE, other] and r, 15,
                       describe=lambda: f"rows: {rows()[:5]}")
    assert len(order) == 301, len(order)
    again.session.find("#profile-filter").fill("app012")
    wait_until("the filter to leave only the matching row", lambda: rows() == ["team00-app012"], 15,
               describe=lambda: f"rows: {rows()[:5]}")
    print(f"[e2e] top level after the restart ({len(root.children)} entries):\n{root.render()}")

"""Issue 20 (the tray idles doing nothing): the menu follows the files it is read from rather
than reading them again every minute. A profile added to ~/.aws/config by hand — saved as an
editor saves, a new file renamed over the old one — is in the menu within seconds; so is one
whose keys the command line stores while the tray runs (Rolebar's index, beside its approvals).
"""

from __future__ import annotations

import os

from harness import PROFILE

# Well under the minute at which the menu used to read its files again.
WITHIN = 5


def role_profile(world, name: str) -> str:
    mfa = world.fx["users"]["oppara"]["mfa_serial"]
    role = world.fx["roles"]["developer"]
    return f"\n[profile {name}]\nsource_profile=default\nmfa_serial={mfa}\nrole_arn={role}\n"


def test_a_profile_added_to_the_config_by_hand_shows_in_the_menu_at_once(world, launch):
    world.add_keys()
    app = launch(world, webdriver=False)
    app.item.wait_for(PROFILE, 30)

    saved = world.config.with_name(".config.new")
    saved.write_text(world.config.read_text() + role_profile(world, "added-by-hand"))
    os.replace(saved, world.config)
    app.item.wait_for("added-by-hand", WITHIN)

    # Edited in place (`>>`), too.
    with open(world.config, "a", encoding="utf-8") as config:
        config.write(role_profile(world, "appended-in-place"))
    app.item.wait_for("appended-in-place", WITHIN)


def test_keys_stored_by_the_command_line_show_in_the_menu_at_once(world, launch):
    world.add_keys()
    app = launch(world, webdriver=False)
    app.item.wait_for(PROFILE, 30)
    assert app.item.layout().find("second-user") is None, app.item.layout().render()

    # A profile that exists only through its stored keys (no section in ~/.aws/config).
    world.rolebar("add", "second-user", stdin="AKIAFAKESECONDUSER01\nfake-secret-second-user\n")
    app.item.wait_for("second-user", WITHIN)

#!/usr/bin/env python3
"""A fake tray app: a StatusNotifierItem with a small dbusmenu, shaped like libayatana's.

Used by test_infra.py to check the watcher and the tray driver without the real app: it
registers with the watcher by object path (as tray-icon/libayatana do), exports
`org.kde.StatusNotifierItem` (Status, IconName, IconPixmap, Menu) and `com.canonical.dbusmenu`
(GetLayout, Event, AboutToShow). Clicking `_oppara-dev` turns it into a submenu
`oppara-dev — 59m left` with `_Copy env exports`, and the icon into the "active" state.

Run as a process (`fake_item.py`, until SIGTERM) so the driver sees a separate connection.
"""

import asyncio
import signal
import sys

from dbus_fast import BusType, Message, Variant
from dbus_fast.aio import MessageBus
from dbus_fast.service import PropertyAccess, ServiceInterface, dbus_property, method, signal as dbus_signal

ITEM_PATH = "/org/ayatana/NotificationItem/fake_rolebar"
MENU_PATH = "/org/ayatana/NotificationItem/fake_rolebar/Menu"


class Item(ServiceInterface):
    def __init__(self) -> None:
        super().__init__("org.kde.StatusNotifierItem")
        self.status = "Active"
        self.icon = "rolebar-idle"

    @dbus_property(access=PropertyAccess.READ)
    def Status(self) -> "s":  # noqa: N802, F821
        return self.status

    @dbus_property(access=PropertyAccess.READ)
    def IconName(self) -> "s":  # noqa: N802, F821
        return self.icon

    @dbus_property(access=PropertyAccess.READ)
    def IconPixmap(self) -> "a(iiay)":  # noqa: N802, F821
        shade = 0x40 if self.icon == "rolebar-idle" else 0xC0
        return [[2, 2, bytes([0xFF, shade, shade, shade] * 4)]]

    @dbus_property(access=PropertyAccess.READ)
    def Title(self) -> "s":  # noqa: N802, F821
        return "Rolebar"

    @dbus_property(access=PropertyAccess.READ)
    def Menu(self) -> "o":  # noqa: N802, F821
        return MENU_PATH

    @dbus_signal()
    def NewIcon(self):  # noqa: N802
        return None


def entry(node_id: int, label: str, children=None, **props):
    p = {"label": Variant("s", label)}
    for k, v in props.items():
        p[k.replace("_", "-")] = Variant("s", v) if isinstance(v, str) else Variant("b", v)
    if children:
        p["children-display"] = Variant("s", "submenu")
    return [node_id, p, [Variant("(ia{sv}av)", c) for c in (children or [])]]


class Menu(ServiceInterface):
    def __init__(self, item: Item) -> None:
        super().__init__("com.canonical.dbusmenu")
        self.item = item
        self.revision = 1
        self.session = False
        self.clicks: list[str] = []

    def tree(self):
        if self.session:
            first = entry(1, "oppara-dev — 59m left", [entry(10, "_Copy env exports"), entry(11, "_Write to profile…")])
        else:
            first = entry(1, "_oppara-dev")
        return entry(0, "", [first, entry(2, "", type="separator"), entry(3, "_Quit Rolebar"),
                             entry(4, "Hidden", visible=False)])

    @method()
    def GetLayout(self, parent_id: "i", depth: "i", names: "as") -> "u(ia{sv}av)":  # noqa: N802, F821
        return [self.revision, self.tree()]

    @method()
    def AboutToShow(self, node_id: "i") -> "b":  # noqa: N802, F821
        return False

    @method()
    def Event(self, node_id: "i", event_id: "s", data: "v", timestamp: "u"):  # noqa: N802, F821
        if event_id != "clicked":
            return
        self.clicks.append(str(node_id))
        if node_id == 1 and not self.session:
            # As an app would: answer the click first, update the menu a little later.
            asyncio.get_running_loop().call_later(0.2, self._start_session)

    def _start_session(self) -> None:
        self.session = True
        self.revision += 1
        self.item.icon = "rolebar-active"
        self.item.emit_properties_changed({"IconName": self.item.icon})
        self.item.NewIcon()
        self.LayoutUpdated(self.revision, 0)

    @dbus_signal()
    def LayoutUpdated(self, revision: "u", parent: "i") -> "ui":  # noqa: N802, F821
        return [revision, parent]

    @dbus_property(access=PropertyAccess.READ)
    def Version(self) -> "u":  # noqa: N802, F821
        return 3


async def main() -> int:
    bus = await MessageBus(bus_type=BusType.SESSION).connect()
    item = Item()
    bus.export(ITEM_PATH, item)
    bus.export(MENU_PATH, Menu(item))
    reply = await bus.call(Message(destination="org.kde.StatusNotifierWatcher", path="/StatusNotifierWatcher",
                                   interface="org.kde.StatusNotifierWatcher", member="RegisterStatusNotifierItem",
                                   signature="s", body=[ITEM_PATH]))
    if reply.error_name:
        print(f"fake_item: register failed: {reply.error_name} {reply.body}", file=sys.stderr)
        return 1
    done = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, done.set)
    await done.wait()
    bus.disconnect()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

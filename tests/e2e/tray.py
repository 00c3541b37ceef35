"""Drive a tray icon over D-Bus, as a desktop's tray host would.

The app's tray icon is a StatusNotifierItem (registered with our `sni_watcher`); its menu is a
`com.canonical.dbusmenu` object named by the item's `Menu` property. Reading the menu is
`GetLayout(0, -1, [])`; clicking an entry is `Event(id, "clicked", <i 0>, 0)`, which fires the
app's menu handler exactly as a click in a real panel does. dbusmenu's numeric ids are not the
app's ids, so entries are found by label.

Everything here is synchronous (a private asyncio loop runs dbus-fast in a daemon thread), and
every wait polls the bus state against a deadline: no fixed sleeps.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator, TypeVar

from dbus_fast import BusType, Message, MessageType, Variant
from dbus_fast.aio import MessageBus

from polling import poll

WATCHER_NAME = "org.kde.StatusNotifierWatcher"
WATCHER_PATH = "/StatusNotifierWatcher"
ITEM_IFACE = "org.kde.StatusNotifierItem"
MENU_IFACE = "com.canonical.dbusmenu"
PROPS_IFACE = "org.freedesktop.DBus.Properties"

T = TypeVar("T")


class TrayError(AssertionError):
    """A tray expectation was not met (an AssertionError, so pytest shows it as a failure)."""


def strip_mnemonic(label: str) -> str:
    """`_Copy env exports` → `Copy env exports`; a literal underscore is written `__`."""
    return label.replace("__", "\0").replace("_", "").replace("\0", "_")


def png_pixels(path: str) -> str | None:
    """sha1 of a PNG's decoded RGBA pixels (ImageMagick), so re-encoded copies compare equal.
    Linux tray icons are files (tray-icon writes them under $XDG_RUNTIME_DIR/tray-icon)."""
    import hashlib
    import subprocess

    try:
        raw = subprocess.run(["convert", path, "-depth", "8", "rgba:-"], capture_output=True, check=True,
                             timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return hashlib.sha1(raw).hexdigest()[:12] if raw else None


def unwrap(value):
    """dbus-fast Variants (possibly nested in lists/dicts) → plain Python values."""
    if isinstance(value, Variant):
        return unwrap(value.value)
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    if isinstance(value, dict):
        return {k: unwrap(v) for k, v in value.items()}
    return value


@dataclass
class MenuNode:
    """One dbusmenu entry. `label` has its mnemonic underscores removed."""

    id: int
    label: str
    props: dict
    children: list["MenuNode"] = field(default_factory=list)

    @property
    def enabled(self) -> bool:
        return bool(self.props.get("enabled", True))

    @property
    def visible(self) -> bool:
        return bool(self.props.get("visible", True))

    @property
    def is_separator(self) -> bool:
        return self.props.get("type") == "separator"

    @property
    def is_submenu(self) -> bool:
        return self.props.get("children-display") == "submenu" or bool(self.children)

    def walk(self) -> Iterator["MenuNode"]:
        yield self
        for child in self.children:
            yield from child.walk()

    def find(self, prefix: str, exact: bool = False) -> "MenuNode | None":
        """The first visible entry (depth first, the root excluded) whose label starts with
        `prefix` (or equals it, if `exact`)."""
        for node in self.walk():
            if node is self or not node.visible:
                continue
            if node.label == prefix or (not exact and node.label.startswith(prefix)):
                return node
        return None

    def find_where(self, predicate: Callable[["MenuNode"], bool]) -> "MenuNode | None":
        for node in self.walk():
            if node is not self and node.visible and predicate(node):
                return node
        return None

    def labels(self) -> list[str]:
        return [n.label for n in self.walk() if n is not self and not n.is_separator]

    def render(self, depth: int = 0) -> str:
        """An indented text picture of the menu, for failure messages and logs."""
        lines = []
        for child in self.children:
            if child.is_separator:
                text = "-----"
            else:
                flags = []
                if not child.enabled:
                    flags.append("disabled")
                if not child.visible:
                    flags.append("hidden")
                if child.props.get("toggle-type"):
                    flags.append(f"{child.props['toggle-type']}={child.props.get('toggle-state')}")
                text = child.label + (f"  [{', '.join(flags)}]" if flags else "")
            lines.append("  " * depth + text)
            if child.children:
                lines.append(child.render(depth + 1))
        return "\n".join(line for line in lines if line)


def _node(raw) -> MenuNode:
    node_id, props, children = raw
    props = unwrap(props)
    return MenuNode(
        id=node_id,
        label=strip_mnemonic(props.get("label", "")),
        props=props,
        children=[_node(unwrap(c)) for c in children],
    )


def wait_until(what: str, probe: Callable[[], T], timeout: float, interval: float = 0.05,
               describe: Callable[[], str] | None = None) -> T:
    """Poll `probe` until it returns something truthy; fail with `what` (and `describe()`).
    Any error but a TrayError means "the app may be mid-update": keep polling."""
    return poll(what, probe, timeout, interval=interval, describe=describe, fatal=(TrayError,), failure=TrayError)


class Bus:
    """A session-bus connection on a private loop thread, with synchronous calls."""

    def __init__(self, bus_address: str | None = None) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="tray-bus", daemon=True)
        self.thread.start()

        async def connect():
            if bus_address:
                return await MessageBus(bus_address=bus_address).connect()
            return await MessageBus(bus_type=BusType.SESSION).connect()

        self.bus: MessageBus = self._run(connect())

    def _run(self, coro, timeout: float = 10):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=timeout)

    def call(self, destination: str, path: str, interface: str, member: str,
             signature: str = "", body: list | None = None, timeout: float = 10) -> list:
        msg = Message(destination=destination, path=path, interface=interface, member=member,
                      signature=signature, body=body or [])
        reply = self._run(self.bus.call(msg), timeout=timeout)
        if reply.message_type == MessageType.ERROR:
            raise RuntimeError(f"{interface}.{member} on {destination}{path}: {reply.error_name}: {reply.body}")
        return reply.body

    def get_property(self, destination: str, path: str, interface: str, name: str):
        return unwrap(self.call(destination, path, PROPS_IFACE, "Get", "ss", [interface, name])[0])

    def get_all(self, destination: str, path: str, interface: str) -> dict:
        return unwrap(self.call(destination, path, PROPS_IFACE, "GetAll", "s", [interface])[0])

    def name_has_owner(self, name: str) -> bool:
        return self.call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                         "NameHasOwner", "s", [name])[0]

    def pid_of(self, name: str) -> int:
        return self.call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                         "GetConnectionUnixProcessID", "s", [name])[0]

    def close(self) -> None:
        try:
            self.loop.call_soon_threadsafe(self.bus.disconnect)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=5)


class TrayItem:
    """One registered StatusNotifierItem (`bus_name` + `path`) and its dbusmenu."""

    def __init__(self, bus: Bus, item: str) -> None:
        self.bus = bus
        self.item = item
        self.bus_name, rest = item.split("/", 1)
        self.path = "/" + rest

    def __repr__(self) -> str:
        return f"TrayItem({self.item!r})"

    # --- the item ---------------------------------------------------------------------------

    def prop(self, name: str):
        return self.bus.get_property(self.bus_name, self.path, ITEM_IFACE, name)

    def props(self) -> dict:
        return self.bus.get_all(self.bus_name, self.path, ITEM_IFACE)

    @property
    def menu_path(self) -> str:
        return self.prop("Menu")

    def icon_state(self) -> dict:
        """What a host would draw: `Status`, `IconName`, `IconThemePath`, and the pixmaps as
        (width, height, sha1-of-bytes) so tests can compare icons without storing them."""
        import hashlib

        p = self.props()
        pixmaps = [(w, h, hashlib.sha1(bytes(data)).hexdigest()[:12]) for (w, h, data) in p.get("IconPixmap", [])]
        name = p.get("IconName") or ""
        return {
            "pixels": png_pixels(name) if name.startswith("/") else None,
            "Status": p.get("Status"),
            "IconName": p.get("IconName"),
            "IconThemePath": p.get("IconThemePath"),
            "IconPixmap": pixmaps,
            "Title": p.get("Title"),
        }

    # --- the menu ---------------------------------------------------------------------------

    def layout(self) -> MenuNode:
        _revision, raw = self.bus.call(self.bus_name, self.menu_path, MENU_IFACE, "GetLayout",
                                       "iias", [0, -1, []])
        return _node(raw)

    def about_to_show(self, node_id: int = 0) -> None:
        """What a host sends before opening a (sub)menu; some servers fill submenus lazily."""
        try:
            self.bus.call(self.bus_name, self.menu_path, MENU_IFACE, "AboutToShow", "i", [node_id])
        except RuntimeError:
            pass

    def render(self) -> str:
        try:
            return "menu now:\n" + (self.layout().render(1) or "  (empty)")
        except Exception as e:  # noqa: BLE001
            return f"menu unreadable: {e!r}"

    def find(self, prefix: str, exact: bool = False) -> MenuNode | None:
        return self.layout().find(prefix, exact)

    def wait_for(self, prefix: str, timeout: float = 15, enabled: bool | None = None,
                 exact: bool = False) -> MenuNode:
        """Wait until an entry whose label starts with (or, if `exact`, is) `prefix` is in the
        menu (and, if `enabled` is given, has that enabled state)."""

        def probe():
            node = self.find(prefix, exact)
            if node and (enabled is None or node.enabled == enabled):
                return node
            return None

        what = f"a tray menu entry {'labelled' if exact else 'starting'} {prefix!r}" + ("" if enabled is None else f" (enabled={enabled})")
        return wait_until(what, probe, timeout, describe=self.render)

    def wait_where(self, what: str, predicate: Callable[[MenuNode], bool], timeout: float = 15) -> MenuNode:
        """Wait until some visible entry satisfies `predicate`; return it."""
        return wait_until(what, lambda: self.layout().find_where(predicate), timeout, describe=self.render)

    def wait_gone(self, prefix: str, timeout: float = 15) -> None:
        wait_until(f"no tray menu entry starting {prefix!r}", lambda: self.find(prefix) is None, timeout,
                   describe=self.render)

    def wait_layout(self, what: str, predicate: Callable[[MenuNode], bool], timeout: float = 15) -> MenuNode:
        def probe():
            root = self.layout()
            return root if predicate(root) else None

        return wait_until(what, probe, timeout, describe=self.render)

    def click(self, target: "str | MenuNode", timeout: float = 15, exact: bool = False) -> MenuNode:
        """Click an entry, given as a node or a label prefix (waited for, and must be enabled)."""
        node = target if isinstance(target, MenuNode) else self.wait_for(target, timeout, enabled=True, exact=exact)
        if node.is_submenu:
            self.about_to_show(node.id)
        self.bus.call(self.bus_name, self.menu_path, MENU_IFACE, "Event", "isvu",
                      [node.id, "clicked", Variant("i", 0), int(time.time()) & 0xFFFFFFFF])
        return node


class Tray:
    """The tray as the watcher sees it: find the app's item among the registered ones."""

    def __init__(self, bus_address: str | None = None) -> None:
        self.bus = Bus(bus_address)

    def close(self) -> None:
        self.bus.close()

    def items(self) -> list[str]:
        if not self.bus.name_has_owner(WATCHER_NAME):
            raise TrayError(f"no {WATCHER_NAME} on the session bus: start tests/e2e/sni_watcher.py first")
        return list(self.bus.get_property(WATCHER_NAME, WATCHER_PATH, WATCHER_NAME, "RegisteredStatusNotifierItems"))

    def item_of_pid(self, pid: int | None) -> TrayItem | None:
        for item in self.items():
            owner = item.split("/", 1)[0]
            try:
                if pid is None or self.bus.pid_of(owner) == pid:
                    return TrayItem(self.bus, item)
            except RuntimeError:
                continue  # that owner just left the bus
        return None

    def wait_item(self, pid: int | None = None, timeout: float = 30, alive: Callable[[], bool] | None = None) -> TrayItem:
        """Wait until a process (`pid`, or any) has registered a tray item. `alive` lets the
        wait fail at once when the app has died instead of running out the clock."""

        def probe():
            if alive is not None and not alive():
                raise TrayError(f"the app (pid {pid}) exited before its tray icon appeared")
            return self.item_of_pid(pid)

        def describe():
            return f"registered items: {self.items()}"

        return wait_until(f"a tray item of pid {pid}" if pid else "a tray item", probe, timeout, describe=describe)

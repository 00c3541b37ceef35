#!/usr/bin/env python3
"""A StatusNotifierWatcher of our own, so that a tray app becomes a StatusNotifierItem.

No desktop runs under Xvfb, and Debian's `status-notifier-watcher` drops the item's object
path, so the tests bring their own (dbus-fast, asyncio). It owns `org.kde.StatusNotifierWatcher`
at `/StatusNotifierWatcher` on the session bus and implements what libayatana-appindicator and
KDE-style items use:

- `RegisterStatusNotifierItem(s)`: the argument is either an object path (Ayatana/tray-icon:
  the item lives on the *sender's* connection at that path) or a bus name (KDE: the item is at
  `/StatusNotifierItem` on that name). The item is recorded as `BUSNAME/PATH`, the format
  hosts expect, and `StatusNotifierItemRegistered` is emitted.
- `RegisterStatusNotifierHost(s)`: accepted; `IsStatusNotifierHostRegistered` is always true,
  otherwise apps fall back to an XEmbed icon that D-Bus cannot see.
- Properties `RegisteredStatusNotifierItems`, `IsStatusNotifierHostRegistered`,
  `ProtocolVersion` (0).
- An item whose connection leaves the bus is dropped (`StatusNotifierItemUnregistered`).

Run it as a process (`sni_watcher.py --events FILE --ready-file FILE`) or in a thread
(`WatcherThread`). Every event is also written as one JSON line to the events file, with
`time.monotonic()` (CLOCK_MONOTONIC: comparable across processes on Linux) and the
registering process's PID, which is what `bench.py` measures start-up with.
"""

import argparse
import asyncio
import json
import os
import signal
import sys
import threading
import time

from dbus_fast import BusType, Message, MessageType, NameFlag, RequestNameReply
from dbus_fast.aio import MessageBus
from dbus_fast.service import PropertyAccess, ServiceInterface, dbus_property, method, signal as dbus_signal

WATCHER_NAME = "org.kde.StatusNotifierWatcher"
WATCHER_PATH = "/StatusNotifierWatcher"
WATCHER_IFACE = "org.kde.StatusNotifierWatcher"


class WatcherInterface(ServiceInterface):
    """Properties, signals and introspection. The Register* calls themselves are answered by
    `Watcher._on_message`, because only the raw message carries the sender."""

    def __init__(self) -> None:
        super().__init__(WATCHER_IFACE)
        self.items: list[str] = []
        self.hosts: list[str] = []

    # Declared for introspection; the message handler answers them first.
    @method()
    def RegisterStatusNotifierItem(self, service: "s"):  # noqa: N802, F821
        raise AssertionError("answered by the message handler")

    @method()
    def RegisterStatusNotifierHost(self, service: "s"):  # noqa: N802, F821
        raise AssertionError("answered by the message handler")

    @dbus_property(access=PropertyAccess.READ)
    def RegisteredStatusNotifierItems(self) -> "as":  # noqa: N802, F821
        return list(self.items)

    @dbus_property(access=PropertyAccess.READ)
    def IsStatusNotifierHostRegistered(self) -> "b":  # noqa: N802, F821
        return True

    @dbus_property(access=PropertyAccess.READ)
    def ProtocolVersion(self) -> "i":  # noqa: N802, F821
        return 0

    @dbus_signal()
    def StatusNotifierItemRegistered(self, item: str) -> "s":  # noqa: N802, F821
        return item

    @dbus_signal()
    def StatusNotifierItemUnregistered(self, item: str) -> "s":  # noqa: N802, F821
        return item

    @dbus_signal()
    def StatusNotifierHostRegistered(self):  # noqa: N802
        return None


class Watcher:
    """The watcher on one bus connection. `start()` and `stop()` run on an asyncio loop."""

    def __init__(self, events_path: str | None = None, bus_address: str | None = None) -> None:
        self.events_path = events_path
        self.bus_address = bus_address
        self.iface = WatcherInterface()
        self.bus: MessageBus | None = None
        self._events_file = open(events_path, "a", buffering=1) if events_path else None

    def _event(self, t: float | None = None, **fields) -> None:
        fields["t"] = time.monotonic() if t is None else t
        line = json.dumps(fields)
        if self._events_file:
            self._events_file.write(line + "\n")
        print(f"[sni-watcher] {line}", file=sys.stderr, flush=True)

    async def start(self) -> None:
        if self.bus_address:
            self.bus = await MessageBus(bus_address=self.bus_address).connect()
        else:
            self.bus = await MessageBus(bus_type=BusType.SESSION).connect()
        self.bus.export(WATCHER_PATH, self.iface)
        self.bus.add_message_handler(self._on_message)
        # Watch departures, to drop items whose app is gone.
        await self.bus.call(
            Message(
                destination="org.freedesktop.DBus",
                path="/org/freedesktop/DBus",
                interface="org.freedesktop.DBus",
                member="AddMatch",
                signature="s",
                body=["type='signal',sender='org.freedesktop.DBus',member='NameOwnerChanged'"],
            )
        )
        reply = await self.bus.request_name(WATCHER_NAME, NameFlag.DO_NOT_QUEUE)
        if reply not in (RequestNameReply.PRIMARY_OWNER, RequestNameReply.ALREADY_OWNER):
            raise RuntimeError(
                f"{WATCHER_NAME} is already owned on this bus ({reply.name}): another watcher "
                "(a desktop, or a watcher left over from an earlier run) is running"
            )
        self._event(event="ready", name=self.bus.unique_name, pid=os.getpid())

    def stop(self) -> None:
        if self.bus:
            self.bus.disconnect()
        if self._events_file:
            self._events_file.close()
            self._events_file = None

    def _on_message(self, msg: Message):
        if msg.message_type == MessageType.SIGNAL:
            if msg.member == "NameOwnerChanged" and msg.sender == "org.freedesktop.DBus":
                name, _old, new = msg.body
                if not new:
                    self._drop_owner(name)
            return None
        if msg.message_type != MessageType.METHOD_CALL or msg.interface not in (WATCHER_IFACE, None):
            return None
        if msg.path != WATCHER_PATH:
            return None
        if msg.member == "RegisterStatusNotifierItem":
            if msg.signature != "s":
                return Message.new_error(msg, "org.freedesktop.DBus.Error.InvalidArgs", "expected one string")
            arg = msg.body[0]
            if arg.startswith("/"):
                item = f"{msg.sender}{arg}"  # an object path on the sender's connection
            else:
                item = f"{arg}/StatusNotifierItem"  # a bus name (KDE style)
            if item not in self.iface.items:
                self.iface.items.append(item)
                self.iface.emit_properties_changed({"RegisteredStatusNotifierItems": list(self.iface.items)})
            self.iface.StatusNotifierItemRegistered(item)
            asyncio.ensure_future(self._log_registration(item, msg.sender, time.monotonic()))
            return Message.new_method_return(msg)
        if msg.member == "RegisterStatusNotifierHost":
            if msg.sender not in self.iface.hosts:
                self.iface.hosts.append(msg.sender)
            self.iface.StatusNotifierHostRegistered()
            self._event(event="host", sender=msg.sender)
            return Message.new_method_return(msg)
        return None

    async def _log_registration(self, item: str, sender: str, t: float) -> None:
        pid = None
        try:
            reply = await self.bus.call(
                Message(
                    destination="org.freedesktop.DBus",
                    path="/org/freedesktop/DBus",
                    interface="org.freedesktop.DBus",
                    member="GetConnectionUnixProcessID",
                    signature="s",
                    body=[sender],
                )
            )
            if reply.message_type == MessageType.METHOD_RETURN:
                pid = reply.body[0]
        except Exception:  # the sender may already be gone
            pass
        self._event(t=t, event="registered", item=item, sender=sender, pid=pid)

    def _drop_owner(self, name: str) -> None:
        gone = [i for i in self.iface.items if i.split("/", 1)[0] == name]
        for item in gone:
            self.iface.items.remove(item)
            self.iface.StatusNotifierItemUnregistered(item)
            self._event(event="unregistered", item=item)
        if gone:
            self.iface.emit_properties_changed({"RegisteredStatusNotifierItems": list(self.iface.items)})
        if name in self.iface.hosts:
            self.iface.hosts.remove(name)


class WatcherThread:
    """The watcher on its own event loop in a daemon thread (for in-process use)."""

    def __init__(self, events_path: str | None = None, bus_address: str | None = None) -> None:
        self.watcher = Watcher(events_path, bus_address)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="sni-watcher", daemon=True)

    def start(self) -> "WatcherThread":
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.watcher.start(), self.loop).result(timeout=10)
        return self

    @property
    def items(self) -> list[str]:
        return list(self.watcher.iface.items)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.watcher.stop)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)


async def _main(args) -> int:
    watcher = Watcher(args.events)
    await watcher.start()
    if args.ready_file:
        # Written only once the name is ours: the runner waits for this file.
        tmp = args.ready_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{os.getpid()}\n")
        os.replace(tmp, args.ready_file)
    done = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, done.set)
    await done.wait()
    watcher.stop()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", help="append one JSON line per event to this file")
    parser.add_argument("--ready-file", help="create this file once the watcher name is owned")
    args = parser.parse_args()
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        print("sni_watcher: DBUS_SESSION_BUS_ADDRESS is not set (no session bus)", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_main(args))
    except RuntimeError as e:
        print(f"sni_watcher: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

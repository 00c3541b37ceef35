#!/usr/bin/python3
"""A fake Secret Service for Rolebar's keyring tests, on the bus DBUS_SESSION_BUS_ADDRESS names.

It owns org.freedesktop.secrets and, by the mode given as its one argument:

  silent   never answers any call: a keyring stuck on a create or unlock prompt that no display
           shows, as gnome-keyring is on a new bus.
  prompts  opens sessions and answers searches; what follows depends on the end of the
           `service` attribute searched for:
             -dismiss  the item is locked and its unlock prompt is dismissed;
             -locked   unlocking claims success but the item stays locked: reading or writing
                       it fails with org.freedesktop.Secret.Error.IsLocked, and its Locked
                       property stays true;
             -stuck    the item is locked and its unlock prompt never completes;
           any other service has no items.

Prints "ready" on stdout once it owns the name. Needs Debian's python3-dbus and python3-gi.
"""

import sys

import dbus
import dbus.lowlevel
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

NAME = "org.freedesktop.secrets"
ROOT = "/org/freedesktop/secrets"
SERVICE = "org.freedesktop.Secret.Service"
ITEM = "org.freedesktop.Secret.Item"
PROMPT = "org.freedesktop.Secret.Prompt"
KINDS = ("dismiss", "locked", "stuck")


def item_path(kind):
    return f"{ROOT}/collection/login/{kind}"


def no_paths():
    return dbus.Array([], signature="o")


class IsLocked(dbus.DBusException):
    _dbus_error_name = "org.freedesktop.Secret.Error.IsLocked"


class Service(dbus.service.Object):
    @dbus.service.method(SERVICE, in_signature="sv", out_signature="vo")
    def OpenSession(self, algorithm, _input):
        session = dbus.ObjectPath(f"{ROOT}/session/1")
        if algorithm == "plain":
            return dbus.String("", variant_level=1), session
        # Diffie-Hellman: any public key will do, since no secret is ever sent either way.
        key = dbus.Array([dbus.Byte(b) for b in (b"\0" * 127 + b"\2")], signature="y", variant_level=1)
        return key, session

    @dbus.service.method(SERVICE, in_signature="a{ss}", out_signature="aoao")
    def SearchItems(self, attributes):
        service = str(attributes.get("service", ""))
        for kind in KINDS:
            if service.endswith("-" + kind):
                return no_paths(), dbus.Array([dbus.ObjectPath(item_path(kind))], signature="o")
        return no_paths(), no_paths()

    @dbus.service.method(SERVICE, in_signature="ao", out_signature="aoo")
    def Unlock(self, objects):
        path = str(objects[0]) if objects else ""
        kind = path.rsplit("/", 1)[-1]
        if kind == "locked":
            return dbus.Array(objects, signature="o"), dbus.ObjectPath("/")
        return no_paths(), dbus.ObjectPath(f"{ROOT}/prompt/{kind}")


class Item(dbus.service.Object):
    @dbus.service.method(ITEM, in_signature="o", out_signature="(oayays)")
    def GetSecret(self, _session):
        raise IsLocked("Cannot get secret of a locked object")

    @dbus.service.method(ITEM, in_signature="(oayays)", out_signature="")
    def SetSecret(self, _secret):
        raise IsLocked("Cannot set secret of a locked object")

    @dbus.service.method(ITEM, in_signature="", out_signature="o")
    def Delete(self):
        raise IsLocked("Cannot delete a locked object")

    @dbus.service.method(dbus.PROPERTIES_IFACE, in_signature="ss", out_signature="v")
    def Get(self, _interface, name):
        if name == "Locked":
            return dbus.Boolean(True, variant_level=1)
        raise dbus.DBusException(f"no property {name}", name="org.freedesktop.DBus.Error.InvalidArgs")

    @dbus.service.method(dbus.PROPERTIES_IFACE, in_signature="s", out_signature="a{sv}")
    def GetAll(self, _interface):
        return dbus.Dictionary({"Locked": dbus.Boolean(True)}, signature="sv")


class Prompt(dbus.service.Object):
    def __init__(self, bus, path, dismiss):
        super().__init__(bus, path)
        self.dismiss = dismiss

    @dbus.service.method(PROMPT, in_signature="s", out_signature="")
    def Prompt(self, _window_id):
        if self.dismiss:
            # After the reply, as a real prompt completes later.
            GLib.idle_add(self.dismissed)

    def dismissed(self):
        self.Completed(True, dbus.String("", variant_level=1))
        return False

    @dbus.service.signal(PROMPT, signature="bv")
    def Completed(self, dismissed, result):
        pass


def swallow_calls(_connection, message):
    if message.get_type() == dbus.lowlevel.MESSAGE_TYPE_METHOD_CALL:
        return dbus.lowlevel.HANDLER_RESULT_HANDLED
    return dbus.lowlevel.HANDLER_RESULT_NOT_YET_HANDLED


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode not in ("silent", "prompts"):
        sys.exit(f"usage: {sys.argv[0]} silent|prompts")
    DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()
    if mode == "silent":
        bus.add_message_filter(swallow_calls)
    else:
        keep = [Service(bus, ROOT)]
        keep += [Item(bus, item_path(kind)) for kind in KINDS]
        keep += [Prompt(bus, f"{ROOT}/prompt/{kind}", kind == "dismiss") for kind in ("dismiss", "stuck")]
    name = dbus.service.BusName(NAME, bus, do_not_queue=True)
    print("ready", flush=True)
    GLib.MainLoop().run()
    del name


if __name__ == "__main__":
    main()

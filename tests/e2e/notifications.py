"""Read what the app told the notification server, and click a notification's action.

run.sh starts Debian's python-dbusmock `notification_daemon` template on the session bus (with
the `actions` capability, which the template's default list lacks). Its
`org.freedesktop.DBus.Mock.GetCalls()` lists every call since it started; a notification's id
is not in that list, so it is worked out the way the template hands ids out (1, 2, 3, … for
each Notify with replaces_id 0; replaces_id otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass

from tray import Bus

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
MOCK_IFACE = "org.freedesktop.DBus.Mock"


@dataclass
class Notification:
    id: int
    timestamp: float
    app_name: str
    summary: str
    body: str
    actions: dict[str, str]  # key -> label
    hints: dict


class NotificationMock:
    def __init__(self, bus: Bus) -> None:
        self.bus = bus

    def available(self) -> bool:
        if not self.bus.name_has_owner(NAME):
            return False
        try:
            self.bus.call(NAME, PATH, MOCK_IFACE, "GetCalls")
            return True
        except RuntimeError:
            return False  # a real notification server, not the mock

    def mark(self) -> int:
        """A bookmark: `notifications(since=mark)` then lists only later ones. (The mock's
        timestamps are whole seconds: too coarse to tell one test's calls from the last's.)"""
        return len(self.notifications())

    def notifications(self, since: int = 0) -> list[Notification]:
        """Every Notify call in order, or those after the bookmark `since` (see `mark`)."""
        from tray import unwrap

        calls = unwrap(self.bus.call(NAME, PATH, MOCK_IFACE, "GetCalls")[0])
        out, next_id = [], 1
        for timestamp, method, args in calls:
            if method != "Notify":
                continue
            args = unwrap(args)
            app_name, replaces_id, _icon, summary, body, actions, hints, _timeout = args
            if replaces_id:
                nid = replaces_id
            else:
                nid, next_id = next_id, next_id + 1
            pairs = dict(zip(actions[0::2], actions[1::2]))
            out.append(Notification(nid, timestamp, app_name, summary, body, pairs, hints))
        return out[since:]

    def closed(self) -> list[int]:
        """The ids the app withdrew (CloseNotification calls), in order."""
        from tray import unwrap

        calls = unwrap(self.bus.call(NAME, PATH, MOCK_IFACE, "GetCalls")[0])
        return [int(unwrap(args)[0]) for _, method, args in calls if method == "CloseNotification"]

    def invoke_action(self, notification_id: int, action: str) -> None:
        """What a click on the notification's button does: the server emits ActionInvoked."""
        from dbus_fast import Variant

        self.bus.call(NAME, PATH, MOCK_IFACE, "EmitSignal", "sssav",
                      ["", "ActionInvoked", "us", [Variant("u", notification_id), Variant("s", action)]])

"""A minimal W3C WebDriver client (urllib + json) for tauri-driver + WebKitWebDriver.

Only what the end-to-end tests use: sessions, windows, CSS lookups, clicks, keys, text,
attributes, scripts and window rectangles. Waits poll against a deadline; no fixed sleeps.
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.request
from typing import Callable, TypeVar

from polling import poll

ELEMENT_KEY = "element-6066-11e4-a52e-4f735466cecf"
T = TypeVar("T")


class WebDriverError(AssertionError):
    """An error answered by the driver (W3C `error` code + message)."""

    def __init__(self, error: str, message: str, method: str = "", path: str = "") -> None:
        super().__init__(f"{method} {path}: {error}: {message}")
        self.error = error
        self.message = message


class NoSuchElement(WebDriverError):
    pass


class ConnectionDropped(WebDriverError):
    pass


# Commands that can be sent twice without changing the outcome: reads, switching windows, element
# lookups and scripts. Every script the tests run reads the page or sets a value (setting it twice
# is the same); a script that must run once goes through `Session.execute_once`.
_REPEATABLE_POSTS = ("/window", "/element", "/elements", "/execute/sync", "/execute/async", "/clear")


def _idempotent(method: str, path: str) -> bool:
    return method == "GET" or (method == "POST" and path.endswith(_REPEATABLE_POSTS))


def _request(base: str, method: str, path: str, payload: dict | None = None, timeout: float = 60,
             repeatable: bool | None = None):
    # WebKitWebDriver sometimes drops the connection of a command that arrives while the app
    # creates, resizes or destroys a window (seen: GET /title, POST /window right after the MFA
    # dialog opened; POST /execute/sync right after it closed and while it was being fitted; the
    # next command works). Repeatable commands are retried; others report ConnectionDropped,
    # which the polling waits treat as "not yet".
    if repeatable is None:
        repeatable = _idempotent(method, path)
    attempts = 4 if repeatable else 1
    for attempt in range(attempts):
        try:
            return _request_once(base, method, path, payload, timeout)
        except (http.client.RemoteDisconnected, ConnectionResetError) as e:
            if attempt + 1 == attempts:
                raise ConnectionDropped("connection dropped", repr(e), method, path) from None
            print(f"[e2e] the driver dropped {method} {path} ({e!r}); sending it again")
            time.sleep(0.1 * (attempt + 1))


def _request_once(base: str, method: str, path: str, payload: dict | None, timeout: float):
    data = None if payload is None else json.dumps(payload).encode()
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = resp.read()
    except urllib.error.HTTPError as e:
        body = e.read()
        try:
            value = json.loads(body)["value"]
            error, message = value.get("error", str(e.code)), value.get("message", "")
        except (ValueError, KeyError, TypeError, AttributeError):
            error, message = str(e.code), body.decode("utf-8", "replace")[:500]
        cls = NoSuchElement if error == "no such element" else WebDriverError
        raise cls(error, message, method, path) from None
    return json.loads(body)["value"] if body else None


def wait_for(what: str, probe: Callable[[], T], timeout: float = 15, interval: float = 0.05,
             describe: Callable[[], str] | None = None) -> T:
    """Poll `probe` until truthy. Driver errors count as 'not yet' until the deadline."""
    return poll(what, probe, timeout, interval=interval, describe=describe, not_yet=(WebDriverError,))


class Element:
    def __init__(self, session: "Session", element_id: str, selector: str = "") -> None:
        self.session = session
        self.id = element_id
        self.selector = selector

    def __repr__(self) -> str:
        return f"Element({self.selector!r})"

    def _path(self, suffix: str) -> str:
        return f"/element/{self.id}{suffix}"

    def click(self) -> None:
        self.session.cmd("POST", self._path("/click"), {})

    def clear(self) -> None:
        self.session.cmd("POST", self._path("/clear"), {})

    def send_keys(self, text: str) -> None:
        self.session.cmd("POST", self._path("/value"), {"text": text})

    def fill(self, text: str, attempts: int = 3) -> None:
        """Clears the field and types `text`, typing again (after clearing) when the driver
        dropped the keys: the field's value says whether they arrived."""
        for attempt in range(attempts):
            self.clear()
            try:
                self.send_keys(text)
            except ConnectionDropped:
                if attempt + 1 == attempts:
                    raise
            if self.value == text:
                return
        raise WebDriverError("keys lost", f"{self!r} holds {self.value!r}, not {text!r}")

    @property
    def text(self) -> str:
        return self.session.cmd("GET", self._path("/text"))

    def attribute(self, name: str):
        return self.session.cmd("GET", self._path(f"/attribute/{name}"))

    def prop(self, name: str):
        return self.session.cmd("GET", self._path(f"/property/{name}"))

    @property
    def value(self) -> str:
        return self.prop("value")

    @property
    def enabled(self) -> bool:
        return self.session.cmd("GET", self._path("/enabled"))

    @property
    def displayed(self) -> bool:
        # Not in W3C proper, but WebKitWebDriver serves it; fall back to a script.
        try:
            return self.session.cmd("GET", self._path("/displayed"))
        except WebDriverError:
            return self.session.execute(
                "const e = arguments[0]; return !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length);",
                self.ref())

    def ref(self) -> dict:
        return {ELEMENT_KEY: self.id}


class Session:
    """One WebDriver session = one launch of the app (tauri-driver starts it)."""

    def __init__(self, base_url: str, capabilities: dict, timeout: float = 60) -> None:
        self.base = base_url.rstrip("/")
        value = _request(self.base, "POST", "/session", {"capabilities": capabilities}, timeout=timeout)
        self.id: str = value["sessionId"]
        self.capabilities: dict = value.get("capabilities", {})

    def cmd(self, method: str, path: str, payload: dict | None = None, timeout: float = 60,
            repeatable: bool | None = None):
        return _request(self.base, method, f"/session/{self.id}{path}", payload, timeout=timeout,
                        repeatable=repeatable)

    def quit(self) -> None:
        # Resent after a dropped connection: a session left behind takes the driver's one slot,
        # and every later test would fail to start ("Maximum number of active sessions").
        try:
            _request(self.base, "DELETE", f"/session/{self.id}", timeout=30, repeatable=True)
        except (WebDriverError, OSError):
            pass

    # --- windows ----------------------------------------------------------------------------

    @property
    def window_handles(self) -> list[str]:
        return self.cmd("GET", "/window/handles")

    @property
    def current_window(self) -> str:
        return self.cmd("GET", "/window")

    def switch_to(self, handle: str) -> None:
        self.cmd("POST", "/window", {"handle": handle})

    @property
    def title(self) -> str:
        return self.cmd("GET", "/title")

    @property
    def url(self) -> str:
        return self.cmd("GET", "/url")

    def titles(self) -> dict[str, str]:
        """{handle: title} of every window (switches back to the current one afterwards)."""
        try:
            current = self.current_window
        except WebDriverError:
            current = None
        out = {}
        for handle in self.window_handles:
            try:
                self.switch_to(handle)
                out[handle] = self.title
            except WebDriverError as e:
                out[handle] = f"<{e.error}>"
        if current and current in out:
            try:
                self.switch_to(current)
            except WebDriverError:
                pass  # it closed meanwhile (a dialog): no window is current now
        return out

    def find_window(self, title: str) -> str | None:
        """The handle of the window with exactly this title, switched to; None if there is none."""
        for handle, t in self.titles().items():
            if t == title:
                self.switch_to(handle)
                return handle
        return None

    def wait_window(self, title: str, timeout: float = 15) -> str:
        return wait_for(f"a window titled {title!r}", lambda: self.find_window(title), timeout,
                        describe=lambda: f"windows now: {self.titles()}")

    def close_window(self) -> None:
        self.cmd("DELETE", "/window")

    # --- elements ---------------------------------------------------------------------------

    def find(self, css: str) -> Element:
        value = self.cmd("POST", "/element", {"using": "css selector", "value": css})
        return Element(self, value[ELEMENT_KEY], css)

    def find_all(self, css: str) -> list[Element]:
        values = self.cmd("POST", "/elements", {"using": "css selector", "value": css})
        return [Element(self, v[ELEMENT_KEY], css) for v in values]

    def exists(self, css: str) -> bool:
        return bool(self.find_all(css))

    def wait(self, css: str, timeout: float = 15, visible: bool = True) -> Element:
        def probe():
            for el in self.find_all(css):
                if not visible or el.displayed:
                    return el
            return None

        return wait_for(f"element {css!r}" + (" to be visible" if visible else ""), probe, timeout,
                        describe=self.describe)

    def click_until(self, css: str, done: Callable[[], object], what: str, attempts: int = 3) -> None:
        """Clicks `css` until `done()` holds. A click is not resent blindly after a dropped
        connection (it may have been taken): only when `done()` still does not hold a while
        later."""
        for attempt in range(attempts):
            try:
                self.wait(css).click()
            except ConnectionDropped:
                if attempt + 1 == attempts:
                    raise
            try:
                wait_for(what, done, timeout=5)
                return
            except AssertionError:
                if attempt + 1 == attempts:
                    raise

    def wait_text(self, css: str, predicate: Callable[[str], bool], what: str, timeout: float = 15) -> str:
        def probe():
            for el in self.find_all(css):
                text = el.text
                if predicate(text):
                    return text or " "
            return None

        return wait_for(f"{css!r} {what}", probe, timeout, describe=self.describe).strip()

    def execute(self, script: str, *args):
        return self.cmd("POST", "/execute/sync", {"script": script, "args": list(args)})

    def execute_once(self, script: str, *args):
        """For a script with an effect that must not happen twice: never resent after a drop."""
        return self.cmd("POST", "/execute/sync", {"script": script, "args": list(args)}, repeatable=False)

    def execute_async(self, script: str, *args):
        """The script's last argument is the callback that ends it."""
        return self.cmd("POST", "/execute/async", {"script": script, "args": list(args)})

    def wait_painted(self) -> None:
        """Until the page has rendered its current DOM: two animation frames. WebKit's
        screenshots show the last painted frame, which right after a DOM change is the old one."""
        self.execute_async("const done = arguments[arguments.length - 1];"
                           "requestAnimationFrame(() => requestAnimationFrame(() => done(true)));")

    def describe(self) -> str:
        """The current window's title and visible text, for failure messages."""
        try:
            body = self.execute("return document.body ? document.body.innerText : '';")
            return f"window {self.title!r} shows:\n{(body or '').strip()[:2000]}"
        except WebDriverError as e:
            return f"(page unreadable: {e})"

    def window_rect(self) -> dict:
        """The current window's position and size on the screen: x, y, width, height."""
        return self.cmd("GET", "/window/rect")


def driver_ready(base_url: str) -> bool:
    try:
        value = _request(base_url.rstrip("/"), "GET", "/status", timeout=2)
        return bool(value is None or value.get("ready", True))
    except (OSError, WebDriverError):
        return False

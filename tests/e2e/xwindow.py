"""Closing a window the way a window manager's close button does: a WM_DELETE_WINDOW client
message to the X window (xdotool finds it by title). WebDriver's own "close window" is no
substitute: closing the last window ends the WebDriver session and quits the app.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import subprocess


class _ClientMessage(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong), ("send_event", ctypes.c_int),
                ("display", ctypes.c_void_p), ("window", ctypes.c_ulong), ("message_type", ctypes.c_ulong),
                ("format", ctypes.c_int), ("data", ctypes.c_long * 5)]


class _Event(ctypes.Union):
    _fields_ = [("xclient", _ClientMessage), ("pad", ctypes.c_long * 24)]


CLIENT_MESSAGE = 33  # X.h ClientMessage
NO_EVENT_MASK = 0


def windows_titled(title: str) -> list[int]:
    """X ids of the visible windows whose title is exactly `title`."""
    proc = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", f"^{title}$"], capture_output=True,
                          text=True, timeout=10)
    return [int(line) for line in proc.stdout.split()]


def request_close(window: int) -> None:
    """Ask the window's client to close it (ICCCM WM_DELETE_WINDOW), as a close button does."""
    lib = ctypes.util.find_library("X11")
    if not lib:
        raise RuntimeError("libX11 not found")
    x = ctypes.CDLL(lib)
    x.XOpenDisplay.restype = ctypes.c_void_p
    x.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x.XInternAtom.restype = ctypes.c_ulong
    x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    x.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long, ctypes.POINTER(_Event)]
    x.XFlush.argtypes = [ctypes.c_void_p]
    x.XCloseDisplay.argtypes = [ctypes.c_void_p]
    display = x.XOpenDisplay(os.environ["DISPLAY"].encode())
    if not display:
        raise RuntimeError(f"cannot open display {os.environ['DISPLAY']}")
    try:
        event = _Event()
        msg = event.xclient
        msg.type = CLIENT_MESSAGE
        msg.window = window
        msg.message_type = x.XInternAtom(display, b"WM_PROTOCOLS", 0)
        msg.format = 32
        msg.data[0] = x.XInternAtom(display, b"WM_DELETE_WINDOW", 0)
        msg.data[1] = 0  # CurrentTime
        if not x.XSendEvent(display, window, 0, NO_EVENT_MASK, ctypes.byref(event)):
            raise RuntimeError(f"XSendEvent to window {window} failed")
        x.XFlush(display)
    finally:
        x.XCloseDisplay(display)

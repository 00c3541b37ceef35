#!/usr/bin/env python3
"""The "browser" of Rolebar's console hand-off tests:
`BROWSER="python3 console_browser.py RECORD [OPTIONS] %s"`.

Opens URL as a browser would: an http URL on 127.0.0.1/localhost is fetched and redirects
are followed one at a time, only while they stay on 127.0.0.1/localhost; a file:// URL is read
and its `<meta http-equiv="refresh" content="0;url=…">` followed the same way. The first URL on
any other host is recorded as "final" and never visited: nothing in the tests leaves 127.0.0.1.

Appends one JSON line to RECORD:
  {"url": URL, "argv": [...], "environ": [...],     # this process's /proc/self/cmdline, environ
   "hops": [{"url", "status", "location"}, ...],   # status "read" for a file page, null unfetched
   "final": the first URL not visited (or null),
   "again": {...}  with --again: URL fetched a second time after the visit
   "other_uid": {...}  with --other-uid N: URL fetched first as uid N (setpriv + curl)}

Options:
  --max-hops N   follow at most N hops (e.g. 1: only the hand-off page; its Location is final)
  --again        fetch URL again after the visit; {"status", "location", "body", "error"}
  --other-uid N  before the visit, `setpriv --reuid=N --regid=N --clear-groups curl -si URL`;
                 {"exit": curl's status, "output": what curl printed}
  --ignore       fetch nothing (a browser that never comes)

Exits 0 when the first hop answered 2xx/3xx or the file was read, or with --ignore; else 1.
"""

import html
import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from urllib.parse import unquote, urljoin, urlsplit

LOOPBACK = ("127.0.0.1", "localhost")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    # Redirects are followed by hand, so each target's host is checked first.
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url):
    """{"status", "location", "body", "error"} of one GET (status null when it failed)."""
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=10) as reply:
            return {"status": reply.status, "location": reply.headers.get("Location"),
                    "body": reply.read().decode("utf-8", "replace"), "error": None}
    except urllib.error.HTTPError as e:
        return {"status": e.code, "location": e.headers.get("Location"),
                "body": e.read().decode("utf-8", "replace"), "error": None}
    except OSError as e:
        return {"status": None, "location": None, "body": "", "error": str(e)}


def read_page(url):
    """(text or None, error) of a file:// URL."""
    try:
        with open(unquote(urlsplit(url).path), encoding="utf-8") as f:
            return f.read(), None
    except OSError as e:
        return None, str(e)


def refresh_target(page):
    m = re.search(r'http-equiv="refresh" content="0;url=([^"]*)"', page)
    return html.unescape(m.group(1)) if m else None


def visit(url, max_hops):
    hops, final = [], None
    while url and len(hops) < max_hops:
        parts = urlsplit(url)
        if parts.scheme == "file":
            page, error = read_page(url)
            location = refresh_target(page) if page is not None else None
            hops.append({"url": url, "status": "read" if page is not None else None,
                         "location": location, "error": error})
        elif parts.hostname in LOOPBACK:
            got = fetch(url)
            location = got["location"] if got["status"] and 300 <= got["status"] < 400 else None
            hops.append({"url": url, "status": got["status"], "location": got["location"],
                         "error": got["error"]})
        else:
            final = url
            break
        if not location:
            break
        url = urljoin(url, location)
        final = url
    return hops, final


def other_uid(uid, url):
    try:
        out = subprocess.run(
            ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
             "curl", "-s", "-i", "--max-time", "10", url],
            capture_output=True, timeout=20)
        return {"exit": out.returncode,
                "output": (out.stdout + out.stderr).decode("utf-8", "replace")}
    except (OSError, subprocess.TimeoutExpired) as e:
        return {"exit": None, "output": str(e)}


def proc_self(name):
    with open(f"/proc/self/{name}", "rb") as f:
        return [p.decode("utf-8", "replace") for p in f.read().split(b"\0") if p]


def main(args):
    record, url = args[0], args[-1]
    options = args[1:-1]
    max_hops = 10
    if "--max-hops" in options:
        max_hops = int(options[options.index("--max-hops") + 1])
    entry = {"url": url, "argv": proc_self("cmdline"), "environ": proc_self("environ")}
    if "--other-uid" in options:
        entry["other_uid"] = other_uid(options[options.index("--other-uid") + 1], url)
    if "--ignore" in options:
        hops, final = [], None
    else:
        hops, final = visit(url, max_hops)
    entry["hops"], entry["final"] = hops, final
    if "--again" in options:
        entry["again"] = fetch(url) if urlsplit(url).scheme != "file" else dict(
            zip(("body", "error"), read_page(url)))
    with open(record, "a") as f:
        f.write(json.dumps(entry) + "\n")
    if "--ignore" in options:
        return 0
    first = hops[0]["status"] if hops else None
    return 0 if first == "read" or (isinstance(first, int) and 200 <= first < 400) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

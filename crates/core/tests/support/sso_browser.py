#!/usr/bin/env python3
"""The "browser" of Rolebar's SSO tests: `BROWSER="python3 sso_browser.py RECORD %s"`.

Visits URL as a user who signs in would: fetches it when its host is 127.0.0.1 or localhost
and follows redirects one at a time, but only to 127.0.0.1/localhost. So the SSO double's
/authorize answers 302 to the app's loopback redirect_uri, which is fetched and completes the
sign-in, and its /device?user_code=… page approves a device authorization. A URL on any
other host is recorded and not fetched: nothing in the tests may leave 127.0.0.1.

Appends one JSON line to RECORD: {"url": URL, "status": the last fetched status or null,
"mode": MODE, "hops": [{"url", "status"}, ...]} (a hop's status is null when not fetched).

SSO_BROWSER_MODE (environment):
- unset / "follow": as above.
- "ignore": records URL and fetches nothing (a user who never finishes signing in).
- "tamper": changes the `state` parameter of every redirect before following it (a forged
  callback, for the app's CSRF check).

Exits 0 when the last fetch answered 2xx or 3xx, or in ignore mode; else 1.
"""

import json
import os
import sys
import urllib.error
import urllib.request
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

LOOPBACK = ("127.0.0.1", "localhost")
MAX_HOPS = 10


class NoRedirect(urllib.request.HTTPRedirectHandler):
    # Redirects are followed by hand, so each target's host is checked first.
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url):
    """(status, Location or None) of one GET."""
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=10) as reply:
            return reply.status, None
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Location")


def tampered(url):
    """url with its state parameter changed (left alone when it has none)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if not any(k == "state" for k, _ in query):
        return url
    query = [(k, "tampered-" + v if k == "state" else v) for k, v in query]
    return urlunsplit(parts._replace(query=urlencode(query)))


def visit(url, mode):
    """The hops of a visit, each {"url", "status"}."""
    hops = []
    while url and len(hops) < MAX_HOPS:
        if urlsplit(url).hostname not in LOOPBACK:
            hops.append({"url": url, "status": None})
            break
        status, location = fetch(url)
        hops.append({"url": url, "status": status})
        if not (300 <= status < 400 and location):
            break
        url = urljoin(url, location)
        if mode == "tamper":
            url = tampered(url)
    return hops


def main(record, url):
    mode = os.environ.get("SSO_BROWSER_MODE", "follow")
    hops = [] if mode == "ignore" else visit(url, mode)
    fetched = [h["status"] for h in hops if h["status"] is not None]
    status = fetched[-1] if fetched else None
    with open(record, "a") as f:
        f.write(json.dumps({"url": url, "status": status, "mode": mode, "hops": hops}) + "\n")
    if mode == "ignore":
        return 0
    return 0 if status is not None and 200 <= status < 400 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))

#!/usr/bin/env python3
"""The "browser" of Rolebar's console tests: `BROWSER="python3 test_browser.py RECORD %s"`.

Appends {"url": URL, "status": STATUS} to RECORD (one JSON line) after fetching URL once,
without following redirects: the federation double's login answers 302 to the real console,
and nothing in the tests may leave 127.0.0.1. A URL to any other host is recorded, not fetched.
Exits 0 when the fetch answered 2xx or 3xx.
"""

import json
import sys
import urllib.error
import urllib.request
from urllib.parse import urlsplit


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def main(record, url):
    status = None
    if urlsplit(url).hostname in ("127.0.0.1", "localhost"):
        opener = urllib.request.build_opener(NoRedirect)
        try:
            status = opener.open(url, timeout=10).status
        except urllib.error.HTTPError as e:
            status = e.code
    with open(record, "a") as f:
        f.write(json.dumps({"url": url, "status": status}) + "\n")
    return 0 if status is not None and 200 <= status < 400 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))

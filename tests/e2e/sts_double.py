#!/usr/bin/env python3
"""A fault-injecting STS double: what moto cannot do (moto accepts any MFA code).

POST / with a form body (`Action=AssumeRole|GetSessionToken|GetCallerIdentity`, `TokenCode`,
`RoleArn`, `DurationSeconds`, …) is answered with the XML shapes aws-sdk-sts parses. A request
whose `TokenCode` is present and is not the accepted code (123456 by default) gets HTTP 403
`AccessDenied` "MultiFactorAuthentication failed with invalid MFA one time pass code.", as AWS
answers. Signatures are not checked (the double stands in for STS only: the credentials it
hands out are not valid anywhere else).

In process: `double = StsDouble().start(); double.url; double.requests; double.stop()`.
As a process: `sts_double.py [--port N] [--port-file F] [--code 123456]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.server
import secrets
import sys
import threading
import urllib.parse
from xml.sax.saxutils import escape

NS = "https://sts.amazonaws.com/doc/2011-06-15/"
ACCOUNT = "123456789012"
INVALID_MFA = "MultiFactorAuthentication failed with invalid MFA one time pass code."


def _credentials(duration: int) -> str:
    expiration = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=duration)).replace(microsecond=0)
    return (
        "<Credentials>"
        f"<AccessKeyId>ASIA{secrets.token_hex(8).upper()}</AccessKeyId>"
        f"<SecretAccessKey>{secrets.token_urlsafe(30)}</SecretAccessKey>"
        f"<SessionToken>FwoGZXIvYXdzE{secrets.token_urlsafe(60)}</SessionToken>"
        f"<Expiration>{expiration.strftime('%Y-%m-%dT%H:%M:%SZ')}</Expiration>"
        "</Credentials>"
    )


def _metadata() -> str:
    return f"<ResponseMetadata><RequestId>{secrets.token_hex(16)}</RequestId></ResponseMetadata>"


def _error(code: str, message: str, kind: str = "Sender") -> str:
    return (
        f'<ErrorResponse xmlns="{NS}"><Error><Type>{kind}</Type><Code>{escape(code)}</Code>'
        f"<Message>{escape(message)}</Message></Error><RequestId>{secrets.token_hex(16)}</RequestId></ErrorResponse>"
    )


class StsDouble:
    """The server on a thread. `requests` lists every parsed request (dicts), in order."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, accepted_code: str = "123456") -> None:
        self.accepted_code = accepted_code
        # Seconds until the handed-out credentials expire, whatever DurationSeconds asked:
        # lets a test start with a session already inside the expiry-warning window.
        self.expires_in: int | None = None
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        double = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, fmt, *args):  # quiet; requests are recorded instead
                pass

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8", "replace")
                form = {k: v[0] for k, v in urllib.parse.parse_qs(body, keep_blank_values=True).items()}
                with double._lock:
                    double.requests.append(form)
                status, xml = double.answer(form)
                data = xml.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("x-amzn-RequestId", secrets.token_hex(16))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):  # noqa: N802
                data = b"sts double\n"
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = http.server.ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="sts-double", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "StsDouble":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def calls(self, action: str) -> list[dict]:
        with self._lock:
            return [r for r in self.requests if r.get("Action") == action]

    def answer(self, form: dict) -> tuple[int, str]:
        action = form.get("Action", "")
        code = form.get("TokenCode")
        if action in ("AssumeRole", "GetSessionToken") and code is not None and code != self.accepted_code:
            return 403, _error("AccessDenied", INVALID_MFA)
        if action == "AssumeRole":
            role = form.get("RoleArn", f"arn:aws:iam::{ACCOUNT}:role/unknown")
            name = form.get("RoleSessionName", "rolebar")
            role_name = role.rsplit("/", 1)[-1]
            duration = self.expires_in or int(form.get("DurationSeconds") or 3600)
            arn = f"arn:aws:sts::{ACCOUNT}:assumed-role/{role_name}/{name}"
            return 200, (
                f'<AssumeRoleResponse xmlns="{NS}"><AssumeRoleResult>{_credentials(duration)}'
                f"<AssumedRoleUser><AssumedRoleId>AROA{secrets.token_hex(8).upper()}:{escape(name)}</AssumedRoleId>"
                f"<Arn>{escape(arn)}</Arn></AssumedRoleUser></AssumeRoleResult>{_metadata()}</AssumeRoleResponse>"
            )
        if action == "GetSessionToken":
            duration = self.expires_in or int(form.get("DurationSeconds") or 43200)
            return 200, (
                f'<GetSessionTokenResponse xmlns="{NS}"><GetSessionTokenResult>{_credentials(duration)}'
                f"</GetSessionTokenResult>{_metadata()}</GetSessionTokenResponse>"
            )
        if action == "GetCallerIdentity":
            return 200, (
                f'<GetCallerIdentityResponse xmlns="{NS}"><GetCallerIdentityResult>'
                f"<Arn>arn:aws:iam::{ACCOUNT}:user/double</Arn><UserId>AIDA{secrets.token_hex(8).upper()}</UserId>"
                f"<Account>{ACCOUNT}</Account></GetCallerIdentityResult>{_metadata()}</GetCallerIdentityResponse>"
            )
        return 400, _error("InvalidAction", f"Could not find operation {action}")


def main() -> int:
    parser = argparse.ArgumentParser(description="A fault-injecting STS double")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file", help="write the chosen port here once listening")
    parser.add_argument("--code", default="123456", help="the one MFA code accepted")
    args = parser.parse_args()
    double = StsDouble(port=args.port, accepted_code=args.code)
    if args.port_file:
        with open(args.port_file, "w") as f:
            f.write(f"{double.server.server_address[1]}\n")
    print(f"sts double on {double.url}", file=sys.stderr, flush=True)
    try:
        double.server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""A double of AWS's console federation endpoint (moto has none), for Rolebar's tests.

    federation_double.py --log FILE [--moto URL] [--chained-role NAME]...

Listens on a free port of 127.0.0.1 and prints it on the first line of stdout once it accepts
connections. Every request is appended to FILE as one JSON line. Answers GET /federation:

- Action=getSigninToken&Session={"sessionId","sessionKey","sessionToken"}[&SessionDuration=N]:
  the three fields must be there; with --moto they must be credentials moto issued: they are
  checked by calling moto's GetCallerIdentity with them (boto3 from the harness venv). moto's
  GetFederationToken returns one fixed key set that the enforcing moto then refuses, so that
  set is accepted as a federated user without asking moto. Like AWS, the double refuses a
  session that cannot sign in (long-term keys, a GetSessionToken session: an IAM user's ARN),
  and SessionDuration with a federated user's session or with a role named by --chained-role
  (moto cannot tell a chained role from another, so the test names the roles it chains), or
  outside 900..43200. Answers {"SigninToken": "..."}.
- Action=login&Issuer=...&Destination=https://...&SigninToken=...: the token must be one it
  issued; answers 302 to Destination (the test's browser does not follow it off loopback).
"""

import argparse
import json
import secrets
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

# moto 5.2's GetFederationToken answer (moto/sts/responses.py): always these.
MOTO_FEDERATION_KEY = "AKIAIOSFODNN7EXAMPLE"
MOTO_FEDERATION_TOKEN_PREFIX = "AQoDYXdzEPT"

ARGS = None
TOKENS = {}
LOCK = threading.Lock()


def record(entry):
    with LOCK, open(ARGS.log, "a") as f:
        f.write(json.dumps(entry) + "\n")


def identify(session):
    """(kind, arn) of a session, or raise ValueError with why it cannot sign in."""
    key, secret, token = session["sessionId"], session["sessionKey"], session["sessionToken"]
    if key == MOTO_FEDERATION_KEY and token.startswith(MOTO_FEDERATION_TOKEN_PREFIX):
        return "federated", "federated-user (moto's fixed GetFederationToken keys)"
    if not ARGS.moto:
        return "unverified", None
    import boto3  # only when checking: importing it takes a while
    from botocore.config import Config
    from botocore.exceptions import ClientError

    sts = boto3.client(
        "sts",
        endpoint_url=ARGS.moto,
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        aws_session_token=token or None,
        config=Config(retries={"max_attempts": 1}),
    )
    try:
        arn = sts.get_caller_identity()["Arn"]
    except ClientError as e:
        raise ValueError(f"moto refused the session: {e.response['Error'].get('Code')}")
    if ":assumed-role/" in arn:
        return "role", arn
    raise ValueError(f"{arn} is not a role's or a federated user's session")


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # the test reads FILE, not stderr
        pass

    def reply(self, status, body=None, headers=None):
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urlsplit(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        if url.path != "/federation":
            return self.reply(404, {"error": "not the federation endpoint"})
        action = q.get("Action")
        if action == "getSigninToken":
            return self.signin_token(q)
        if action == "login":
            return self.login(q)
        return self.reply(400, {"error": f"unknown Action {action!r}"})

    def signin_token(self, q):
        entry = {"action": "getSigninToken", "session_duration": q.get("SessionDuration")}
        try:
            session = json.loads(q.get("Session", ""))
            missing = [k for k in ("sessionId", "sessionKey", "sessionToken") if not session.get(k)]
            if missing:
                raise ValueError(f"Session lacks {missing}")
            # The key id names the session in the log (it is no secret without the rest).
            entry["session_id"] = session["sessionId"]
            kind, arn = identify(session)
            entry.update(kind=kind, arn=arn)
            duration = q.get("SessionDuration")
            if duration is not None:
                if kind == "federated":
                    raise ValueError("SessionDuration is not accepted with GetFederationToken credentials")
                role = (arn or "").split(":assumed-role/")[-1].split("/")[0]
                if role in ARGS.chained_role:
                    raise ValueError(f"SessionDuration is not accepted for the chained role {role}")
                if not duration.isdigit() or not 900 <= int(duration) <= 43200:
                    raise ValueError(f"SessionDuration {duration!r} is out of range")
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            entry["refused"] = str(e)
            record(entry)
            return self.reply(400, {"error": str(e)})
        token = secrets.token_urlsafe(48)
        with LOCK:
            TOKENS[token] = arn
        entry["token_issued"] = True
        record(entry)
        return self.reply(200, {"SigninToken": token})

    def login(self, q):
        token = q.get("SigninToken", "")
        with LOCK:
            known = token in TOKENS
            arn = TOKENS.get(token)
        entry = {
            "action": "login",
            "issuer": q.get("Issuer"),
            "destination": q.get("Destination"),
            "arn": arn,
            "token_known": known,
        }
        record(entry)
        if not known or not q.get("Issuer") or not (q.get("Destination") or "").startswith("https://"):
            return self.reply(400, {"error": "bad login request"})
        return self.reply(302, None, {"Location": q["Destination"]})


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    parser.add_argument("--moto")
    parser.add_argument("--chained-role", action="append", default=[])
    ARGS = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())

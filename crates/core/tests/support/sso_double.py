#!/usr/bin/env python3
"""A double of AWS IAM Identity Center (SSO OIDC + the SSO portal), which moto lacks.

    sso_double.py --log FILE [--moto URL] [--account ID:NAME:ROLE[,ROLE...]]...
                  [--access-ttl SECONDS] [--refresh-ttl SECONDS] [--device-pending N]
                  [--start-url URL] [--page-size N]

Listens on a free port of 127.0.0.1 and prints it on the first line of stdout once it accepts
connections. One base URL serves both services: point aws-sdk-ssooidc / aws-sdk-sso, boto3
(`endpoint_url=`) or the AWS CLI (`--endpoint-url`) at it. Every request is appended to FILE
as one JSON line: method, path, operation, status, error, and the non-secret fields (access
and refresh tokens, client secrets, device codes, authorization codes and code verifiers
appear as their first 6 characters + "…").

Wire protocol: restJson1 exactly as botocore's models sso-oidc/2019-06-10 and sso/2019-06-10
describe it. Requests need no SigV4 signature (the models say `authtype: none`). Errors carry
`x-amzn-ErrorType: <ExceptionName>` and a JSON body: OIDC `{"error": "<oauth code>",
"error_description": "..."}`, portal `{"message": "..."}`.

SSO OIDC
- POST /client/register (RegisterClient): clientName and clientType ("public") required;
  grantTypes must be known ones. Answers clientId, clientSecret, clientIdIssuedAt (epoch s),
  clientSecretExpiresAt (epoch s, 90 days on), authorizationEndpoint, tokenEndpoint.
- POST /device_authorization (StartDeviceAuthorization): deviceCode, userCode,
  verificationUri (`BASE/device`), verificationUriComplete (`BASE/device?user_code=…`),
  expiresIn (600), interval (1). With --start-url, startUrl must equal it.
- GET /device?user_code=…: the user approves that device authorization (200 HTML).
  --device-pending N approves a device on its (N+1)th CreateToken poll without a visit.
- GET /authorize?response_type=code&client_id&redirect_uri&state&code_challenge
  &code_challenge_method=S256[&scopes]: the user signs in at once: 302 to redirect_uri with
  code and state. Refused with a 400 HTML page: unknown client, a client not registered for
  authorization_code, a redirect_uri that is not http on 127.0.0.1/localhost/::1 or that the
  client did not register (loopback URIs match whatever their port, RFC 8252 7.3, because the
  AWS CLI and botocore register `http://127.0.0.1/oauth/callback` and then listen on a port),
  no code_challenge, or a method other than S256.
- POST /token (CreateToken), client id and secret checked first (InvalidClientException 401):
  - device_code: AuthorizationPendingException (400) until approved; ExpiredTokenException
    after expiresIn; a device code of another client or one already used: InvalidGrantException.
  - authorization_code: the code must be unused, this client's, under 5 minutes old, with the
    same redirectUri as /authorize and base64url-nopad(sha256(codeVerifier)) equal to the
    challenge, else InvalidGrantException. The code is spent only when it succeeds.
  - refresh_token: rotates: a new access AND refresh token; the old refresh token is dead.
    Unknown, spent, expired, another client's: InvalidGrantException.
  - A client that registered grantTypes without the grant used: UnauthorizedClientException.
  Answers accessToken, tokenType "Bearer", expiresIn (--access-ttl, default 3600) and a
  refreshToken when the client may refresh: it registered grantTypes including
  refresh_token, or no grantTypes but some scopes (what botocore's device flow with
  sso_registration_scopes does). A client with neither scopes nor grantTypes (the legacy
  device flow) gets no refresh token, as on AWS.

SSO portal (bearer token in the header `x-amz-sso_bearer_token`, with an underscore)
- GET /federation/credentials?role_name&account_id (GetRoleCredentials) →
  {"roleCredentials": {accessKeyId, secretAccessKey, sessionToken, expiration: epoch MILLIS}},
  lasting min(the access token's remaining life, 1 h). With --moto, minted by STS AssumeRole
  at that (auth-off) moto for arn:aws:iam::ACCOUNT:role/ROLE, so moto accepts them; else
  random ASIA… keys.
- GET /assignment/accounts (ListAccounts) and /assignment/roles?account_id (ListAccountRoles):
  paged with max_result (1..100) and next_token; pages of --page-size (default 2) items.
- POST /logout (Logout): ends the sign-in: its access AND refresh tokens stop working.
- Unknown, expired, revoked or logged-out token: UnauthorizedException 401. Missing
  role_name/account_id: InvalidRequestException 400. An account or role not assigned:
  ForbiddenException 403 "No access" (what AWS answers; the model does not list it).

Control endpoints for tests (no auth; not counted; logged as operation "Control")
- POST /_control/revoke: every access token issued so far → 401 (refresh tokens still work).
- POST /_control/expire-access: every access token issued so far has expired.
- POST /_control/expire-refresh: every refresh token issued so far is invalid.
- POST /_control/approve-all-devices: every pending device authorization is approved.
- GET /_control/counts: {"Operation": n, "CreateToken:<grant>": n, "Operation!Exception": n,
  "SignIn": n (device approvals + /authorize codes), "RoleCredentials": n (minted)}.

Deliberately not implemented: request signing, SlowDownException / rate limits,
CreateTokenWithIAM, the id token, scopes' effect on what a token may do, client secret
expiry (it is reported, never enforced), the user code entry form at /device, the sign-in
pages' HTML, regions (every region is this one server), a session's own end (refresh tokens
simply expire --refresh-ttl after the sign-in; rotation does not extend it).
"""

import argparse
import base64
import hashlib
import json
import secrets
import sys
import threading
import time
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
GRANT_NAMES = {DEVICE_GRANT: "device_code", "authorization_code": "authorization_code",
               "refresh_token": "refresh_token"}
CLIENT_SECRET_LIFE = 90 * 86400
DEVICE_CODE_LIFE = 600
AUTH_CODE_LIFE = 300
MAX_ROLE_CREDENTIALS_LIFE = 3600
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
# The role session name at moto: Identity Center names sessions after the user.
USER_NAME = "sso-tester@example.com"
DEFAULT_ACCOUNTS = ["111111111111:Sandbox:AdministratorAccess,ReadOnly",
                    "222222222222:Production:ReadOnly"]
# Keys seen first in every counts answer, so a test can compare with 0.
COUNTED = ["RegisterClient", "StartDeviceAuthorization", "CreateToken", "Authorize",
           "ApproveDevice", "GetRoleCredentials", "ListAccounts", "ListAccountRoles", "Logout",
           "CreateToken:device_code", "CreateToken:authorization_code",
           "CreateToken:refresh_token", "SignIn", "RoleCredentials"]
# The OAuth `error` code AWS puts in an OIDC error body, by exception name.
OAUTH_CODES = {
    "AuthorizationPendingException": "authorization_pending",
    "ExpiredTokenException": "expired_token",
    "InvalidClientException": "invalid_client",
    "InvalidClientMetadataException": "invalid_client_metadata",
    "InvalidGrantException": "invalid_grant",
    "InvalidRedirectUriException": "invalid_redirect_uri",
    "InvalidRequestException": "invalid_request",
    "InvalidScopeException": "invalid_scope",
    "UnauthorizedClientException": "unauthorized_client",
    "UnsupportedGrantTypeException": "unsupported_grant_type",
    "InternalServerException": "server_error",
}
SECRET_FIELDS = ("clientSecret", "accessToken", "refreshToken", "deviceCode", "code",
                 "codeVerifier")

ARGS = None
BASE_URL = None
ACCOUNTS = {}  # account id -> {"name", "email", "roles": [...]}
LOCK = threading.Lock()  # guards everything below and the log file
CLIENTS = {}  # client id -> registration
DEVICES = {}  # device code -> device authorization
USER_CODES = {}  # user code -> device code
CODES = {}  # authorization code -> what /authorize was given
SESSIONS = {}  # session id -> {"started", "ended"}
ACCESS = {}  # access token -> {"client", "session", "expires", "revoked"}
REFRESH = {}  # refresh token -> {"client", "session", "expires", "spent"}
COUNTS = Counter({name: 0 for name in COUNTED})
STS = None  # the boto3 STS client for moto, made on first use


class ApiError(Exception):
    """An AWS error reply: its HTTP status, exception name and message."""

    def __init__(self, status, name, message):
        super().__init__(message)
        self.status, self.name, self.message = status, name, message


def masked(value):
    """A secret as it may appear in the log: enough to tell two apart, not enough to use."""
    return value[:6] + "…" if isinstance(value, str) and value else value


def now():
    return time.time()


# ---------------------------------------------------------------------------------------------
# Plumbing: requests in, JSON out
# ---------------------------------------------------------------------------------------------


class Request:
    """What a handler needs of one HTTP request, and the log entry it fills in."""

    def __init__(self, handler, method):
        url = urlsplit(handler.path)
        self.method = method
        self.path = url.path
        self.query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        self.headers = handler.headers
        self.raw_body = read_body(handler)
        self.log = {"method": method, "path": self.path}

    def json(self):
        """The body as a JSON object ({} when empty): restJson1 sends one for POSTs."""
        if not self.raw_body.strip():
            return {}
        try:
            body = json.loads(self.raw_body)
        except ValueError:
            raise ApiError(400, "InvalidRequestException", "the body is not JSON")
        if not isinstance(body, dict):
            raise ApiError(400, "InvalidRequestException", "the body is not a JSON object")
        return body


def read_body(handler):
    # The SDKs send Content-Length; chunked is read too so an odd client still gets an answer.
    if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
        data = b""
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                handler.rfile.readline()
                return data
            data += handler.rfile.read(size)
            handler.rfile.readline()
    length = int(handler.headers.get("Content-Length") or 0)
    return handler.rfile.read(length) if length else b""


class Reply:
    def __init__(self, status, body=None, headers=None, html=None):
        self.status, self.body, self.headers, self.html = status, body, headers or {}, html


def record(entry):
    with LOCK, open(ARGS.log, "a", encoding="utf-8") as f:
        f.write(json.dumps(entry, ensure_ascii=False) + "\n")


def count(*keys):
    with LOCK:
        for key in keys:
            COUNTS[key] += 1


def log_fields(req, body, names):
    """Copies body fields into the log entry, masking the secret ones."""
    for name in names:
        if name in body:
            value = body[name]
            req.log[name] = masked(value) if name in SECRET_FIELDS else value


# ---------------------------------------------------------------------------------------------
# SSO OIDC
# ---------------------------------------------------------------------------------------------


def authenticate(body):
    """The registration of the client the body names, or InvalidClientException."""
    client_id, secret = body.get("clientId"), body.get("clientSecret")
    if not client_id or not secret:
        raise ApiError(400, "InvalidRequestException", "clientId and clientSecret are required")
    client = CLIENTS.get(client_id)
    if client is None or not secrets.compare_digest(client["secret"], secret):
        raise ApiError(401, "InvalidClientException", "invalid client id or secret")
    return client


def may_refresh(client):
    """Whether tokens of this client come with a refresh token (see the module doc)."""
    if client["grant_types"]:
        return "refresh_token" in client["grant_types"]
    return bool(client["scopes"])


def register_client(req):
    body = req.json()
    log_fields(req, body, ("clientName", "clientType", "scopes", "grantTypes", "redirectUris",
                           "issuerUrl"))
    if not body.get("clientName") or not body.get("clientType"):
        raise ApiError(400, "InvalidRequestException", "clientName and clientType are required")
    if body["clientType"] != "public":
        raise ApiError(400, "InvalidClientMetadataException", "clientType must be public")
    grant_types = body.get("grantTypes") or []
    unknown = [g for g in grant_types if g not in GRANT_NAMES]
    if unknown:
        raise ApiError(400, "UnsupportedGrantTypeException", f"unsupported grant types {unknown}")
    if ARGS.start_url and body.get("issuerUrl") not in (None, ARGS.start_url):
        raise ApiError(400, "InvalidRequestException", "issuerUrl is not this instance's start URL")
    issued = int(now())
    client_id = "cid-" + secrets.token_urlsafe(16)
    client = {
        "id": client_id,
        "secret": secrets.token_urlsafe(48),
        "name": body["clientName"],
        "scopes": body.get("scopes") or [],
        "grant_types": grant_types,
        "redirect_uris": body.get("redirectUris") or [],
    }
    with LOCK:
        CLIENTS[client_id] = client
    req.log["clientId"] = client_id
    return Reply(200, {
        "clientId": client_id,
        "clientSecret": client["secret"],
        "clientIdIssuedAt": issued,
        "clientSecretExpiresAt": issued + CLIENT_SECRET_LIFE,
        "authorizationEndpoint": BASE_URL + "/authorize",
        "tokenEndpoint": BASE_URL + "/token",
    })


def new_user_code():
    # AWS's are 8 letters as XXXX-XXXX, without look-alike characters.
    letters = "BCDFGHJKLMNPQRSTVWXZ"
    text = "".join(secrets.choice(letters) for _ in range(8))
    return text[:4] + "-" + text[4:]


def start_device_authorization(req):
    body = req.json()
    log_fields(req, body, ("clientId", "clientSecret", "startUrl"))
    with LOCK:
        client = authenticate(body)
    if not body.get("startUrl"):
        raise ApiError(400, "InvalidRequestException", "startUrl is required")
    if ARGS.start_url and body["startUrl"] != ARGS.start_url:
        raise ApiError(400, "InvalidRequestException", "startUrl is not this instance's start URL")
    device_code = secrets.token_urlsafe(32)
    user_code = new_user_code()
    with LOCK:
        DEVICES[device_code] = {"client": client["id"], "user_code": user_code, "polls": 0,
                                "expires": now() + DEVICE_CODE_LIFE, "approved": False,
                                "spent": False}
        USER_CODES[user_code] = device_code
    req.log.update(userCode=user_code, deviceCode=masked(device_code))
    return Reply(200, {
        "deviceCode": device_code,
        "userCode": user_code,
        "verificationUri": BASE_URL + "/device",
        "verificationUriComplete": BASE_URL + "/device?" + urlencode({"user_code": user_code}),
        "expiresIn": DEVICE_CODE_LIFE,
        "interval": 1,
    })


def new_session():
    """A sign-in: the tokens issued from it die together at Logout. Caller holds LOCK."""
    session = uuid.uuid4().hex
    SESSIONS[session] = {"started": now(), "ended": False}
    COUNTS["SignIn"] += 1
    return session


def approve(device):
    """Marks a device authorization approved (a sign-in). Caller holds LOCK."""
    if not device["approved"]:
        device["approved"] = True
        device["session"] = new_session()


def issue_tokens(client, session):
    """A CreateToken answer for a sign-in; caller holds LOCK."""
    access = "aoa" + secrets.token_urlsafe(48)
    ACCESS[access] = {"client": client["id"], "session": session,
                      "expires": now() + ARGS.access_ttl, "revoked": False}
    answer = {"accessToken": access, "tokenType": "Bearer", "expiresIn": ARGS.access_ttl}
    if may_refresh(client):
        refresh = "aor" + secrets.token_urlsafe(48)
        REFRESH[refresh] = {"client": client["id"], "session": session, "spent": False,
                            "expires": SESSIONS[session]["started"] + ARGS.refresh_ttl}
        answer["refreshToken"] = refresh
    return answer


def create_token(req):
    body = req.json()
    log_fields(req, body, ("clientId", "clientSecret", "grantType", "deviceCode", "code",
                           "redirectUri", "codeVerifier", "refreshToken", "scope"))
    grant = body.get("grantType")
    count("CreateToken:" + GRANT_NAMES.get(grant, "other"))
    with LOCK:
        client = authenticate(body)
        if grant not in GRANT_NAMES:
            raise ApiError(400, "UnsupportedGrantTypeException", f"unsupported grant {grant!r}")
        if client["grant_types"] and grant not in client["grant_types"]:
            raise ApiError(400, "UnauthorizedClientException",
                             f"the client did not register the grant {grant}")
        if grant == DEVICE_GRANT:
            answer = token_for_device(client, body)
        elif grant == "authorization_code":
            answer = token_for_code(client, body)
        else:
            answer = token_for_refresh(client, body)
    req.log.update(accessToken=masked(answer["accessToken"]),
                   refreshToken=masked(answer.get("refreshToken")))
    return Reply(200, answer)


def token_for_device(client, body):
    code = body.get("deviceCode")
    if not code:
        raise ApiError(400, "InvalidRequestException", "deviceCode is required")
    device = DEVICES.get(code)
    if device is None or device["client"] != client["id"] or device["spent"]:
        raise ApiError(400, "InvalidGrantException", "invalid device code")
    if now() >= device["expires"]:
        raise ApiError(400, "ExpiredTokenException", "the device code has expired")
    device["polls"] += 1
    if ARGS.device_pending is not None and device["polls"] > ARGS.device_pending:
        approve(device)
    if not device["approved"]:
        raise ApiError(400, "AuthorizationPendingException", "the user has not approved yet")
    device["spent"] = True
    return issue_tokens(client, device["session"])


def pkce_challenge(verifier):
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_for_code(client, body):
    code = body.get("code")
    if not code:
        raise ApiError(400, "InvalidRequestException", "code is required")
    grant = CODES.get(code)
    if grant is None or grant["spent"] or grant["client"] != client["id"]:
        raise ApiError(400, "InvalidGrantException", "invalid authorization code")
    if now() >= grant["expires"]:
        raise ApiError(400, "InvalidGrantException", "the authorization code has expired")
    if body.get("redirectUri") != grant["redirect_uri"]:
        raise ApiError(400, "InvalidGrantException", "redirectUri differs from /authorize's")
    verifier = body.get("codeVerifier") or ""
    if not secrets.compare_digest(pkce_challenge(verifier), grant["challenge"]):
        raise ApiError(400, "InvalidGrantException", "codeVerifier does not match the challenge")
    grant["spent"] = True
    return issue_tokens(client, grant["session"])


def token_for_refresh(client, body):
    token = body.get("refreshToken")
    if not token:
        raise ApiError(400, "InvalidRequestException", "refreshToken is required")
    if not may_refresh(client):
        raise ApiError(400, "UnauthorizedClientException", "the client may not refresh")
    held = REFRESH.get(token)
    if (held is None or held["spent"] or held["client"] != client["id"]
            or now() >= held["expires"] or SESSIONS[held["session"]]["ended"]):
        raise ApiError(400, "InvalidGrantException", "invalid refresh token")
    held["spent"] = True  # rotation: the old one never works again
    return issue_tokens(client, held["session"])


# /authorize and /device are pages a browser visits, not API operations: they answer HTML.


def authorize(req):
    q = req.query
    req.log.update({k: q.get(k) for k in ("response_type", "client_id", "redirect_uri", "state",
                                          "code_challenge", "code_challenge_method", "scopes")})
    with LOCK:
        client = CLIENTS.get(q.get("client_id", ""))
        problem = authorize_problem(client, q)
        if problem:
            req.log["refused"] = problem
            return Reply(400, html=f"<h1>Sign-in refused</h1><p>{problem}</p>")
        code = secrets.token_urlsafe(32)
        CODES[code] = {"client": client["id"], "redirect_uri": q["redirect_uri"],
                       "challenge": q["code_challenge"], "expires": now() + AUTH_CODE_LIFE,
                       "spent": False, "session": new_session()}
    params = {"code": code}
    if "state" in q:
        params["state"] = q["state"]
    sep = "&" if "?" in q["redirect_uri"] else "?"
    req.log["code"] = masked(code)
    return Reply(302, headers={"Location": q["redirect_uri"] + sep + urlencode(params)},
                 html="<p>Signed in; redirecting.</p>")


def authorize_problem(client, q):
    """Why /authorize refuses this request, or None."""
    if q.get("response_type") != "code":
        return "response_type must be code"
    if client is None:
        return "unknown client_id"
    if client["grant_types"] and "authorization_code" not in client["grant_types"]:
        return "the client did not register the authorization_code grant"
    redirect = q.get("redirect_uri", "")
    if not is_loopback_http(redirect):
        return "redirect_uri must be http on 127.0.0.1 or localhost"
    if not any(same_redirect(registered, redirect) for registered in client["redirect_uris"]):
        return "redirect_uri was not registered by this client"
    if not q.get("code_challenge"):
        return "code_challenge is required"
    if q.get("code_challenge_method") != "S256":
        return "code_challenge_method must be S256"
    return None


def is_loopback_http(uri):
    parts = urlsplit(uri)
    return parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS


def same_redirect(registered, given):
    """Equal, or equal but for the port on loopback (RFC 8252 7.3)."""
    if registered == given:
        return True
    a, b = urlsplit(registered), urlsplit(given)
    return (is_loopback_http(registered) and is_loopback_http(given)
            and a.hostname == b.hostname and a.path == b.path and a.query == b.query)


def approve_device(req):
    user_code = req.query.get("user_code")
    req.log["userCode"] = user_code
    if not user_code:
        return Reply(400, html="<h1>No user_code</h1><p>Open the complete verification URI.</p>")
    with LOCK:
        device = DEVICES.get(USER_CODES.get(user_code, ""))
        if device is None:
            return Reply(404, html="<h1>Unknown code</h1>")
        if now() >= device["expires"]:
            return Reply(400, html="<h1>This code has expired</h1>")
        approve(device)
    return Reply(200, html="<h1>Request approved</h1><p>You may close this window.</p>")


# ---------------------------------------------------------------------------------------------
# SSO portal
# ---------------------------------------------------------------------------------------------


def bearer(req):
    """The access token's record, or UnauthorizedException. Caller holds LOCK."""
    token = req.headers.get("x-amz-sso_bearer_token") or ""
    req.log["accessToken"] = masked(token)
    held = ACCESS.get(token)
    if (held is None or held["revoked"] or now() >= held["expires"]
            or SESSIONS[held["session"]]["ended"]):
        raise ApiError(401, "UnauthorizedException", "Session token not found or invalid")
    return held


def forbidden():
    return ApiError(403, "ForbiddenException", "No access")


def get_role_credentials(req):
    role, account = req.query.get("role_name"), req.query.get("account_id")
    req.log.update(role_name=role, account_id=account)
    with LOCK:
        held = bearer(req)
    if not role or not account:
        raise ApiError(400, "InvalidRequestException", "role_name and account_id are required")
    if role not in ACCOUNTS.get(account, {}).get("roles", []):
        raise forbidden()
    life = int(min(held["expires"] - now(), MAX_ROLE_CREDENTIALS_LIFE))
    creds = mint(account, role, max(life, 1))
    count("RoleCredentials")
    req.log["accessKeyId"] = creds["accessKeyId"]
    return Reply(200, {"roleCredentials": creds})


def mint(account, role, seconds):
    """Role credentials, at moto when given (so moto accepts them later), else made up."""
    if not ARGS.moto:
        return {
            "accessKeyId": "ASIA" + "".join(secrets.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
                                            for _ in range(16)),
            "secretAccessKey": secrets.token_urlsafe(30)[:40],
            "sessionToken": "IQoJb3JpZ2luX2VjE" + secrets.token_urlsafe(96),
            "expiration": int((now() + seconds) * 1000),
        }
    creds = moto_sts().assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{role}",
        RoleSessionName=USER_NAME,
        # STS's floor is 15 minutes: a short-lived test token still gets credentials.
        DurationSeconds=max(900, seconds),
    )["Credentials"]
    return {
        "accessKeyId": creds["AccessKeyId"],
        "secretAccessKey": creds["SecretAccessKey"],
        "sessionToken": creds["SessionToken"],
        "expiration": int(creds["Expiration"].timestamp() * 1000),
    }


def moto_sts():
    global STS
    with LOCK:
        if STS is None:
            import boto3  # only with --moto: importing it takes a while
            from botocore.config import Config

            # An auth-off moto takes any keys; these name the double in moto's logs.
            STS = boto3.client("sts", endpoint_url=ARGS.moto, region_name="us-east-1",
                               aws_access_key_id="AKIAFAKESSODOUBLE000",
                               aws_secret_access_key="sso-double",
                               config=Config(retries={"max_attempts": 1}))
        return STS


def page(req, items, kind):
    """One page of items from next_token on, and the token of the next page (or None)."""
    raw_max = req.query.get("max_result")
    token = req.query.get("next_token")
    req.log.update(max_result=raw_max, next_token=token)
    try:
        size = ARGS.page_size if raw_max is None else int(raw_max)
        if not 1 <= size <= 100:
            raise ValueError
    except ValueError:
        raise ApiError(400, "InvalidRequestException", "max_result must be 1..100")
    start = 0
    if token:
        try:
            token_kind, offset = base64.urlsafe_b64decode(token.encode()).decode().split(":")
            start = int(offset)
            if token_kind != kind or not 0 < start <= len(items):
                raise ValueError
        except ValueError:
            raise ApiError(400, "InvalidRequestException", "invalid next_token")
    end = start + size
    following = None
    if end < len(items):
        following = base64.urlsafe_b64encode(f"{kind}:{end}".encode()).decode()
    return items[start:end], following


def list_accounts(req):
    with LOCK:
        bearer(req)
    accounts = [{"accountId": account_id, "accountName": a["name"], "emailAddress": a["email"]}
                for account_id, a in ACCOUNTS.items()]
    items, following = page(req, accounts, "accounts")
    answer = {"accountList": items}
    if following:
        answer["nextToken"] = following
    return Reply(200, answer)


def list_account_roles(req):
    account = req.query.get("account_id")
    req.log["account_id"] = account
    with LOCK:
        bearer(req)
    if not account:
        raise ApiError(400, "InvalidRequestException", "account_id is required")
    if account not in ACCOUNTS:
        raise forbidden()
    roles = [{"roleName": role, "accountId": account} for role in ACCOUNTS[account]["roles"]]
    items, following = page(req, roles, f"roles-{account}")
    answer = {"roleList": items}
    if following:
        answer["nextToken"] = following
    return Reply(200, answer)


def logout(req):
    with LOCK:
        held = bearer(req)
        SESSIONS[held["session"]]["ended"] = True
    return Reply(200)


# ---------------------------------------------------------------------------------------------
# Control endpoints (tests only)
# ---------------------------------------------------------------------------------------------


def control(req):
    action = req.path.removeprefix("/_control/")
    req.log["control"] = action
    with LOCK:
        if req.method == "GET" and action == "counts":
            return Reply(200, dict(COUNTS))
        if req.method != "POST":
            return Reply(405, {"message": "control actions are POSTs"})
        if action == "revoke":
            affected = [t.update(revoked=True) for t in ACCESS.values()]
        elif action == "expire-access":
            affected = [t.update(expires=now()) for t in ACCESS.values()]
        elif action == "expire-refresh":
            affected = [t.update(expires=0) for t in REFRESH.values()]
        elif action == "approve-all-devices":
            affected = [approve(d) for d in DEVICES.values() if not d["approved"]]
        else:
            return Reply(404, {"message": f"no control action {action!r}"})
    req.log["affected"] = len(affected)
    return Reply(200, {"ok": True, "affected": len(affected)})


# (method, path) -> (operation, handler, whether its errors are OIDC-shaped)
ROUTES = {
    ("POST", "/client/register"): ("RegisterClient", register_client, True),
    ("POST", "/device_authorization"):
        ("StartDeviceAuthorization", start_device_authorization, True),
    ("POST", "/token"): ("CreateToken", create_token, True),
    ("GET", "/authorize"): ("Authorize", authorize, True),
    ("GET", "/device"): ("ApproveDevice", approve_device, True),
    ("GET", "/federation/credentials"): ("GetRoleCredentials", get_role_credentials, False),
    ("GET", "/assignment/accounts"): ("ListAccounts", list_accounts, False),
    ("GET", "/assignment/roles"): ("ListAccountRoles", list_account_roles, False),
    ("POST", "/logout"): ("Logout", logout, False),
}


def dispatch(req):
    """(operation, Reply) for a request; API errors become AWS-shaped replies."""
    if req.path.startswith("/_control/"):
        return "Control", control(req)
    route = ROUTES.get((req.method, req.path))
    if route is None:
        return "Unknown", Reply(404, {"message": f"no operation at {req.method} {req.path}"},
                                {"x-amzn-ErrorType": "UnknownOperationException"})
    operation, handler, oidc = route
    req.log["operation"] = operation
    count(operation)
    try:
        return operation, handler(req)
    except ApiError as e:
        count(f"{operation}!{e.name}")
        req.log["error"] = e.name
        if oidc:
            body = {"error": OAUTH_CODES.get(e.name, "invalid_request"),
                    "error_description": e.message}
        else:
            body = {"message": e.message}
        return operation, Reply(e.status, body, {"x-amzn-ErrorType": e.name})


class Handler(BaseHTTPRequestHandler):
    # Keep-alive, as AWS does; the SDKs pool connections. Every reply has a Content-Length.
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # the test reads FILE, not stderr
        pass

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def handle_any(self, method):
        req = Request(self, method)
        try:
            operation, reply = dispatch(req)
        except Exception as e:  # a bug here or moto down: say so instead of hanging up
            operation = req.log.get("operation", "Error")
            reply = Reply(500, {"message": f"{type(e).__name__}: {e}"},
                          {"x-amzn-ErrorType": "InternalServerException"})
            req.log["exception"] = f"{type(e).__name__}: {e}"
        req.log.update(operation=operation, status=reply.status)
        record(req.log)
        self.send(reply)

    def send(self, reply):
        if reply.html is not None:
            page_text = f"<!doctype html><html><body>{reply.html}</body></html>"
            data, kind = page_text.encode(), "text/html"
        elif reply.body is not None:
            data, kind = json.dumps(reply.body).encode(), "application/json"
        else:
            data, kind = b"", "application/json"
        self.send_response(reply.status)
        for k, v in reply.headers.items():
            self.send_header(k, v)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        self.end_headers()
        self.wfile.write(data)


# ---------------------------------------------------------------------------------------------
# Start-up
# ---------------------------------------------------------------------------------------------


def parse_account(spec):
    """ID:NAME:ROLE[,ROLE...] -> (id, {"name", "email", "roles"})."""
    try:
        account_id, name, roles = spec.split(":")
    except ValueError:
        raise argparse.ArgumentTypeError(f"{spec!r} is not ID:NAME:ROLE[,ROLE...]")
    if not (account_id.isdigit() and len(account_id) == 12):
        raise argparse.ArgumentTypeError(f"{account_id!r} is not a 12-digit account id")
    role_list = [r for r in roles.split(",") if r]
    if not name or not role_list:
        raise argparse.ArgumentTypeError(f"{spec!r} needs a name and at least one role")
    email = name.lower().replace(" ", "-") + "@example.com"
    return account_id, {"name": name, "email": email, "roles": role_list}


def main():
    global ARGS, BASE_URL
    parser = argparse.ArgumentParser(description="IAM Identity Center double for tests")
    parser.add_argument("--log", required=True, help="append one JSON line per request here")
    parser.add_argument("--moto", help="mint role credentials by AssumeRole at this auth-off moto")
    parser.add_argument("--account", action="append", type=parse_account, default=[],
                        help="ID:NAME:ROLE[,ROLE...] assigned to the user (repeatable)")
    parser.add_argument("--access-ttl", type=int, default=3600)
    parser.add_argument("--refresh-ttl", type=int, default=8 * 3600)
    parser.add_argument("--device-pending", type=int,
                        help="approve a device by itself after this many pending polls")
    parser.add_argument("--start-url", help="the only start URL accepted (default: any)")
    parser.add_argument("--page-size", type=int, default=2,
                        help="list page size when the caller gives no max_result")
    ARGS = parser.parse_args()
    for account_id, account in ARGS.account or map(parse_account, DEFAULT_ACCOUNTS):
        ACCOUNTS[account_id] = account
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    BASE_URL = f"http://127.0.0.1:{server.server_address[1]}"
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Seed a moto server with the IAM identities Rolebar's tests use, and check them.

Run with the harness venv's python (it has boto3):

    moto_setup.py seed  URL FIXTURE.json   # before auth enforcement is switched on
    moto_setup.py check URL FIXTURE.json   # after it: proves the fixture really works

`seed` creates two IAM users (with access keys and a virtual MFA device each) and
three roles, then writes FIXTURE.json (shape described in tests/support/README.md).
`check` replays what the Rust tests rely on, so that a change in moto's behaviour
fails here, with a clear message, rather than deep inside a Rust test.

Why the policies look the way they do (moto 5.2.x, read in moto/iam/access_control.py):
- With enforcement on, every call except sts:GetCallerIdentity must be allowed by
  an identity policy of the caller: users get sts:* and iam:*.
- Assumed-role credentials are authorised by the role's own policies, so role
  chaining (role credentials -> AssumeRole) needs sts:* on the role too.
- AssumeRole also checks the target role's trust policy, but moto compares the
  principal ARN by exact string (or "*"): "arn:aws:iam::ACCOUNT:root" does NOT
  match a user, and an assumed-role principal carries the caller's session name.
  So trusted roles use Principal {"AWS": "*"}; the one untrusted role names a
  principal that never calls, to give tests a real trust-policy AccessDenied.
- moto never checks SerialNumber/TokenCode: any MFA code is accepted.
"""

import json
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

REGION = "us-east-1"
USERS = ("oppara", "second")
ROLES = ("developer", "readonly", "admin")
# Users only `rolebar rotate` tests use (rotating deletes their key, so no other test may share
# it): by name, how many access keys each gets. "twokeys" is at IAM's limit of two; the CLI's
# service test rotates "rotator", the window's end-to-end test "window-rotator".
ROTATION_USERS = {"rotator": 1, "twokeys": 2, "window-rotator": 1}
DENIED_ROLE = "untrusted"

ALLOW_STS_IAM = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["sts:*", "iam:*"], "Resource": "*"}],
    }
)
ALLOW_STS = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:*", "Resource": "*"}],
    }
)


def trust_policy(principal):
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
            ],
        }
    )


def client(service, url, akid="testing", secret="testing", token=None):
    # Explicit endpoint, region and keys: nothing is read from the developer's ~/.aws.
    # No retries: a failure should surface at once, not after backoff.
    return boto3.client(
        service,
        endpoint_url=url,
        region_name=REGION,
        aws_access_key_id=akid,
        aws_secret_access_key=secret,
        aws_session_token=token,
        config=Config(retries={"max_attempts": 1}),
    )


def seed(url, fixture_path):
    iam = client("iam", url)
    account = client("sts", url).get_caller_identity()["Account"]

    users = {}
    for name in USERS:
        user = iam.create_user(UserName=name)["User"]
        iam.put_user_policy(UserName=name, PolicyName="sts-and-iam", PolicyDocument=ALLOW_STS_IAM)
        key = iam.create_access_key(UserName=name)["AccessKey"]
        # A real virtual MFA device, so the serial is one IAM knows about (moto does
        # not check it on AssumeRole, but tests can list it).
        mfa = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]
        iam.enable_mfa_device(
            UserName=name,
            SerialNumber=mfa["SerialNumber"],
            AuthenticationCode1="123456",
            AuthenticationCode2="654321",
        )
        users[name] = {
            "access_key_id": key["AccessKeyId"],
            "secret_access_key": key["SecretAccessKey"],
            "arn": user["Arn"],
            "mfa_serial": mfa["SerialNumber"],
        }

    rotation_users = {}
    for name, count in ROTATION_USERS.items():
        user = iam.create_user(UserName=name)["User"]
        iam.put_user_policy(UserName=name, PolicyName="sts-and-iam", PolicyDocument=ALLOW_STS_IAM)
        keys = [iam.create_access_key(UserName=name)["AccessKey"] for _ in range(count)]
        rotation_users[name] = {
            "access_key_id": keys[0]["AccessKeyId"],
            "secret_access_key": keys[0]["SecretAccessKey"],
            "arn": user["Arn"],
            # The ids of the user's other keys (their secrets are not needed).
            "other_key_ids": [k["AccessKeyId"] for k in keys[1:]],
        }

    roles = {}
    for name in ROLES:
        role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust_policy("*"))["Role"]
        iam.put_role_policy(RoleName=name, PolicyName="sts", PolicyDocument=ALLOW_STS)
        roles[name] = role["Arn"]

    nobody = f"arn:aws:iam::{account}:user/nobody"
    denied = iam.create_role(RoleName=DENIED_ROLE, AssumeRolePolicyDocument=trust_policy(nobody))
    iam.put_role_policy(RoleName=DENIED_ROLE, PolicyName="sts", PolicyDocument=ALLOW_STS)

    fixture = {
        "account_id": account,
        "region": REGION,
        "users": users,
        "rotation_users": rotation_users,
        "roles": roles,
        "denied_role": denied["Role"]["Arn"],
    }
    with open(fixture_path, "w") as f:
        json.dump(fixture, f, indent=2)


def expect_status(what, status, call):
    """Run `call`, which must fail with HTTP `status`."""
    try:
        call()
    except ClientError as e:
        got = e.response["ResponseMetadata"]["HTTPStatusCode"]
        if got != status:
            raise SystemExit(f"moto check: {what}: expected HTTP {status}, got {got}: {e}")
        return
    raise SystemExit(f"moto check: {what}: expected HTTP {status}, but the call succeeded")


def check(url, fixture_path):
    with open(fixture_path) as f:
        fx = json.load(f)
    user = fx["users"]["oppara"]

    def sts_as(creds):
        return client("sts", url, *creds)

    def assume(sts, role, serial=None, session="rolebar-check"):
        kwargs = {"RoleArn": role, "RoleSessionName": session}
        if serial:
            kwargs.update(SerialNumber=serial, TokenCode="123456")
        c = sts.assume_role(**kwargs)["Credentials"]
        return c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]

    def whoami(creds):
        return sts_as(creds).get_caller_identity()["Arn"]

    user_keys = (user["access_key_id"], user["secret_access_key"])

    # Enforcement is on: an unknown key and a wrong secret are refused.
    expect_status("unknown key", 403, lambda: sts_as(("AKIAUNKNOWN0000000", "x")).get_caller_identity())
    expect_status(
        "wrong secret",
        403,
        lambda: sts_as((user["access_key_id"], "wrong")).assume_role(
            RoleArn=fx["roles"]["developer"], RoleSessionName="rolebar-check"
        ),
    )

    # User keys -> AssumeRole with MFA -> GetCallerIdentity names the role.
    dev = assume(sts_as(user_keys), fx["roles"]["developer"], user["mfa_serial"])
    arn = whoami(dev)
    if ":assumed-role/developer/rolebar-check" not in arn:
        raise SystemExit(f"moto check: GetCallerIdentity after AssumeRole gave {arn}")

    # Role chaining: developer's credentials -> AssumeRole(readonly).
    ro = assume(sts_as(dev), fx["roles"]["readonly"], session="chained")
    arn = whoami(ro)
    if ":assumed-role/readonly/chained" not in arn:
        raise SystemExit(f"moto check: GetCallerIdentity after chaining gave {arn}")

    # A wrong session token with role keys is refused.
    expect_status("wrong session token", 403, lambda: sts_as((dev[0], dev[1], "bogus")).get_caller_identity())

    # Rotation: a user's own keys can list its keys (IAM finds the user from the signing key).
    rot = fx["rotation_users"]["rotator"]
    listed = client("iam", url, rot["access_key_id"], rot["secret_access_key"]).list_access_keys()
    if [k["AccessKeyId"] for k in listed["AccessKeyMetadata"]] != [rot["access_key_id"]]:
        raise SystemExit(f"moto check: ListAccessKeys as rotator gave {listed['AccessKeyMetadata']}")

    # The untrusted role's trust policy refuses the user.
    expect_status("untrusted role", 403, lambda: assume(sts_as(user_keys), fx["denied_role"]))


def main(argv):
    if len(argv) != 4 or argv[1] not in ("seed", "check"):
        raise SystemExit(__doc__)
    {"seed": seed, "check": check}[argv[1]](argv[2], argv[3])


if __name__ == "__main__":
    main(sys.argv)

#!/usr/bin/env bash
# Build the Rolebar tray app (and the `rolebar` command line) and start it.
#
#   bash scripts/run.sh            the real thing: your ~/.aws profiles, your OS keyring
#   bash scripts/run.sh --demo     a sandbox: a temporary HOME with the seed's profiles, a local
#                                  moto_server as STS, the demo's keys in the sandbox's
#                                  credentials file and sessions in memory (the OS keyring is
#                                  never touched) — click through the whole flow without an AWS
#                                  account (any 6-digit MFA code works against moto)
#
# Installs what the build needs when missing (as root: apt packages; npm packages for ui/).
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
log() { printf '[run.sh] %s\n' "$*" >&2; }
die() { printf '[run.sh] error: %s\n' "$*" >&2; exit 1; }
# shellcheck source=scripts/lib/common.sh
source "$REPO_ROOT/scripts/lib/common.sh"

BUILD_PACKAGES=(build-essential pkg-config libwebkit2gtk-4.1-dev libayatana-appindicator3-dev
  libayatana-appindicator3-1 python3-venv curl)
missing=()
for pkg in "${BUILD_PACKAGES[@]}"; do
  [[ "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null)" == installed ]] || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [[ $(id -u) != 0 ]]; then
    log "missing packages; run: sudo apt-get install ${missing[*]}"
    exit 1
  fi
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

build_ui_if_stale
cargo build --release --locked --features rolebar-app/custom-protocol -p rolebar-tray --bin rolebar-tray -p rolebar-app --bin rolebar-window -p rolebar-cli --bin rolebar
BIN="${CARGO_TARGET_DIR:-$REPO_ROOT/target}/release"

if [[ ${1:-} != --demo ]]; then
  exec "$BIN/rolebar-tray"
fi

# ---- demo sandbox ----
CACHE=${ROLEBAR_CACHE_DIR:-$HOME/.cache/rolebar-test}
VENV=$CACHE/demo-venv
if [[ ! -x $VENV/bin/moto_server ]]; then
  log "installing moto into $VENV (about a minute, once)"
  /usr/bin/python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check 'moto[server]==5.2.5'
fi
SANDBOX=$(mktemp -d "${TMPDIR:-/tmp}/rolebar-demo.XXXXXX")
MOTO_PID=
cleanup() {
  [[ -n $MOTO_PID ]] && kill "$MOTO_PID" 2>/dev/null || true
  rm -rf "$SANDBOX"
}
trap cleanup EXIT
PORT=$(free_ports "$VENV/bin/python" 1)
"$VENV/bin/moto_server" -H 127.0.0.1 -p "$PORT" >"$SANDBOX/moto.log" 2>&1 &
MOTO_PID=$!
await_ready "moto (the demo's STS)" "$MOTO_PID" 60 "$SANDBOX/moto.log" curl -sf -o /dev/null "http://127.0.0.1:$PORT/moto-api/"
"$VENV/bin/python" tests/support/moto_setup.py seed "http://127.0.0.1:$PORT" "$SANDBOX/fixture.json" >/dev/null

export AWS_CONFIG_FILE=$SANDBOX/config AWS_SHARED_CREDENTIALS_FILE=$SANDBOX/credentials
# The sandbox never touches the OS keyring (it may be locked, or missing): sessions are kept in
# the tray's memory, and the demo's fake keys sit in the sandbox's credentials file, which
# Rolebar reads as the AWS CLI does.
export ROLEBAR_STATE_DIR=$SANDBOX/state ROLEBAR_KEYRING=memory
export AWS_ENDPOINT_URL_STS=http://127.0.0.1:$PORT
read -r ROLE_DEV ROLE_RO ROLE_ADMIN AKID SECRET < <("$VENV/bin/python" -c '
import json, sys
f = json.load(open(sys.argv[1])); u = f["users"]["oppara"]; r = f["roles"]
print(r["developer"], r["readonly"], r["admin"], u["access_key_id"], u["secret_access_key"])' "$SANDBOX/fixture.json")
cat >"$AWS_CONFIG_FILE" <<CONFIG
# Rolebar demo: the seed's set-up, against a local moto STS.
[default]
output=json
region=us-east-1

[profile oppara-dev]
source_profile=default
mfa_serial=arn:aws:iam::111111111111:mfa/oppara
role_arn=$ROLE_DEV

# One MFA code for several roles: base holds the keys and the same device.
[profile base]
mfa_serial=arn:aws:iam::111111111111:mfa/alice

[profile dev]
source_profile=base
mfa_serial=arn:aws:iam::111111111111:mfa/alice
role_arn=$ROLE_DEV

[profile admin]
source_profile=base
mfa_serial=arn:aws:iam::111111111111:mfa/alice
role_arn=$ROLE_ADMIN

[profile dev-readonly]
source_profile=dev
role_arn=$ROLE_RO
CONFIG
(
  umask 077
  printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n\n[base]\naws_access_key_id = %s\naws_secret_access_key = %s\n' \
    "$AKID" "$SECRET" "$AKID" "$SECRET" >"$AWS_SHARED_CREDENTIALS_FILE"
)
log "demo sandbox in $SANDBOX; STS is moto on port $PORT; any 6-digit code is accepted; the OS keyring is not used"
log "in a terminal: AWS_CONFIG_FILE=$AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE=$AWS_SHARED_CREDENTIALS_FILE ROLEBAR_KEYRING=memory ROLEBAR_STATE_DIR=$ROLEBAR_STATE_DIR AWS_ENDPOINT_URL_STS=$AWS_ENDPOINT_URL_STS $BIN/rolebar exec oppara-dev -- aws sts get-caller-identity --endpoint-url $AWS_ENDPOINT_URL_STS"
ROLEBAR_OPEN_MAIN=1 "$BIN/rolebar-tray"

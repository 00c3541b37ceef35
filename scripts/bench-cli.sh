#!/usr/bin/env bash
# Whole-process timings of `rolebar credential-process` and `rolebar export` on a cached session,
# beside `aws configure export-credentials` of the AWS CLI v2 on the same machine.
# Run inside the test environment (keyring + moto):
#   bash scripts/test.sh --shell -- bash scripts/bench-cli.sh
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
cargo build --release --locked -p rolebar-cli >&2
ROLEBAR="${CARGO_TARGET_DIR:-$REPO_ROOT/target}/release/rolebar"
RUNS=${RUNS:-30}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export AWS_CONFIG_FILE=$WORK/config AWS_SHARED_CREDENTIALS_FILE=$WORK/credentials ROLEBAR_STATE_DIR=$WORK/state
export ROLEBAR_KEYRING_SERVICE=rolebar-bench-$$ AWS_ENDPOINT_URL_STS=$ROLEBAR_TEST_MOTO_URL
role=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["roles"]["developer"])' "$ROLEBAR_TEST_MOTO_FIXTURE")
read -r id secret < <(python3 -c 'import json,sys; u=json.load(open(sys.argv[1]))["users"]["oppara"]; print(u["access_key_id"], u["secret_access_key"])' "$ROLEBAR_TEST_MOTO_FIXTURE")
printf '[default]\nregion=us-east-1\n[profile oppara-dev]\nsource_profile=default\nmfa_serial=arn:aws:iam::111111111111:mfa/oppara\nrole_arn=%s\n' "$role" >"$AWS_CONFIG_FILE"
printf '%s\n%s\n' "$id" "$secret" | "$ROLEBAR" add default 2>/dev/null
echo 123456 | "$ROLEBAR" write oppara-dev --to bench-target 2>/dev/null

# `median NAME CMD…`: run CMD $RUNS times, print the median wall time in ms.
median() {
  local name=$1 i s e
  shift
  local times=()
  for ((i = 0; i < RUNS; i++)); do
    s=$(date +%s%N)
    "$@" >/dev/null 2>&1
    e=$(date +%s%N)
    times+=($(((e - s) / 1000)))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v n="$name" '{a[NR]=$1} END {printf "%-55s median %8.2f ms  (min %.2f, max %.2f, %d runs)\n", n, a[int((NR+1)/2)]/1000, a[1]/1000, a[NR]/1000, NR}'
}
median "rolebar credential-process oppara-dev" "$ROLEBAR" credential-process oppara-dev
median "rolebar export oppara-dev --format env" "$ROLEBAR" export oppara-dev --format env
median "aws configure export-credentials --profile bench-target" /usr/bin/aws configure export-credentials --profile bench-target --format env
"$ROLEBAR" clear >/dev/null 2>&1 || true
"$ROLEBAR" remove default >/dev/null 2>&1 || true

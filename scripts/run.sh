#!/usr/bin/env bash
# Build Rolebar and start it. Arguments go to the `rolebar` command line
# (default: `list`), e.g. `bash scripts/run.sh exec oppara-dev -- aws sts get-caller-identity`.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
cargo build --release --locked -p rolebar-cli
BIN="${CARGO_TARGET_DIR:-$REPO_ROOT/target}/release/rolebar"
(($# == 0)) && set -- list
exec "$BIN" "$@"

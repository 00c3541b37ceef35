#!/usr/bin/env bash
# Performance figures of the release rolebar-tray under Xvfb: start-up to tray registered
# (median of 5), RSS of the app + WebKit processes (window open / idle in the tray), CPU over
# 60 s idle. Not part of the test run. Inside the harness:
#
#   bash scripts/test.sh --shell -- bash tests/e2e/bench.sh [--starts N] [--cpu-seconds S]
#
# Builds `cargo build --release --features custom-protocol` (ROLEBAR_E2E_NO_BUILD=1 skips;
# ROLEBAR_E2E_APP / ROLEBAR_E2E_CLI pick other binaries). Figures go to stdout and
# $ROLEBAR_TEST_ARTIFACTS/bench.json.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
E2E="$REPO_ROOT/tests/e2e"
cd "$REPO_ROOT"
# shellcheck source=tests/e2e/services.sh
source "$E2E/services.sh"

build_binaries release
start_display
start_notifications
start_watcher
"$PY" "$E2E/bench.py" "$@"

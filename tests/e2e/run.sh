#!/usr/bin/env bash
# Rolebar's end-to-end suite: the real rolebar-tray under Xvfb, its tray driven over D-Bus and
# its windows over WebDriver. Run it inside the test harness:
#
#   bash scripts/test.sh --shell -- bash tests/e2e/run.sh [PYTEST ARGS...]
#   e.g. ... run.sh -k mfa -x
#
# It builds the binaries (debug; ROLEBAR_E2E_NO_BUILD=1 skips that), starts Xvfb, a
# notification daemon (python-dbusmock), our StatusNotifierWatcher and tauri-driver, runs
# pytest on tests/e2e, and stops everything it started, whatever happens.
#
# Environment read:
#   ROLEBAR_TEST_*            from scripts/test.sh (moto, fixture, AWS CLI, keyring); required
#   ROLEBAR_TEST_ARTIFACTS    screenshots, app logs, service logs, junit.xml
#                             (default target/e2e-artifacts)
#   ROLEBAR_E2E_PYTHON        python with dbus-fast and pytest (default: the harness venv's)
#   ROLEBAR_E2E_NO_BUILD      1 = use the binaries as they are
#   ROLEBAR_E2E_PROFILE       debug (default) or release: which build to test
#   ROLEBAR_E2E_APP / _CLI    explicit binaries (override the two above)
#   ROLEBAR_E2E_DISPLAY       use this X display instead of starting Xvfb
#   CARGO_TARGET_DIR          honoured
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
E2E="$REPO_ROOT/tests/e2e"
cd "$REPO_ROOT"
# shellcheck source=tests/e2e/services.sh
source "$E2E/services.sh"

t0=$SECONDS
build_binaries "${ROLEBAR_E2E_PROFILE:-debug}"
t1=$SECONDS
start_display
start_notifications
start_watcher
start_tauri_driver
log "services up in $((SECONDS - t1))s"

rc=0
"$PY" -m pytest "$E2E" -v -rfEsxXP -p no:cacheprovider --junitxml="$ART/junit.xml" \
  -o console_output_style=classic "$@" || rc=$?
log "artifacts (screenshots, app stderr logs, service logs, junit.xml): $ART"
log "suite took $((SECONDS - t1))s (+$((t1 - t0))s build), exit $rc"
exit "$rc"

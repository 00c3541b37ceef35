# shellcheck shell=bash
# Sourced by run.sh and bench.sh: checks, and the background services a headless tray app needs.
# Every service runs in its own process group (setsid) and is stopped by that id in `cleanup`.
# Expects REPO_ROOT and E2E to be set, and `set -euo pipefail`.

log() { printf '[e2e] %s\n' "$*" >&2; }
die() { printf '[e2e] error: %s\n' "$*" >&2; exit 1; }
# shellcheck source=scripts/lib/common.sh
source "$REPO_ROOT/scripts/lib/common.sh"

[[ -n ${ROLEBAR_TEST_MOTO_URL:-} && -n ${DBUS_SESSION_BUS_ADDRESS:-} ]] ||
  die "not inside the test harness: run  bash scripts/test.sh --shell -- bash ${0#"$REPO_ROOT"/}"

export PYTHONDONTWRITEBYTECODE=1 # no __pycache__ in the source tree
PY=${ROLEBAR_E2E_PYTHON:-${ROLEBAR_CACHE_DIR:-$HOME/.cache/rolebar-test}/venv/bin/python}
[[ -x $PY ]] || die "no python at $PY (set ROLEBAR_E2E_PYTHON)"
"$PY" -c 'import dbus_fast, pytest' 2>/dev/null ||
  die "$PY lacks dbus-fast or pytest: $PY -m pip install 'dbus-fast==2.46.4' 'pytest==8.4.2'"
for tool in Xvfb xclip import convert notify-send /usr/bin/WebKitWebDriver secret-tool dbus-send curl; do
  command -v "$tool" >/dev/null ||
    die "$tool is missing (apt: xvfb xclip imagemagick libnotify-bin webkit2gtk-driver libsecret-tools dbus curl)"
done

ART=${ROLEBAR_TEST_ARTIFACTS:-target/e2e-artifacts}
[[ $ART == /* ]] || ART=$REPO_ROOT/$ART
mkdir -p "$ART"
export ROLEBAR_TEST_ARTIFACTS=$ART
RUN_DIR=$(mktemp -d "${ROLEBAR_TEST_TMP:-${TMPDIR:-/tmp}}/e2e-run.XXXXXX")

PGIDS=()
cleanup() {
  local rc=$? pg i
  for ((i = ${#PGIDS[@]} - 1; i >= 0; i--)); do
    kill -TERM -- "-${PGIDS[i]}" 2>/dev/null || true
  done
  for pg in "${PGIDS[@]}"; do
    for _ in $(seq 50); do kill -0 -- "-$pg" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pg" 2>/dev/null || true
  done
  rm -rf "$RUN_DIR"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# `start NAME CMD...`: CMD in its own process group, output to $ART/NAME.log; pid in LAST_PID.
start() {
  local name=$1
  shift
  setsid "$@" >"$ART/$name.log" 2>&1 &
  LAST_PID=$!
  PGIDS+=("$LAST_PID")
}

name_owned() {
  dbus-send --session --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.NameHasOwner \
    "string:$1" 2>/dev/null | grep -q 'boolean true'
}

# `build_binaries debug|release`: rolebar-tray, rolebar-window and rolebar (ROLEBAR_E2E_NO_BUILD=1
# skips), then export ROLEBAR_E2E_APP / ROLEBAR_E2E_WINDOW / ROLEBAR_E2E_CLI.
build_binaries() {
  local profile=$1
  # custom-protocol in both profiles: the configuration `tauri build` ships (assets served from
  # the binary), which is what tests/package/check-deb.sh leaves in target/debug.
  local flags=(--features rolebar-app/custom-protocol)
  [[ $profile == release ]] && flags+=(--release)
  [[ -f $REPO_ROOT/Cargo.lock ]] && flags+=(--locked)
  if [[ ${ROLEBAR_E2E_NO_BUILD:-} != 1 ]]; then
    build_ui_if_stale
    log "building rolebar-tray, rolebar-window and rolebar ($profile)"
    (cd "$REPO_ROOT" && cargo build "${flags[@]}" -p rolebar-tray --bin rolebar-tray -p rolebar-app --bin rolebar-window \
      -p rolebar-cli --bin rolebar) ||
      die "cargo build failed"
  fi
  local target=${CARGO_TARGET_DIR:-$REPO_ROOT/target}
  export ROLEBAR_E2E_PROFILE=$profile
  export ROLEBAR_E2E_APP=${ROLEBAR_E2E_APP:-$target/$profile/rolebar-tray}
  export ROLEBAR_E2E_WINDOW=${ROLEBAR_E2E_WINDOW:-$target/$profile/rolebar-window}
  export ROLEBAR_E2E_CLI=${ROLEBAR_E2E_CLI:-$target/$profile/rolebar}
  [[ -x $ROLEBAR_E2E_APP ]] || die "no app binary at $ROLEBAR_E2E_APP"
  [[ -x $ROLEBAR_E2E_WINDOW ]] || die "no window binary at $ROLEBAR_E2E_WINDOW"
  [[ -x $ROLEBAR_E2E_CLI ]] || die "no CLI binary at $ROLEBAR_E2E_CLI"
}

start_display() {
  if [[ -n ${ROLEBAR_E2E_DISPLAY:-} ]]; then
    export DISPLAY=$ROLEBAR_E2E_DISPLAY
  else
    # -displayfd: Xvfb picks a free display and writes its number once it accepts clients.
    # shellcheck disable=SC2016 # $1 is expanded by the inner bash
    start xvfb bash -c 'exec Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$1"' _ "$RUN_DIR/display"
    await_ready Xvfb "$LAST_PID" 20 "$ART/xvfb.log" test -s "$RUN_DIR/display"
    DISPLAY=:$(tr -d '[:space:]' <"$RUN_DIR/display")
    export DISPLAY
  fi
  unset WAYLAND_DISPLAY
  export GDK_BACKEND=x11
  log "X display $DISPLAY"
}

# Debian's python-dbusmock (on /usr/bin/python3), unless a server already owns the name.
start_notifications() {
  if name_owned org.freedesktop.Notifications; then
    log "org.freedesktop.Notifications already owned: using it (not the mock: the notification test skips)"
    return 0
  fi
  # The template's default capabilities lack "actions": without it an app may drop its buttons.
  start notifications /usr/bin/python3 -m dbusmock --session -t notification_daemon \
    -p '{"capabilities": "actions body body-markup icon-static persistence"}'
  await_ready "the notification mock" "$LAST_PID" 20 "$ART/notifications.log" name_owned org.freedesktop.Notifications
}

start_watcher() {
  name_owned org.kde.StatusNotifierWatcher && die "org.kde.StatusNotifierWatcher is already owned on this bus"
  export ROLEBAR_E2E_WATCHER_EVENTS=$ART/watcher-events.jsonl
  : >"$ROLEBAR_E2E_WATCHER_EVENTS"
  start sni-watcher "$PY" "$E2E/sni_watcher.py" --events "$ROLEBAR_E2E_WATCHER_EVENTS" \
    --ready-file "$RUN_DIR/watcher.ready"
  await_ready "the SNI watcher" "$LAST_PID" 20 "$ART/sni-watcher.log" test -f "$RUN_DIR/watcher.ready"
}

start_tauri_driver() {
  local driver port native_port
  driver=$(command -v tauri-driver || true)
  [[ -n $driver ]] || driver=${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver
  [[ -x $driver ]] || die "tauri-driver is missing: cargo install tauri-driver --locked --version 2.1.0"
  read -r port native_port <<<"$(free_ports "$PY" 2)"
  start tauri-driver "$driver" --port "$port" --native-port "$native_port" --native-driver /usr/bin/WebKitWebDriver
  export ROLEBAR_E2E_WEBDRIVER_URL=http://127.0.0.1:$port
  await_ready tauri-driver "$LAST_PID" 20 "$ART/tauri-driver.log" curl -sf "$ROLEBAR_E2E_WEBDRIVER_URL/status"
}

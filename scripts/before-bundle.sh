#!/usr/bin/env bash
# Run by the Tauri CLI before `tauri build` (tauri.conf.json `beforeBuildCommand`): builds the
# web UI, and the `rolebar` command line that the .deb installs as /usr/bin/rolebar
# (tauri.conf.json `bundle.linux.deb.files` takes it from target/bundle-extra/, a fixed path
# whatever CARGO_TARGET_DIR is). Follows the build's profile: `tauri build --debug` sets
# TAURI_ENV_DEBUG=true.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# ROLEBAR_UI_BUILT=1: the caller (tests/package/check-deb.sh under scripts/test.sh) has just
# installed and built ui/.
if [[ ${ROLEBAR_UI_BUILT:-0} != 1 ]]; then
  (cd ui && npm ci --no-audit --no-fund && npm run build)
fi

profile=release flags=(--release)
if [[ ${TAURI_ENV_DEBUG:-false} == true ]]; then profile=debug flags=(); fi
[[ -f Cargo.lock ]] && flags+=(--locked)
cargo build "${flags[@]}" -p rolebar-cli --bin rolebar

target_dir=${CARGO_TARGET_DIR:-target}
mkdir -p target/bundle-extra
install -m 0755 "$target_dir/$profile/rolebar" target/bundle-extra/rolebar

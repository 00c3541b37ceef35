#!/usr/bin/env bash
# Run by the Tauri CLI before `tauri build` on Linux (`beforeBuildCommand` in
# tauri.linux.conf.json): builds the web UI, the `rolebar` command line and the tray process
# `rolebar-tray` (the program the desktop entry starts; it starts `rolebar-window`, the bundle's
# main binary, while a window is open), which the .deb installs in /usr/bin (`bundle.linux.deb.files` there takes it from
# target/bundle-extra/, a fixed path whatever CARGO_TARGET_DIR is). Follows the build: its
# profile (`tauri build --debug` sets TAURI_ENV_DEBUG=true) and its target
# (`--target` sets TAURI_ENV_TARGET_TRIPLE).
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
target_dir=${CARGO_TARGET_DIR:-target}
out=$target_dir/$profile
# A cross build puts its output under the triple; a host build is left where every other
# build of this tree goes, so nothing is compiled twice.
host=$(rustc -vV | sed -n 's/^host: //p')
triple=${TAURI_ENV_TARGET_TRIPLE:-$host}
if [[ $triple != "$host" ]]; then
  flags+=(--target "$triple")
  out=$target_dir/$triple/$profile
fi
cargo build "${flags[@]}" -p rolebar-cli --bin rolebar -p rolebar-tray --bin rolebar-tray

mkdir -p target/bundle-extra
exe=""
[[ $triple == *windows* ]] && exe=.exe
install -m 0755 "$out/rolebar$exe" "target/bundle-extra/rolebar$exe"
install -m 0755 "$out/rolebar-tray$exe" "target/bundle-extra/rolebar-tray$exe"
# macOS copies them into Contents/MacOS/ (`bundle.macOS.files`, tauri.macos.conf.json); Windows
# bundles them as `externalBin` (tauri.windows.conf.json), which Tauri looks up with the target
# triple in the name and installs beside the main program without it. Either way the tray finds
# `rolebar-window` next to itself, and a `rolebar-window` opened by Finder or the Start menu
# starts the `rolebar-tray` beside it.
if [[ $triple == *windows* ]]; then
  install -m 0755 "$out/rolebar$exe" "target/bundle-extra/rolebar-$triple$exe"
  install -m 0755 "$out/rolebar-tray$exe" "target/bundle-extra/rolebar-tray-$triple$exe"
fi

#!/usr/bin/env bash
# The .deb as a user gets it: built by the Tauri bundler exactly as the README says (debug
# profile here, so it shares the test run's build; the README's command builds release), then
# checked the way apt and a desktop would see it:
#
#   - the package is `rolebar` and apt can resolve its dependencies (`apt-get install -s`);
#   - it recommends a Secret Service provider and a font with Japanese glyphs (the app speaks
#     Japanese; without such a font every character is a missing-glyph box), each alternative
#     a real Debian package;
#   - it holds the tray app, the `rolebar` CLI on PATH (/usr/bin), a valid .desktop entry whose
#     Exec and Icon exist in the package (the desktop's application menu), and the icons;
#   - the CLI from the package runs;
#   - with ROLEBAR_TEST_DEB_INSTALL=1 (CI, as root): really installed with apt, `rolebar` then
#     found on PATH and the .desktop file registered, then removed again. Skipped, saying so,
#     on a machine where a `rolebar` package is already installed (never replaced or removed).
#
#   bash tests/package/check-deb.sh     (scripts/test.sh runs it; needs dpkg, apt, npm, cargo,
#                                        desktop-file-validate)
#
# Leaves the binaries in $CARGO_TARGET_DIR/debug, so the e2e suite can test what the package ships.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO_ROOT"
log() { printf '[package] %s\n' "$*" >&2; }
die() { printf '[package] error: %s\n' "$*" >&2; exit 1; }

target=${CARGO_TARGET_DIR:-target}
[[ $target == /* ]] || target=$REPO_ROOT/$target
out=$target/debug/bundle/deb
rm -f "$out"/*.deb

# ROLEBAR_UI_BUILT: scripts/test.sh has just installed and built ui/ (before-bundle.sh skips it).
ROLEBAR_UI_BUILT=${ROLEBAR_UI_BUILT:-0} npm run tauri --prefix ui --silent -- build --debug --bundles deb --ci ||
  die "tauri build --bundles deb failed"
# Nothing changed, so a second build compiles nothing: cargo must not see the app as dirty
# (tauri-build once watched a path that never exists, and every build recompiled the app).
second=$(ROLEBAR_UI_BUILT=1 npm run tauri --prefix ui --silent -- build --debug --no-bundle --ci 2>&1) ||
  die "the second tauri build failed: $second"
grep -q 'Finished' <<<"$second" || die "the second build printed no cargo summary: $second"
if grep -q 'Compiling rolebar' <<<"$second"; then
  die "a second build with nothing changed compiled again: $(grep 'Compiling' <<<"$second")"
fi
log "a second build compiled nothing"
debs=("$out"/*.deb)
if ((${#debs[@]} != 1)) || [[ ! -f ${debs[0]} ]]; then die "expected one .deb in $out, found: ${debs[*]}"; fi
deb=${debs[0]}
log "built $(basename "$deb") ($(du -m "$deb" | cut -f1) MiB, debug)"

[[ $(dpkg-deb -f "$deb" Package) == rolebar ]] || die "package name is not rolebar"
apt-get install --simulate --no-install-recommends "$deb" >/dev/null ||
  die "apt cannot resolve the dependencies: $(dpkg-deb -f "$deb" Depends)"

# Recommends: "a | b | c, d | e": each group must offer one of the packages we rely on, and
# every alternative must be a package apt knows (a typo would silently recommend nothing).
recommends=$(dpkg-deb -f "$deb" Recommends)
check_recommends() {
  local what=$1 group
  shift
  group=$(tr ',' '\n' <<<"$recommends" | grep -E "(^|[ |])($(IFS='|'; echo "$*"))( |$)" | head -n1) ||
    die "Recommends ($recommends) offers no $what (one of: $*)"
  local alternative
  for alternative in $(tr -d ' ' <<<"$group" | tr '|' ' '); do
    apt-cache show --no-all-versions "$alternative" >/dev/null 2>&1 ||
      die "Recommends names '$alternative' ($what), which apt does not know"
  done
}
check_recommends "Secret Service provider" gnome-keyring keepassxc kwalletmanager
check_recommends "font with Japanese glyphs" fonts-noto-cjk fonts-ipafont-gothic fonts-vlgothic

listing=$(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's#^\./##')
for path in usr/bin/rolebar-tray usr/bin/rolebar-window usr/bin/rolebar usr/share/applications/Rolebar.desktop; do
  grep -qx "$path" <<<"$listing" || die "$path is not in the package"
done

unpacked=$(mktemp -d "${TMPDIR:-/tmp}/rolebar-deb.XXXXXX")
trap 'rm -rf "$unpacked"' EXIT
dpkg-deb -x "$deb" "$unpacked"
desktop=$unpacked/usr/share/applications/Rolebar.desktop
desktop-file-validate "$desktop" || die "Rolebar.desktop does not validate"
exec_bin=$(sed -n 's/^Exec=\([^ ]*\).*/\1/p' "$desktop")
[[ -x $unpacked/usr/bin/$exec_bin ]] || die "the .desktop entry runs '$exec_bin', which the package does not put in /usr/bin"
[[ $exec_bin == rolebar-tray ]] || die "the .desktop entry runs '$exec_bin', not the tray (rolebar-tray)"
# The tray runs all day: no web engine in it (the windows are rolebar-window's).
engine=$(ldd "$unpacked/usr/bin/rolebar-tray" | grep -Ei 'webkit|javascriptcore|soup' || true)
[[ -z $engine ]] || die "rolebar-tray links a web engine:"$'\n'"$engine"
icon=$(sed -n 's/^Icon=//p' "$desktop")
compgen -G "$unpacked/usr/share/icons/hicolor/*/apps/$icon.png" >/dev/null || die "no icon '$icon' in the package"
version=$("$unpacked/usr/bin/rolebar" --version) || die "the packaged rolebar CLI does not run"
[[ $version == "rolebar $(dpkg-deb -f "$deb" Version)" ]] || die "CLI version '$version' differs from the package's"

if [[ ${ROLEBAR_TEST_DEB_INSTALL:-} == 1 ]] &&
  [[ "$(dpkg-query -W -f='${db:Status-Status}' rolebar 2>/dev/null)" == installed ]]; then
  # Never replace (and then remove) a Rolebar the machine's user installed.
  log "rolebar is installed on this machine: the apt install check is skipped"
elif [[ ${ROLEBAR_TEST_DEB_INSTALL:-} == 1 ]]; then
  ((EUID == 0)) || die "ROLEBAR_TEST_DEB_INSTALL=1 needs root"
  # Removed again whatever happens: the machine keeps no trace of the test install.
  trap 'rm -rf "$unpacked"; apt-get remove -y -qq rolebar >/dev/null 2>&1 || true' EXIT
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$deb" >/dev/null ||
    die "apt-get install failed"
  [[ $(env -i PATH=/usr/local/bin:/usr/bin:/bin sh -c 'command -v rolebar') == /usr/bin/rolebar ]] ||
    die "after install, rolebar is not on PATH at /usr/bin/rolebar"
  /usr/bin/rolebar --version >/dev/null || die "the installed rolebar does not run"
  dpkg -L rolebar | grep -qx /usr/share/applications/Rolebar.desktop || die "no desktop entry installed"
  log "installed with apt, rolebar on PATH, desktop entry registered; removing"
fi
log "ok: rolebar, rolebar-tray (no web engine) and rolebar-window in /usr/bin, desktop entry and icons, dependencies resolvable, recommends a keyring and a Japanese font"

#!/usr/bin/env bash
# Regenerates every icon in this folder from shapes (no fonts, no source artwork), with
# ImageMagick 6 (`apt-get install imagemagick`). The PNGs are committed; run this only to change them.
#
#   app icon   icon.png (512), 128x128@2x.png, 128x128.png, 32x32.png, icon.ico: a key on navy
#   tray       tray-idle.png      grey key outline          no session
#              tray-active.png    green filled key          at least one session
#              tray-expiring.png  amber filled key + dot    a session ends within 10 minutes
# The tray states differ in shape as well as colour, so they stay distinct for colour-blind
# users and on monochrome panels.
set -euo pipefail
cd "$(dirname "$0")"

# A key on a 256-pixel canvas: a ring at the left, the shaft to the right, two teeth down.
KEY=(-draw "circle 78,128 78,60" -draw "roundrectangle 120,110 232,146 8,8"
  -draw "rectangle 184,140 204,186" -draw "rectangle 214,140 232,174")
# What is cut out of the filled key: the ring's hole.
HOLE=(-draw "circle 78,128 78,102")
# What is cut out for the outline: the inside of every part, leaving a 14-pixel rim.
INSIDE=(-draw "circle 78,128 78,74" -draw "rectangle 120,124 218,132"
  -draw "rectangle 198,132 190,172")

# cutout COLOUR OUT SIZE CUT... -- EXTRA...: the key in COLOUR minus the CUT shapes, plus EXTRA.
cutout() {
  local colour=$1 out=$2 size=$3 cut=() extra=()
  shift 3
  while (($#)) && [[ $1 != -- ]]; do cut+=("$1"); shift; done
  (($#)) && shift
  extra=("$@")
  convert -size 256x256 xc:none -fill "$colour" -stroke none "${KEY[@]}" \
    \( -size 256x256 xc:none -fill black "${cut[@]}" \) -compose DstOut -composite \
    -compose Over "${extra[@]}" -resize "${size}x${size}" -strip "PNG32:$out"
}

# App icon: the orange key on a navy rounded square.
tmp=$(mktemp --suffix=.png)
cutout '#FF9900' "$tmp" 256 "${HOLE[@]}"
convert -size 256x256 xc:none -fill '#232F3E' -draw 'roundrectangle 8,8 248,248 48,48' \
  "$tmp" -gravity center -geometry 208x208+0+0 -composite -resize 512x512 -strip PNG32:icon.png
rm -f "$tmp"
for s in 32 128; do convert icon.png -resize "${s}x${s}" -strip "PNG32:${s}x${s}.png"; done
convert icon.png -resize 256x256 -strip "PNG32:128x128@2x.png"
convert icon.png -define icon:auto-resize=256,128,64,48,32,16 icon.ico

cutout '#9AA0A6' tray-idle.png 32 "${INSIDE[@]}"
cutout '#2EA043' tray-active.png 32 "${HOLE[@]}"
cutout '#F0A500' tray-expiring.png 32 "${HOLE[@]}" -- -fill '#F0A500' -draw "circle 214,50 214,14"

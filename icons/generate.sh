#!/usr/bin/env bash
# Draws every icon of the tray app from scratch (ImageMagick + png2icns from
# Debian's icnsutils). The PNGs/ICO/ICNS are committed; run this only to
# change the artwork: `icons/generate.sh`.
#
# - icon.png, 32x32.png, 128x128.png, 128x128@2x.png, icon.ico, icon.icns:
#   the app icon for every bundle format (deb/rpm/AppImage, Windows, macOS).
# - tray/{connected,expired,syncing}.png: the tray icon in its three states.
set -euo pipefail
cd "$(dirname "$0")"
command -v convert >/dev/null && command -v png2icns >/dev/null || {
  echo "needs ImageMagick and icnsutils: apt-get install imagemagick icnsutils" >&2; exit 1; }

# The glyph: three load bars and a rising fitness curve, on a 1024 canvas.
glyph() { # $1 = curve colour, $2 = bar colour
  cat <<MVG
fill $2 stroke none
roundrectangle 250,640 340,800 18,18
roundrectangle 470,560 560,800 18,18
roundrectangle 690,460 780,800 18,18
fill none stroke $1 stroke-width 70 stroke-linecap round stroke-linejoin round
path 'M 200,700 C 380,690 450,430 600,380 S 780,260 830,230'
MVG
}

# App icon: a rounded navy tile.
convert -size 1024x1024 xc:none \
  -fill '#14304d' -draw 'roundrectangle 40,40 984,984 200,200' \
  -draw "$(glyph '#ffffff' '#58a6ff')" icon.png
for s in 32 128; do convert icon.png -resize ${s}x${s} ${s}x${s}.png; done
convert icon.png -resize 256x256 128x128@2x.png
convert icon.png -define icon:auto-resize=256,128,64,48,32,16 icon.ico
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
for s in 16 32 128 256 512; do convert icon.png -resize ${s}x${s} "$tmp/$s.png"; done
png2icns icon.icns "$tmp"/16.png "$tmp"/32.png "$tmp"/128.png "$tmp"/256.png "$tmp"/512.png >/dev/null

# Tray states: a coloured disc (the state) with a white mark.
tray() { # $1 = name, $2 = disc colour, $3 = mark (MVG)
  convert -size 1024x1024 xc:none -fill "$2" -draw 'circle 512,512 512,24' \
    -draw "$3" -resize 64x64 "tray/$1.png"
}
tray connected '#2da44e' "$(glyph '#ffffff' '#ffffff')"
tray expired '#cf222e' "fill white stroke none roundrectangle 452,200 572,640 50,50 circle 512,790 512,860"
tray syncing '#0969da' "fill none stroke white stroke-width 90 stroke-linecap round
  path 'M 300,420 A 230,230 0 0 1 700,380'
  path 'M 724,604 A 230,230 0 0 1 324,644'
  fill white stroke none
  polygon 780,250 800,470 590,420
  polygon 244,774 224,554 434,604"

#!/usr/bin/env bash
# Renders the PNG sizes of the application icon from its SVG (resources/icons/hicolor/scalable/apps/), into the
# hicolor layout that `cmake --install` copies to share/icons/. Run after editing the SVG and commit the PNGs;
# needs rsvg-convert (apt-get install librsvg2-bin), which the build does not.
set -euo pipefail
cd "$(dirname "$0")/../resources/icons/hicolor"
id=org.dpnstudio.DpnStudio
for n in 16 24 32 48 64 128 256 512; do
  mkdir -p "${n}x${n}/apps"
  rsvg-convert -w "$n" -h "$n" "scalable/apps/$id.svg" -o "${n}x${n}/apps/$id.png"
done
ls -l */apps/$id.png

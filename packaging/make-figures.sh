#!/usr/bin/env bash
# The README's figure gallery, made by `dpn figure` from the bundled demo model with no display: every kind, at
# single-column size (3.3 in) and a modest DPI so that the committed PNGs stay small. The accuracy and expert figures
# come from a short benchmark of the bundled dataset stored in a scratch database.
#   bash packaging/make-figures.sh [OUT_DIR (default resources/figures)] [LIMIT (samples per method, default 48)]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-resources/figures}
limit=${2:-48}
dpn=./build/app/dpn
[ -x "$dpn" ] || bash packaging/build.sh
mkdir -p "$out"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

image=resources/samples/shapes.png
question="What color is the large circle on the left?"
live=(--model demo-dpn --image "$image" --question "$question")
size=(--width 3.3in --dpi 110)
methods=none,dpn,static:0=2x2,fastv:k=2,r=0.5

"$dpn" figure tokenmap "${live[@]}" --attention --layer 2 "${size[@]}" --out "$out/tokenmap.png"
"$dpn" figure pyramid "${live[@]}" "${size[@]}" --out "$out/pyramid.png"
"$dpn" figure router "${live[@]}" "${size[@]}" --out "$out/router.png"
"$dpn" figure compare "${live[@]}" --methods "$methods" --attention --layer 3 --width 7in --dpi 80 \
  --out "$out/compare.png"
"$dpn" figure depth "${live[@]}" --methods "$methods" "${size[@]}" --out "$out/depth.png"

"$dpn" bench --model demo-dpn --dataset datasets/dpnbench/test --methods "$methods" --limit "$limit" \
  --db "$scratch/bench.db" > /dev/null
"$dpn" figure accflops --db "$scratch/bench.db" "${size[@]}" --out "$out/accflops.png"
"$dpn" figure experts --db "$scratch/bench.db" "${size[@]}" --out "$out/experts.png"
ls -l "$out"

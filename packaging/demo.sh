#!/usr/bin/env bash
# Builds the command line `dpn` first (only it and its libraries) and asks the bundled default model about the bundled
# sample image; then builds the desktop application. The tests are built by packaging/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/build.sh dpn
model=tiny-random method=none
if [ -d resources/models/demo-dpn ]; then model=demo-dpn method=dpn; fi
echo "Asking $model ($method) about resources/samples/shapes.png; add --json for the per-layer trace:"
./build/app/dpn ask --model "$model" --method "$method" --image resources/samples/shapes.png \
  --question "What is the background color?" --max-new-tokens 16 --verbose
echo "Building the desktop application (build/app/gui/dpn-studio)..."
cmake --build build -j "$(nproc)" --target dpn-studio
echo "Done: build/app/gui/dpn-studio opens on $model; bash packaging/test.sh builds and runs every test."

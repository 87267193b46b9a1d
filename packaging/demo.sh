#!/usr/bin/env bash
# Builds DPN Studio and asks the bundled default model about the bundled sample image.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/build.sh
model=tiny-random method=none
if [ -d resources/models/demo-dpn ]; then model=demo-dpn method=dpn; fi
echo "Asking $model ($method) about resources/samples/shapes.png; add --json for the per-layer trace:"
./build/app/dpn ask --model "$model" --method "$method" --image resources/samples/shapes.png \
  --question "What is the background color?" --max-new-tokens 16 --verbose

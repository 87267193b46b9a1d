#!/usr/bin/env bash
# Builds DPN Studio and asks the bundled default model about the bundled sample image.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/build.sh
./build/app/dpn ask --model tiny-random --image resources/samples/shapes.png \
  --question "What is the background color?" --max-new-tokens 16 --json

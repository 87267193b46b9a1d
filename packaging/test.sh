#!/usr/bin/env bash
# Builds DPN Studio and runs every test (unit, golden, kernels; GUI tests under a virtual X server).
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/build.sh
ctest --test-dir build --output-on-failure -j "$(nproc)"

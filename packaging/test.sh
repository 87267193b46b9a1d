#!/usr/bin/env bash
# Builds DPN Studio and runs every test (unit, golden, kernels; GUI tests under a virtual X server), then the package
# test (the .deb built, linted, installed and run from /usr/bin; packaging/package-test.sh) and the GPU acceptance
# script up to its first CUDA call (packaging/gpu-check.sh --dry-run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/build.sh
ctest --test-dir build --output-on-failure -j "$(nproc)"
bash packaging/package-test.sh
bash packaging/gpu-check.sh --dry-run

#!/usr/bin/env bash
# Builds DPN Studio and runs every test (unit, golden, kernels; GUI tests under a virtual X server), then the package
# test (the .deb built, linted, installed and run from /usr/bin; packaging/package-test.sh), the GPU acceptance
# script up to its first CUDA call (packaging/gpu-check.sh --dry-run), and a short libFuzzer run of each reader of
# untrusted files (tests/fuzz/run.sh: DPN_FUZZ_SECONDS per target, default 60, about 7 minutes for the 7 targets plus
# the clang build; 0 skips it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/build.sh
ctest --test-dir build --output-on-failure -j "$(nproc)"
bash packaging/package-test.sh
bash packaging/gpu-check.sh --dry-run
fuzz_seconds=${DPN_FUZZ_SECONDS:-60}
if [ "$fuzz_seconds" -gt 0 ]; then bash tests/fuzz/run.sh "$fuzz_seconds"; fi

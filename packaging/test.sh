#!/usr/bin/env bash
# Builds DPN Studio and runs every test (unit, golden, kernels; GUI tests under a virtual X server), then a short
# libFuzzer run of each reader of untrusted files (tests/fuzz/run.sh; DPN_FUZZ_SECONDS per target, default 60,
# 0 skips it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/build.sh
ctest --test-dir build --output-on-failure -j "$(nproc)"
fuzz_seconds=${DPN_FUZZ_SECONDS:-60}
if [ "$fuzz_seconds" -gt 0 ]; then bash tests/fuzz/run.sh "$fuzz_seconds"; fi

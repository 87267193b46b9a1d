#!/usr/bin/env bash
# Installs the Debian dependencies (packaging/install-deps.sh), then configures and builds DPN Studio in ./build.
# CUDA kernels are compiled too when nvcc is found (no GPU is needed to build them).
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/install-deps.sh
preset=dev
if command -v nvcc >/dev/null 2>&1 || [ -x /usr/local/cuda/bin/nvcc ]; then preset=ci; fi
cmake --preset "$preset" -B build
cmake --build build -j "$(nproc)"

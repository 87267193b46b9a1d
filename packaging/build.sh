#!/usr/bin/env bash
# Installs the Debian dependencies (packaging/install-deps.sh), configures DPN Studio in ./build and builds the given
# targets, by default all of them (the CLI, the application, the tests). CUDA kernels are compiled too when nvcc is
# found (no GPU is needed to build them).
# Usage: packaging/build.sh [TARGET...]        e.g. packaging/build.sh dpn
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/install-deps.sh
preset=dev
if command -v nvcc >/dev/null 2>&1 || [ -x /usr/local/cuda/bin/nvcc ]; then preset=ci; fi
cmake --preset "$preset" -B build
if [ $# -gt 0 ]; then
  cmake --build build -j "$(nproc)" --target "$@"
else
  cmake --build build -j "$(nproc)"
fi

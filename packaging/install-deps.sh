#!/usr/bin/env bash
# Installs every build and test dependency of DPN Studio from Debian 12 packages.
# Usage: packaging/install-deps.sh   (uses sudo when not run as root)
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  # LibTorch 1.13 (CPU). libopenblas0-openmp: without it LibTorch runs on the reference BLAS (15x slower).
  libtorch-dev libopenblas0-openmp
  # Qt 6: Widgets, Charts, OpenGLWidgets, Svg, Test
  qt6-base-dev qt6-base-dev-tools qt6-charts-dev qt6-svg-dev libqt6opengl6-dev libgl-dev
  # Dear ImGui (profiler dock), OpenCV, SQLite, SentencePiece, nlohmann-json
  libimgui-dev libopencv-dev libsqlite3-dev libsentencepiece-dev nlohmann-json3-dev
  # Official benchmark scoring: Python's Unicode str semantics (ICU); MMBench .xlsx submissions (libxlsxwriter)
  libicu-dev libxlsxwriter-dev
  # Tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # GUI tests under a virtual X server (Mesa llvmpipe gives QOpenGLWidget a context)
  xvfb xauth libgl1-mesa-dri fonts-dejavu-core
)
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}"

#!/usr/bin/env bash
# GPU acceptance of DPN Studio, for a machine with one CUDA GPU (under ten minutes with 16 cores):
#   1. preflight   tools, the GPU (nvidia-smi) and its compute capability
#   2. libtorch    a CUDA LibTorch: --torch-dir, else the torch of --python (or python3), else pip install torch
#                  into build-gpu/venv (needs the network)
#   3. configure   build-gpu: Release, -DDPN_CUDA=ON for the GPU's architecture, no GUI
#   4. build       dpn, the golden and kernel tests, device_bench
#   5. tests       ctest -L 'golden|cuda': the golden fixtures on CPU and, through tests/core/device_golden_test.cpp,
#                  on CUDA in f32 (tokens and router probabilities) and bf16 (prefill logits within bf16 rounding
#                  of the fp32 reference); the kernels' device tests. A skipped CUDA test is a failure here.
#   6. timing      tests/benchmarks/device_bench: the demo model and a LLaVA-7B-shaped random model (--layers decoder
#                  layers), f32 and bf16, none and dpn, CPU against CUDA in one run
#   7. summary     one table: steps, tests, timings
#
# --dry-run does everything up to the first CUDA call and installs nothing: steps 1-3 as above, except that without
# a CUDA LibTorch at hand it configures against Debian's (CPU) LibTorch and never runs pip; step 4 only with --build
# (CI compiles the same sources in ./build); step 5 lists the tests the GPU run would run from ./build and checks that
# the CUDA cases exist; step 6 runs device_bench from ./build on the CPU only, at the demo's size (the same code path
# that writes and times the 7B-shaped model). packaging/test.sh runs it.
#
# Usage: packaging/gpu-check.sh [--dry-run] [--build] [--python PY | --torch-dir DIR] [--build-dir DIR]
#                               [--arch SM[;SM]] [--layers N] [--jobs N]
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD

dry=0 build_in_dry=0 python="" torch_dir="" bdir="" arch="" layers=4 jobs=$(nproc)
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) dry=1 ;;
    --build) build_in_dry=1 ;;
    --python) python=$2; shift ;;
    --torch-dir) torch_dir=$2; shift ;;
    --build-dir) bdir=$2; shift ;;
    --arch) arch=$2; shift ;;
    --layers) layers=$2; shift ;;
    --jobs) jobs=$2; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "gpu-check: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[ -n "$bdir" ] || { [ $dry = 1 ] && bdir=build/gpu-check-dry || bdir=build-gpu; }
mkdir -p "$bdir"
log=$bdir/gpu-check.log
: > "$log"
started=$(date +%s)

# --- bookkeeping: every step's status and time for the summary ---------------------------------------------------
steps=() results=() seconds=() failed=0
note() { printf '%s\n' "$*" | tee -a "$log"; }
record() {  # record NAME STATUS START
  steps+=("$1") results+=("$2") seconds+=($(( $(date +%s) - $3 )))
  case "$2" in FAILED*) failed=1 ;; esac
}
run_step() {  # run_step NAME CMD...: runs CMD with its output in the log, records ok/FAILED
  local name=$1 t0
  shift
  t0=$(date +%s)
  note "== $name: $*"
  if "$@" >> "$log" 2>&1; then record "$name" ok "$t0"; else record "$name" "FAILED (see $log)" "$t0"; return 1; fi
}

# --- 1. preflight -------------------------------------------------------------------------------------------------
t0=$(date +%s)
nvcc=$(command -v nvcc || true)
[ -n "$nvcc" ] || { [ -x /usr/local/cuda/bin/nvcc ] && nvcc=/usr/local/cuda/bin/nvcc; } || true
missing=()
for tool in cmake ninja c++ pkg-config; do command -v $tool >/dev/null || missing+=("$tool"); done
gpu="none"
if [ $dry = 0 ]; then
  if command -v nvidia-smi >/dev/null && gpu=$(nvidia-smi --query-gpu=name,compute_cap,memory.total,driver_version \
        --format=csv,noheader 2>>"$log" | head -1) && [ -n "$gpu" ]; then
    [ -n "$arch" ] || arch=$(echo "$gpu" | cut -d, -f2 | tr -d ' .')
  else
    missing+=("a GPU (nvidia-smi)")
  fi
  [ -n "$nvcc" ] || missing+=("nvcc (CUDA toolkit)")
else
  gpu="not queried (dry run)"
fi
[ -n "$arch" ] || arch="80;90"
note "cores: $jobs; nvcc: ${nvcc:-missing}; GPU: $gpu; CUDA architectures: $arch"
if [ ${#missing[@]} -gt 0 ]; then
  record preflight "FAILED: missing ${missing[*]}" "$t0"
else
  record preflight ok "$t0"
fi

# --- 2. a CUDA LibTorch -------------------------------------------------------------------------------------------
t0=$(date +%s)
torch_args=() torch_desc=""
torch_cuda() {  # torch_cuda PY: prints "version cuda" of PY's torch (no CUDA call: torch.version only)
  "$1" -c 'import torch, sys; sys.stdout.write(f"{torch.__version__} {torch.version.cuda or \"\"}")' 2>>"$log"
}
if [ -n "$torch_dir" ]; then
  torch_args=(-DTorch_DIR="$torch_dir") torch_desc="LibTorch at $torch_dir"
else
  py=${python:-python3}
  if [ -z "$python" ] && ! { command -v python3 >/dev/null && [ -n "$(torch_cuda python3 | cut -sd' ' -f2)" ]; } \
     && [ -x "$bdir/venv/bin/python" ]; then
    py=$bdir/venv/bin/python  # installed by an earlier run
  fi
  info=$(command -v "$py" >/dev/null && torch_cuda "$py" || true)
  if [ -z "$(echo "$info" | cut -sd' ' -f2)" ] && [ $dry = 0 ] && [ -z "$python" ]; then
    note "no CUDA torch in $py: pip install torch into $bdir/venv"
    python3 -m venv "$bdir/venv" >> "$log" 2>&1 && "$bdir/venv/bin/pip" install -q torch >> "$log" 2>&1 || true
    py=$bdir/venv/bin/python
    info=$(torch_cuda "$py" || true)
  fi
  if [ -n "$(echo "$info" | cut -sd' ' -f2)" ]; then
    torch_args=(-DDPN_USE_PYTHON_TORCH=ON -DDPN_PYTHON3="$(command -v "$py")")
    torch_desc="torch ${info% *} (CUDA ${info#* }) from $py"
  elif [ $dry = 1 ]; then
    torch_desc="Debian's LibTorch (CPU; dry run: no CUDA torch found, none installed)"
  fi
fi
if [ -n "$torch_desc" ]; then
  note "LibTorch: $torch_desc"
  record libtorch ok "$t0"
else
  record libtorch "FAILED: no CUDA LibTorch (pass --torch-dir or --python, or allow pip install torch)" "$t0"
fi

# --- 3. configure -------------------------------------------------------------------------------------------------
cuda_args=(-DDPN_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES="$arch" -DCMAKE_CUDA_COMPILER="$nvcc")
[ -n "$nvcc" ] || cuda_args=(-DDPN_CUDA=OFF)  # dry run without nvcc: the rest of the configuration is still checked
if [ $failed = 0 ]; then
  run_step configure cmake -S "$src" -B "$bdir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DDPN_BUILD_GUI=OFF \
    -DDPN_BUILD_TESTS=ON -DDPN_BUILD_BENCHMARKS=ON "${cuda_args[@]}" "${torch_args[@]}" || true
fi

# --- 4. build -----------------------------------------------------------------------------------------------------
targets=(dpn dpn_core_tests dpn_kernels_tests device_bench)
[ -z "$nvcc" ] || targets+=(dpn_kernels_cuda_tests)
tree=$bdir  # the tree whose tests and benchmark run
if [ $dry = 1 ] && [ $build_in_dry = 0 ]; then
  tree=build
  record build "skipped (dry run: ./build has the same sources compiled; --build compiles $bdir)" "$(date +%s)"
elif [ $failed = 0 ]; then
  run_step build cmake --build "$bdir" -j "$jobs" --target "${targets[@]}" || true
fi

# --- 5. tests -----------------------------------------------------------------------------------------------------
tests_line="not run"
if [ $failed = 0 ] && [ $dry = 0 ]; then
  t0=$(date +%s)
  out=$bdir/ctest.log
  ctest --test-dir "$tree" -L 'golden|cuda' -j 4 --output-on-failure > "$out" 2>&1 && rc=0 || rc=$?
  cat "$out" >> "$log"
  tests_line=$(grep -E 'tests passed' "$out" | tail -1 || true)
  skipped=$(grep -E '\*\*\*Skipped|Not Run' "$out" | grep -Ei 'cuda' || true)
  if [ $rc -ne 0 ]; then
    record tests "FAILED: $tests_line" "$t0"
  elif [ -n "$skipped" ]; then
    record tests "FAILED: CUDA tests skipped on a GPU machine: $(echo "$skipped" | wc -l)" "$t0"
  else
    record tests "ok: $tests_line" "$t0"
  fi
elif [ $dry = 1 ]; then
  t0=$(date +%s)
  listing=$(ctest --test-dir "$tree" -N -L 'golden|cuda' 2>>"$log" || true)
  total=$(echo "$listing" | sed -n 's/^Total Tests: //p')
  device_cuda=$(echo "$listing" | grep -c 'DeviceGolden.*cuda_' || true)
  kernels_cuda=$(ctest --test-dir "$tree" -N -L cuda 2>>"$log" | sed -n 's/^Total Tests: //p')
  tests_line="${total:-0} tests (golden|cuda), of which ${device_cuda} CUDA golden cases and ${kernels_cuda:-0} kernel device tests"
  if [ "${total:-0}" -gt 0 ] && [ "$device_cuda" -gt 0 ] && { [ -z "$nvcc" ] || [ "${kernels_cuda:-0}" -gt 0 ]; }; then
    record tests "listed (dry run): $tests_line" "$t0"
  else
    record tests "FAILED: the GPU run would miss tests: $tests_line" "$t0"
  fi
fi

# --- 6. timing ----------------------------------------------------------------------------------------------------
bench=$tree/tests/benchmarks/device_bench
timing=""
if [ $failed = 0 ]; then
  if [ $dry = 1 ]; then
    export DPN_DEVICE_BENCH_DEVICES=cpu DPN_DEVICE_BENCH_SHAPE=tiny DPN_DEVICE_BENCH_LAYERS=2 DPN_DEVICE_BENCH_TOKENS=4
  else
    export DPN_DEVICE_BENCH_DEVICES=cpu,cuda DPN_DEVICE_BENCH_SHAPE=7b DPN_DEVICE_BENCH_LAYERS=$layers
  fi
  export DPN_DEVICE_BENCH_DIR=$bdir/models
  mkdir -p "$DPN_DEVICE_BENCH_DIR"
  if run_step timing "$bench"; then
    timing=$(sed -n '/^case (answer/,$p' "$log")
    if [ $dry = 0 ] && echo "$timing" | grep -q 'error:'; then
      results[${#results[@]}-1]="FAILED: a timed case failed (see the table)"
      failed=1
    fi
  fi
fi

# --- 7. summary ---------------------------------------------------------------------------------------------------
echo
echo "=== DPN Studio GPU check$([ $dry = 1 ] && echo ' (DRY RUN: no CUDA call made)') — $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "GPU: $gpu; CUDA architectures: $arch; LibTorch: ${torch_desc:-none}; cores: $jobs"
for i in "${!steps[@]}"; do printf '  %-10s %5ss  %s\n' "${steps[$i]}" "${seconds[$i]}" "${results[$i]}"; done
echo "Tests: $tests_line"
[ -z "$timing" ] || { echo "Timing ($([ $dry = 1 ] && echo 'CPU only, demo-sized model: dry run' || echo "CPU against CUDA, $layers-layer 7B-shaped model")):"; echo "$timing"; }
echo "Total: $(( $(date +%s) - started )) s; log: $log"
exit $failed

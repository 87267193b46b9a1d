#!/usr/bin/env bash
# Builds the libFuzzer harnesses (preset `fuzz`: clang, ASan, UBSan, in build-fuzz/) and runs each for SECONDS
# (default 60) from its committed seed corpus. New inputs go to build-fuzz/corpus/<name> (not committed); a crash is
# written to build-fuzz/findings/<name>/ and fails the run: add it to corpus/<name>/ with its fix, so that ctest
# (fuzz_replay.<name>) keeps it closed.
# Usage: tests/fuzz/run.sh [SECONDS] [TARGET...]     e.g. tests/fuzz/run.sh 600 image
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(safetensors safetensors_index config torch_zip torch_pickle eval_jsonl image)

cmake --preset fuzz >/dev/null
cmake --build build-fuzz -j "$(nproc)" --target $(printf 'fuzz_%s ' "${targets[@]}")

status=0
for t in "${targets[@]}"; do
  work=build-fuzz/corpus/$t findings=build-fuzz/findings/$t
  mkdir -p "$work" "$findings"
  log=build-fuzz/fuzz_$t.log
  # -rss_limit_mb: an input that makes a reader allocate past 2 GB is a finding (the issue's memory class);
  # -timeout: one input taking 10 s is a finding (the hang class).
  if ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
     build-fuzz/tests/fuzz/fuzz_"$t" "$work" tests/fuzz/corpus/"$t" -max_total_time="$seconds" \
       -rss_limit_mb=2048 -timeout=10 -max_len=65536 -print_final_stats=1 -artifact_prefix="$findings/" >"$log" 2>&1; then
    echo "fuzz_$t: $(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}') executions in ${seconds}s, no finding"
  else
    status=1
    echo "fuzz_$t: FINDING (see $log and $findings/)"
    grep -E 'ERROR|FUZZ FINDING|SUMMARY' "$log" | head -5
  fi
done
exit $status

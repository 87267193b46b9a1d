// The benchmark runner behind `dpn bench`: loads the model once, answers every selected sample with every method,
// scores it and commits it to the run store as soon as it is done, so a re-run resumes where the last one stopped.
//
// Usage:
//   BenchSpec spec;  spec.model = "tiny-random";  spec.dataset.path = "datasets/dpnbench/test";
//   spec.methods = parse_method_list("none,fastv:k=2,r=0.5");  spec.subset.limit = 50;
//   std::atomic<bool> cancel{false};                          // raise it to stop (see BenchSpec::cancel_grace_ms)
//   BenchSummary s = run_benchmark(spec, [](const BenchProgress& p) { ... }, cancel);
//   std::cout << format_table(s);
#pragma once
#include <atomic>
#include <functional>

#include "bench/bench_spec.h"
#include "bench/progress.h"
#include "bench/summary.h"

namespace dpn {
class Model;
}

namespace dpn::bench {

using ProgressFn = std::function<void(const BenchProgress&)>;

// Validates everything before the first sample (methods, dataset, subset/shard, database, model, methods against
// the model) and throws dpn::Error naming the culprit. Then, method by method, skips the samples the store already
// has for that run and stores each new one (result + layer traces + router decisions) in one transaction.
// `cancel` is checked between samples and while generating: a sample still generating `cancel_grace_ms` after
// cancel was raised is abandoned and not stored. The summary covers everything stored for the selected runs.
// Run status: "running" while going, "complete" when all its samples are stored, "partial" when cancelled,
// "failed" when an error stopped it (the error is rethrown).
BenchSummary run_benchmark(const BenchSpec& spec, const ProgressFn& progress, const std::atomic<bool>& cancel);

// The same with a model the caller has already loaded (the GUI's worker), so no second copy is mapped: `model` must
// be what spec.model, vision_tower, dtype and device describe (they name the runs in the store).
BenchSummary run_benchmark(const BenchSpec& spec, Model& model, const ProgressFn& progress,
                           const std::atomic<bool>& cancel);

// The summary of what the store holds for `spec` without answering anything (no model is loaded): the same table a
// run prints. Methods without a run in the store are listed with n = 0.
BenchSummary stored_summary(const BenchSpec& spec);

}  // namespace dpn::bench

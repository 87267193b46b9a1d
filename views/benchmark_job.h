// What the Benchmark view asks for and what comes back. The job runs core's benchmark runner (the one behind
// `dpn bench`, so the GUI and the CLI store identical runs) on the worker thread with the model the worker already
// holds: no second copy of the weights, the dataset read once (by the runner).
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "bench/summary.h"
#include "dpn.h"

namespace dpn::views {

struct BenchmarkRequest {
  std::string dataset_kind = "dpnbench";
  std::string questions, images, annotations;  // dpnbench: the folder of `questions`; other readers: as DatasetSpec
  int64_t limit = 24;
  uint64_t seed = 0;
  std::string family;                          // "" = all
  std::vector<std::string> methods;            // AskOptions::method strings
  std::string db_path;                         // run store file
  int max_new_tokens = 16;
};

struct BenchmarkProgress {
  int64_t done = 0, total = 0;  // samples over all methods (stored earlier included: runs resume)
  double eta_s = -1;            // < 0: unknown yet
  std::string method;
  std::string last_sample;
};

struct BenchmarkOutcome {
  BenchmarkRequest request;
  bench::BenchSummary summary;  // per method: accuracy, FLOPs, expert frequencies, every stored sample
};

// Runs `request` on `model`, loaded with `loaded` (which names the runs in the store). Throws dpn::Error.
BenchmarkOutcome run_benchmark_job(Model& model, const ModelOptions& loaded, const BenchmarkRequest& request,
                                   const std::function<void(const BenchmarkProgress&)>& progress,
                                   const std::atomic<bool>& cancel);

// The bundled benchmark's paths under the resources' sibling datasets/ folder (or the source tree).
BenchmarkRequest default_benchmark_request();

}  // namespace dpn::views

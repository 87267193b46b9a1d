// What the Benchmark view asks for and what it gets back, and the runner interface it calls on the worker thread.
// The runner is core/bench/runner.h (the one behind `dpn bench`), so the GUI and the CLI store identical runs;
// the interface lets tests substitute their own.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "views/engine.h"

namespace dpn::views {

struct BenchmarkRequest {
  std::string dataset_kind = "dpnbench";
  std::string questions, images, annotations;  // DatasetSpec fields
  std::string dataset_name = "dpnbench-test";
  int64_t limit = 24;
  uint64_t seed = 0;
  std::string family;                          // "" = all
  std::vector<std::string> methods;            // AskOptions::method strings
  std::string db_path;                         // run store file
  std::string model_name, model_path, vision_tower, dtype, device;
  int max_new_tokens = 16;
};

struct BenchmarkProgress {
  int64_t done = 0, total = 0;  // samples over all methods (stored earlier included: runs resume)
  double eta_s = -1;            // < 0: unknown yet
  std::string method;
  std::string last_sample;
};

struct BenchmarkOutcome {
  std::vector<int64_t> run_ids;  // one per method, in request order
  bool cancelled = false;
  std::map<std::string, std::string> images;  // sample id -> image file, so a result row can open in Explore
};

using BenchmarkRunner = std::function<BenchmarkOutcome(
    Engine& engine, const BenchmarkRequest& request, const std::function<void(const BenchmarkProgress&)>& progress,
    const std::atomic<bool>& cancel)>;

// dpn::bench::run_benchmark. It loads the model named in the request itself (the engine argument is unused).
BenchmarkRunner core_benchmark_runner();

// The bundled benchmark's paths under the resources' sibling datasets/ folder (or the source tree).
BenchmarkRequest default_benchmark_request();

}  // namespace dpn::views

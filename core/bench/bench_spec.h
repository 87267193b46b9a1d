// What one `dpn bench` invocation runs: model, dataset, methods, subset/shard, where results go, and how.
#pragma once
#include <string>
#include <vector>

#include "bench/dataset_source.h"
#include "eval/subset.h"

namespace dpn::bench {

// Short-answer benchmarks need a few tokens; LLaVA's eval scripts allow 128 but the answers are one word or letter.
constexpr int kDefaultMaxNewTokens = 16;

struct BenchSpec {
  std::string model;                 // checkpoint folder or built-in name (resolve_model_path)
  std::string vision_tower;          // original LLaVA layout: the CLIP folder
  DatasetChoice dataset;
  std::vector<std::string> methods;  // method specs (flops/method_spec.h), each run in this order
  eval::SubsetOptions subset;        // filters, seed, limit and shard (shard_index / shard_count)
  std::string db_path;               // run database ("" = store::default_db_path())
  bool durable = false;              // fsync every sample (survives power loss; see store::StoreOptions)
  std::string dtype = "f32";         // f32 | bf16
  std::string device = "cpu";        // cpu | cuda
  int max_new_tokens = kDefaultMaxNewTokens;
  // An evaluation preset (eval/preset.h, e.g. "llava-1.5"): its settings for the dataset kind are part of the run's
  // identity and its answer post-processing is applied; the caller sets max_new_tokens from it.
  std::string preset;
  int threads = 0;                   // 0 = all cores
  // After cancel is raised, a sample still generating gets this long to finish (and be stored) before its
  // generation is cut off (and the partial sample dropped).
  int cancel_grace_ms = 1000;
};

}  // namespace dpn::bench

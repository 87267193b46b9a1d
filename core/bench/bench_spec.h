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
  int64_t max_memory = 0;            // bytes the model may use (ModelOptions::max_memory); 0 = what the machine has
  // After cancel is raised, a sample still generating gets this long to finish (and be stored) before its
  // generation is cut off (and the partial sample dropped).
  int cancel_grace_ms = 1000;
  // Latency protocol: samples every method answers before timing starts (answers not stored).
  int warmup = 1;
  // Encode each image once and share it with every method of the sample (none of them changes the vision tower
  // or projector output); false re-encodes per method, as separate runs would (to measure the saving).
  bool share_vision = true;
  // Answer again the samples that failed in an earlier invocation (otherwise they stay failed and are skipped).
  bool retry_failed = false;
  // What savings, speed-ups and paired tests compare against: "" = this model's `none` run over the same subset
  // (when stored); a method spec of this bench ("fastv:k=2,r=0.5"); a run id ("12", any model, same dataset); or a
  // model name (that model's `none` run over the same dataset and subset, e.g. for a TokenPacker model).
  std::string baseline;
};

}  // namespace dpn::bench

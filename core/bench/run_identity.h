// How a benchmark method maps to a run in the store: the fields that make re-running the same command resume the
// same run, and a different subset a different run.
#pragma once
#include <string>

#include "bench/bench_spec.h"
#include "store/run_store.h"

namespace dpn::bench {

// The run for `method` (canonical spec text): method = the kind ("fastv"); params_json = canonical JSON (sorted
// keys) of the full method spec, the generation settings and the subset options (category, family, seed, limit);
// shard = "i/N" or "" - kept out of params_json so that `dpn runs merge`, which clears the shard, maps the shards
// onto exactly the run one unsharded command would have made.
store::RunSpec make_run_spec(const BenchSpec& spec, const std::string& method, const std::string& model_name,
                             const std::string& model_path, const ResolvedDataset& dataset);

// The name the store files a model under: the folder's name ("tiny-random", "llava-v1.5-7b").
std::string model_store_name(const std::string& model_path);

}  // namespace dpn::bench

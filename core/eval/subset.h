// Choosing which samples a run covers: --category/--family filters, --seed shuffle, --limit N, and shard i of N.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "eval/sample.h"

namespace dpn::eval {

struct SubsetOptions {
  std::string category;            // keep only this category ("" = all)
  std::string family;              // keep only this family ("" = all)
  std::optional<uint64_t> seed;    // shuffle with this seed before --limit; none = keep file order
  int64_t limit = 0;               // keep the first N after filtering/shuffling (0 = all)
  int shard_index = 0;             // keep samples whose id hashes to shard_index ...
  int shard_count = 1;             // ... modulo shard_count
};

// Order of operations: filter, shuffle, limit, then shard, so the union of shards i/N for all i is exactly the
// unsharded subset. Deterministic on every platform (own PRNG and hash). Throws dpn::Error on a bad shard spec.
std::vector<EvalSample> select_subset(const std::vector<EvalSample>& samples, const SubsetOptions& options);

// FNV-1a 64 of the sample id: the stable hash shards are cut by.
uint64_t stable_hash(const std::string& id);

// Parses "i/N" (0 <= i < N); throws dpn::Error naming the text otherwise.
void parse_shard(const std::string& text, int& index, int& count);

}  // namespace dpn::eval

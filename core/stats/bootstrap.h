// Seeded percentile bootstrap of a mean, over samples or over clusters of samples (questions that share an image:
// POPE's objects, MME's question pairs, DPNBench's three questions per scene), reproducible on every platform.
#pragma once
#include <cstdint>
#include <vector>

#include "stats/interval.h"

namespace dpn::stats {

// Every interval in `dpn` uses this seed, so a table printed twice (or by a merged database) is identical.
constexpr uint64_t kDefaultSeed = 17;

struct ResampleOptions {
  uint64_t seed = kDefaultSeed;
  int reps = 2000;
};

// Cluster index per value: ids (any integers) renumbered 0..k-1 in order of first appearance; an empty `clusters`
// makes every value its own cluster. Throws std::invalid_argument when the sizes differ.
std::vector<int> cluster_index(size_t n, const std::vector<int64_t>& clusters, int* n_clusters);

// True when some cluster holds more than one value.
bool has_clusters(const std::vector<int64_t>& clusters);

// Percentile bootstrap (2.5% and 97.5%, type-7 quantiles) of mean(values). Each replicate draws k clusters with
// replacement (datasets::SplitMix64 seeded with options.seed, index = below(k), replicates in order) and takes
// sum(values in them) / count(values in them); with single-value clusters this is the ordinary bootstrap.
// Throws std::invalid_argument on an empty sample or reps < 1.
Interval bootstrap_mean_interval(const std::vector<double>& values, const std::vector<int64_t>& clusters,
                                 const ResampleOptions& options = {});

}  // namespace dpn::stats

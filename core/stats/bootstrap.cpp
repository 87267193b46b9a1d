// Cluster-aware percentile bootstrap of a mean.
#include "stats/bootstrap.h"

#include <map>
#include <stdexcept>

#include "datasets/splitmix64.h"
#include "stats/quantile.h"

namespace dpn::stats {

std::vector<int> cluster_index(size_t n, const std::vector<int64_t>& clusters, int* n_clusters) {
  std::vector<int> idx(n);
  if (clusters.empty()) {
    for (size_t i = 0; i < n; ++i) idx[i] = static_cast<int>(i);
    if (n_clusters) *n_clusters = static_cast<int>(n);
    return idx;
  }
  if (clusters.size() != n) throw std::invalid_argument("cluster ids: one per value");
  std::map<int64_t, int> seen;
  for (size_t i = 0; i < n; ++i) idx[i] = seen.emplace(clusters[i], static_cast<int>(seen.size())).first->second;
  if (n_clusters) *n_clusters = static_cast<int>(seen.size());
  return idx;
}

bool has_clusters(const std::vector<int64_t>& clusters) {
  int k = 0;
  cluster_index(clusters.size(), clusters, &k);
  return k < static_cast<int>(clusters.size());
}

Interval bootstrap_mean_interval(const std::vector<double>& values, const std::vector<int64_t>& clusters,
                                 const ResampleOptions& o) {
  if (values.empty()) throw std::invalid_argument("bootstrap of an empty sample");
  if (o.reps < 1) throw std::invalid_argument("bootstrap: reps must be at least 1");
  int k = 0;
  const std::vector<int> idx = cluster_index(values.size(), clusters, &k);
  std::vector<double> sum(static_cast<size_t>(k), 0.0), count(static_cast<size_t>(k), 0.0);
  for (size_t i = 0; i < values.size(); ++i) {
    sum[static_cast<size_t>(idx[i])] += values[i];
    count[static_cast<size_t>(idx[i])] += 1;
  }
  datasets::SplitMix64 rng(o.seed);
  std::vector<double> means(static_cast<size_t>(o.reps));
  for (double& m : means) {
    double s = 0, c = 0;
    for (int j = 0; j < k; ++j) {
      const size_t pick = rng.below(static_cast<uint32_t>(k));
      s += sum[pick];
      c += count[pick];
    }
    m = s / c;
  }
  return {quantile(means, 0.025), quantile(means, 0.975)};
}

}  // namespace dpn::stats

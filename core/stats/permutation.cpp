// Sign-flip permutation test, exact or Monte Carlo.
#include "stats/permutation.h"

#include <cmath>

#include "datasets/splitmix64.h"

namespace dpn::stats {

double sign_flip_p(const std::vector<double>& diffs, const std::vector<int64_t>& clusters, const ResampleOptions& o) {
  int k = 0;
  const std::vector<int> idx = cluster_index(diffs.size(), clusters, &k);
  std::vector<double> sums(static_cast<size_t>(k), 0.0);
  for (size_t i = 0; i < diffs.size(); ++i) sums[static_cast<size_t>(idx[i])] += diffs[i];
  std::vector<double> d;
  double observed = 0, scale = 0;
  for (double s : sums)
    if (s != 0) {
      d.push_back(s);
      observed += s;
      scale += std::fabs(s);
    }
  if (d.empty()) return 1.0;
  const double target = std::fabs(observed) - 1e-9 * scale;
  const size_t m = d.size();
  if (m <= static_cast<size_t>(kExactFlipClusters)) {
    uint64_t hits = 0;
    const uint64_t patterns = uint64_t(1) << m;
    for (uint64_t bits = 0; bits < patterns; ++bits) {
      double t = 0;
      for (size_t j = 0; j < m; ++j) t += (bits >> j & 1) ? -d[j] : d[j];
      hits += std::fabs(t) >= target ? 1 : 0;
    }
    return static_cast<double>(hits) / static_cast<double>(patterns);
  }
  datasets::SplitMix64 rng(o.seed);
  int64_t hits = 0;
  for (int r = 0; r < o.reps; ++r) {
    double t = 0;
    for (size_t j = 0; j < m; ++j) t += rng.coin() ? -d[j] : d[j];
    hits += std::fabs(t) >= target ? 1 : 0;
  }
  return static_cast<double>(1 + hits) / static_cast<double>(1 + o.reps);
}

}  // namespace dpn::stats

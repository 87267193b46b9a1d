// Choosing and computing the interval of a mean score.
#include "stats/estimate.h"

#include <algorithm>

#include "stats/wilson.h"

namespace dpn::stats {

Estimate estimate_mean(const std::vector<double>& values, const std::vector<int64_t>& clusters,
                       const ResampleOptions& options) {
  Estimate e;
  e.n = static_cast<int64_t>(values.size());
  e.ci95 = {0.0, 1.0};
  if (values.empty()) return e;
  double sum = 0;
  int64_t ones = 0;
  bool binary = true;
  for (double v : values) {
    sum += v;
    ones += v == 1.0 ? 1 : 0;
    binary = binary && (v == 0.0 || v == 1.0);
  }
  e.value = sum / static_cast<double>(e.n);
  if (has_clusters(clusters)) {
    e.method = "cluster-bootstrap";
    e.ci95 = bootstrap_mean_interval(values, clusters, options);
    if (binary) {  // a percentile bootstrap collapses to a point when every score is equal (all correct)
      const Interval w = wilson_interval(ones, e.n);
      e.ci95 = {std::min(e.ci95.lo, w.lo), std::max(e.ci95.hi, w.hi)};
    }
  } else if (binary) {
    e.method = "wilson";
    e.ci95 = wilson_interval(ones, e.n);
  } else {
    e.method = "bootstrap";
    e.ci95 = bootstrap_mean_interval(values, {}, options);
  }
  return e;
}

}  // namespace dpn::stats

// Quantiles as numpy computes them by default (method "linear", Hyndman & Fan type 7), and the median/IQR summary
// the latency protocol reports.
#pragma once
#include <cstdint>
#include <vector>

namespace dpn::stats {

// q in [0, 1] of `values` (any order). Sorted x, h = (n - 1) q: x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]).
// Throws std::invalid_argument on an empty vector or q outside [0, 1].
double quantile(std::vector<double> values, double q);

// Median and quartiles of a sample (all 0 when empty).
struct Spread {
  int64_t n = 0;
  double median = 0, q1 = 0, q3 = 0;
  double iqr() const { return q3 - q1; }
  // IQR / median: the timing-noise figure the latency warning uses (0 when the median is 0).
  double relative_iqr() const { return median > 0 ? iqr() / median : 0.0; }
};
Spread spread(const std::vector<double>& values);

}  // namespace dpn::stats

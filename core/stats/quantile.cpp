// Type-7 quantiles and the median/IQR summary.
#include "stats/quantile.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace dpn::stats {

double quantile(std::vector<double> v, double q) {
  if (v.empty()) throw std::invalid_argument("quantile of an empty sample");
  if (!(q >= 0 && q <= 1)) throw std::invalid_argument("quantile: q must be in [0, 1]");
  std::sort(v.begin(), v.end());
  const double h = static_cast<double>(v.size() - 1) * q;
  const size_t lo = static_cast<size_t>(std::floor(h));
  if (lo + 1 >= v.size()) return v.back();
  const double t = h - static_cast<double>(lo);
  return v[lo] + t * (v[lo + 1] - v[lo]);
}

Spread spread(const std::vector<double>& values) {
  Spread s;
  s.n = static_cast<int64_t>(values.size());
  if (values.empty()) return s;
  s.median = quantile(values, 0.5);
  s.q1 = quantile(values, 0.25);
  s.q3 = quantile(values, 0.75);
  return s;
}

}  // namespace dpn::stats

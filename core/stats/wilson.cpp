// Wilson score interval.
#include "stats/wilson.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace dpn::stats {

Interval wilson_interval(int64_t k, int64_t n, double z) {
  if (n < 0 || k < 0 || k > n) throw std::invalid_argument("wilson_interval: need 0 <= successes <= n");
  if (n == 0) return {0.0, 1.0};
  const double nn = static_cast<double>(n), p = static_cast<double>(k) / nn, z2 = z * z;
  const double denom = 1.0 + z2 / nn;
  const double center = (p + z2 / (2 * nn)) / denom;
  const double half = z * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn)) / denom;
  Interval r{std::max(0.0, center - half), std::min(1.0, center + half)};
  if (k == 0) r.lo = 0.0;
  if (k == n) r.hi = 1.0;
  return r;
}

}  // namespace dpn::stats

// Newcombe's method 10 for paired proportions.
#include "stats/newcombe.h"

#include <algorithm>
#include <cmath>

#include "stats/wilson.h"

namespace dpn::stats {

Interval newcombe_paired_interval(const PairedTable& t, double z) {
  const int64_t n = t.n();
  if (n == 0) return {-1.0, 1.0};
  const double nn = static_cast<double>(n);
  const double pa = static_cast<double>(t.both + t.only_a) / nn, pb = static_cast<double>(t.both + t.only_b) / nn;
  const Interval a = wilson_interval(t.both + t.only_a, n, z), b = wilson_interval(t.both + t.only_b, n, z);
  const double margins = static_cast<double>(t.both + t.only_a) * static_cast<double>(t.only_b + t.neither) *
                         static_cast<double>(t.both + t.only_b) * static_cast<double>(t.only_a + t.neither);
  const double phi = margins > 0 ? (static_cast<double>(t.both) * static_cast<double>(t.neither) -
                                    static_cast<double>(t.only_a) * static_cast<double>(t.only_b)) / std::sqrt(margins)
                                 : 0.0;
  const double d = pb - pa;
  const double lo2 = (pb - b.lo) * (pb - b.lo) - 2 * phi * (pb - b.lo) * (a.hi - pa) + (a.hi - pa) * (a.hi - pa);
  const double hi2 = (b.hi - pb) * (b.hi - pb) - 2 * phi * (b.hi - pb) * (pa - a.lo) + (pa - a.lo) * (pa - a.lo);
  return {std::max(-1.0, d - std::sqrt(std::max(0.0, lo2))), std::min(1.0, d + std::sqrt(std::max(0.0, hi2)))};
}

}  // namespace dpn::stats

// Exact McNemar p-value.
#include "stats/mcnemar.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace dpn::stats {

double mcnemar_exact_p(int64_t b, int64_t c) {
  if (b < 0 || c < 0) throw std::invalid_argument("mcnemar_exact_p: negative count");
  const int64_t n = b + c, k = std::min(b, c);
  if (n == 0) return 1.0;
  // log C(n, i) - n log 2 for i = 0..k, summed with the largest term factored out.
  std::vector<double> logs;
  logs.reserve(static_cast<size_t>(k) + 1);
  const double nn = static_cast<double>(n);
  for (int64_t i = 0; i <= k; ++i) {
    const double ii = static_cast<double>(i);
    logs.push_back(std::lgamma(nn + 1) - std::lgamma(ii + 1) - std::lgamma(nn - ii + 1) - nn * std::log(2.0));
  }
  const double top = *std::max_element(logs.begin(), logs.end());
  double s = 0;
  for (double l : logs) s += std::exp(l - top);
  return std::min(1.0, 2.0 * std::exp(top) * s);
}

}  // namespace dpn::stats

// Holm step-down adjustment.
#include "stats/holm.h"

#include <algorithm>
#include <cmath>

namespace dpn::stats {

std::vector<double> holm_adjust(const std::vector<double>& p) {
  std::vector<size_t> order;
  for (size_t i = 0; i < p.size(); ++i)
    if (!std::isnan(p[i])) order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p[a] < p[b]; });
  std::vector<double> out(p.size(), std::nan(""));
  const size_t m = order.size();
  double running = 0;
  for (size_t j = 0; j < m; ++j) {
    running = std::max(running, std::min(1.0, static_cast<double>(m - j) * p[order[j]]));
    out[order[j]] = running;
  }
  return out;
}

}  // namespace dpn::stats

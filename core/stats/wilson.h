// The Wilson score interval for a binomial proportion (Wilson 1927): k successes out of n independent trials.
#pragma once
#include <cstdint>

#include "stats/interval.h"

namespace dpn::stats {

// Closed form: (p + z^2/2n +- z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n), p = k/n. [0, 1] when n = 0; the bound
// at 0 or 1 is exact when k = 0 or k = n. Throws std::invalid_argument unless 0 <= k <= n.
Interval wilson_interval(int64_t successes, int64_t n, double z = kZ95);

}  // namespace dpn::stats

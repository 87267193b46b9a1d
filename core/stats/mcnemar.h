// McNemar's exact test for paired 0/1 outcomes: under "the methods are equally good" each discordant pair is equally
// likely to favour either method, so the smaller discordant count is Binomial(only_a + only_b, 1/2).
#pragma once
#include <cstdint>

namespace dpn::stats {

// Two-sided exact p = min(1, 2 P(X <= min(b, c))), X ~ Binomial(b + c, 1/2); 1 when there is no discordant pair.
// The binomial terms are summed in log space, exact to rounding for any count. (scipy.stats.binomtest(min, b + c)
// gives the same for p = 1/2.)
double mcnemar_exact_p(int64_t only_a, int64_t only_b);

}  // namespace dpn::stats

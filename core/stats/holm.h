// Holm's step-down adjustment (Holm 1979) for several methods compared against one baseline: controls the chance
// of any false "better/worse" claim among the m comparisons, without assuming they are independent.
#pragma once
#include <vector>

namespace dpn::stats {

// Adjusted p-values in the input order: sort ascending, p'(i) = max over j <= i of min(1, (m - j) p(j)) (0-based).
// (statsmodels.stats.multitest.multipletests(method="holm") gives the same.) NaN entries are left out of m and
// stay NaN.
std::vector<double> holm_adjust(const std::vector<double>& p);

}  // namespace dpn::stats

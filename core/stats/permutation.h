// Paired sign-flip permutation test for graded scores (VQA soft accuracy...): under "no difference" the sign of each
// cluster's summed difference B - A is exchangeable, so |sum of differences| is compared with its sign-flip
// distribution. Clusters (questions sharing an image) flip together.
#pragma once
#include <cstdint>
#include <vector>

#include "stats/bootstrap.h"

namespace dpn::stats {

// Two-sided p for mean(diffs) = 0. With at most kExactFlipClusters clusters of non-zero sum, every sign pattern
// is enumerated (p = share of patterns with |T| >= |T_obs|); otherwise options.reps random patterns
// (datasets::SplitMix64 seeded with options.seed, one coin() per non-zero cluster in order) and
// p = (1 + hits) / (1 + reps). 1 when every cluster sums to 0. Ties within 1e-9 relative count as hits.
constexpr int kExactFlipClusters = 16;
double sign_flip_p(const std::vector<double>& diffs, const std::vector<int64_t>& clusters,
                   const ResampleOptions& options = ResampleOptions{kDefaultSeed, 10000});

}  // namespace dpn::stats

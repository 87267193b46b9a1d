// The mean of per-sample scores with the 95% interval that fits them: Wilson for independent 0/1 scores, a seeded
// bootstrap over samples for graded scores, and a cluster bootstrap when questions share an image.
#pragma once
#include <cstdint>
#include <vector>

#include "stats/bootstrap.h"
#include "stats/interval.h"

namespace dpn::stats {

// values: one score per sample; clusters: one id per sample (the image it asks about) or empty (independent).
//   some cluster holds >1 value -> "cluster-bootstrap" (bootstrap_mean_interval over clusters); for 0/1 scores
//                                  never narrower than Wilson's (a bootstrap of all-correct answers is a point)
//   every value is 0 or 1       -> "wilson" (closed form)
//   otherwise                   -> "bootstrap" (bootstrap_mean_interval over samples)
// An empty sample gives n = 0, value 0, ci95 [0, 1], method "".
Estimate estimate_mean(const std::vector<double>& values, const std::vector<int64_t>& clusters,
                       const ResampleOptions& options = {});

}  // namespace dpn::stats

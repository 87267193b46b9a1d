// A 95% interval for the difference of two accuracies measured on the SAME questions (paired 0/1 outcomes):
// Newcombe (1998), "Improved confidence intervals for the difference between binomial proportions based on paired
// data", Statistics in Medicine 17:2635-2650, method 10 (Wilson score intervals of both accuracies combined with
// the phi correlation of the 2x2 table). Unlike the Wald interval it stays inside [-1, 1] and does not collapse to
// a point when there are few discordant questions.
#pragma once
#include <cstdint>

#include "stats/interval.h"

namespace dpn::stats {

// The 2x2 table of two methods on n questions.
struct PairedTable {
  int64_t both = 0;     // correct with A and B
  int64_t only_a = 0;   // correct with A only
  int64_t only_b = 0;   // correct with B only
  int64_t neither = 0;  // wrong with both
  int64_t n() const { return both + only_a + only_b + neither; }
};

// Interval for acc(B) - acc(A), with acc(A) = (both + only_a)/n and acc(B) = (both + only_b)/n:
//   L = d - sqrt((pB - lB)^2 - 2 phi (pB - lB)(uA - pA) + (uA - pA)^2)
//   U = d + sqrt((uB - pB)^2 - 2 phi (uB - pB)(pA - lA) + (pA - lA)^2)
// (lA, uA), (lB, uB) Wilson intervals; phi = (both neither - only_a only_b) / sqrt of the four margins' product
// (0 when a margin is empty). [-1, 1] when n = 0.
Interval newcombe_paired_interval(const PairedTable& t, double z = kZ95);

}  // namespace dpn::stats

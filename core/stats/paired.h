// Two methods (or models) on the same questions: the paired difference B - A with its 95% interval, the discordant
// counts and a p-value, chosen by the kind of score (issue 17):
//   0/1 scores, independent questions : delta_ci95 Newcombe method 10 (newcombe.h); p = exact McNemar (mcnemar.h)
//   0/1 scores, questions clustered   : delta_ci95 cluster bootstrap of the differences, widened to contain
//                                       Newcombe's (the bootstrap of all-equal answers is a point); p = exact McNemar
//                                       (McNemar assumes independent pairs; permutation_p flips whole clusters)
//   graded scores                     : delta_ci95 (cluster) bootstrap of the differences; p = sign-flip permutation
// Holm-adjusted p across several comparisons with one baseline: holm.h.
#pragma once
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "stats/bootstrap.h"
#include "stats/interval.h"

namespace dpn::stats {

struct PairedComparison {
  int64_t n = 0;        // questions both answered
  int64_t only_a = 0;   // A better: correct with A only (graded: A scored higher)
  int64_t only_b = 0;   // B better
  double mean_a = 0, mean_b = 0;
  double delta = 0;     // mean_b - mean_a
  Interval delta_ci95;
  std::string delta_ci_method;  // "newcombe" | "bootstrap" | "cluster-bootstrap"
  bool binary = false;          // every score 0 or 1
  bool clustered = false;       // some questions share a cluster
  double mcnemar_p = std::numeric_limits<double>::quiet_NaN();  // 0/1 scores only
  double permutation_p = 1;     // sign-flip permutation (clusters flip together)
  double p = 1;                 // the test reported: mcnemar_p for 0/1 scores, else permutation_p
  std::string p_method;         // "mcnemar-exact" | "permutation"
  double p_holm = std::numeric_limits<double>::quiet_NaN();  // set by the caller when several are compared
};

// a[i], b[i]: scores of question i under A and B; clusters: one id per question or empty. Throws
// std::invalid_argument when the sizes differ. n = 0 gives delta 0, delta_ci95 [-1, 1], p 1.
PairedComparison compare_paired(const std::vector<double>& a, const std::vector<double>& b,
                                const std::vector<int64_t>& clusters, const ResampleOptions& options = {});

}  // namespace dpn::stats

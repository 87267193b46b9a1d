// Paired comparison of two methods on the same questions.
#include "stats/paired.h"

#include <algorithm>
#include <stdexcept>

#include "stats/mcnemar.h"
#include "stats/newcombe.h"
#include "stats/permutation.h"

namespace dpn::stats {

PairedComparison compare_paired(const std::vector<double>& a, const std::vector<double>& b,
                                const std::vector<int64_t>& clusters, const ResampleOptions& options) {
  if (a.size() != b.size()) throw std::invalid_argument("compare_paired: A and B need one score per question each");
  PairedComparison c;
  c.n = static_cast<int64_t>(a.size());
  c.delta_ci95 = {-1.0, 1.0};
  if (c.n == 0) return c;
  PairedTable t;
  std::vector<double> diffs(a.size());
  c.binary = true;
  for (size_t i = 0; i < a.size(); ++i) {
    c.mean_a += a[i];
    c.mean_b += b[i];
    diffs[i] = b[i] - a[i];
    c.only_a += a[i] > b[i] ? 1 : 0;
    c.only_b += b[i] > a[i] ? 1 : 0;
    c.binary = c.binary && (a[i] == 0.0 || a[i] == 1.0) && (b[i] == 0.0 || b[i] == 1.0);
    t.both += a[i] == 1.0 && b[i] == 1.0 ? 1 : 0;
    t.neither += a[i] == 0.0 && b[i] == 0.0 ? 1 : 0;
  }
  t.only_a = c.only_a;
  t.only_b = c.only_b;
  c.mean_a /= static_cast<double>(c.n);
  c.mean_b /= static_cast<double>(c.n);
  c.delta = c.mean_b - c.mean_a;
  c.clustered = has_clusters(clusters);
  if (c.binary && !c.clustered) {
    c.delta_ci95 = newcombe_paired_interval(t);
    c.delta_ci_method = "newcombe";
  } else {
    c.delta_ci95 = bootstrap_mean_interval(diffs, clusters, options);
    c.delta_ci_method = c.clustered ? "cluster-bootstrap" : "bootstrap";
    if (c.binary) {  // never narrower than Newcombe's: a bootstrap of all-equal differences is a point
      const Interval nc = newcombe_paired_interval(t);
      c.delta_ci95 = {std::min(c.delta_ci95.lo, nc.lo), std::max(c.delta_ci95.hi, nc.hi)};
    }
  }
  c.permutation_p = sign_flip_p(diffs, clusters, ResampleOptions{options.seed, 10000});
  if (c.binary) {
    c.mcnemar_p = mcnemar_exact_p(c.only_a, c.only_b);
    c.p = c.mcnemar_p;
    c.p_method = "mcnemar-exact";
  } else {
    c.p = c.permutation_p;
    c.p_method = "permutation";
  }
  return c;
}

}  // namespace dpn::stats

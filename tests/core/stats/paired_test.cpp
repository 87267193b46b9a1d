// The paired comparison and the interval choice: which method applies to which scores, the issue's worked numbers
// (56 vs 58 of 60, "fixed 0, broken 2" is p = 0.5), and the edges (no common questions, identical runs).
#include "stats/paired.h"

#include <gtest/gtest.h>

#include <cmath>

#include "stats/estimate.h"
#include "stats/holm.h"
#include "stats/mcnemar.h"
#include "stats/newcombe.h"
#include "stats/quantile.h"
#include "stats/wilson.h"

using namespace dpn::stats;

TEST(Estimate, ChoosesWilsonBootstrapOrClusterBootstrap) {
  std::vector<double> binary(60, 1.0);
  binary[3] = binary[40] = 0.0;
  const Estimate w = estimate_mean(binary, {});
  EXPECT_EQ(w.method, "wilson");
  EXPECT_EQ(w.n, 60);
  EXPECT_DOUBLE_EQ(w.value, 58.0 / 60);
  EXPECT_NEAR(w.ci95.lo, 0.886, 5e-4);  // the issue's [88.6, 99.1]
  EXPECT_NEAR(w.ci95.hi, 0.991, 5e-4);

  const Estimate g = estimate_mean({0.0, 0.3, 1.0, 0.6, 1.0, 0.9}, {});
  EXPECT_EQ(g.method, "bootstrap");
  EXPECT_LT(g.ci95.lo, g.value);
  EXPECT_GT(g.ci95.hi, g.value);

  std::vector<int64_t> image(60);
  for (size_t i = 0; i < image.size(); ++i) image[i] = static_cast<int64_t>(i / 3);
  const Estimate c = estimate_mean(binary, image);
  EXPECT_EQ(c.method, "cluster-bootstrap");
  // The same seed gives the same interval; single-question clusters are the plain bootstrap.
  EXPECT_EQ(estimate_mean(binary, image).ci95.lo, c.ci95.lo);
  std::vector<int64_t> own(60);
  for (size_t i = 0; i < own.size(); ++i) own[i] = static_cast<int64_t>(1000 - i);
  EXPECT_EQ(estimate_mean(binary, own).method, "wilson");
  EXPECT_EQ(bootstrap_mean_interval(binary, own).lo, bootstrap_mean_interval(binary, {}).lo);

  const Estimate none = estimate_mean({}, {});
  EXPECT_EQ(none.n, 0);
  EXPECT_EQ(none.ci95.lo, 0.0);
  EXPECT_EQ(none.ci95.hi, 1.0);
}

TEST(Estimate, ClusteredQuestionsWidenTheInterval) {
  // Three questions per image answered alike: 20 independent pieces of evidence, not 60.
  std::vector<double> v;
  std::vector<int64_t> image;
  for (int i = 0; i < 20; ++i)
    for (int q = 0; q < 3; ++q) {
      v.push_back(i % 4 == 0 ? 0.0 : 1.0);
      image.push_back(i);
    }
  const Estimate flat = estimate_mean(v, {}), clustered = estimate_mean(v, image);
  EXPECT_GT(clustered.ci95.hi - clustered.ci95.lo, 1.3 * (flat.ci95.hi - flat.ci95.lo));
}

TEST(Paired, TheIssuesExampleFixedZeroBrokenTwoIsPHalf) {
  std::vector<double> a(60, 1.0), b(60, 1.0);
  a[7] = b[7] = 0.0;
  a[9] = b[9] = 0.0;    // both wrong on two questions
  b[20] = b[31] = 0.0;  // B breaks two that A had right
  const PairedComparison c = compare_paired(a, b, {});
  EXPECT_EQ(c.n, 60);
  EXPECT_EQ(c.only_a, 2);
  EXPECT_EQ(c.only_b, 0);
  EXPECT_TRUE(c.binary);
  EXPECT_FALSE(c.clustered);
  EXPECT_DOUBLE_EQ(c.delta, -2.0 / 60);
  EXPECT_DOUBLE_EQ(c.mcnemar_p, 0.5);
  EXPECT_EQ(c.p, c.mcnemar_p);
  EXPECT_EQ(c.p_method, "mcnemar-exact");
  EXPECT_EQ(c.delta_ci_method, "newcombe");
  const Interval n = newcombe_paired_interval({56, 2, 0, 2});
  EXPECT_EQ(c.delta_ci95.lo, n.lo);
  EXPECT_EQ(c.delta_ci95.hi, n.hi);
  EXPECT_LT(c.delta_ci95.lo, c.delta);
  EXPECT_GT(c.delta_ci95.hi, 0.0);  // the interval covers "no difference", as p = 0.5 says
}

TEST(Paired, GradedScoresUseBootstrapAndPermutation) {
  const std::vector<double> a = {0.3, 0.6, 1.0, 0.0, 1.0, 0.9, 0.6, 0.3};
  const std::vector<double> b = {0.6, 0.6, 1.0, 0.3, 1.0, 1.0, 0.9, 0.3};
  const PairedComparison c = compare_paired(a, b, {});
  EXPECT_FALSE(c.binary);
  EXPECT_TRUE(std::isnan(c.mcnemar_p));
  EXPECT_EQ(c.p_method, "permutation");
  EXPECT_EQ(c.delta_ci_method, "bootstrap");
  EXPECT_EQ(c.only_b, 4);
  EXPECT_EQ(c.only_a, 0);
  EXPECT_NEAR(c.delta, 1.0 / 8, 1e-12);
  EXPECT_DOUBLE_EQ(c.p, 1.0 / 16 * 2);  // 4 non-zero differences, all positive: 2 of 16 sign patterns as extreme
  EXPECT_GE(c.delta_ci95.lo, 0.0);
}

TEST(Paired, ClusteredZeroOneScoresBootstrapTheDifferenceOverClusters) {
  std::vector<double> a, b;
  std::vector<int64_t> image;
  for (int i = 0; i < 30; ++i)
    for (int q = 0; q < 3; ++q) {
      a.push_back(1.0);
      b.push_back(i < 4 ? 0.0 : 1.0);
      image.push_back(i);
    }
  const PairedComparison c = compare_paired(a, b, image);
  EXPECT_TRUE(c.clustered);
  EXPECT_EQ(c.delta_ci_method, "cluster-bootstrap");
  EXPECT_EQ(c.p_method, "mcnemar-exact");
  EXPECT_EQ(c.only_a, 12);
  EXPECT_DOUBLE_EQ(c.mcnemar_p, mcnemar_exact_p(12, 0));
  // Twelve discordant questions, but only four independent images: the cluster permutation says so.
  EXPECT_DOUBLE_EQ(c.permutation_p, 2.0 / 16);
  EXPECT_GT(c.permutation_p, c.mcnemar_p);
}

TEST(Paired, EdgesAndHolm) {
  const PairedComparison empty = compare_paired({}, {}, {});
  EXPECT_EQ(empty.n, 0);
  EXPECT_EQ(empty.p, 1.0);
  const PairedComparison same = compare_paired({1, 0, 1}, {1, 0, 1}, {});
  EXPECT_EQ(same.delta, 0.0);
  EXPECT_EQ(same.p, 1.0);
  EXPECT_EQ(mcnemar_exact_p(0, 0), 1.0);
  EXPECT_THROW(compare_paired({1, 0}, {1}, {}), std::invalid_argument);
  const auto h = holm_adjust({0.01, std::nan(""), 0.04});
  EXPECT_DOUBLE_EQ(h[0], 0.02);
  EXPECT_TRUE(std::isnan(h[1]));
  EXPECT_DOUBLE_EQ(h[2], 0.04);
  EXPECT_THROW(wilson_interval(3, 2), std::invalid_argument);
  const Spread s = spread({4, 1, 3, 2});
  EXPECT_DOUBLE_EQ(s.median, 2.5);
  EXPECT_DOUBLE_EQ(s.q1, 1.75);
  EXPECT_DOUBLE_EQ(s.q3, 3.25);
}

// Every answer right (or every pair equal) on questions that share images: the percentile bootstrap would give the
// point [1, 1] ([0, 0]); the intervals keep at least Wilson's (Newcombe's) width.
TEST(Paired, ClusteredAllEqualScoresKeepAClosedFormWidth) {
  const std::vector<double> right(12, 1.0);
  std::vector<int64_t> image;
  for (int i = 0; i < 12; ++i) image.push_back(i / 3);
  const Estimate e = estimate_mean(right, image);
  EXPECT_EQ(e.method, "cluster-bootstrap");
  EXPECT_DOUBLE_EQ(e.ci95.lo, wilson_interval(12, 12).lo);
  EXPECT_DOUBLE_EQ(e.ci95.hi, 1.0);
  const PairedComparison c = compare_paired(right, right, image);
  PairedTable t;
  t.both = 12;
  EXPECT_DOUBLE_EQ(c.delta_ci95.lo, newcombe_paired_interval(t).lo);
  EXPECT_DOUBLE_EQ(c.delta_ci95.hi, newcombe_paired_interval(t).hi);
  EXPECT_LT(c.delta_ci95.lo, 0.0);
  EXPECT_GT(c.delta_ci95.hi, 0.0);
}

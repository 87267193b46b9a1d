// core/stats against independent computations: statsmodels' Wilson, scipy's exact binomial test (McNemar),
// statsmodels' Holm, numpy's quantiles, and a plain-Python replay of the seeded bootstrap and sign-flip permutation
// (tests/golden/make_stats_golden.py wrote tests/data/golden/stats/expected.json).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "stats/bootstrap.h"
#include "stats/holm.h"
#include "stats/mcnemar.h"
#include "stats/newcombe.h"
#include "stats/permutation.h"
#include "stats/quantile.h"
#include "stats/wilson.h"

using namespace dpn::stats;
using nlohmann::json;

namespace {

const json& fixture() {
  static const json j = [] {
    const std::string path = std::string(DPN_TEST_DATA) + "/golden/stats/expected.json";
    std::ifstream f(path);
    if (!f) throw std::runtime_error(path + " is missing: run tests/golden/make_stats_golden.py");
    return json::parse(f);
  }();
  return j;
}

// Relative tolerance: the reference computes the same doubles, up to the order of a few roundings.
void expect_close(double got, double want, const std::string& what) {
  EXPECT_NEAR(got, want, 1e-12 * std::max(1.0, std::fabs(want))) << what;
}

std::vector<int64_t> ids(const json& j) { return j.get<std::vector<int64_t>>(); }

}  // namespace

TEST(StatsGolden, WilsonMatchesStatsmodels) {
  for (const auto& c : fixture()["wilson"]) {
    const Interval w = wilson_interval(c["k"], c["n"]);
    const std::string what = std::to_string(c["k"].get<int>()) + "/" + std::to_string(c["n"].get<int>());
    expect_close(w.lo, c["ci95"][0], what + " lo");
    expect_close(w.hi, c["ci95"][1], what + " hi");
  }
}

TEST(StatsGolden, McNemarMatchesScipyExactBinomial) {
  for (const auto& c : fixture()["mcnemar"])
    expect_close(mcnemar_exact_p(c["only_a"], c["only_b"]), c["p"],
                 "b=" + c["only_a"].dump() + " c=" + c["only_b"].dump());
}

TEST(StatsGolden, HolmMatchesStatsmodels) {
  for (const auto& c : fixture()["holm"]) {
    const auto got = holm_adjust(c["p"].get<std::vector<double>>());
    const auto want = c["adjusted"].get<std::vector<double>>();
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) expect_close(got[i], want[i], "holm " + c["p"].dump());
  }
}

TEST(StatsGolden, QuantileMatchesNumpyLinear) {
  for (const auto& c : fixture()["quantile"])
    expect_close(quantile(c["values"].get<std::vector<double>>(), c["q"]), c["expected"], "q=" + c["q"].dump());
}

TEST(StatsGolden, SeededBootstrapReproducesTheReplay) {
  for (const auto& c : fixture()["bootstrap"]) {
    const Interval b = bootstrap_mean_interval(c["values"].get<std::vector<double>>(), ids(c["clusters"]),
                                               ResampleOptions{c["seed"], c["reps"]});
    expect_close(b.lo, c["ci95"][0], "bootstrap lo, seed " + c["seed"].dump());
    expect_close(b.hi, c["ci95"][1], "bootstrap hi, seed " + c["seed"].dump());
  }
}

TEST(StatsGolden, NewcombePairedIntervalMatchesTheFormulaOnStatsmodelsWilson) {
  for (const auto& c : fixture()["newcombe"]) {
    const auto t = c["table"].get<std::vector<int64_t>>();
    const Interval n = newcombe_paired_interval({t[0], t[1], t[2], t[3]});
    expect_close(n.lo, c["ci95"][0], "newcombe lo " + c["table"].dump());
    expect_close(n.hi, c["ci95"][1], "newcombe hi " + c["table"].dump());
  }
}

TEST(StatsGolden, SignFlipPermutationReproducesTheReplay) {
  for (const auto& c : fixture()["sign_flip"])
    expect_close(sign_flip_p(c["diffs"].get<std::vector<double>>(), ids(c["clusters"]),
                             ResampleOptions{c["seed"], c["reps"]}),
                 c["p"], "sign flip, seed " + c["seed"].dump());
}

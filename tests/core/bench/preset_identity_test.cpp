// The llava-1.5 preset in a run's identity (core/bench/run_identity.cpp, values from core/eval/preset.h): a run with
// the preset is a different run, runs without it keep their identity, and the official aggregates reach the summary.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "bench/run_identity.h"
#include "bench/summary.h"
#include "eval/run_metrics.h"
#include "util/error.h"

using namespace dpn::bench;

namespace {

ResolvedDataset pope() {
  ResolvedDataset d;
  d.spec.kind = "pope";
  d.name = "pope:llava_pope_test";
  d.path = "/data/pope/llava_pope_test.jsonl";
  return d;
}

TEST(PresetIdentity, PresetValuesArePartOfTheRun) {
  BenchSpec plain;
  const std::string without = make_run_spec(plain, "none", "m", "/m", pope()).params_json;
  EXPECT_EQ(without.find("preset"), std::string::npos);  // earlier runs keep their identity
  BenchSpec b;
  b.preset = "llava-1.5";
  b.max_new_tokens = 128;
  const auto params = nlohmann::json::parse(make_run_spec(b, "none", "m", "/m", pope()).params_json);
  EXPECT_EQ(params["preset"]["name"], "llava-1.5");
  EXPECT_EQ(params["preset"]["max_new_tokens"], 128);
  EXPECT_EQ(params["preset"]["answer_processing"], "strip");
  EXPECT_EQ(params["max_new_tokens"], 128);
  ResolvedDataset dpnbench = pope();
  dpnbench.spec.kind = "dpnbench";
  EXPECT_THROW(make_run_spec(b, "none", "m", "/m", dpnbench), dpn::Error);  // no llava-1.5 setting for it
}

TEST(PresetIdentity, OfficialMetricsInTheTableAndJson) {
  BenchSummary s;
  s.model = "m";
  s.dataset = "pope";
  std::vector<dpn::store::SampleResult> rows(2);
  rows[0].sample_id = "1", rows[0].answer = "yes", rows[0].prediction = "Yes", rows[0].family = "random";
  rows[1].sample_id = "2", rows[1].answer = "no", rows[1].prediction = "No", rows[1].family = "random";
  MethodSummary m = summarize_run("none", 1, rows, {}, nullptr);
  m.official = dpn::eval::run_metrics("pope", rows);
  s.methods.push_back(m);
  EXPECT_NE(format_table(s).find("eval_pope.py"), std::string::npos) << format_table(s);
  const auto j = nlohmann::json::parse(summary_json(s, false));
  EXPECT_DOUBLE_EQ(j["methods"][0]["official"]["f1"].get<double>(), 1.0);
}

}  // namespace

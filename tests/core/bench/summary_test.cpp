// The results table from stored samples: accuracy per category and family, FLOPs saving against none over the
// common samples, expert frequencies per DPE layer.
#include "bench/summary.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

using namespace dpn::bench;
using dpn::store::SampleResult;

namespace {

SampleResult row(const std::string& id, const std::string& family, bool correct, double flops, double ms) {
  SampleResult s;
  s.sample_id = id;
  s.family = family;
  s.answer = "red";
  s.prediction = correct ? "red" : "blue";
  s.correct = correct;
  s.score = correct ? 1 : 0;
  s.flops_llm = flops;
  s.latency_ms = ms;
  return s;
}

const std::map<std::string, std::string> kCategories = {{"1", "coarse"}, {"2", "coarse"}, {"3", "fine"}, {"4", "fine"}};

}  // namespace

TEST(Summary, AccuracyPerCategoryAndFamily) {
  const std::vector<SampleResult> s = {row("1", "bg", true, 100, 10), row("2", "presence", false, 100, 20),
                                       row("3", "glyph", true, 100, 30), row("4", "glyph", true, 100, 40)};
  const MethodSummary m = summarize_run("none", 3, s, kCategories, nullptr);
  EXPECT_EQ(m.n, 4);
  EXPECT_DOUBLE_EQ(m.accuracy, 0.75);
  EXPECT_DOUBLE_EQ(m.mean_latency_ms, 25);
  EXPECT_DOUBLE_EQ(m.mean_flops_llm, 100);
  EXPECT_FALSE(m.has_saving);
  ASSERT_EQ(m.categories.size(), 2u);
  EXPECT_EQ(m.categories[0].name, "coarse");
  EXPECT_DOUBLE_EQ(m.categories[0].accuracy, 0.5);
  EXPECT_EQ(m.categories[1].name, "fine");
  EXPECT_DOUBLE_EQ(m.categories[1].accuracy, 1.0);
  ASSERT_EQ(m.families.size(), 3u);
  EXPECT_EQ(m.families[1].name, "glyph");
  EXPECT_EQ(m.families[1].n, 2);
  EXPECT_TRUE(m.experts.empty());
}

TEST(Summary, SavingIsOverTheSamplesBothRunsHave) {
  const std::vector<SampleResult> none = {row("1", "a", true, 100, 1), row("2", "a", true, 300, 1),
                                          row("3", "a", true, 1000, 1)};
  const std::vector<SampleResult> fast = {row("1", "a", true, 50, 1), row("2", "a", true, 150, 1)};
  const MethodSummary m = summarize_run("fastv:k=2,r=0.5,rank=last", 4, fast, kCategories, &none);
  ASSERT_TRUE(m.has_saving);
  EXPECT_DOUBLE_EQ(m.saving_vs_none, 0.5);  // 200 of 400 on samples 1 and 2; sample 3 is not compared
  const MethodSummary self = summarize_run("none", 3, none, kCategories, &none);
  EXPECT_DOUBLE_EQ(self.saving_vs_none, 0.0);
}

TEST(Summary, ExpertFrequenciesPerLayer) {
  std::vector<SampleResult> s;
  for (int i = 0; i < 4; ++i) {
    SampleResult r = row(std::to_string(i + 1), "a", true, 10, 1);
    r.routers = {{7, i == 0 ? 0 : 1, "[0.2,0.5,0.3]", false}, {15, 2, "[0.1,0.1,0.8]", false}};
    s.push_back(r);
  }
  const MethodSummary m = summarize_run("dpn", 5, s, kCategories, nullptr);
  ASSERT_EQ(m.experts.size(), 2u);
  EXPECT_EQ(m.experts[0].layer, 7);
  EXPECT_EQ(m.experts[0].n, 4);
  EXPECT_EQ(m.experts[0].frequency, (std::vector<double>{0.25, 0.75, 0.0}));
  EXPECT_EQ(m.experts[1].frequency, (std::vector<double>{0.0, 0.0, 1.0}));
}

TEST(Summary, ExpertFrequenciesCountOnlyRouterChoicesPerLayerAndFamily) {
  std::vector<SampleResult> s;
  const char* families[] = {"bg", "bg", "glyph", "glyph"};
  for (int i = 0; i < 4; ++i) {
    SampleResult r = row(std::to_string(i + 1), families[i], true, 10, 1);
    r.routers = {{7, i < 3 ? 0 : 1, "[0.6,0.4]", false},
                 {9, 1, "[]", false},           // a fixed pooling (static or random): no probabilities
                 {11, 1, "[0.9,0.1]", true}};   // forced by an override or a path
    s.push_back(r);
  }
  const MethodSummary m = summarize_run("dpn", 5, s, kCategories, nullptr);
  ASSERT_EQ(m.experts.size(), 1u);  // layers 9 and 11 hold no router choice
  EXPECT_EQ(m.experts[0].layer, 7);
  EXPECT_EQ(m.experts[0].family, "");
  EXPECT_EQ(m.experts[0].frequency, (std::vector<double>{0.75, 0.25}));
  ASSERT_EQ(m.family_experts.size(), 2u);
  EXPECT_EQ(m.family_experts[0].family, "bg");
  EXPECT_EQ(m.family_experts[0].n, 2);
  EXPECT_EQ(m.family_experts[0].frequency, (std::vector<double>{1.0, 0.0}));
  EXPECT_EQ(m.family_experts[1].family, "glyph");
  EXPECT_EQ(m.family_experts[1].frequency, (std::vector<double>{0.5, 0.5}));

  std::vector<SampleResult> fixed = s;
  for (auto& r : fixed) r.routers = {{7, 0, "[]", false}};
  const MethodSummary st = summarize_run("static:7=2x2", 6, fixed, kCategories, nullptr);
  EXPECT_TRUE(st.experts.empty());
  EXPECT_TRUE(st.family_experts.empty());
}

TEST(Summary, TableAndJson) {
  BenchSummary b;
  b.model = "tiny-random";
  b.dataset = "dpnbench:test";
  b.total = 8;
  b.done = 6;
  const std::vector<SampleResult> none = {row("1", "bg", true, 2e9, 10), row("2", "presence", false, 2e9, 20),
                                          row("3", "glyph", true, 2e9, 30), row("4", "glyph", true, 2e9, 40)};
  const std::vector<SampleResult> fast = {row("1", "bg", false, 1e9, 5), row("3", "glyph", true, 1e9, 7)};
  b.methods.push_back(summarize_run("none", 1, none, kCategories, &none));
  b.methods.push_back(summarize_run("fastv:k=2,r=0.5,rank=last", 2, fast, kCategories, &none));
  const std::string t = format_table(b);
  EXPECT_NE(t.find("model tiny-random, dataset dpnbench:test: 6/8 samples stored"), std::string::npos) << t;
  EXPECT_NE(t.find("| method | n | accuracy | coarse | fine | LLM prefill FLOPs | saving vs none | latency ms |"),
            std::string::npos) << t;
  EXPECT_NE(t.find("| none | 4 | 75.00% | 50.00% (2) | 100.00% (2) | 2.00 G | 0.00% | 25.0 |"), std::string::npos) << t;
  EXPECT_NE(t.find("| fastv:k=2,r=0.5,rank=last | 2 | 50.00% | 0.00% (1) | 100.00% (1) | 1.00 G | 50.00% | 6.0 |"),
            std::string::npos) << t;
  EXPECT_NE(t.find("| presence | 0.00% (1) | - |"), std::string::npos) << t;
  const std::string no_latency = format_table(b, false);
  EXPECT_EQ(no_latency.find("latency"), std::string::npos) << no_latency;

  const auto j = nlohmann::json::parse(summary_json(b, true));
  EXPECT_EQ(j["methods"].size(), 2u);
  EXPECT_EQ(j["methods"][1]["saving_vs_none"], 0.5);
  EXPECT_EQ(j["methods"][1]["samples"].size(), 2u);
  EXPECT_EQ(j["methods"][1]["samples"][0]["prediction"], "blue");
  EXPECT_FALSE(nlohmann::json::parse(summary_json(b, false))["methods"][0].contains("samples"));
}

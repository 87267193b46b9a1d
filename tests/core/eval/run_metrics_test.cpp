// Official aggregates of stored runs (core/eval/run_metrics.h) and the llava-1.5 preset (core/eval/preset.h).
#include "eval/run_metrics.h"

#include <gtest/gtest.h>

#include "eval/dataset.h"
#include "eval/preset.h"
#include "util/error.h"

using namespace dpn::eval;

namespace {

dpn::store::SampleResult row(const std::string& id, const std::string& answer, const std::string& prediction,
                             const std::string& family, bool correct = false, double score = 0) {
  dpn::store::SampleResult r;
  r.sample_id = id;
  r.answer = answer;
  r.prediction = prediction;
  r.family = family;
  r.correct = correct;
  r.score = score;
  return r;
}

TEST(RunMetrics, PopeSplitsFromTheStoredFamily) {
  std::vector<dpn::store::SampleResult> rows = {row("1", "yes", "Yes", "random"), row("2", "no", "No", "random"),
                                                row("3", "yes", "yes", "popular"), row("4", "no", "yes", "popular")};
  const BenchmarkMetrics m = run_metrics("pope", rows);
  EXPECT_EQ(m.official, "llava/eval/eval_pope.py");
  ASSERT_NE(m.find("f1"), nullptr);
  EXPECT_DOUBLE_EQ(m.find("f1")->value, (1.0 + 2 * 0.5 * 1.0 / 1.5) / 2);
}

TEST(RunMetrics, MmePairsTheTwoQuestionsOfAnImage) {
  std::vector<dpn::store::SampleResult> rows;
  for (const auto* tasks : {&mme_perception_tasks(), &mme_cognition_tasks()})
    for (const auto& t : *tasks) {
      rows.push_back(row(t + "/1.jpg#1", "No", "No", "perception"));
      rows.push_back(row(t + "/1.jpg#0", "Yes", t == "OCR" ? "No" : "Yes", "perception"));
    }
  const BenchmarkMetrics m = run_metrics("mme", rows);
  EXPECT_DOUBLE_EQ(m.find("perception")->value, 9 * 200 + 50);
  EXPECT_DOUBLE_EQ(m.find("cognition")->value, 800);
}

TEST(RunMetrics, MmbenchCircularFromStoredVerdictsAndPromptOptions) {
  const std::string q = mmbench_prompt("", "Which?", {"red", "green"}, "mmbench");
  std::vector<dpn::store::SampleResult> rows = {row("5", "A", "A", "coarse_perception", true),
                                                row("1000005", "B", "I am not sure", "coarse_perception", false)};
  for (auto& r : rows) r.question = q;
  const BenchmarkMetrics m = run_metrics("mmbench", rows);
  EXPECT_DOUBLE_EQ(m.find("Overall")->value, 0.0);
  EXPECT_EQ(m.unparsed, 1);
  EXPECT_EQ(mmbench_choices_from_prompt(q, "mmbench"), (McqChoices{{"A", "red"}, {"B", "green"}}));
  EXPECT_TRUE(mmbench_choices_from_prompt("free text", "mmbench").empty());
}

TEST(RunMetrics, UnscoredKindsSayWhereTheAnswersGo) {
  const BenchmarkMetrics m = run_metrics("mmvet", {row("1", "", "text", "")});
  EXPECT_TRUE(m.headline.empty());
  EXPECT_NE(m.notes.at(0).find("--format mmvet"), std::string::npos);
  EXPECT_TRUE(run_metrics("dpnbench", {}).official.empty());
}

TEST(Preset, Llava15SettingsPerBenchmark) {
  EXPECT_EQ(eval_preset("llava-1.5", "pope").max_new_tokens, 128);
  EXPECT_EQ(eval_preset("llava-1.5", "scienceqa").max_new_tokens, 1024);
  EXPECT_EQ(eval_preset("llava-1.5", "mmbench-cn").prompt_suffix, "\n请直接回答选项字母。");
  EXPECT_EQ(eval_preset("llava-1.5", "mmvet").prompt_suffix, "");
  EXPECT_EQ(eval_preset("llava-1.5", "vqav2").temperature, 0);
  EXPECT_EQ(postprocess_answer(eval_preset("llava-1.5", "gqa"), "\u00a0Yes\n"), "Yes");
  EXPECT_THROW(eval_preset("llava-1.5", "dpnbench"), dpn::Error);
  EXPECT_THROW(eval_preset("llava-2", "pope"), dpn::Error);
  const nlohmann::json id = preset_identity(eval_preset("llava-1.5", "pope"));
  EXPECT_EQ(id["name"], "llava-1.5");
  EXPECT_EQ(id["max_new_tokens"], 128);
}

}  // namespace

// The official aggregates on small hand-made inputs, and what happens where the official scripts stop: the metric
// is absent and the error says why (never a 0 in its place). Numbers computed by hand from the scripts' formulas.
#include "eval/official_metrics.h"

#include <gtest/gtest.h>

using namespace dpn::eval;

namespace {

const Metric* group_metric(const BenchmarkMetrics& m, const std::string& group, const std::string& name) {
  for (const auto& g : m.groups)
    if (g.name == group)
      for (const auto& x : g.metrics)
        if (x.name == name) return &x;
  return nullptr;
}

TEST(PopeMetrics, PerSplitAsEvalPopeAndMeanF1) {
  // random: labels yes,yes,no,no,yes ; predictions -> yes,no,yes,no,yes: TP=2 FN=1 FP=1 TN=1
  std::vector<PopeItem> items = {{"random", "yes", "Yes"}, {"random", "yes", "No."}, {"random", "no", "Yes, there is"},
                                 {"random", "no", "no"},   {"random", "yes", "yes"}, {"popular", "yes", "Yes"},
                                 {"popular", "no", "No"}};
  BenchmarkMetrics m = pope_metrics(items);
  EXPECT_DOUBLE_EQ(group_metric(m, "random", "acc")->value, 3.0 / 5);
  EXPECT_DOUBLE_EQ(group_metric(m, "random", "precision")->value, 2.0 / 3);
  EXPECT_DOUBLE_EQ(group_metric(m, "random", "recall")->value, 2.0 / 3);
  EXPECT_DOUBLE_EQ(group_metric(m, "random", "yes_ratio")->value, 3.0 / 5);
  EXPECT_DOUBLE_EQ(group_metric(m, "popular", "f1")->value, 1.0);
  EXPECT_DOUBLE_EQ(m.find("f1")->value, (2 * (2.0 / 3) * (2.0 / 3) / (4.0 / 3) + 1.0) / 2);
  EXPECT_TRUE(m.errors.empty());
}

TEST(PopeMetrics, NoYesAnswerStopsTheScriptAndNothingIsPrintedAsZero) {
  BenchmarkMetrics m = pope_metrics({{"adversarial", "yes", "no"}, {"adversarial", "no", "No."}});
  ASSERT_EQ(m.errors.size(), 1u);
  EXPECT_NE(m.errors[0].find("precision"), std::string::npos) << m.errors[0];
  EXPECT_EQ(group_metric(m, "adversarial", "precision"), nullptr);
  EXPECT_EQ(group_metric(m, "adversarial", "f1"), nullptr);
  EXPECT_EQ(m.find("f1"), nullptr);
  EXPECT_DOUBLE_EQ(group_metric(m, "adversarial", "tn")->value, 1);  // the counts are printed before the division
  BenchmarkMetrics r = pope_metrics({{"random", "no", "yes"}});
  EXPECT_NE(r.errors.at(0).find("recall"), std::string::npos);
}

std::vector<MmeItem> mme_all_tasks(const std::string& existence_first, const std::string& existence_second) {
  std::vector<MmeItem> items;
  for (const auto* tasks : {&mme_perception_tasks(), &mme_cognition_tasks()})
    for (const auto& t : *tasks) {
      items.push_back({t, t + "/1", "Yes", t == "existence" ? existence_first : "Yes"});
      items.push_back({t, t + "/1", "No", t == "existence" ? existence_second : "No"});
    }
  return items;
}

TEST(MmeMetrics, SubtaskScoresAndTotals) {
  BenchmarkMetrics m = mme_metrics(mme_all_tasks("Yes", "Yes"));
  // existence: acc 1/2, acc+ 0 -> 50; the other 9 perception subtasks 200 each
  EXPECT_DOUBLE_EQ(group_metric(m, "existence", "score")->value, 50);
  EXPECT_DOUBLE_EQ(m.find("perception")->value, 50 + 9 * 200);
  EXPECT_DOUBLE_EQ(m.find("cognition")->value, 4 * 200);
  EXPECT_TRUE(m.errors.empty());
}

TEST(MmeMetrics, WhereCalculationPyStops) {
  auto items = mme_all_tasks("Yes", "No");
  items.erase(items.begin() + 2, items.begin() + 4);  // no "count" answers: count.txt does not exist
  BenchmarkMetrics m = mme_metrics(items);
  EXPECT_EQ(m.find("perception"), nullptr);
  EXPECT_EQ(m.find("cognition"), nullptr);  // the script never gets there
  EXPECT_NE(m.errors.at(0).find("count"), std::string::npos) << m.errors.at(0);
  EXPECT_NE(group_metric(m, "existence", "score"), nullptr);  // the subtasks it could score are still shown

  EXPECT_NE(mme_metrics(mme_all_tasks("maybe", "perhaps")).errors.at(0).find("scikit-learn"), std::string::npos);
  EXPECT_NE(mme_metrics(mme_all_tasks("Yes\nNo", "No")).errors.at(0).find("line break"), std::string::npos);
  auto odd = mme_all_tasks("Yes", "No");
  odd.pop_back();
  EXPECT_NE(mme_metrics(odd).errors.at(0).find("pairs lines"), std::string::npos);
  auto bad_gt = mme_all_tasks("Yes", "No");
  bad_gt[0].gt = "maybe";
  EXPECT_NE(mme_metrics(bad_gt).errors.at(0).find("yes/no"), std::string::npos);
}

TEST(ScienceQaMetrics, AccuracyImageSubsetAndDivisionByZero) {
  BenchmarkMetrics m = scienceqa_metrics({{true, true}, {false, true}, {true, false}, {true, true}});
  EXPECT_DOUBLE_EQ(m.find("acc")->value, 75.0);
  EXPECT_DOUBLE_EQ(m.find("img_acc")->value, 2.0 / 3 * 100);
  BenchmarkMetrics text_only = scienceqa_metrics({{true, false}});
  EXPECT_EQ(text_only.find("acc"), nullptr);  // one print computes both: the whole line is lost
  EXPECT_NE(text_only.errors.at(0).find("IMG-Accuracy"), std::string::npos);
}

TEST(VqaMetrics, RoundedLikeVqaEvalAndTextVqaMean) {
  BenchmarkMetrics v = vqa_metrics("vqav2", {{1.0, "yes/no", "is"}, {0.3, "other", "what"}, {0.0, "other", "what"}});
  EXPECT_DOUBLE_EQ(v.find("acc")->value, 43.33);  // round(100 * 1.3 / 3, 2)
  EXPECT_DOUBLE_EQ(group_metric(v, "other", "acc")->value, 15.0);
  BenchmarkMetrics t = vqa_metrics("textvqa", {{1.0, "", ""}, {0.3, "", ""}, {0.0, "", ""}});
  EXPECT_DOUBLE_EQ(t.find("acc")->value, 100.0 * (1.3 / 3));
  EXPECT_FALSE(vqa_metrics("vqav2", {}).errors.empty());
}

TEST(GqaMetrics, BinaryOpenAndDistributionFailure) {
  BenchmarkMetrics m = gqa_metrics({{true, "query", true}, {false, "verify", true}, {true, "logical", false}});
  EXPECT_DOUBLE_EQ(m.find("acc")->value, 2.0 / 3 * 100);
  EXPECT_DOUBLE_EQ(m.find("open")->value, 100);
  EXPECT_DOUBLE_EQ(m.find("binary")->value, 50);
  EXPECT_NE(gqa_metrics({{true, "query", false}}).errors.at(0).find("distribution"), std::string::npos);
}

TEST(SeedMetrics, TypesImageVideoAndTheKeyError) {
  BenchmarkMetrics m = seed_metrics({{"Scene", "image", true}, {"Scene", "image", false}, {"Action", "video", true}});
  EXPECT_DOUBLE_EQ(m.find("acc")->value, 2.0 / 3 * 100);
  EXPECT_DOUBLE_EQ(m.find("image_acc")->value, 50);
  EXPECT_DOUBLE_EQ(m.find("video_acc")->value, 100);
  // every question of "Action" answered and wrong: correct_counts has no entry -> KeyError in the script
  BenchmarkMetrics k = seed_metrics({{"Scene", "image", true}, {"Action", "video", false}});
  EXPECT_EQ(k.find("acc"), nullptr);
  EXPECT_NE(k.errors.at(0).find("KeyError"), std::string::npos);
  // a missing answer creates the entry: no error
  EXPECT_TRUE(seed_metrics({{"Scene", "image", true}, {"Action", "video", false, false}}).errors.empty());
}

TEST(MmbenchMetrics, CircularGroupsAndUnparsedCount) {
  // question 7 (2 options): both rows right -> hit; question 8: one copy unparsed -> miss
  std::vector<McqRow> rows = {{7, 7, "A", "A", "cat1", "coarse_perception", "dev"},
                              {1000007, 7, "B", "B", "cat1", "coarse_perception", "dev"},
                              {8, 8, "B", "B", "cat2", "logic_reasoning", "dev"},
                              {1000008, 8, "A", "", "cat2", "logic_reasoning", "dev"}};
  BenchmarkMetrics m = mmbench_metrics("mmbench", rows);
  EXPECT_DOUBLE_EQ(m.find("Overall")->value, 0.5);
  EXPECT_EQ(m.unparsed, 1);
  EXPECT_DOUBLE_EQ(group_metric(m, "CP", "acc")->value, 1.0);  // l2 names abbreviated as report_acc does
  EXPECT_DOUBLE_EQ(group_metric(m, "LR", "acc")->value, 0.0);
  BenchmarkMetrics test = mmbench_metrics("mmbench", {{5, 5, "", "A", "c", "l", "test"}});
  EXPECT_EQ(test.find("Overall"), nullptr);
  EXPECT_NE(test.notes.at(0).find("mmbench-submission"), std::string::npos);
}

TEST(MetricsOutput, JsonNamesAndText) {
  BenchmarkMetrics m = pope_metrics({{"random", "yes", "Yes"}, {"random", "no", "No"}});
  const nlohmann::json j = metrics_json(m);
  EXPECT_DOUBLE_EQ(j["f1"].get<double>(), 1.0);
  for (const char* k : {"acc", "precision", "recall", "f1", "yes_ratio"}) EXPECT_TRUE(j["splits"]["random"].contains(k)) << k;
  EXPECT_EQ(j["kind"], "pope");
  const std::string text = format_metrics(m);
  EXPECT_NE(text.find("eval_pope.py"), std::string::npos);
  EXPECT_NE(text.find("f1 1.0000"), std::string::npos) << text;
}

}  // namespace

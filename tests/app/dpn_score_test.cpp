// `dpn score` and the evaluation side of `dpn bench` / `dpn runs` as a user runs them: JSON with the official metric
// names, exit codes, errors naming the file, and a benchmark run with --preset llava-1.5 whose exported answers
// re-score to the same official aggregates.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "app/cli_runner.h"
#include "core/scratch_dir.h"

namespace {

using dpn::test::CliResult;
using dpn::test::run_dpn;

const std::string kOfficial = std::string(DPN_TEST_DATA) + "/eval/official/";
const std::string kEval = std::string(DPN_TEST_DATA) + "/eval/";

TEST(DpnScore, PopeJsonWithOfficialNames) {
  CliResult r = run_dpn("score --kind pope --questions " + kOfficial + "pope/llava_pope_test.jsonl --annotations " +
                            kOfficial + "pope/coco --predictions " + kOfficial + "pope/answers.jsonl --json",
                        false);
  ASSERT_EQ(r.code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  const auto want = nlohmann::json::parse(std::string(std::istreambuf_iterator<char>(
      *std::make_unique<std::ifstream>(kOfficial + "pope/expected.json")), {}))["metrics"]["splits"];
  for (const auto& [split, m] : want.items())
    for (const char* k : {"acc", "precision", "recall", "f1", "yes_ratio"})
      EXPECT_EQ(j["metrics"]["splits"][split][k].get<double>(), m[k].get<double>()) << split << " " << k;
  EXPECT_EQ(j["samples"].size(), 600u);
}

TEST(DpnScore, TextReportAndErrors) {
  CliResult r = run_dpn("score --kind mme --annotations " + kOfficial + "mme/MME_Benchmark_release_version --predictions " +
                        kOfficial + "mme/answers.jsonl");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("perception"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("calculation.py"), std::string::npos) << r.out;
  CliResult bad = run_dpn("score --kind textvqa --annotations " + kOfficial + "textvqa/TextVQA_0.5.1_val.json --predictions /nonexistent/a.jsonl");
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.out.find("/nonexistent/a.jsonl"), std::string::npos) << bad.out;
  CliResult usage = run_dpn("score --kind pope");
  EXPECT_EQ(usage.code, 2) << usage.out;
  // the official script would fail (no yes answers in a split): exit 3, and the error instead of a number
  auto d = dpn::test::scratch_dir("dpn_score");
  const std::string answers = (d / "no.jsonl").string();
  std::string lines;
  for (int q = 1; q <= 4; ++q) lines += "{\"question_id\": " + std::to_string(q) + ", \"text\": \"No\"}\n";
  FILE* f = std::fopen(answers.c_str(), "w");
  std::fputs(lines.c_str(), f);
  std::fclose(f);
  CliResult fail = run_dpn("score --kind pope --questions " + kEval + "pope/llava_pope_test.jsonl --annotations " + kEval +
                           "pope/annotations --predictions " + answers);
  EXPECT_EQ(fail.code, 3) << fail.out;
  EXPECT_NE(fail.out.find("divides by zero"), std::string::npos) << fail.out;
}

TEST(DpnScore, BenchWithPresetThenExportRescoresToTheSameMetrics) {
  auto d = dpn::test::scratch_dir("dpn_score");
  const std::string db = (d / "runs.sqlite").string();
  const std::string data = " --kind pope --dataset " + kEval + "pope/llava_pope_test.jsonl --images " + kEval +
                           "pope/images --annotations " + kEval + "pope/annotations";
  CliResult b = run_dpn("bench --model tiny-random --preset llava-1.5 --db " + db + data + " --json", false);
  ASSERT_EQ(b.code, 0) << b.out;
  const auto bench = nlohmann::json::parse(b.out);
  const auto& official = bench["methods"][0]["official"];
  EXPECT_EQ(official["kind"], "pope");
  EXPECT_TRUE(official.contains("splits") || !official["errors"].empty()) << official.dump();
  const int64_t run = bench["methods"][0]["run_id"];
  // the preset is in the run's identity
  CliResult show = run_dpn("runs show " + std::to_string(run) + " --db " + db);
  EXPECT_NE(show.out.find("\"preset\":{"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("\"max_new_tokens\":128"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("official metrics"), std::string::npos) << show.out;
  EXPECT_EQ(run_dpn("bench --model tiny-random --preset llava-1.5 --max-new-tokens 5 --db " + db + data).code, 2);
  // exported answers re-score to the same aggregates
  const std::string answers = (d / "answers.jsonl").string();
  ASSERT_EQ(run_dpn("runs export " + std::to_string(run) + " --format llava-answers --out " + answers + " --db " + db).code, 0);
  CliResult s = run_dpn("score --kind pope --questions " + kEval + "pope/llava_pope_test.jsonl --annotations " + kEval +
                            "pope/annotations --predictions " + answers + " --json",
                        false);
  const auto score = nlohmann::json::parse(s.out);
  EXPECT_EQ(score["metrics"]["splits"], official["splits"]);
  EXPECT_EQ(score["metrics"]["errors"], official["errors"]);
}

}  // namespace

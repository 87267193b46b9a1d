// The `dpn ask` command as a user runs it: JSON output, exit codes, one-line errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "app/cli_runner.h"

namespace {

using dpn::test::CliResult;
using dpn::test::run_dpn;

const std::string kImage = std::string(DPN_SOURCE_DIR) + "/resources/samples/shapes.png";

}  // namespace

TEST(DpnAsk, BuiltInModelAnswersAsJson) {
  CliResult r = run_dpn("ask --model tiny-random --image " + kImage + " --question 'What is the background color?' --max-new-tokens 5 --json");
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  for (const char* k : {"answer", "tokens", "prefill_ms", "decode_ms"}) EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_LE(j["tokens"].size(), 5u);
  EXPECT_EQ(j["visual_tokens"], 49);
  EXPECT_GT(j["prefill_ms"].get<double>(), 0.0);
}

TEST(DpnAsk, SameQuestionSameGreedyAnswer) {
  const std::string args = "ask --model tiny-random --image " + kImage + " --question 'Is there a cross?' --max-new-tokens 8 --json";
  auto a = nlohmann::json::parse(run_dpn(args).out), b = nlohmann::json::parse(run_dpn(args).out);
  EXPECT_EQ(a["tokens"], b["tokens"]);
}

TEST(DpnAsk, MissingModelIsOneLineErrorWithExitCode1) {
  CliResult r = run_dpn("ask --model /nonexistent/model --image " + kImage + " --question hi");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("/nonexistent/model"), std::string::npos) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
}

TEST(DpnAsk, BadImageNamesTheFile) {
  CliResult r = run_dpn("ask --model tiny-random --image /tmp/does-not-exist.png --question hi");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("/tmp/does-not-exist.png: image file not found"), std::string::npos) << r.out;
}

TEST(DpnAsk, EmptyQuestionAndUsageErrors) {
  CliResult r = run_dpn("ask --model tiny-random --image " + kImage + " --question ' '");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("question is empty"), std::string::npos) << r.out;
  r = run_dpn("ask --model tiny-random --image " + kImage + " --question hi --bogus 3");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("unknown option --bogus"), std::string::npos) << r.out;
  r = run_dpn("ask --image " + kImage);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("missing required option --model"), std::string::npos) << r.out;
}

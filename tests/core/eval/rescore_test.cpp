// `dpn score`'s re-scoring (core/eval/rescore.h): the errors for files the official scripts cannot join (they name
// the file and line), the failures it reports instead of a number, and answer files read as the scripts read them.
#include "eval/rescore.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/scratch_dir.h"
#include "eval/answer_file.h"
#include "util/error.h"

using namespace dpn::eval;

namespace {

const std::string kOfficial = std::string(DPN_TEST_DATA) + "/eval/official/";

std::string write(const std::filesystem::path& dir, const std::string& name, const std::string& text) {
  const std::string p = (dir / name).string();
  std::ofstream(p) << text;
  return p;
}

std::string error_of(const RescoreSpec& s) {
  try {
    rescore(s);
  } catch (const dpn::Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Rescore, AnswerFileReadAsTheScriptsRead) {
  auto d = dpn::test::scratch_dir("rescore");
  const std::string p = write(d, "a.jsonl", "{\"question_id\": 1, \"text\": \"x\"}\nnot json\n{\"question_id\": 1, \"text\": \"y\"}\n");
  EXPECT_NE(std::string([&] {
              try {
                read_answer_file(p);
              } catch (const dpn::Error& e) {
                return std::string(e.what());
              }
              return std::string();
            }()).find("a.jsonl:2"),
            std::string::npos);
  const AnswerFile f = read_answer_file(p, /*skip_bad_lines=*/true);  // as convert_vqav2_for_submission.py
  EXPECT_EQ(f.skipped_lines, 1);
  EXPECT_EQ(f.by_id().at("1")->text, "y");  // a later answer replaces an earlier one (dict semantics)
  EXPECT_EQ(f.answers[0].question_id, nlohmann::json(1));
}

TEST(Rescore, JoinFailuresNameTheFileAndLine) {
  auto d = dpn::test::scratch_dir("rescore");
  RescoreSpec s;
  s.kind = "textvqa";
  s.annotations = kOfficial + "textvqa/TextVQA_0.5.1_val.json";
  s.predictions = write(d, "no_prompt.jsonl", "{\"question_id\": \"abc\", \"text\": \"x\"}\n");
  EXPECT_NE(error_of(s).find("no_prompt.jsonl:1: no 'prompt' field"), std::string::npos) << error_of(s);
  s.predictions = write(d, "unknown.jsonl", "{\"question_id\": \"abc\", \"prompt\": \"Q?\\nA.\", \"text\": \"x\"}\n");
  EXPECT_NE(error_of(s).find("unknown.jsonl:1: no annotation for image id abc"), std::string::npos) << error_of(s);

  s.kind = "mme";
  s.annotations = kOfficial + "mme/MME_Benchmark_release_version";
  s.predictions = write(d, "mme.jsonl", "{\"question_id\": \"count/00001.jpg\", \"prompt\": \"Nope?\", \"text\": \"Yes\"}\n");
  EXPECT_NE(error_of(s).find("not found in"), std::string::npos) << error_of(s);

  s.kind = "pope";
  s.questions = kOfficial + "pope/llava_pope_test.jsonl";
  s.annotations = kOfficial + "pope/coco";
  s.predictions = write(d, "pope.jsonl", "{\"question_id\": 999999, \"text\": \"Yes\"}\n");
  EXPECT_NE(error_of(s).find("pope.jsonl:1: question_id 999999 is not in"), std::string::npos) << error_of(s);

  s.kind = "coco";
  EXPECT_NE(error_of(s).find("expected one of vqav2"), std::string::npos);
  s.kind = "gqa";
  s.annotations = "";
  EXPECT_NE(error_of(s).find("needs --annotations"), std::string::npos);
}

TEST(Rescore, MissingGqaPredictionsAreTheScriptsFailureNotAScore) {
  auto d = dpn::test::scratch_dir("rescore");
  RescoreSpec s;
  s.kind = "gqa";
  s.questions = kOfficial + "gqa/llava_gqa_testdev_balanced.jsonl";
  s.annotations = kOfficial + "gqa/testdev_balanced_questions.json";
  s.predictions = write(d, "one.jsonl", "{\"question_id\": \"20240000\", \"text\": \"yes\"}\n");
  const RescoreReport r = rescore(s);
  EXPECT_EQ(r.metrics.find("acc"), nullptr);
  ASSERT_FALSE(r.metrics.errors.empty());
  EXPECT_NE(r.metrics.errors[0].find("no prediction for"), std::string::npos);
}

TEST(Rescore, Vqav2WithoutAnnotationsIsTheSubmissionUnscored) {
  RescoreSpec s;
  s.kind = "vqav2";
  s.questions = kOfficial + "vqav2/llava_vqav2_mscoco_val2014.jsonl";
  s.predictions = kOfficial + "vqav2/answers.jsonl";
  const RescoreReport r = rescore(s);
  EXPECT_FALSE(r.samples.empty());
  EXPECT_FALSE(r.samples[0].scored);
  EXPECT_EQ(r.samples[0].parsed, "2");  // "two" as the converter submits it
  EXPECT_NE(r.metrics.notes.at(0).find("vqav2-submission"), std::string::npos);
  const nlohmann::json j = rescore_json(r);
  EXPECT_TRUE(j["samples"][0]["score"].is_null());
  EXPECT_EQ(j["metrics"]["kind"], "vqav2");
}

TEST(Rescore, JsonHasSamplesAndOfficialMetricNames) {
  RescoreSpec s;
  s.kind = "pope";
  s.questions = kOfficial + "pope/llava_pope_test.jsonl";
  s.annotations = kOfficial + "pope/coco";
  s.predictions = kOfficial + "pope/answers.jsonl";
  const nlohmann::json j = rescore_json(rescore(s));
  EXPECT_EQ(j["samples"].size(), 600u);
  EXPECT_TRUE(j["samples"][0].contains("question_id"));
  EXPECT_TRUE(j["samples"][0].contains("score"));
  for (const char* k : {"acc", "precision", "recall", "f1", "yes_ratio"})
    EXPECT_TRUE(j["metrics"]["splits"]["random"].contains(k)) << k;
}

}  // namespace

// Tests of reading LLaVA answer files (model_vqa_loader.py output) against a question set.
#include "eval/predictions.h"

#include <gtest/gtest.h>

#include "eval/dataset.h"
#include "eval/scorers.h"
#include "util/error.h"

using namespace dpn::eval;

namespace {

const std::string kData = std::string(DPN_TEST_DATA) + "/eval/";

std::vector<EvalSample> pope() {
  DatasetSpec s;
  s.kind = "pope";
  s.questions = kData + "pope/llava_pope_test.jsonl";
  s.images = kData + "pope/images";
  s.annotations = kData + "pope/annotations";
  return read_dataset(s);
}

TEST(Predictions, ReadsAnswersAndScoresThem) {
  auto samples = pope();
  auto answers = read_llava_answers(kData + "answers/pope_answers.jsonl", samples);
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers.at("3"), "No, there is no cat.");
  EXPECT_TRUE(score_sample("pope", samples[0], answers.at("1")).correct);  // label yes
  EXPECT_TRUE(score_sample("pope", samples[2], answers.at("3")).correct);  // label no
}

TEST(Predictions, UnknownQuestionIdNamesFileAndLine) {
  try {
    read_llava_answers(kData + "answers/pope_answers_unknown_id.jsonl", pope());
    FAIL() << "no error";
  } catch (const dpn::Error& e) {
    EXPECT_NE(std::string(e.what()).find("pope_answers_unknown_id.jsonl:2"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("unknown question_id 77"), std::string::npos) << e.what();
  }
}

}  // namespace

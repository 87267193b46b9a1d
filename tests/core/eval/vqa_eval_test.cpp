// VQAv2 as the official pipeline scores it (LLaVA's convert_vqav2_for_submission.py, then the server's vqaEval.py):
// the cases where it differs from the TextVQA (m4c) rule. Expected values: the vendored vqaEval
// (tests/eval/official/vqa_eval.py) on the same inputs; the differential fixture holds these cases too.
#include "eval/vqa_eval.h"

#include <gtest/gtest.h>

#include "eval/scorers.h"
#include "eval/vqa_normalize.h"

using namespace dpn::eval;

namespace {

std::vector<VqaHumanAnswer> humans(const std::vector<std::string>& answers) {
  std::vector<VqaHumanAnswer> h;
  for (size_t i = 0; i < answers.size(); ++i) h.push_back({answers[i], "{\"answer_id\":" + std::to_string(i + 1) + "}"});
  return h;
}

TEST(Vqav2Pipeline, IdenticalHumanAnswersAreNotNormalised) {
  // 10 x "two": vqaEval skips normalisation; the submission processor turned "two" into "2": no match.
  EXPECT_EQ(vqa_normalize_answer("two"), "2");
  EXPECT_DOUBLE_EQ(vqav2_pipeline_accuracy("two", humans(std::vector<std::string>(10, "two"))), 0.0);
  EXPECT_DOUBLE_EQ(vqav2_pipeline_accuracy("2", humans(std::vector<std::string>(10, "2"))), 1.0);
  // m4c normalises both sides and calls it right
  EXPECT_DOUBLE_EQ(vqa_soft_accuracy("two", std::vector<std::string>(10, "two")), 1.0);
  // case matters too when nothing is normalised: 10 x "CAFÉ", submitted "café"
  EXPECT_DOUBLE_EQ(vqav2_pipeline_accuracy("café", humans(std::vector<std::string>(10, "CAFÉ"))), 0.0);
}

TEST(Vqav2Pipeline, PossessiveStaysAttachedInVqaEval) {
  // the submission splits it ("man 's"); vqaEval keeps "man's" whole
  EXPECT_EQ(vqa_normalize_answer("man's"), "man 's");
  EXPECT_EQ(vqa_eval_normalize("man's"), "man's");
  std::vector<std::string> h(9, "man's");
  h.push_back("mans");
  EXPECT_DOUBLE_EQ(vqav2_pipeline_accuracy("man's", humans(h)), 0.0);
  EXPECT_DOUBLE_EQ(vqa_soft_accuracy("man's", h), 1.0);  // m4c splits both sides alike
}

TEST(Vqav2Pipeline, CommaBetweenWordsIsSpacedByVqaEvalAndDroppedByM4c) {
  EXPECT_EQ(vqa_eval_normalize("red,white"), "red white");
  EXPECT_EQ(vqa_normalize_answer("red,white"), "redwhite");
  std::vector<std::string> h(9, "red white");
  h.push_back("x");
  EXPECT_DOUBLE_EQ(vqav2_pipeline_accuracy("red,white", humans(h)), 0.0);  // submitted "redwhite"
  EXPECT_DOUBLE_EQ(vqav2_pipeline_accuracy("red white", humans(h)), 1.0);
  // vqaEval's commaStrip needs exactly one comma between digits; m4c's takes one or more
  EXPECT_EQ(vqa_process_punctuation("1,,2 a-b", CommaRule::VqaEval), "1  2 a b");
  EXPECT_EQ(vqa_process_punctuation("1,,2 a-b", CommaRule::M4c), "12 ab");
}

TEST(Vqav2Pipeline, LeaveOneOutComparesWholeAnswerObjects) {
  // Without answer_id two equal answers are equal dicts: leaving one out removes both.
  std::vector<VqaHumanAnswer> h;
  for (int i = 0; i < 4; ++i) h.push_back({"dog", "{}"});
  for (int i = 0; i < 6; ++i) h.push_back({"cat", "{}"});
  // each "dog" left out removes all four dogs: 0 matches; each cat left out: 4 dog matches -> 1
  EXPECT_DOUBLE_EQ(vqa_eval_accuracy("dog", h), 0.6);
  EXPECT_DOUBLE_EQ(vqa_eval_accuracy("dog", humans({"dog", "dog", "dog", "dog", "cat", "cat", "cat", "cat", "cat", "cat"})), 1.0);
}

TEST(Vqav2Pipeline, ScoreSampleUsesThePipeline) {
  EvalSample s;
  s.answers = std::vector<std::string>(10, "two");
  EXPECT_DOUBLE_EQ(score_sample("vqav2", s, "two").score, 0.0);
  EXPECT_EQ(score_sample("vqav2", s, "Two.").parsed, "2");
  EXPECT_DOUBLE_EQ(score_sample("textvqa", s, "two").score, 1.0);
}

}  // namespace

// Tests of every scorer against the behaviour of LLaVA's official scripts; each case names its source file.
// Expected values were produced by running the quoted Python logic on the same inputs.
#include <gtest/gtest.h>

#include "eval/scorers.h"
#include "util/error.h"

using namespace dpn::eval;

namespace {

// llava/eval/m4c_evaluator.py TextVQAAccuracyEvaluator._compute_answer_scores (VQAv2 val uses the same rule).
TEST(VqaAccuracy, LeaveOneOutSoftScoreAsM4c) {
  const std::vector<std::string> gt = {"down", "down", "at table", "skateboard", "down",
                                       "table", "down", "down", "down", "down"};
  EXPECT_DOUBLE_EQ(vqa_soft_accuracy("down", gt), 1.0);
  EXPECT_DOUBLE_EQ(vqa_soft_accuracy("Down.", gt), 1.0);       // normalised before matching
  EXPECT_DOUBLE_EQ(vqa_soft_accuracy("at the table", gt), 0.3);  // article dropped; 1 of 10 humans
  EXPECT_DOUBLE_EQ(vqa_soft_accuracy("skateboard", gt), 0.3);
  EXPECT_DOUBLE_EQ(vqa_soft_accuracy("up", gt), 0.0);
  // 2 of 10 humans: each leave-one-out subset holds 1 or 2 matches -> (8 * 2/3 + 2 * 1/3) / 10 = 0.6
  EXPECT_DOUBLE_EQ(vqa_soft_accuracy("x", {"x", "x", "y", "y", "y", "y", "y", "y", "y", "y"}), 0.6);
  // 3 of 10: subsets without one of them hold 2 -> (7 * 1 + 3 * 2/3) / 10 = 0.9
  const std::vector<std::string> textvqa = {"nous les gosses", "dakota", "clos culombu", "dakota digital", "dakota",
                                            "dakota", "dakota digital", "dakota digital", "dakota", "dakota"};
  EXPECT_DOUBLE_EQ(vqa_soft_accuracy("Dakota Digital", textvqa), 0.9);
  EXPECT_DOUBLE_EQ(vqa_soft_accuracy("dakota", textvqa), 1.0);
  // numbers as words: "two" normalises to "2" on both sides
  EXPECT_DOUBLE_EQ(vqa_soft_accuracy("two", {"2", "2", "two", "2", "3", "2", "2", "2", "2", "2"}), 1.0);
  EXPECT_DOUBLE_EQ(vqa_soft_accuracy("3", {"2", "2", "two", "2", "3", "2", "2", "2", "2", "2"}), 0.3);
  // an answer that normalises to "" (only an article) can still match other empty answers
  EXPECT_DOUBLE_EQ(vqa_soft_accuracy("the", {"a", "a", "b", "b", "b", "c", "c", "c", "c", "d"}), 0.6);
}

// scripts/convert_gqa_for_eval.py: text.rstrip('.').lower(); GQA eval.py compares with ==.
TEST(GqaScorer, TrailingPeriodsAndCaseOnly) {
  EXPECT_EQ(gqa_normalize("Left."), "left");
  EXPECT_EQ(gqa_normalize("left..."), "left");
  EXPECT_EQ(gqa_normalize("Mr. T"), "mr. t");
  EXPECT_EQ(gqa_normalize("yes. "), "yes. ");  // rstrip('.') only; the space stays, so it will not match
  EvalSample s;
  s.answers = {"girl"};
  EXPECT_TRUE(score_sample("gqa", s, "Girl.").correct);
  EXPECT_FALSE(score_sample("gqa", s, "the girl").correct);  // no article removal in GQA
  EXPECT_DOUBLE_EQ(score_sample("gqa", s, "girl").score, 1.0);
}

// llava/eval/eval_pope.py: first sentence, commas removed, split(' '), "no" if No/not/no is a word.
TEST(PopeScorer, ParsesLikeEvalPope) {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"Yes", "yes"}, {"No", "no"}, {"no", "no"}, {"NO", "yes"}, {"Not", "yes"},
      {"No, there is no dog.", "no"}, {"Yes, there is a dog. No doubt.", "yes"}, {"There is not a dog", "no"},
      {"Yes, no", "no"}, {"yes.no", "yes"}, {"no\nthere", "yes"}, {"none", "yes"}, {"I don't know", "yes"},
      {"Nope", "yes"}, {"no,", "no"}, {",no", "no"}, {"", "yes"}, {"Yes there is no", "no"}, {"not.", "no"}};
  for (const auto& [in, out] : cases) EXPECT_EQ(pope_parse(in), out) << "input: '" << in << "'";
}

// MME eval_tool/calculation.py parse_pred_ans on the lowercased prediction.
TEST(MmeScorer, ParsesLikeCalculationPy) {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"Yes", "yes"}, {"No", "no"}, {"YES, it is", "yes"}, {"No.", "no"}, {"not sure", "no"}, {"Nope", "no"},
      {"none", "no"}, {"unknown", "other"}, {"There is no", "other"}, {"I think yes", "other"}, {"n", "other"},
      {"noyes", "no"}, {"ye s", "other"}, {"yeah", "other"}, {"Nah", "other"},
      {"\xc3\xb3yes", "yes"}};  // "óyes": Python slices 4 code points, not bytes
  for (const auto& [in, out] : cases) EXPECT_EQ(mme_parse(in), out) << "input: '" << in << "'";
}

// llava/eval/eval_science_qa.py (LLaVA-1.5): letter, "X. " prefix, or exactly one /The answer is ([A-Z])./.
TEST(ScienceQaScorer, ParsesLikeEvalScienceQa) {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"A", "A"}, {"E", "E"}, {"F", "FAILED"}, {"a", "FAILED"}, {"A ", "FAILED"}, {" A", "FAILED"},
      {"A.", "FAILED"}, {"A. simile", "A"}, {"B. ", "B"}, {"The answer is B.", "B"},
      {"The answer is B", "FAILED"},  // the regex needs one more character after the letter
      {"The answer is Bx", "B"},      // ... any character: '.' in the regex is not escaped
      {"The answer is B.\nThe answer is C.", "FAILED"},  // two matches
      {"The answer is The answer is C.", "T"},           // first match eats the second
      {"The answer is b.", "FAILED"}, {"the answer is A.", "FAILED"}, {"The answer is B\n", "FAILED"},
      {"(C)", "FAILED"}, {"AB", "FAILED"}, {"The answer is A. The answer is A.", "FAILED"}};
  for (const auto& [in, out] : cases) EXPECT_EQ(scienceqa_parse(in), out) << "input: '" << in << "'";
  EXPECT_EQ(scienceqa_choice_index("C", 3), 2);
  EXPECT_EQ(scienceqa_choice_index("D", 3), -1);  // get_pred_idx: only the first len(choices) letters count
  EXPECT_EQ(scienceqa_choice_index("T", 5), -1);
}

TEST(ScienceQaScorer, ChoiceCountLimitsTheLetters) {
  EvalSample s;
  s.answers = {"B"};
  s.extra = {{"n_choices", 2}};
  EXPECT_TRUE(score_sample("scienceqa", s, "B").correct);
  EXPECT_FALSE(score_sample("scienceqa", s, "The answer is C.").correct);  // C is not among 2 choices
  EXPECT_FALSE(score_sample("scienceqa", s, "FAILED").correct);
}

// The bundled benchmark (dpnbench): lower-case, strip, trailing periods removed, exact match.
TEST(DpnbenchScorer, NormalisedExactMatch) {
  EXPECT_EQ(dpnbench_normalize("  Cat. "), "cat");
  EXPECT_EQ(dpnbench_normalize("Cat ..."), "cat");
  EXPECT_EQ(dpnbench_normalize("A cat"), "a cat");  // articles stay
  EvalSample s;
  s.answers = {"Brown"};
  EXPECT_TRUE(score_sample("dpnbench", s, "brown.").correct);
  EXPECT_FALSE(score_sample("dpnbench", s, "light brown").correct);
}

TEST(ScoreSample, NoGroundTruthIsUnscoredAndUnknownKindThrows) {
  EvalSample s;  // VQAv2 test-dev: no answers
  EXPECT_FALSE(score_sample("vqav2", s, "yes").scored);
  s.answers = {"x"};
  EXPECT_THROW(score_sample("vqa9", s, "x"), dpn::Error);
  EvalSample t;
  t.answers = {"a", "b", "b", "b", "c", "c", "c", "c", "c", "c"};
  SampleScore v = score_sample("textvqa", t, "b");
  EXPECT_TRUE(v.scored);
  EXPECT_DOUBLE_EQ(v.score, 0.9);
  EXPECT_FALSE(v.correct);
}

}  // namespace

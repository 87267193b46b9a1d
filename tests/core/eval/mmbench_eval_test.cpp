// VLMEvalKit's can_infer on named cases (the differential fixtures compare thousands against the toolkit itself).
#include "eval/mmbench_eval.h"

#include <gtest/gtest.h>

using namespace dpn::eval;

namespace {

const McqChoices kChoices = {{"A", "red"}, {"B", "green"}, {"C", "blue"}};

TEST(MmbenchCanInfer, OptionLettersInEveryForm) {
  EXPECT_EQ(mmbench_can_infer("A", kChoices), "A");
  EXPECT_EQ(mmbench_can_infer("(B)", kChoices), "B");
  EXPECT_EQ(mmbench_can_infer("C.", kChoices), "C");
  EXPECT_EQ(mmbench_can_infer("**B**", kChoices), "B");
  EXPECT_EQ(mmbench_can_infer("Answer: B", kChoices), "B");
  EXPECT_EQ(mmbench_can_infer("a", kChoices), "");  // letters are case-sensitive for the option rule
  EXPECT_EQ(mmbench_can_infer("A B", kChoices), "");  // two letters: ambiguous
  EXPECT_EQ(mmbench_can_infer("B is right, I think so too", kChoices), "");  // letter too far from the end
  EXPECT_EQ(mmbench_can_infer("The answer is c", kChoices), "C");  // the verbose rule ignores case
  // the letter is too early in these for the option rule; the verbose rule matches case-insensitively as Python's
  // re does: İ ~ i, long s ~ s
  EXPECT_EQ(mmbench_can_infer("My ANSWER İS B, but it could be other things", kChoices), "B");
  EXPECT_EQ(mmbench_can_infer("My anſwer is B, but it could be other things", kChoices), "B");
  EXPECT_EQ(mmbench_can_infer("My answers is B, but it could be other things", kChoices), "");
  EXPECT_EQ(mmbench_can_infer("The answer is D", kChoices), "");  // not an option
  EXPECT_EQ(mmbench_can_infer("Z", kChoices), "Z");
  EXPECT_EQ(mmbench_can_infer("Cannot determine the answer", kChoices), "Z");
}

TEST(MmbenchCanInfer, OptionTextWhenNoLetter) {
  EXPECT_EQ(mmbench_can_infer("It is green.", kChoices), "B");
  EXPECT_EQ(mmbench_can_infer("red or blue", kChoices), "");  // two options named
  EXPECT_EQ(mmbench_can_infer(std::string(40, 'x') + " green", kChoices), "");  // longer than twice the options
  EXPECT_EQ(mmbench_can_infer("GREEN", kChoices), "B");
}

TEST(MmbenchCanInfer, XlsxRoundTripOfPredictions) {
  EXPECT_EQ(mmbench_prediction_cell(""), "nan");
  EXPECT_EQ(mmbench_prediction_cell("None"), "nan");
  EXPECT_EQ(mmbench_prediction_cell("NA"), "nan");
  EXPECT_EQ(mmbench_prediction_cell("B\r\nC\r"), "B\nC\n");
  // an empty answer reads back as "nan", which contains the option "na"
  EXPECT_EQ(mmbench_can_infer(mmbench_prediction_cell(""), {{"A", "na"}, {"B", "kiwi"}}), "A");
}

TEST(MmbenchCircular, EveryCopyMustBeRight) {
  std::vector<McqRow> rows = {{3, 3, "A", "A"}, {1000003, 3, "C", "C"}, {2000003, 3, "B", "A"}, {4, 4, "D", "D"}};
  auto hits = mmbench_circular_hits(rows);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_FALSE(hits[0].hit);
  EXPECT_EQ(hits[0].rows, 3);
  EXPECT_TRUE(hits[1].hit);
}

}  // namespace

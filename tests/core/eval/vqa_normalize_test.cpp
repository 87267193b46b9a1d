// Tests of the EvalAI answer processor against llava/eval/m4c_evaluator.py (EvalAIAnswerProcessor). Every expected
// string below is what the Python class returns for the input (run on a verbatim copy of the class), quirks included.
#include <gtest/gtest.h>

#include "eval/vqa_normalize.h"

using dpn::eval::vqa_normalize_answer;

namespace {

struct Case {
  const char* in;
  const char* out;
};

// Source: haotian-liu/LLaVA llava/eval/m4c_evaluator.py, EvalAIAnswerProcessor.__call__.
const Case kCases[] = {
    // numbers as words (NUMBER_MAP; "none" is 0, "twenty" is not in the map)
    {"Two", "2"}, {"ten dogs", "10 dogs"}, {"One Two Three", "1 2 3"}, {"none", "0"},
    {"None of the above", "0 of above"}, {"twenty", "twenty"}, {"ten.", "10"},
    // articles a/an/the are dropped word by word
    {"The dog", "dog"}, {"a cat.", "cat"}, {"an apple", "apple"}, {"the the the", ""},
    // contractions without apostrophes are repaired; "'s" is split off first, so "let's" never matches its entry
    {"dont know", "don't know"}, {"Isnt it", "isn't it"}, {"Dont", "don't"}, {"whats up", "what's up"},
    {"cant", "can't"}, {"can't", "can't"}, {"oclock", "o'clock"}, {"o'clock", "o'clock"}, {"It's red", "it 's red"},
    {"let's go", "let 's go"}, {"he's", "he 's"}, {"yall'll", "y'all'll"},
    // the table's own oddities: "somebody'd" -> "somebodyd"; capitalised keys ("Im") never match after lowercasing
    {"somebody'd", "somebodyd"}, {"Im fine", "im fine"}, {"I'm fine", "i'm fine"},
    // punctuation: removed next to a space, else replaced by a space; ':' and '#' are not in the list
    {"hello-world", "hello world"}, {"hello - world", "hello world"}, {"left/right", "left right"}, {"(5)", "5"},
    {"well done!", "well done"}, {"What?", "what"}, {"@home", "home"}, {"a+b=c", "b c"}, {"#1", "#1"},
    {"x_y", "x y"}, {"\"quoted\"", "quoted"}, {"[bracket]", "bracket"}, {"{brace}", "brace"}, {"<tag>", "tag"},
    {"back`tick", "back tick"}, {"semi;colon", "semi colon"}, {"colon:here", "colon:here"},
    // commas go in word_tokenize (so 1,000 -> 1000); periods go unless a digit follows
    {"1,000", "1000"}, {"1,000 dogs, yes", "1000 dogs yes"}, {"3.5", "3.5"}, {"3.5.", "3.5"}, {"2.", "2"},
    {"Yes.", "yes"}, {"e.g. this", "eg this"}, {"a.b.c", "abc"}, {"U.S.A.", "usa"},
    // whitespace
    {"  spaced   out  ", "spaced out"}, {"new\nline\ttab", "new line tab"},
};

TEST(VqaNormalize, MatchesM4cEvaluatorOnEachCase) {
  for (const auto& c : kCases) EXPECT_EQ(vqa_normalize_answer(c.in), c.out) << "input: '" << c.in << "'";
}

// PERIOD_STRIP.sub("", text, re.UNICODE) passes re.UNICODE (= 32) as the count: only 32 periods are removed.
TEST(VqaNormalize, RemovesAtMost32PeriodsLikeThePythonCountArgument) {
  EXPECT_EQ(vqa_normalize_answer(std::string(40, '.') + "x"), "........x");
  EXPECT_EQ(vqa_normalize_answer(std::string(32, '.') + "x"), "x");
}

TEST(VqaNormalize, PunctuationTestLooksAtTheOriginalText) {
  // '-' touches a space somewhere, so every '-' is deleted (not replaced), even the one inside "a-b".
  EXPECT_EQ(dpn::eval::vqa_process_punctuation("a-b - c"), "ab  c");
  // A digit,digit comma anywhere turns every replacement into a deletion.
  EXPECT_EQ(dpn::eval::vqa_process_punctuation("1,2 x/y"), "12 xy");
}

}  // namespace

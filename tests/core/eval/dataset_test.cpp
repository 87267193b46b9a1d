// Tests of the dataset readers on the small fixtures in tests/data/eval/ (LLaVA eval.zip layouts, a few lines
// each) and of their errors: bad JSONL line, missing image, unknown question id, missing annotation.
#include <gtest/gtest.h>

#include "eval/dataset.h"
#include "eval/official_metrics.h"
#include "eval/scorers.h"
#include "util/error.h"

using namespace dpn::eval;

namespace {

const std::string kData = std::string(DPN_TEST_DATA) + "/eval/";

DatasetSpec spec(const std::string& kind, const std::string& q, const std::string& img, const std::string& ann) {
  DatasetSpec s;
  s.kind = kind;
  s.questions = kData + q;
  s.images = img.empty() ? "" : kData + img;
  s.annotations = ann.empty() ? "" : kData + ann;
  return s;
}

std::string error_of(const DatasetSpec& s) {
  try {
    read_dataset(s);
  } catch (const dpn::Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Dpnbench, ReadsQuestionsAnswersAndImages) {
  auto v = read_dataset(spec("dpnbench", "dpnbench/questions.jsonl", "dpnbench/images", "dpnbench/answers.jsonl"));
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0].id, "q1");
  EXPECT_EQ(v[0].image, kData + "dpnbench/images/cat.png");
  EXPECT_EQ(v[0].question, "What animal?");
  EXPECT_EQ(v[0].category, "animals");
  EXPECT_EQ(v[0].family, "recognition");
  ASSERT_EQ(v[0].answers.size(), 1u);
  EXPECT_EQ(v[0].answers[0], "Cat");
  EXPECT_TRUE(score_sample("dpnbench", v[0], "cat.").correct);
}

TEST(Dpnbench, BadJsonLineNamesFileAndLine) {
  std::string e = error_of(spec("dpnbench", "dpnbench/questions_bad_line.jsonl", "dpnbench/images", "dpnbench/answers.jsonl"));
  EXPECT_NE(e.find("questions_bad_line.jsonl:2"), std::string::npos) << e;
  EXPECT_NE(e.find("not valid JSON"), std::string::npos) << e;
}

TEST(Dpnbench, MissingImageNamesTheImageAndLine) {
  std::string e = error_of(spec("dpnbench", "dpnbench/questions_missing_image.jsonl", "dpnbench/images", "dpnbench/answers.jsonl"));
  EXPECT_NE(e.find("questions_missing_image.jsonl:2"), std::string::npos) << e;
  EXPECT_NE(e.find("missing.png"), std::string::npos) << e;
  DatasetSpec unchecked = spec("dpnbench", "dpnbench/questions_missing_image.jsonl", "dpnbench/images", "");
  unchecked.check_images = false;
  EXPECT_NE(error_of(unchecked).find("needs the answers"), std::string::npos);
}

TEST(Dpnbench, UnknownQuestionIdInAnswersIsAnError) {
  std::string e = error_of(spec("dpnbench", "dpnbench/questions.jsonl", "dpnbench/images", "dpnbench/answers_unknown_id.jsonl"));
  EXPECT_NE(e.find("answers_unknown_id.jsonl:2"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown question_id q9"), std::string::npos) << e;
}

TEST(Pope, PairsLabelsByOrderWithinCategory) {
  auto v = read_dataset(spec("pope", "pope/llava_pope_test.jsonl", "pope/images", "pope/annotations"));
  ASSERT_EQ(v.size(), 4u);
  // random: questions 1, 3 <- labels yes, no ; popular: questions 2, 4 <- labels no, yes
  EXPECT_EQ(v[0].answers.at(0), "yes");
  EXPECT_EQ(v[1].answers.at(0), "no");
  EXPECT_EQ(v[2].answers.at(0), "no");
  EXPECT_EQ(v[3].answers.at(0), "yes");
  EXPECT_EQ(v[1].category, "popular");
  EXPECT_TRUE(score_sample("pope", v[0], "Yes, there is a dog.").correct);
  EXPECT_NE(error_of(spec("pope", "pope/llava_pope_test.jsonl", "pope/images", "dpnbench")).find("coco_pope_"),
            std::string::npos);
}

TEST(Mme, JoinsGroundTruthLikeConvertAnswerToMme) {
  auto v = read_dataset(spec("mme", "mme/llava_mme.jsonl", "mme/MME", "mme/MME"));
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(v[0].answers.at(0), "Yes");
  EXPECT_EQ(v[1].answers.at(0), "No");
  // artwork's GT uses two spaces before "Please answer yes or no." -> found by the converter's second try
  EXPECT_EQ(v[2].answers.at(0), "Yes");
  EXPECT_EQ(v[2].category, "artwork");
  EXPECT_EQ(v[2].family, "perception");
  EXPECT_EQ(v[2].extra.at("image_key"), "artwork/10002.txt");
  // both questions of an image share LLaVA's question_id; sample ids must stay unique for the run store
  EXPECT_EQ(v[2].id, "artwork/10002.jpg#0");
  EXPECT_EQ(v[3].id, "artwork/10002.jpg#1");
  EXPECT_EQ(v[3].extra.at("question_id"), "artwork/10002.jpg");
  std::vector<MmeItem> items;
  const char* preds[] = {"Yes", "No", "Yes", "Yes"};
  for (size_t i = 0; i < v.size(); ++i)
    items.push_back({v[i].category, v[i].extra["image_key"], v[i].answers[0], preds[i]});
  const BenchmarkMetrics m = mme_metrics(items);
  std::map<std::string, double> score;
  for (const auto& g : m.groups) score[g.name] = g.metrics.at(0).value;
  EXPECT_DOUBLE_EQ(score.at("existence"), 200.0);
  EXPECT_DOUBLE_EQ(score.at("artwork"), 50.0);
  // calculation.py opens all 14 subtask files: with two of them it stops, so there is no perception total
  EXPECT_EQ(m.find("perception"), nullptr);
  ASSERT_FALSE(m.errors.empty());
  EXPECT_NE(m.errors[0].find("count"), std::string::npos) << m.errors[0];
}

TEST(TextVqa, JoinsOnImageIdAndQuestionFromPrompt) {
  auto v = read_dataset(spec("textvqa", "textvqa/llava_textvqa_val_v051_ocr.jsonl", "textvqa/images",
                             "textvqa/TextVQA_0.5.1_val.json"));
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].answers.size(), 10u);
  EXPECT_EQ(v[0].extra.at("question"), "what is the brand of this camera?");
  EXPECT_DOUBLE_EQ(score_sample("textvqa", v[0], "Dakota Digital").score, 0.9);
  EXPECT_DOUBLE_EQ(score_sample("textvqa", v[1], "22").score, 1.0);
  EXPECT_THROW(textvqa_question_from_prompt("one line only", "x"), dpn::Error);
  EXPECT_EQ(textvqa_question_from_prompt("Reference OCR token: a\nWhat Is It?\nAnswer.", "x"), "what is it?");
  EXPECT_EQ(textvqa_question_from_prompt("OCR tokens: a b Question: Why? Short answer:", "x"), "why?");
}

TEST(Vqav2, AnswersAndAnswerTypeFromAnnotations) {
  auto v = read_dataset(spec("vqav2", "vqav2/llava_vqav2_val.jsonl", "vqav2/images", "vqav2/annotations.json"));
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].id, "262148000");
  EXPECT_EQ(v[0].answers.size(), 10u);
  EXPECT_EQ(v[1].family, "number");
  EXPECT_DOUBLE_EQ(score_sample("vqav2", v[1], "Two").score, 1.0);
  // test-dev style: no annotations -> unscored samples
  auto t = read_dataset(spec("vqav2", "vqav2/llava_vqav2_val.jsonl", "vqav2/images", ""));
  EXPECT_FALSE(score_sample("vqav2", t[0], "down").scored);
}

TEST(Gqa, AnswerAndStructuralType) {
  auto v = read_dataset(spec("gqa", "gqa/llava_gqa_testdev_balanced.jsonl", "gqa/images", "gqa/testdev_balanced_questions.json"));
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].answers.at(0), "girl");
  EXPECT_EQ(v[0].family, "query");
  EXPECT_TRUE(score_sample("gqa", v[0], "Girl.").correct);
}

TEST(ScienceQa, QuestionSuffixChoicesAndImageFlag) {
  auto v = read_dataset(spec("scienceqa", "scienceqa/llava_test_CQM-A.json", "scienceqa/images", "scienceqa"));
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].question.rfind("Context: N/A\nQuestion:", 0), 0u);  // "<image>\n" removed, text stripped
  EXPECT_NE(v[0].question.find("\nAnswer with the option's letter from the given choices directly."), std::string::npos);
  EXPECT_EQ(v[0].answers.at(0), "B");
  EXPECT_EQ(v[0].family, "img");
  EXPECT_EQ(v[1].family, "no_img");
  EXPECT_TRUE(v[1].image.empty());
  EXPECT_TRUE(score_sample("scienceqa", v[1], "B").correct);
  EXPECT_FALSE(score_sample("scienceqa", v[0], "The answer is C.").correct);  // only 2 choices
}

TEST(Mmbench, TsvWithQuotedFieldsAndBase64Images) {
  auto v = read_dataset(spec("mmbench", "mmbench/mmbench_dev.tsv", "", ""));
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].id, "241");
  EXPECT_EQ(v[0].question,
            "What is the color of the square?\nA. red\nB. green\nC. blue\n"
            "Answer with the option's letter from the given choices directly.");
  EXPECT_EQ(v[1].question.substr(0, 37), "A hint line\nWhich \"shape\" is shown?\nA");
  EXPECT_EQ(v[1].extra.at("options").size(), 2u);  // empty C/D are NaN for pandas
  EXPECT_EQ(v[0].image_data.substr(1, 3), "PNG");
  EXPECT_EQ(v[0].family, "finegrained_perception (instance-level)");
  EXPECT_TRUE(score_sample("mmbench", v[0], "A").correct);
  EXPECT_FALSE(score_sample("mmbench", v[1], "I do not know").correct);
}

TEST(Readers, UnknownKindAndMissingFileAreClearErrors) {
  EXPECT_NE(error_of(spec("coco", "x", "", "")).find("unknown"), std::string::npos);
  EXPECT_NE(error_of(spec("gqa", "nope.jsonl", "", "")).find("nope.jsonl"), std::string::npos);
}

}  // namespace

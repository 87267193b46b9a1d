// Export of stored runs in the formats the evaluation servers and judges take (core/eval/submission.h), checked
// against what LLaVA's converters wrote for the same answers (tests/data/eval/official/), and round trips through
// `dpn score`.
#include "eval/submission.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/scratch_dir.h"
#include "eval/answer_file.h"
#include "eval/jsonl.h"
#include "eval/rescore.h"
#include "util/error.h"

using namespace dpn::eval;

namespace {

const std::string kOfficial = std::string(DPN_TEST_DATA) + "/eval/official/";

// A run of `kind` whose samples are the fixture's answers (family from `family_of`, when given).
int64_t store_answers(dpn::store::RunStore& db, const std::string& kind, const std::string& dir,
                      const std::string& dataset_path, bool skip_bad = false,
                      const std::map<std::string, std::string>& family_of = {}) {
  dpn::store::RunSpec spec;
  spec.model_name = "tiny";
  spec.dataset_name = kind;
  spec.dataset_kind = kind;
  spec.dataset_path = dataset_path;
  spec.method = "none";
  spec.params_json = "{}";
  const int64_t run = db.find_or_create_run(spec);
  for (const auto& a : read_answer_file(kOfficial + dir + "/answers.jsonl", skip_bad).answers) {
    dpn::store::SampleResult r;
    r.sample_id = a.id;
    r.question = a.prompt.value_or("");
    r.prediction = a.text;
    auto f = family_of.find(a.id);
    r.family = f == family_of.end() ? "" : f->second;
    db.add_sample_result(run, r);
  }
  return run;
}

std::string slurp(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

TEST(Submission, Vqav2FileAsConvertVqav2ForSubmission) {
  auto d = dpn::test::scratch_dir("submission");
  dpn::store::RunStore db((d / "runs.sqlite").string());
  const std::string questions = kOfficial + "vqav2/llava_vqav2_mscoco_val2014.jsonl";
  const int64_t run = store_answers(db, "vqav2", "vqav2", questions, true);
  const std::string out = (d / "upload.json").string();
  EXPECT_TRUE(export_run(db, run, "vqav2-submission", "", out).empty());
  EXPECT_EQ(read_json_file(out), read_json_file(kOfficial + "vqav2/expected.json")["submission"]);
  // a moved question file: the error says so and how to give it
  dpn::store::RunStore db2((d / "runs2.sqlite").string());
  const int64_t moved = store_answers(db2, "vqav2", "vqav2", "/nowhere/q.jsonl", true);
  try {
    export_run(db2, moved, "vqav2-submission", "", out);
    ADD_FAILURE() << "expected an error";
  } catch (const dpn::Error& e) {
    EXPECT_NE(std::string(e.what()).find("--questions"), std::string::npos) << e.what();
  }
  EXPECT_THROW(export_run(db, run, "mmbench-submission", "", out), dpn::Error);  // a VQAv2 run
}

TEST(Submission, MmbenchXlsxIsAWorkbookWithTheSheet) {
  auto d = dpn::test::scratch_dir("submission");
  dpn::store::RunStore db((d / "runs.sqlite").string());
  const std::string tsv = kOfficial + "mmbench/mmbench_dev_20230712.tsv";
  const int64_t run = store_answers(db, "mmbench", "mmbench", tsv);
  const std::string out = (d / "llava.xlsx").string();
  EXPECT_THROW(export_run(db, run, "mmbench-submission", "", ""), dpn::Error);  // binary: needs --out
  EXPECT_TRUE(export_run(db, run, "mmbench-submission", "", out).empty());
  const std::string bytes = slurp(out);
  ASSERT_GT(bytes.size(), 1000u);
  EXPECT_EQ(bytes.substr(0, 2), "PK");                                  // a zip container
  EXPECT_NE(bytes.find("xl/worksheets/sheet1.xml"), std::string::npos);  // with the one sheet
  EXPECT_NE(bytes.find("[Content_Types].xml"), std::string::npos);
}

TEST(Submission, LlavaAnswersRoundTripThroughDpnScore) {
  auto d = dpn::test::scratch_dir("submission");
  dpn::store::RunStore db((d / "runs.sqlite").string());
  const int64_t run = store_answers(db, "pope", "pope", kOfficial + "pope/llava_pope_test.jsonl");
  const std::string out = (d / "answers.jsonl").string();
  export_run(db, run, "llava-answers", "", out);
  RescoreSpec s;
  s.kind = "pope";
  s.questions = kOfficial + "pope/llava_pope_test.jsonl";
  s.annotations = kOfficial + "pope/coco";
  s.predictions = out;
  const nlohmann::json again = metrics_json(rescore(s).metrics);
  s.predictions = kOfficial + "pope/answers.jsonl";
  EXPECT_EQ(again, metrics_json(rescore(s).metrics));
  const auto first = read_answer_file(out).answers.at(0);
  EXPECT_TRUE(first.question_id.is_number_integer());  // POPE ids are integers in LLaVA's files
  EXPECT_TRUE(first.prompt.has_value());
}

TEST(Submission, ScienceQaAnswersKeepTheImageMarkerAndStringIds) {
  std::vector<AnsweredSample> a = {{"4", "Question: x?", "A", "img"}, {"9", "Question: y?", "B", "no_img"}};
  std::istringstream lines(llava_answers_jsonl("scienceqa", "m", a));
  std::string l1, l2;
  std::getline(lines, l1);
  std::getline(lines, l2);
  const auto j1 = nlohmann::json::parse(l1), j2 = nlohmann::json::parse(l2);
  EXPECT_EQ(j1["question_id"], "4");
  EXPECT_EQ(j1["prompt"], "<image>\nQuestion: x?");  // eval_science_qa.py's IMG subset looks for it
  EXPECT_EQ(j2["prompt"], "Question: y?");
  // MME: the store's "#n" suffix is not LLaVA's question id
  EXPECT_EQ(nlohmann::json::parse(llava_answers_jsonl("mme", "m", {{"count/1.jpg#1", "q", "Yes", ""}}))["question_id"],
            "count/1.jpg");
}

TEST(Submission, MmvetAndVizwiz) {
  EXPECT_EQ(nlohmann::json::parse(mmvet_results({{"7", "q", "An answer.\n\nMore.", ""}}).dump()),
            nlohmann::json({{"v1_7", "An answer.\n\nMore."}}));
  EXPECT_THROW(vizwiz_submission(kOfficial + "vizwiz/llava_test.jsonl", {{"0", "q", "x", ""}}), dpn::Error);
}

}  // namespace

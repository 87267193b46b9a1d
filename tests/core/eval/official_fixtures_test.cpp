// The differential test: core/eval against the official evaluation code, on the fixtures that
// tests/eval/make_eval_fixtures.py generated and ran through that code (tests/data/eval/official/, see its
// manifest.json for the versions). Every comparison must agree exactly - per string, per sample and per aggregate;
// a failure lists the first disagreements.
#include <gtest/gtest.h>
#include <unicode/uchar.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "eval/answer_file.h"
#include "eval/jsonl.h"
#include "eval/mmbench_eval.h"
#include "eval/py_text.h"
#include "eval/rescore.h"
#include "eval/scorers.h"
#include "eval/submission.h"
#include "eval/vqa_normalize.h"

using namespace dpn::eval;
using nlohmann::json;

namespace {

const std::string kDir = std::string(DPN_TEST_DATA) + "/eval/official/";

// Collects disagreements; reports the count and the first few.
class Mismatches {
 public:
  explicit Mismatches(std::string what) : what_(std::move(what)) {}
  template <class A, class B>
  void check(const A& ours, const B& official, const std::string& where) {
    ++checked_;
    if (ours == official) return;
    if (shown_.size() < 15) {
      std::ostringstream s;
      s << where << ": ours " << json(ours).dump() << ", official " << json(official).dump();
      shown_.push_back(s.str());
    }
    ++bad_;
  }
  ~Mismatches() {
    std::string all;
    for (const auto& s : shown_) all += "\n  " + s;
    EXPECT_EQ(bad_, 0) << what_ << ": " << bad_ << " of " << checked_ << " disagree" << all;
    EXPECT_GT(checked_, 0) << what_ << ": nothing compared";
  }

 private:
  std::string what_;
  std::vector<std::string> shown_;
  int64_t checked_ = 0, bad_ = 0;
};

json expected(const std::string& kind) { return read_json_file(kDir + kind + "/expected.json"); }

RescoreReport run(const std::string& kind, const std::string& dir, const std::string& questions,
                  const std::string& annotations) {
  RescoreSpec s;
  s.kind = kind;
  s.predictions = kDir + dir + "/answers.jsonl";
  s.questions = questions.empty() ? "" : kDir + dir + "/" + questions;
  s.annotations = annotations.empty() ? "" : kDir + dir + "/" + annotations;
  return rescore(s);
}

double metric(const BenchmarkMetrics& m, const std::string& name) {
  const Metric* x = m.find(name);
  EXPECT_NE(x, nullptr) << "no headline metric " << name;
  return x ? x->value : -1;
}

double group_metric(const BenchmarkMetrics& m, const std::string& section, const std::string& group,
                    const std::string& name) {
  for (const auto& g : m.groups)
    if (g.section == section && g.name == group)
      for (const auto& x : g.metrics)
        if (x.name == name) return x.value;
  ADD_FAILURE() << "no metric " << section << "/" << group << "/" << name;
  return -1;
}

std::vector<AnsweredSample> answered(const std::string& dir, bool skip_bad = false) {
  std::vector<AnsweredSample> out;
  for (const auto& a : read_answer_file(kDir + dir + "/answers.jsonl", skip_bad).answers)
    out.push_back({a.id, a.prompt.value_or(""), a.text, ""});
  return out;
}

// --- Python's str semantics, for every code point Python's Unicode version has -------------------------------------

TEST(OfficialDifferential, PythonStrSemanticsForEveryCodePoint) {
  const json u = read_json_file(kDir + "unicode.json");
  const std::string version = u["unicode"];  // "14.0.0"
  const int major = std::stoi(version), minor = std::stoi(version.substr(version.find('.') + 1));
  auto known_to_python = [&](char32_t c) {  // assigned in Python's Unicode version (ICU may know newer ones)
    UVersionInfo age;
    u_charAge(static_cast<UChar32>(c), age);
    return age[0] < major || (age[0] == major && age[1] <= minor);
  };
  std::set<int64_t> space(u["space"].begin(), u["space"].end()), digit(u["digit"].begin(), u["digit"].end());
  std::map<int64_t, std::string> lower;
  for (const auto& p : u["lower"]) lower[p[0].get<int64_t>()] = p[1].get<std::string>();
  Mismatches s("isspace"), d("re \\d"), l("lower()");
  for (char32_t c = 0; c < 0x110000; ++c) {
    if (c >= 0xD800 && c <= 0xDFFF) continue;
    const bool py_known = known_to_python(c);
    if (!py_known) continue;
    const std::string where = "U+" + std::to_string(static_cast<uint32_t>(c));
    s.check(py::is_space(c), space.count(c) > 0, where);
    d.check(py::is_digit(c), digit.count(c) > 0, where);
    const std::string one = py::encode(std::u32string(1, c));
    auto it = lower.find(c);
    l.check(py::lower(one), it == lower.end() ? one : it->second, where);
  }
  Mismatches ls("lower() of strings (final sigma)");
  for (const auto& p : u["lower_strings"]) ls.check(py::lower(p[0].get<std::string>()), p[1].get<std::string>(), p[0].get<std::string>());
}

// --- every scorer rule on ~2300 generated strings -------------------------------------------------------------------

TEST(OfficialDifferential, EveryRuleOnGeneratedStrings) {
  const McqChoices four = {{"A", "red"}, {"B", "green"}, {"C", "Blue Sky"}, {"D", "ünïcode ĲSSE"}};
  const McqChoices two = {{"A", "yes"}, {"B", "no"}};
  Mismatches lower("str.lower"), strip("str.strip"), split("str.split"), len("len"), m4c("EvalAIAnswerProcessor"),
      vqaeval("vqaEval processPunctuation+processDigitArticle"), mme("MME parse_pred_ans"), pope("eval_pope parse"),
      sqa("eval_science_qa parse"), gqa("convert_gqa_for_eval"), mmb4("VLMEvalKit can_infer (4 options)"),
      mmb2("VLMEvalKit can_infer (2 options)");
  int n = 0;
  read_jsonl(kDir + "strings.jsonl", [&](const json& j, int line) {
    const std::string s = j["s"];
    const std::string where = "strings.jsonl:" + std::to_string(line) + " " + json(s).dump();
    lower.check(py::lower(s), j["lower"].get<std::string>(), where);
    strip.check(py::strip(s), j["strip"].get<std::string>(), where);
    split.check(py::split(s), j["split"].get<std::vector<std::string>>(), where);
    len.check(py::length(s), j["len"].get<size_t>(), where);
    m4c.check(vqa_normalize_answer(s), j["m4c"].get<std::string>(), where);
    vqaeval.check(vqa_eval_normalize(s), j["vqaeval"].get<std::string>(), where);
    mme.check(mme_parse(s), j["mme"].get<std::string>(), where);
    pope.check(pope_parse(s), j["pope"].get<std::string>(), where);
    sqa.check(scienceqa_parse(s), j["sqa"].get<std::string>(), where);
    gqa.check(gqa_normalize(s), j["gqa"].get<std::string>(), where);
    mmb4.check(mmbench_can_infer(s, four), j["mmb4"].get<std::string>(), where);
    mmb2.check(mmbench_can_infer(s, two), j["mmb2"].get<std::string>(), where);
    ++n;
  });
  EXPECT_GT(n, 2000);
}

// --- each benchmark's files through its official pipeline -----------------------------------------------------------

TEST(OfficialDifferential, Vqav2SubmissionProcessingAndVqaEval) {
  const json e = expected("vqav2");
  const RescoreReport r =
      run("vqav2", "vqav2", "llava_vqav2_mscoco_val2014.jsonl", "v2_mscoco_val2014_annotations.json");
  Mismatches sub("submitted answer"), acc("per-question accuracy");
  for (const auto& x : r.samples) {
    const json& o = e["samples"][x.question_id.dump()];
    sub.check(x.parsed, o["submitted"].get<std::string>(), x.question_id.dump());
    acc.check(x.score, o["accuracy"].get<double>(), x.question_id.dump());
  }
  EXPECT_EQ(r.samples.size(), e["samples"].size());
  EXPECT_EQ(metric(r.metrics, "acc"), e["metrics"]["acc"].get<double>());
  for (const auto& [type, v] : e["metrics"]["answer_types"].items())
    EXPECT_EQ(group_metric(r.metrics, "answer_types", type, "acc"), v.get<double>()) << type;
  for (const auto& [type, v] : e["metrics"]["question_types"].items())
    EXPECT_EQ(group_metric(r.metrics, "question_types", type, "acc"), v.get<double>()) << type;
  // the upload file convert_vqav2_for_submission.py writes
  EXPECT_EQ(vqav2_submission(kDir + "vqav2/llava_vqav2_mscoco_val2014.jsonl", answered("vqav2", true)),
            e["submission"]);
}

TEST(OfficialDifferential, TextVqaM4c) {
  const json e = expected("textvqa");
  const RescoreReport r = run("textvqa", "textvqa", "", "TextVQA_0.5.1_val.json");
  ASSERT_EQ(r.samples.size(), e["samples"].size());
  Mismatches acc("per-answer accuracy");
  for (size_t i = 0; i < r.samples.size(); ++i) acc.check(r.samples[i].score, e["samples"][i].get<double>(), std::to_string(i));
  EXPECT_EQ(metric(r.metrics, "acc"), e["metrics"]["acc"].get<double>());
}

TEST(OfficialDifferential, GqaConvertAndEval) {
  const json e = expected("gqa");
  const RescoreReport r =
      run("gqa", "gqa", "llava_gqa_testdev_balanced.jsonl", "testdev_balanced_questions.json");
  Mismatches pred("prediction"), correct("correct");
  for (const auto& x : r.samples) {
    const json& o = e["samples"][x.question_id.get<std::string>()];
    pred.check(x.parsed, o["prediction"].get<std::string>(), x.question_id.dump());
    correct.check(x.correct, o["correct"].get<bool>(), x.question_id.dump());
  }
  for (const char* m : {"acc", "binary", "open"}) EXPECT_EQ(metric(r.metrics, m), e["metrics"][m].get<double>()) << m;
}

TEST(OfficialDifferential, PopeEvalPope) {
  const json e = expected("pope");
  const RescoreReport r = run("pope", "pope", "llava_pope_test.jsonl", "coco");
  Mismatches parsed("yes/no");
  for (const auto& x : r.samples) parsed.check(x.parsed, e["samples"][x.question_id.dump()].get<std::string>(), x.question_id.dump());
  double f1 = 0;
  for (const auto& [split, m] : e["metrics"]["splits"].items()) {
    for (const char* k : {"acc", "precision", "recall", "f1", "yes_ratio", "tp", "fp", "tn", "fn"})
      EXPECT_EQ(group_metric(r.metrics, "splits", split, k), m[k].get<double>()) << split << " " << k;
    f1 += m["f1"].get<double>();
  }
  EXPECT_EQ(metric(r.metrics, "f1"), f1 / 3);
  EXPECT_TRUE(r.metrics.errors.empty());
}

TEST(OfficialDifferential, MmeConvertAndCalculation) {
  const json e = expected("mme");
  const RescoreReport r = run("mme", "mme", "", "MME_Benchmark_release_version");
  ASSERT_EQ(r.samples.size(), e["samples"].size());
  Mismatches parsed("parse_pred_ans");
  for (size_t i = 0; i < r.samples.size(); ++i)
    parsed.check(r.samples[i].parsed, e["samples"][i][2].get<std::string>(), e["samples"][i][0].get<std::string>());
  EXPECT_EQ(metric(r.metrics, "perception"), e["metrics"]["perception"].get<double>());
  EXPECT_EQ(metric(r.metrics, "cognition"), e["metrics"]["cognition"].get<double>());
  for (const auto& [task, v] : e["metrics"]["subtasks"].items())
    EXPECT_EQ(group_metric(r.metrics, "subtasks", task, "score"), v.get<double>()) << task;
  EXPECT_TRUE(r.metrics.errors.empty()) << r.metrics.errors.front();
}

TEST(OfficialDifferential, ScienceQaEvalScienceQa) {
  const json e = expected("scienceqa");
  const RescoreReport r = run("scienceqa", "scienceqa", "llava_test_CQM-A.json", ".");
  Mismatches parsed("parsed answer"), correct("correct");
  for (const auto& x : r.samples) {
    const json& o = e["samples"][x.question_id.get<std::string>()];
    parsed.check(x.parsed, o[0].get<std::string>(), x.question_id.dump());
    correct.check(x.correct, o[1].get<bool>(), x.question_id.dump());
  }
  EXPECT_EQ(static_cast<int64_t>(r.samples.size()), e["metrics"]["count"].get<int64_t>());
  EXPECT_EQ(metric(r.metrics, "acc"), e["metrics"]["acc"].get<double>());
  EXPECT_EQ(metric(r.metrics, "img_acc"), e["metrics"]["img_acc"].get<double>());
}

void check_mmbench(const std::string& kind, const std::string& dir, const std::string& tsv) {
  const json e = expected(dir);
  const RescoreReport r = run(kind, dir, tsv, "");
  Mismatches parsed("can_infer per row");
  for (const auto& x : r.samples) parsed.check(x.parsed, e["samples"][x.question_id.dump()].get<std::string>(), x.question_id.dump());
  EXPECT_EQ(metric(r.metrics, "Overall"), e["metrics"]["Overall"].get<double>());
  int64_t hits = 0;
  for (const auto& [i, h] : e["hits"].items()) hits += h.get<int64_t>();
  EXPECT_EQ(static_cast<int64_t>(std::llround(metric(r.metrics, "Overall") * static_cast<double>(e["hits"].size()))), hits);
  // the .xlsx convert_mmbench_for_submission.py writes (read back with openpyxl)
  const XlsxExport x = mmbench_submission(kDir + dir + "/" + tsv, answered(dir));
  const json& want = e["xlsx"];
  EXPECT_EQ(json(x.table.columns), want["columns"]);
  ASSERT_EQ(x.table.rows.size(), want["rows"].size());
  Mismatches cells("xlsx cells");
  for (size_t i = 0; i < x.table.rows.size(); ++i)
    for (size_t c = 0; c < x.table.columns.size(); ++c) {
      const XlsxCell& cell = x.table.rows[i][c];
      const json ours = cell.type == XlsxCell::Type::Empty ? json(nullptr)
                        : cell.type == XlsxCell::Type::Number ? json(cell.number)
                                                              : json(cell.text);
      const json& theirs = want["rows"][i][c];
      cells.check(ours.is_number() ? json(ours.get<double>()) : ours,
                  theirs.is_number() ? json(theirs.get<double>()) : theirs,
                  "row " + std::to_string(i + 2) + " " + x.table.columns[c]);
    }
}

TEST(OfficialDifferential, MmbenchCircularEvaluationAndSubmission) {
  check_mmbench("mmbench", "mmbench", "mmbench_dev_20230712.tsv");
}

TEST(OfficialDifferential, MmbenchCnCircularEvaluationAndSubmission) {
  check_mmbench("mmbench-cn", "mmbench_cn", "mmbench_dev_cn_20231003.tsv");
}

TEST(OfficialDifferential, SeedConvertSeedForSubmission) {
  const json e = expected("seed");
  const RescoreReport r = run("seed", "seed", "llava-seed-bench.jsonl", "SEED-Bench.json");
  Mismatches correct("correct");
  for (const auto& x : r.samples) correct.check(x.correct, e["samples"][x.question_id.dump()].get<bool>(), x.question_id.dump());
  EXPECT_EQ(metric(r.metrics, "acc"), e["metrics"]["acc"].get<double>());
  EXPECT_EQ(metric(r.metrics, "image_acc"), e["metrics"]["image_acc"].get<double>());
  EXPECT_EQ(metric(r.metrics, "video_acc"), e["metrics"]["video_acc"].get<double>());
  for (const auto& [type, v] : e["metrics"]["question_types"].items())
    EXPECT_EQ(group_metric(r.metrics, "question_types", type, "acc"), v.get<double>()) << type;
}

TEST(OfficialDifferential, VizwizAndMmvetFiles) {
  EXPECT_EQ(vizwiz_submission(kDir + "vizwiz/llava_test.jsonl", answered("vizwiz")),
            read_json_file(kDir + "vizwiz/expected_upload.json"));
  EXPECT_EQ(json::parse(mmvet_results(answered("mmvet")).dump()), read_json_file(kDir + "mmvet/expected_results.json"));
}

}  // namespace

// Re-scoring answer files along each benchmark's official pipeline; see rescore.h.
#include "eval/rescore.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "eval/answer_file.h"
#include "eval/dataset.h"
#include "eval/jsonl.h"
#include "eval/mme_truth.h"
#include "eval/py_text.h"
#include "eval/scorers.h"
#include "eval/tsv_table.h"
#include "eval/vqa_eval.h"
#include "eval/vqa_normalize.h"
#include "util/error.h"

namespace dpn::eval {

namespace {

DatasetSpec question_spec(const RescoreSpec& s, const std::string& annotations) {
  DatasetSpec d;
  d.kind = s.kind;
  d.questions = s.questions;
  d.annotations = annotations;
  d.check_images = false;  // no model, no images
  return d;
}

void need(const std::string& value, const std::string& what, const std::string& kind) {
  if (value.empty()) throw Error("dpn score --kind " + kind, "needs " + what);
}

// The question ids of a question file, or none when no file was given.
std::set<std::string> question_ids(const RescoreSpec& s) {
  std::set<std::string> ids;
  if (s.questions.empty()) return ids;
  read_jsonl(s.questions, [&](const nlohmann::json& j, int line) {
    ids.insert(json_id(j, "question_id", s.questions + ":" + std::to_string(line)));
  });
  return ids;
}

// Failures of the official pipeline found while joining (before the aggregate): they come first, and the script
// prints no aggregate after them.
void add_stops(BenchmarkMetrics& m, const std::vector<std::string>& stops) {
  if (stops.empty()) return;
  m.errors.insert(m.errors.begin(), stops.begin(), stops.end());
  m.headline.clear();
}

nlohmann::json id_json(const std::string& id) {
  return !id.empty() && id.find_first_not_of("0123456789") == std::string::npos && id.size() < 19
             ? nlohmann::json(std::stoll(id))
             : nlohmann::json(id);
}

RescoreReport rescore_vqav2(const RescoreSpec& s) {
  need(s.questions, "--questions (the llava_vqav2_*.jsonl the answers are for)", s.kind);
  RescoreReport r;
  const AnswerFile answers = read_answer_file(s.predictions, /*skip_bad_lines=*/true);
  const auto by_id = answers.by_id();
  if (s.annotations.empty()) {  // test-dev: what the converter would upload, unscored
    for (const auto& q : read_vqav2(question_spec(s, ""))) {
      auto it = by_id.find(q.id);
      RescoredSample x;
      x.question_id = id_json(q.id);
      x.answered = it != by_id.end();
      x.prediction = x.answered ? it->second->text : "";
      x.parsed = x.answered ? vqa_normalize_answer(x.prediction) : "";
      r.samples.push_back(x);
    }
    r.metrics = unscored_metrics("vqav2", static_cast<int64_t>(r.samples.size()));
    r.metrics.official = "scripts/convert_vqav2_for_submission.py";
    r.metrics.notes = {"no annotations: scored by the VQAv2 EvalAI server; upload `dpn runs export ID --format "
                       "vqav2-submission` (or give --annotations for val)"};
    return r;
  }
  std::vector<EvalSample> qs = read_vqav2(question_spec(s, s.annotations));
  std::vector<std::pair<size_t, VqaItem>> items;
  for (const auto& q : qs) {
    auto it = by_id.find(q.id);
    RescoredSample x;
    x.question_id = id_json(q.id);
    x.answered = it != by_id.end();
    x.prediction = x.answered ? it->second->text : "";
    x.parsed = x.answered ? vqa_normalize_answer(x.prediction) : "";  // a missing answer is submitted as ""
    const SampleScore sc = score_sample("vqav2", q, x.prediction);
    x.scored = true;
    x.score = sc.score;  // a missing answer scores as the "" the converter uploads for it
    x.correct = x.score >= 1.0;
    r.samples.push_back(x);
    items.emplace_back(q.extra.value("annotation_order", size_t{0}),
                       VqaItem{x.score, q.family, q.extra.value("question_type", "")});
  }
  std::stable_sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<VqaItem> ordered;  // vqaEval sums in annotation-file order
  for (auto& [o, it] : items) ordered.push_back(it);
  r.metrics = vqa_metrics("vqav2", ordered);
  if (answers.skipped_lines)
    r.metrics.notes.push_back(std::to_string(answers.skipped_lines) + " answer lines are not JSON and were skipped, "
                              "as convert_vqav2_for_submission.py skips them");
  return r;
}

RescoreReport rescore_textvqa(const RescoreSpec& s) {
  need(s.annotations, "--annotations TextVQA_0.5.1_val.json", s.kind);
  RescoreReport r;
  const auto truth = read_textvqa_annotations(s.annotations);
  const AnswerFile answers = read_answer_file(s.predictions);
  std::vector<VqaItem> items;
  std::vector<std::string> stops;
  for (const auto& a : answers.answers) {
    const std::string where = answers.path + ":" + std::to_string(a.line);
    if (!a.prompt) throw Error(where, "no 'prompt' field: eval_textvqa.py recovers the question from it");
    const std::string q = textvqa_question_from_prompt(*a.prompt, where);
    auto it = truth.find({a.id, q});
    if (it == truth.end())
      throw Error(where, "no annotation for image id " + a.id + " and question '" + q + "' in " + s.annotations);
    if (it->second.size() != 10 && stops.empty())
      stops.push_back("eval_textvqa.py stops: m4c asserts 10 human answers; " + where + " has " +
                      std::to_string(it->second.size()));
    RescoredSample x;
    x.question_id = a.question_id;
    x.answered = x.scored = true;
    x.prediction = a.text;
    x.parsed = vqa_normalize_answer(a.text);
    x.score = vqa_soft_accuracy(a.text, it->second);
    x.correct = x.score >= 1.0;
    r.samples.push_back(x);
    items.push_back({x.score, "", ""});
  }
  r.metrics = vqa_metrics("textvqa", items);
  add_stops(r.metrics, stops);
  return r;
}

RescoreReport rescore_gqa(const RescoreSpec& s) {
  need(s.annotations, "--annotations testdev_balanced_questions.json", s.kind);
  RescoreReport r;
  const auto truth = read_gqa_annotations(s.annotations);
  const std::set<std::string> ids = question_ids(s);
  const AnswerFile answers = read_answer_file(s.predictions);
  std::map<std::string, const LlavaAnswer*> pred = answers.by_id();
  std::vector<GqaItem> items;
  std::vector<std::string> missing;
  for (const auto& [id, a] : truth) {
    if (!a.balanced || (!ids.empty() && !ids.count(id))) continue;
    auto p = pred.find(id);
    RescoredSample x;
    x.question_id = id;
    if (p == pred.end()) {
      missing.push_back(id);
      r.samples.push_back(x);
      continue;
    }
    x.answered = x.scored = true;
    x.prediction = p->second->text;
    x.parsed = gqa_normalize(x.prediction);  // convert_gqa_for_eval.py
    x.correct = x.parsed == a.answer;
    x.score = x.correct;
    r.samples.push_back(x);
    items.push_back({x.correct, a.structural, a.has_global_group});
  }
  r.metrics = gqa_metrics(items);
  if (!missing.empty())
    add_stops(r.metrics, {"eval.py stops: no prediction for " + std::to_string(missing.size()) +
                          " balanced question(s), e.g. " + missing.front()});
  return r;
}

RescoreReport rescore_pope(const RescoreSpec& s) {
  need(s.questions, "--questions llava_pope_test.jsonl (it gives each answer's category)", s.kind);
  need(s.annotations, "--annotations: the folder with coco_pope_<category>.json", s.kind);
  RescoreReport r;
  std::map<std::string, std::string> category;
  read_jsonl(s.questions, [&](const nlohmann::json& j, int line) {
    const std::string where = s.questions + ":" + std::to_string(line);
    category[json_id(j, "question_id", where)] = j.value("category", "");
  });
  const AnswerFile answers = read_answer_file(s.predictions);
  for (const auto& a : answers.answers)
    if (!category.count(a.id))
      throw Error(answers.path + ":" + std::to_string(a.line), "question_id " + a.id + " is not in " + s.questions);
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(s.annotations)) files.push_back(e.path().filename().string());
  std::sort(files.begin(), files.end());
  std::vector<PopeItem> items;
  std::vector<std::string> stops;
  std::set<std::string> covered;
  for (const auto& file : files) {
    if (file.rfind("coco_pope_", 0) != 0 || file.size() < 15 || file.substr(file.size() - 5) != ".json")
      throw Error(join_path(s.annotations, file), "eval_pope.py asserts every file of the folder is coco_pope_*.json");
    const std::string cat = file.substr(10, file.size() - 15);
    covered.insert(cat);
    std::vector<std::string> labels;
    const std::string path = join_path(s.annotations, file);
    read_jsonl(path, [&](const nlohmann::json& j, int line) {
      labels.push_back(json_string(j, "label", path + ":" + std::to_string(line)));
    });
    size_t k = 0;
    for (const auto& a : answers.answers) {
      if (category[a.id] != cat) continue;
      PopeItem it{cat, k < labels.size() ? labels[k] : "", a.text, k < labels.size()};
      RescoredSample x;
      x.question_id = a.question_id;
      x.answered = true;
      x.prediction = a.text;
      x.parsed = pope_parse(a.text);
      x.scored = it.has_label;
      x.correct = x.scored && x.parsed == (it.label == "no" ? "no" : "yes");
      x.score = x.correct;
      r.samples.push_back(x);
      items.push_back(it);
      ++k;
    }
    if (k == 0) stops.push_back("eval_pope.py stops at split " + cat + ": yes_ratio divides by zero (no answers for this label file)");
  }
  r.metrics = pope_metrics(items);
  add_stops(r.metrics, stops);
  for (const auto& [id, cat] : category)
    if (!covered.count(cat)) {
      r.metrics.notes.push_back("questions of category '" + cat + "' have no coco_pope_" + cat +
                                ".json and are not scored");
      break;
    }
  return r;
}

RescoreReport rescore_mme(const RescoreSpec& s) {
  need(s.annotations, "--annotations: the MME_Benchmark_release_version folder", s.kind);
  RescoreReport r;
  MmeTruth truth(s.annotations);
  const AnswerFile answers = read_answer_file(s.predictions);
  std::vector<MmeItem> items;
  std::vector<std::string> stops;
  for (const auto& a : answers.answers) {
    const std::string where = answers.path + ":" + std::to_string(a.line);
    if (!a.prompt) throw Error(where, "no 'prompt' field: convert_answer_to_mme.py looks the question up by it");
    const MmeKey key = mme_key(a.id);
    const std::string prompt = mme_gt_prompt(truth, key, *a.prompt);
    const std::string* gt = truth.find(key.category, key.file, prompt);
    if (!gt) throw Error(where, "question '" + prompt + "' not found in " + truth.path_of(key.category, key.file));
    if (prompt.find_first_of("\t\n\r") != std::string::npos && stops.empty())
      stops.push_back("calculation.py stops: the prompt of " + where + " has a tab or line break");
    RescoredSample x;
    x.question_id = a.question_id;
    x.answered = x.scored = true;
    x.prediction = a.text;
    x.parsed = mme_parse(a.text);
    x.correct = x.parsed == py::lower(*gt);
    x.score = x.correct;
    r.samples.push_back(x);
    items.push_back({key.category, key.category + "/" + key.file, *gt, a.text});
  }
  r.metrics = mme_metrics(items);
  add_stops(r.metrics, stops);
  return r;
}

RescoreReport rescore_scienceqa(const RescoreSpec& s) {
  need(s.annotations, "--annotations: the folder with problems.json and pid_splits.json", s.kind);
  RescoreReport r;
  const std::string problems_path = join_path(s.annotations, "problems.json");
  const std::string splits_path = join_path(s.annotations, "pid_splits.json");
  const nlohmann::json problems = read_json_file(problems_path);
  const nlohmann::json splits = read_json_file(splits_path);
  if (!splits.is_object() || !splits.contains(s.split) || !splits[s.split].is_array())
    throw Error(splits_path, "no list for split '" + s.split + "'");
  std::set<std::string> ids;
  if (!s.questions.empty()) {
    const nlohmann::json list = read_json_file(s.questions);
    if (!list.is_array()) throw Error(s.questions, "expected a JSON list of {id, image?, conversations}");
    for (size_t i = 0; i < list.size(); ++i) ids.insert(json_id(list[i], "id", s.questions + ": [" + std::to_string(i) + "]"));
  }
  const AnswerFile answers = read_answer_file(s.predictions);
  const auto pred = answers.by_id();
  std::vector<ScienceQaItem> items;
  for (const auto& pid_json : splits[s.split]) {
    const std::string pid = pid_json.is_string() ? pid_json.get<std::string>() : pid_json.dump();
    if (!ids.empty() && !ids.count(pid)) continue;
    auto p = problems.find(pid);
    if (p == problems.end()) throw Error(problems_path, "problem " + pid + " of split " + s.split + " is missing");
    const std::string pwhere = problems_path + ": " + pid;
    if (!p->contains("choices") || !(*p)["choices"].is_array()) throw Error(pwhere, "missing 'choices' list");
    if (!p->contains("answer") || !(*p)["answer"].is_number_integer()) throw Error(pwhere, "missing integer 'answer'");
    auto a = pred.find(pid);
    RescoredSample x;
    x.question_id = pid;
    x.answered = a != pred.end();
    x.prediction = x.answered ? a->second->text : "FAILED";
    std::string prompt = "Unknown";
    if (x.answered) {
      if (!a->second->prompt)
        throw Error(answers.path + ":" + std::to_string(a->second->line),
                    "no 'prompt' field: eval_science_qa.py reads it ('<image>' in it marks the IMG subset)");
      prompt = *a->second->prompt;
    }
    x.parsed = scienceqa_parse(x.prediction);
    const int n_choices = static_cast<int>((*p)["choices"].size());
    const int idx = scienceqa_choice_index(x.parsed, n_choices);
    x.scored = true;
    x.correct = idx >= 0 && idx == (*p)["answer"].get<int>();
    x.score = x.correct;
    r.samples.push_back(x);
    items.push_back({x.correct, prompt.find("<image>") != std::string::npos});
  }
  r.metrics = scienceqa_metrics(items);
  return r;
}

RescoreReport rescore_mmbench(const RescoreSpec& s) {
  need(s.questions, "--questions: the MMBench TSV", s.kind);
  RescoreReport r;
  DatasetSpec d = question_spec(s, "");
  const std::vector<EvalSample> rows = read_mmbench(d);
  const AnswerFile answers = read_answer_file(s.predictions);
  // convert_mmbench_for_submission.py: the prediction cell of the row whose index equals question_id (the last
  // answer for an index wins, as with --all-rounds files).
  const auto pred = answers.by_id();
  std::vector<McqRow> mcq;
  for (const auto& q : rows) {
    auto a = pred.find(q.id);
    RescoredSample x;
    x.question_id = id_json(q.id);
    x.answered = a != pred.end();
    x.prediction = x.answered ? a->second->text : "";
    x.parsed = mmbench_can_infer(mmbench_prediction_cell(x.prediction), mmbench_choices(q.extra));
    x.scored = !q.answers.empty();
    x.correct = x.scored && !x.parsed.empty() && x.parsed == q.answers[0];
    x.score = x.correct;
    r.samples.push_back(x);
    McqRow row;
    row.index = std::stoll(q.id);
    row.group = q.extra.value("g_index", row.index);
    row.answer = x.scored ? q.answers[0] : "";
    row.parsed = x.parsed;
    row.category = q.category;
    row.l2_category = q.family;
    row.split = q.extra.value("split", "none");
    mcq.push_back(row);
  }
  r.metrics = mmbench_metrics(s.kind, mcq);
  return r;
}

RescoreReport rescore_seed(const RescoreSpec& s) {
  need(s.annotations, "--annotations SEED-Bench.json", s.kind);
  RescoreReport r;
  const auto truth = read_seed_annotations(s.annotations);
  const std::set<std::string> ids = question_ids(s);
  const AnswerFile answers = read_answer_file(s.predictions);
  const auto pred = answers.by_id();
  std::vector<SeedItem> items;
  for (const auto& [id, a] : truth) {
    if (!ids.empty() && !ids.count(id)) continue;
    auto p = pred.find(id);
    RescoredSample x;
    x.question_id = id_json(id);
    x.answered = p != pred.end();
    x.prediction = x.answered ? p->second->text : "";
    x.parsed = x.prediction;
    x.scored = true;
    x.correct = x.answered && seed_correct(x.prediction, a.answer);
    x.score = x.correct;
    r.samples.push_back(x);
    items.push_back({a.question_type, a.data_type, x.correct, x.answered});
  }
  r.metrics = seed_metrics(items);
  return r;
}

RescoreReport rescore_unscored(const RescoreSpec& s) {
  RescoreReport r;
  const AnswerFile answers = read_answer_file(s.predictions);
  for (const auto& a : answers.answers) {
    RescoredSample x;
    x.question_id = a.question_id;
    x.answered = true;
    x.prediction = a.text;
    x.parsed = s.kind == "vizwiz" ? vqa_normalize_answer(a.text) : a.text;
    r.samples.push_back(x);
  }
  r.metrics = unscored_metrics(s.kind, static_cast<int64_t>(r.samples.size()));
  return r;
}

}  // namespace

const std::vector<std::string>& rescore_kinds() {
  static const std::vector<std::string> k = {"vqav2", "gqa",     "vizwiz",     "scienceqa", "textvqa",    "pope",
                                             "mme",   "mmbench", "mmbench-cn", "seed",      "llavabench", "mmvet"};
  return k;
}

RescoreReport rescore(const RescoreSpec& s) {
  if (s.predictions.empty()) throw Error("dpn score", "needs --predictions ANSWERS.jsonl");
  if (s.kind == "vqav2") return rescore_vqav2(s);
  if (s.kind == "textvqa") return rescore_textvqa(s);
  if (s.kind == "gqa") return rescore_gqa(s);
  if (s.kind == "pope") return rescore_pope(s);
  if (s.kind == "mme") return rescore_mme(s);
  if (s.kind == "scienceqa") return rescore_scienceqa(s);
  if (s.kind == "mmbench" || s.kind == "mmbench-cn") return rescore_mmbench(s);
  if (s.kind == "seed") return rescore_seed(s);
  if (s.kind == "vizwiz" || s.kind == "mmvet" || s.kind == "llavabench") return rescore_unscored(s);
  std::string list;
  for (const auto& k : rescore_kinds()) list += (list.empty() ? "" : ", ") + k;
  throw Error("--kind " + s.kind, "unknown; expected one of " + list);
}

nlohmann::json rescore_json(const RescoreReport& r) {
  nlohmann::ordered_json samples = nlohmann::ordered_json::array();
  for (const auto& x : r.samples) {
    nlohmann::ordered_json j;
    j["question_id"] = x.question_id;
    j["score"] = x.scored ? nlohmann::json(x.score) : nlohmann::json(nullptr);
    j["correct"] = x.scored ? nlohmann::json(x.correct) : nlohmann::json(nullptr);
    j["parsed"] = x.parsed;
    j["prediction"] = x.answered ? nlohmann::json(x.prediction) : nlohmann::json(nullptr);
    samples.push_back(j);
  }
  nlohmann::ordered_json out;
  out["samples"] = samples;
  out["metrics"] = nlohmann::ordered_json::parse(metrics_json(r.metrics).dump());
  return nlohmann::json::parse(out.dump());
}

}  // namespace dpn::eval

// Readers for VQAv2 and TextVQA (LLaVA question JSONL + the official annotation JSON), scored by VQA accuracy
// (VQAv2: vqaEval on the submitted answer; TextVQA: m4c).
#include <map>

#include "eval/dataset.h"
#include "eval/jsonl.h"
#include "eval/py_text.h"
#include "util/error.h"

namespace dpn::eval {

namespace {

std::vector<std::string> human_answers(const nlohmann::json& answers, const std::string& where) {
  if (!answers.is_array() || answers.empty()) throw Error(where, "'answers' must be a non-empty list");
  std::vector<std::string> out;
  for (const auto& a : answers) {
    if (a.is_string()) out.push_back(a.get<std::string>());
    else if (a.is_object() && a.contains("answer") && a["answer"].is_string()) out.push_back(a["answer"].get<std::string>());
    else throw Error(where, "each answer must be a string or {\"answer\": string}");
  }
  return out;
}

// The other fields of each answer object (answer_id, answer_confidence), which vqaEval compares when it leaves one
// answer out (eval/vqa_eval.h).
nlohmann::json answer_keys(const nlohmann::json& answers) {
  nlohmann::json keys = nlohmann::json::array();
  for (const auto& a : answers) {
    nlohmann::json rest = a.is_object() ? a : nlohmann::json::object();
    rest.erase("answer");
    keys.push_back(rest.dump());
  }
  return keys;
}

}  // namespace

std::map<std::string, VqaAnnotation> read_vqav2_annotations(const std::string& path) {
  const nlohmann::json ann = read_json_file(path);
  if (!ann.is_object() || !ann.contains("annotations") || !ann["annotations"].is_array())
    throw Error(path, "expected an object with an 'annotations' list (VQAv2 annotation file)");
  std::map<std::string, VqaAnnotation> truth;
  size_t i = 0;
  for (const auto& a : ann["annotations"]) {
    const std::string where = path + ": annotations[" + std::to_string(i) + "]";
    if (!a.is_object()) throw Error(where, "expected an object");
    const nlohmann::json answers = a.value("answers", nlohmann::json());
    VqaAnnotation t{human_answers(answers, where), answer_keys(answers), a.value("answer_type", ""),
                    a.value("question_type", ""), i++};
    truth[json_id(a, "question_id", where)] = std::move(t);
  }
  return truth;
}

std::map<std::pair<std::string, std::string>, std::vector<std::string>> read_textvqa_annotations(const std::string& path) {
  const nlohmann::json ann = read_json_file(path);
  if (!ann.is_object() || !ann.contains("data") || !ann["data"].is_array())
    throw Error(path, "expected an object with a 'data' list (TextVQA annotation file)");
  // eval_textvqa.py keys the annotations by (image_id, question.lower()); a later duplicate replaces an earlier one.
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> truth;
  size_t i = 0;
  for (const auto& a : ann["data"]) {
    const std::string where = path + ": data[" + std::to_string(i++) + "]";
    const std::string q = py::lower(json_string(a, "question", where));
    truth[{json_id(a, "image_id", where), q}] = human_answers(a.value("answers", nlohmann::json()), where);
  }
  return truth;
}

std::vector<EvalSample> read_vqav2(const DatasetSpec& spec) {
  std::map<std::string, VqaAnnotation> truth;
  if (!spec.annotations.empty()) truth = read_vqav2_annotations(spec.annotations);
  std::vector<EvalSample> out;
  for_each_llava_question(spec, [&](EvalSample& s, const nlohmann::json&, const std::string& where) {
    if (!truth.empty()) {
      const VqaAnnotation& a = annotation_of(truth, s.id, where, spec.annotations);
      s.answers = a.answers;
      s.family = a.answer_type;
      s.extra["answer_keys"] = a.answer_keys;
      s.extra["question_type"] = a.question_type;
      s.extra["annotation_order"] = a.order;
    }
    out.push_back(std::move(s));
  });
  return out;
}

std::vector<EvalSample> read_textvqa(const DatasetSpec& spec) {
  if (spec.annotations.empty()) throw Error(spec.questions, "TextVQA needs the annotation file (TextVQA_0.5.1_val.json)");
  const auto truth = read_textvqa_annotations(spec.annotations);
  std::vector<EvalSample> out;
  read_jsonl(spec.questions, [&](const nlohmann::json& j, int line) {
    const std::string where = spec.questions + ":" + std::to_string(line);
    EvalSample s = read_llava_question(spec, j, where);
    const std::string q = textvqa_question_from_prompt(s.question, where);
    auto it = truth.find({s.id, q});
    if (it == truth.end())
      throw Error(where, "no annotation for image id " + s.id + " and question '" + q + "' in " + spec.annotations);
    s.answers = it->second;
    s.extra["question"] = q;
    out.push_back(std::move(s));
  });
  return out;
}

}  // namespace dpn::eval

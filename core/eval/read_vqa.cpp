// Readers for VQAv2 and TextVQA (LLaVA question JSONL + the official annotation JSON), scored by VQA accuracy.
#include <map>

#include "eval/dataset.h"
#include "eval/jsonl.h"
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

}  // namespace

std::vector<EvalSample> read_vqav2(const DatasetSpec& spec) {
  // question_id -> (answers, answer_type) from v2_mscoco_*_annotations.json, when given.
  std::map<std::string, std::pair<std::vector<std::string>, std::string>> truth;
  if (!spec.annotations.empty()) {
    nlohmann::json ann = read_json_file(spec.annotations);
    if (!ann.contains("annotations") || !ann["annotations"].is_array())
      throw Error(spec.annotations, "expected an object with an 'annotations' list (VQAv2 annotation file)");
    size_t i = 0;
    for (const auto& a : ann["annotations"]) {
      const std::string where = spec.annotations + ": annotations[" + std::to_string(i++) + "]";
      std::string id = json_id(a, "question_id", where);
      truth[id] = {human_answers(a.value("answers", nlohmann::json()), where), a.value("answer_type", "")};
    }
  }
  std::vector<EvalSample> out;
  read_jsonl(spec.questions, [&](const nlohmann::json& j, int line) {
    const std::string where = spec.questions + ":" + std::to_string(line);
    EvalSample s = read_llava_question(spec, j, where);
    if (!truth.empty()) {
      auto it = truth.find(s.id);
      if (it == truth.end())
        throw Error(where, "question_id " + s.id + " is not in the annotations " + spec.annotations);
      s.answers = it->second.first;
      s.family = it->second.second;
    }
    out.push_back(std::move(s));
  });
  return out;
}

std::vector<EvalSample> read_textvqa(const DatasetSpec& spec) {
  if (spec.annotations.empty()) throw Error(spec.questions, "TextVQA needs the annotation file (TextVQA_0.5.1_val.json)");
  nlohmann::json ann = read_json_file(spec.annotations);
  if (!ann.contains("data") || !ann["data"].is_array())
    throw Error(spec.annotations, "expected an object with a 'data' list (TextVQA annotation file)");
  // eval_textvqa.py joins on (image_id, question.lower()); LLaVA's question file stores the image id in question_id.
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> truth;
  size_t i = 0;
  for (const auto& a : ann["data"]) {
    const std::string where = spec.annotations + ": data[" + std::to_string(i++) + "]";
    std::string q = json_string(a, "question", where);
    for (char& c : q) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    truth[{json_id(a, "image_id", where), q}] = human_answers(a.value("answers", nlohmann::json()), where);
  }
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

// Reader for GQA testdev-balanced (LLaVA question JSONL + the official questions JSON with answers).
#include "eval/dataset.h"
#include "eval/jsonl.h"
#include "util/error.h"

namespace dpn::eval {

std::map<std::string, GqaAnnotation> read_gqa_annotations(const std::string& path) {
  const nlohmann::json truth = read_json_file(path);
  if (!truth.is_object())
    throw Error(path, "expected an object keyed by question id (testdev_balanced_questions.json)");
  std::map<std::string, GqaAnnotation> out;
  for (const auto& [id, q] : truth.items()) {
    const std::string where = path + ": " + id;
    if (!q.is_object()) throw Error(where, "expected an object");
    GqaAnnotation a;
    a.answer = json_string(q, "answer", where);
    a.balanced = !q.contains("isBalanced") || (q["isBalanced"].is_boolean() && q["isBalanced"].get<bool>());
    if (q.contains("types") && q["types"].is_object()) a.structural = q["types"].value("structural", "");
    a.has_global_group = q.contains("groups") && q["groups"].is_object() && q["groups"].contains("global") &&
                         !q["groups"]["global"].is_null();
    out[id] = a;
  }
  return out;
}

std::vector<EvalSample> read_gqa(const DatasetSpec& spec) {
  std::map<std::string, GqaAnnotation> truth;
  if (!spec.annotations.empty()) truth = read_gqa_annotations(spec.annotations);
  std::vector<EvalSample> out;
  for_each_llava_question(spec, [&](EvalSample& s, const nlohmann::json&, const std::string& where) {
    if (!spec.annotations.empty()) {
      const GqaAnnotation& a = annotation_of(truth, s.id, where, spec.annotations);
      s.answers = {a.answer};
      s.family = a.structural;
    }
    out.push_back(std::move(s));
  });
  return out;
}

}  // namespace dpn::eval

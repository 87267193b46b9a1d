// Reader for SEED-Bench as LLaVA-1.5 runs it: llava-seed-bench.jsonl (question with its options and the letter
// suffix, image = the picture or the middle video frame) plus, optionally, the official SEED-Bench.json for the
// answers, the question type and the data type (image / video).
#include <map>

#include "eval/dataset.h"
#include "eval/jsonl.h"
#include "util/error.h"

namespace dpn::eval {

std::vector<std::pair<std::string, SeedAnnotation>> read_seed_annotations(const std::string& path) {
  const nlohmann::json ann = read_json_file(path);
  if (!ann.is_object() || !ann.contains("questions") || !ann["questions"].is_array())
    throw Error(path, "expected an object with a 'questions' list (SEED-Bench.json)");
  std::map<int64_t, std::string> type_names;
  if (ann.contains("question_type") && ann["question_type"].is_object())
    for (const auto& [name, id] : ann["question_type"].items())
      if (id.is_number_integer()) type_names[id.get<int64_t>()] = name;
  std::vector<std::pair<std::string, SeedAnnotation>> out;
  size_t i = 0;
  for (const auto& q : ann["questions"]) {
    const std::string where = path + ": questions[" + std::to_string(i++) + "]";
    if (!q.is_object()) throw Error(where, "expected an object");
    SeedAnnotation t;
    t.answer = json_string(q, "answer", where);
    t.data_type = q.value("data_type", "");
    const auto type = q.find("question_type_id");
    if (type == q.end() || !type->is_number_integer()) throw Error(where, "missing integer 'question_type_id'");
    t.type_id = type->get<int64_t>();
    auto name = type_names.find(t.type_id);
    t.question_type = name != type_names.end() ? name->second : std::to_string(t.type_id);
    out.emplace_back(json_id(q, "question_id", where), t);
  }
  return out;
}

std::vector<EvalSample> read_seed(const DatasetSpec& spec) {
  std::map<std::string, SeedAnnotation> truth;
  if (!spec.annotations.empty())
    for (auto& [id, a] : read_seed_annotations(spec.annotations)) truth[id] = a;
  std::vector<EvalSample> out;
  for_each_llava_question(spec, [&](EvalSample& s, const nlohmann::json&, const std::string& where) {
    if (!spec.annotations.empty()) {
      const SeedAnnotation& a = annotation_of(truth, s.id, where, spec.annotations);
      s.answers = {a.answer};
      s.category = a.question_type;
      s.family = a.data_type;
    } else {
      s.family = s.category;
    }
    out.push_back(std::move(s));
  });
  return out;
}

}  // namespace dpn::eval

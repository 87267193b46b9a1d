// Reader for GQA testdev-balanced (LLaVA question JSONL + the official questions JSON with answers).
#include "eval/dataset.h"
#include "eval/jsonl.h"
#include "util/error.h"

namespace dpn::eval {

std::vector<EvalSample> read_gqa(const DatasetSpec& spec) {
  nlohmann::json truth;
  if (!spec.annotations.empty()) {
    truth = read_json_file(spec.annotations);
    if (!truth.is_object())
      throw Error(spec.annotations, "expected an object keyed by question id (testdev_balanced_questions.json)");
  }
  std::vector<EvalSample> out;
  read_jsonl(spec.questions, [&](const nlohmann::json& j, int line) {
    const std::string where = spec.questions + ":" + std::to_string(line);
    EvalSample s = read_llava_question(spec, j, where);
    if (!truth.is_null()) {
      auto it = truth.find(s.id);
      if (it == truth.end()) throw Error(where, "question_id " + s.id + " is not in " + spec.annotations);
      s.answers = {json_string(*it, "answer", spec.annotations + ": " + s.id)};
      if (it->contains("types") && (*it)["types"].is_object())
        s.family = (*it)["types"].value("structural", "");
    }
    out.push_back(std::move(s));
  });
  return out;
}

}  // namespace dpn::eval

// Reader for the bundled benchmark: LLaVA-style questions JSONL {question_id, image, text, category, family},
// answers JSONL {question_id, answer, family} and an images/ folder. Scored by normalised exact match.
#include <map>

#include "eval/dataset.h"
#include "eval/jsonl.h"
#include "util/error.h"

namespace dpn::eval {

std::vector<EvalSample> read_dpnbench(const DatasetSpec& spec) {
  if (spec.annotations.empty()) throw Error(spec.questions, "dpnbench needs the answers JSONL");
  std::vector<EvalSample> out;
  std::map<std::string, size_t> index;
  read_jsonl(spec.questions, [&](const nlohmann::json& j, int line) {
    const std::string where = spec.questions + ":" + std::to_string(line);
    EvalSample s = read_llava_question(spec, j, where);
    if (j.contains("family") && j["family"].is_string()) s.family = j["family"].get<std::string>();
    if (!index.emplace(s.id, out.size()).second) throw Error(where, "duplicate question_id " + s.id);
    out.push_back(std::move(s));
  });
  std::map<std::string, bool> answered;
  read_jsonl(spec.annotations, [&](const nlohmann::json& j, int line) {
    const std::string where = spec.annotations + ":" + std::to_string(line);
    const std::string id = json_id(j, "question_id", where);
    auto it = index.find(id);
    if (it == index.end()) throw Error(where, "answer for unknown question_id " + id + " (not in " + spec.questions + ")");
    if (answered[id]) throw Error(where, "second answer for question_id " + id);
    answered[id] = true;
    EvalSample& s = out[it->second];
    s.answers = {json_string(j, "answer", where)};
    if (s.family.empty() && j.contains("family") && j["family"].is_string()) s.family = j["family"].get<std::string>();
  });
  for (const auto& s : out)
    if (s.answers.empty()) throw Error(spec.annotations, "no answer for question_id " + s.id + " of " + spec.questions);
  return out;
}

}  // namespace dpn::eval

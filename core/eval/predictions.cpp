// LLaVA answer-file reader with unknown-id and duplicate checks.
#include "eval/predictions.h"

#include <set>

#include "eval/jsonl.h"
#include "util/error.h"

namespace dpn::eval {

std::map<std::string, std::string> read_llava_answers(const std::string& path, const std::vector<EvalSample>& samples) {
  std::set<std::string> known;
  for (const auto& s : samples) known.insert(s.id);
  std::map<std::string, std::string> out;
  read_jsonl(path, [&](const nlohmann::json& j, int line) {
    const std::string where = path + ":" + std::to_string(line);
    const std::string id = json_id(j, "question_id", where);
    if (!known.count(id)) throw Error(where, "answer for unknown question_id " + id + " (not in the question file)");
    if (!out.emplace(id, json_string(j, "text", where)).second)
      throw Error(where, "second answer for question_id " + id);
  });
  return out;
}

}  // namespace dpn::eval

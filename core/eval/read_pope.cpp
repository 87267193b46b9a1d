// Reader for POPE: LLaVA's llava_pope_test.jsonl plus coco_pope_<category>.json label files, paired by order
// within each category exactly as eval_pope.py pairs answers and labels.
#include <map>

#include "eval/dataset.h"
#include "eval/jsonl.h"
#include "util/error.h"

namespace dpn::eval {

std::vector<EvalSample> read_pope(const DatasetSpec& spec) {
  if (spec.annotations.empty()) throw Error(spec.questions, "POPE needs the folder with coco_pope_<category>.json");
  std::vector<EvalSample> out;
  std::map<std::string, std::vector<size_t>> by_category;  // category -> indices into out, in file order
  read_jsonl(spec.questions, [&](const nlohmann::json& j, int line) {
    const std::string where = spec.questions + ":" + std::to_string(line);
    EvalSample s = read_llava_question(spec, j, where);
    if (s.category.empty()) throw Error(where, "missing field 'category' (adversarial, popular or random)");
    s.family = s.category;
    by_category[s.category].push_back(out.size());
    out.push_back(std::move(s));
  });
  for (const auto& [category, indices] : by_category) {
    const std::string file = join_path(spec.annotations, "coco_pope_" + category + ".json");
    std::vector<std::string> labels;
    read_jsonl(file, [&](const nlohmann::json& j, int line) {
      std::string label = json_string(j, "label", file + ":" + std::to_string(line));
      if (label != "yes" && label != "no")
        throw Error(file + ":" + std::to_string(line), "label must be 'yes' or 'no', got '" + label + "'");
      labels.push_back(label);
    });
    if (labels.size() != indices.size())
      throw Error(file, std::to_string(labels.size()) + " labels for " + std::to_string(indices.size()) +
                            " '" + category + "' questions in " + spec.questions + "; they must pair up in order");
    for (size_t i = 0; i < indices.size(); ++i) out[indices[i]].answers = {labels[i]};
  }
  return out;
}

}  // namespace dpn::eval

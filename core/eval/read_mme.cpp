// Reader for MME: LLaVA's llava_mme.jsonl plus the ground truth .txt files of MME_Benchmark_release_version,
// joined the way convert_answer_to_mme.py joins them.
#include <fstream>
#include <map>
#include <set>
#include <tuple>

#include "eval/dataset.h"
#include "eval/jsonl.h"
#include "eval/py_text.h"
#include "eval/mme_truth.h"
#include "eval/official_metrics.h"
#include "util/error.h"
#include "util/printable.h"

namespace dpn::eval {

std::vector<EvalSample> read_mme(const DatasetSpec& spec) {
  const std::string root = spec.annotations.empty() ? spec.images : spec.annotations;
  MmeTruth truth(root);
  std::vector<EvalSample> out;
  std::map<std::string, int> seen;  // question_id -> questions read so far
  read_jsonl(spec.questions, [&](const nlohmann::json& j, int line) {
    const std::string where = spec.questions + ":" + std::to_string(line);
    EvalSample s = read_llava_question(spec, j, where);
    // question_id = "<category>/<image file>"; the GT file is the image name up to its first '.' plus ".txt".
    if (s.id.find('/') == std::string::npos)
      throw Error(where, "MME question_id must be '<category>/<image>', got '" + printable(s.id) + "'");
    const MmeKey key = mme_key(s.id);
    const std::string& category = key.category;
    const std::string& file = key.file;
    const std::string prompt = mme_gt_prompt(truth, key, s.question);
    const std::string* gt = truth.find(category, file, prompt);
    if (!gt)
      throw Error(where, "question '" + printable(prompt) + "' not found in " + truth.path_of(category, file));
    s.category = category;
    s.answers = {*gt};
    bool perception = false;
    for (const auto& t : mme_perception_tasks()) perception = perception || t == category;
    s.family = perception ? "perception" : "cognition";
    s.extra["image_key"] = category + "/" + file;
    // LLaVA's llava_mme.jsonl gives both questions of an image the same question_id; the run store needs unique
    // sample ids, so the n-th question with an id gets "#n" appended (the original stays in extra).
    s.extra["question_id"] = s.id;
    s.id += "#" + std::to_string(seen[s.id]++);
    out.push_back(std::move(s));
  });
  return out;
}

}  // namespace dpn::eval

// Readers for the question files that carry no local ground truth, read as LLaVA's model_vqa*.py read them
// ({question_id, image, text, category?} per line): VizWiz test (llava_test.jsonl; answers go to the EvalAI server),
// MM-Vet (llava-mm-vet.jsonl) and LLaVA-Bench-in-the-Wild (questions.jsonl), both judged by GPT-4.
#include <set>

#include "eval/dataset.h"
#include "eval/jsonl.h"
#include "util/error.h"

namespace dpn::eval {

namespace {

std::vector<EvalSample> read_unanswered(const DatasetSpec& spec) {
  std::vector<EvalSample> out;
  std::set<std::string> seen;
  for_each_llava_question(spec, [&](EvalSample& s, const nlohmann::json&, const std::string& where) {
    if (!seen.insert(s.id).second) throw Error(where, "duplicate question_id " + s.id);
    s.family = s.category;
    out.push_back(std::move(s));
  });
  return out;
}

}  // namespace

std::vector<EvalSample> read_vizwiz(const DatasetSpec& spec) { return read_unanswered(spec); }
std::vector<EvalSample> read_mmvet(const DatasetSpec& spec) { return read_unanswered(spec); }
std::vector<EvalSample> read_llavabench(const DatasetSpec& spec) { return read_unanswered(spec); }

}  // namespace dpn::eval

// vqaEval.evaluate's per-question accuracy, in the script's order of steps.
#include "eval/vqa_eval.h"

#include <algorithm>
#include <set>

#include "eval/py_text.h"
#include "eval/vqa_normalize.h"

namespace dpn::eval {

namespace {

// answer.replace('\n', ' ').replace('\t', ' ').strip()
std::string clean(const std::string& s) {
  return py::strip(py::replace_all(py::replace_all(s, "\n", " "), "\t", " "));
}

}  // namespace

double vqa_eval_accuracy(const std::string& submitted, const std::vector<VqaHumanAnswer>& humans) {
  if (humans.empty()) return 0.0;  // vqaEval divides by len(gtAcc): an annotation without answers cannot be scored
  std::vector<VqaHumanAnswer> gts = humans;
  for (auto& g : gts) g.answer = clean(g.answer);
  std::string res = clean(submitted);
  std::set<std::string> distinct;
  for (const auto& g : gts) distinct.insert(g.answer);
  if (distinct.size() > 1) {
    for (auto& g : gts) g.answer = vqa_eval_normalize(g.answer);
    res = vqa_eval_normalize(res);
  }
  double sum = 0.0;  // float(sum(gtAcc)): left to right, from 0
  for (const auto& left_out : gts) {
    int matching = 0;
    for (const auto& other : gts) {
      const bool same_dict = other.answer == left_out.answer && other.other_fields == left_out.other_fields;
      if (!same_dict && other.answer == res) ++matching;
    }
    sum += std::min(1.0, static_cast<double>(matching) / 3);
  }
  return sum / static_cast<double>(gts.size());
}

double vqav2_pipeline_accuracy(const std::string& model_answer, const std::vector<VqaHumanAnswer>& humans) {
  return vqa_eval_accuracy(vqa_normalize_answer(model_answer), humans);
}

}  // namespace dpn::eval

// Per-sample scores and benchmark aggregates that reproduce LLaVA's official evaluation scripts
// (llava/eval/m4c_evaluator.py, eval_pope.py, eval_science_qa.py, eval_mmbench.py, scripts/convert_gqa_for_eval.py,
// MME's eval_tool/calculation.py). Each function names its source; the tests cite the same files.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "eval/sample.h"

namespace dpn::eval {

struct SampleScore {
  bool scored = false;  // false when the sample has no ground truth (VQAv2 test-dev): export for the server instead
  double score = 0;     // in [0, 1]
  bool correct = false; // exact-match benchmarks: the parsed answer equals the truth; VQA: score == 1
  std::string parsed;   // what the scorer read from the prediction (normalised answer, yes/no, letter)
};

// --- one function per official rule ---

// TextVQAAccuracyEvaluator: normalise the prediction and every human answer; for each of the N answers take the
// other N-1 and score min(1, matches / 3); average. (m4c asserts N == 10; we accept any N >= 1.)
double vqa_soft_accuracy(const std::string& prediction, const std::vector<std::string>& human_answers);

// convert_gqa_for_eval.py + GQA eval.py: prediction.rstrip('.').lower() == answer.
std::string gqa_normalize(const std::string& prediction);

// eval_pope.py: keep the text before the first '.', drop ',', split on ' '; "no" if a word is "No", "not" or
// "no", else "yes".
std::string pope_parse(const std::string& prediction);

// calculation.py parse_pred_ans on the lowercased prediction: "yes"/"no" exactly, else "yes" if the first 4
// characters contain "yes", elif "no", else "other".
std::string mme_parse(const std::string& prediction);

// eval_science_qa.py (LLaVA-1.5): the option letter, or "X. ..." at the start, or exactly one match of
// /The answer is ([A-Z])./ ; else "FAILED". Returns the letter or "FAILED".
std::string scienceqa_parse(const std::string& prediction);
// get_pred_idx: the letter's index if it is among the first n_choices of A-E, else -1.
int scienceqa_choice_index(const std::string& letter, int n_choices);

// eval_mmbench.py auto_parse_answer (without the ChatGPT fallback): returns the option letter or "" when the
// official script would have asked ChatGPT (we count those as wrong and report how many).
std::string mmbench_parse(const std::string& prediction, const std::vector<std::string>& options);

// The bundled benchmark: lowercase, strip, drop trailing periods, strip.
std::string dpnbench_normalize(const std::string& text);

// Dispatch on the reader name (sample.h reader_names()).
SampleScore score_sample(const std::string& kind, const EvalSample& sample, const std::string& prediction);

// --- aggregates over a run ---

struct PopeMetrics {
  int tp = 0, fp = 0, tn = 0, fn = 0;
  double accuracy = 0, precision = 0, recall = 0, f1 = 0, yes_ratio = 0;  // 0 where the script would divide by 0
};
// labels: "yes"/"no" ground truth; predictions: raw model outputs, in the same order.
PopeMetrics pope_metrics(const std::vector<std::string>& labels, const std::vector<std::string>& predictions);

struct MmeItem {
  std::string category;   // subtask, e.g. "existence"
  std::string image_key;  // the two questions of one image share it
  std::string gt;         // "Yes"/"No" (any case)
  std::string prediction; // raw model output
};
struct MmeScores {
  std::map<std::string, double> subtask;  // acc*100 + acc_plus*100
  double perception = 0;                  // sum over the 10 perception subtasks present
  double cognition = 0;                   // sum over the 4 cognition subtasks present
};
// Throws dpn::Error when an image does not have exactly two questions (calculation.py asserts it).
MmeScores mme_scores(const std::vector<MmeItem>& items);
const std::vector<std::string>& mme_perception_tasks();
const std::vector<std::string>& mme_cognition_tasks();

struct ScienceQaAccuracy {
  int total = 0, correct = 0, img_total = 0, img_correct = 0;
  double accuracy = 0, img_accuracy = 0;  // percentages, as the script prints
};
// correct[i], has_image[i] per problem of the split (a missing prediction counts as wrong, as in the script).
ScienceQaAccuracy scienceqa_accuracy(const std::vector<bool>& correct, const std::vector<bool>& has_image);

}  // namespace dpn::eval

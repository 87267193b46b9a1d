// Per-sample scores that reproduce the official evaluation scripts, one function per rule, each naming its source.
// Benchmark aggregates (POPE F1, MME totals, circular MMBench, ...) are in eval/official_metrics.h.
// Text follows Python 3 semantics (eval/py_text.h): Unicode lowercase, whitespace and digits.
#pragma once
#include <string>
#include <vector>

#include "eval/sample.h"

namespace dpn::eval {

struct SampleScore {
  bool scored = false;  // false when the sample has no ground truth (test splits, GPT-judged sets)
  double score = 0;     // in [0, 1]
  bool correct = false; // exact-match benchmarks: the parsed answer equals the truth; VQA: score == 1
  std::string parsed;   // what the scorer read from the prediction (submitted answer, yes/no, letter, "" unparsed)
};

// TextVQA (llava/eval/m4c_evaluator.py TextVQAAccuracyEvaluator): EvalAIAnswerProcessor on the prediction and every
// human answer; for each of the N answers take the other N-1 and score min(1, matches / 3); average.
// (m4c asserts N == 10; eval/official_metrics.h reports that as the script's failure.)
double vqa_soft_accuracy(const std::string& prediction, const std::vector<std::string>& human_answers);

// scripts/convert_gqa_for_eval.py: prediction.rstrip('.').lower(); GQA's eval.py compares it with == .
std::string gqa_normalize(const std::string& prediction);

// eval_pope.py: keep the text before the first '.', drop ',', split on ' '; "no" if a word is "No", "not" or
// "no", else "yes".
std::string pope_parse(const std::string& prediction);

// MME eval_tool/calculation.py parse_pred_ans on the lowercased prediction: "yes"/"no" exactly, else "yes" if the
// first 4 characters contain "yes", elif "no", else "other".
std::string mme_parse(const std::string& prediction);

// eval_science_qa.py (LLaVA-1.5): the option letter, or "X. ..." at the start, or exactly one match of
// /The answer is ([A-Z])./ ; else "FAILED". Returns the letter or "FAILED".
std::string scienceqa_parse(const std::string& prediction);
// get_pred_idx: the letter's index if it is among the first n_choices of A-E, else -1.
int scienceqa_choice_index(const std::string& letter, int n_choices);

// SEED-Bench (scripts/convert_seed_for_submission.py): the answer text equals the option letter exactly.
bool seed_correct(const std::string& prediction, const std::string& answer);

// The bundled benchmark: lowercase, strip, drop trailing periods, strip.
std::string dpnbench_normalize(const std::string& text);

// Dispatch on the reader name (sample.h reader_names()). MMBench uses eval/mmbench_eval.h (VLMEvalKit's
// can_infer, exact matching); VQAv2 the submission processing + vqaEval (eval/vqa_eval.h).
SampleScore score_sample(const std::string& kind, const EvalSample& sample, const std::string& prediction);

}  // namespace dpn::eval

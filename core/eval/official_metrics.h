// The aggregates the official evaluation scripts print, named as they and the papers name them, as plain data (one
// BenchmarkMetrics per benchmark run) for `dpn score`, `dpn bench`, `dpn runs show`, their JSON and the GUI.
// Values are on the script's own scale (POPE fractions, MME points, the others percentages) so they compare
// digit for digit with the script's output. Where the official script would stop with an exception, the metrics it
// could not print are absent and `errors` says why; nothing is reported as 0 in its place.
//
//   kind        script reproduced                                   headline (LLaVA-1.5 table column)
//   vqav2       convert_vqav2_for_submission.py + vqaEval.py       acc (round(100 * mean, 2)), per answer type
//   textvqa     llava/eval/eval_textvqa.py (m4c)                    acc (percent)
//   gqa         convert_gqa_for_eval.py + GQA eval.py               acc, binary, open (percent)
//   pope        llava/eval/eval_pope.py                             per split acc/precision/recall/f1/yes_ratio; f1
//                                                                   averaged over the splits
//   mme         convert_answer_to_mme.py + eval_tool/calculation.py per subtask acc + acc+; perception, cognition
//   scienceqa   llava/eval/eval_science_qa.py                       acc, img_acc (SQA-IMG)
//   mmbench     VLMEvalKit circular eval, exact matching            Overall per split, l2-category, category;
//                                                                   unparsed answers counted
//   seed        scripts/convert_seed_for_submission.py              acc per question type, total, image (SEED-IMG)
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "eval/mmbench_eval.h"

namespace dpn::eval {

struct Metric {
  std::string name;   // the official name: acc, precision, recall, f1, yes_ratio, perception, img_acc, ...
  double value = 0;
  int64_t n = 0;      // the questions it is over (0 where it does not apply: totals of subtasks)
  std::string unit;   // "%" (percent), "points" (MME), "" (a fraction), "count"
};

struct MetricGroup {
  std::string section;  // "splits", "subtasks", "answer_types", "l2_categories", "categories", "question_types"
  std::string name;     // the split / subtask / type
  std::vector<Metric> metrics;
};

struct BenchmarkMetrics {
  std::string kind;
  std::string official;             // the script reproduced
  int64_t n = 0;                    // samples scored
  std::vector<Metric> headline;     // in the order the papers print them
  std::vector<MetricGroup> groups;
  int64_t unparsed = -1;            // answers no rule could read (-1: this benchmark does not parse answers)
  std::vector<std::string> errors;  // where the official script stops, and why
  std::vector<std::string> notes;   // submission-only / GPT-judged sets, mismatched counts, ...

  const Metric* find(const std::string& name) const;  // a headline metric, or nullptr
};

// --- inputs, one struct per benchmark; each function takes them in the order the script would see them ---

struct VqaItem {
  double accuracy = 0;        // per-question score in [0, 1]
  std::string answer_type;    // VQAv2 answer_type
  std::string question_type;  // VQAv2 question_type
};
// vqav2: vqaEval's setAccuracy (overall, perAnswerType, perQuestionType; round(100 * sum / n, 2)); textvqa: the mean.
BenchmarkMetrics vqa_metrics(const std::string& kind, const std::vector<VqaItem>& items);

struct GqaItem {
  bool correct = false;
  std::string structural;         // question types.structural; "query" questions are "open", the rest "binary"
  bool has_global_group = true;   // groups.global is not null (eval.py's distribution metric divides by their count)
};
BenchmarkMetrics gqa_metrics(const std::vector<GqaItem>& items);

struct PopeItem {
  std::string split;       // category: adversarial, popular, random
  std::string label;       // the label file's "label" ("no" is negative, anything else positive)
  std::string prediction;  // raw model answer
  bool has_label = true;   // false when the label file had fewer lines than the split's answers (zip() drops them)
};
// Splits in sorted order. Per split: tp, fp, tn, fn, acc, precision, recall, f1, yes_ratio.
BenchmarkMetrics pope_metrics(const std::vector<PopeItem>& items);

struct MmeItem {
  std::string category;    // subtask
  std::string image_key;   // the image the question is about (to warn when consecutive lines are not one image)
  std::string gt;          // "Yes"/"No" (any case)
  std::string prediction;  // raw model answer
};
// calculation.py pairs consecutive lines of each subtask file (the answer-file order) as the two questions of an
// image. It needs all 14 subtasks (it opens each file), an even count per subtask, yes/no ground truth, one line per
// answer (a newline or tab in an answer breaks its line format) and, for scikit-learn, at least one yes/no answer
// per subtask.
BenchmarkMetrics mme_metrics(const std::vector<MmeItem>& items);
const std::vector<std::string>& mme_perception_tasks();
const std::vector<std::string>& mme_cognition_tasks();

struct ScienceQaItem {
  bool correct = false;
  bool multimodal = false;  // '<image>' in the answer's prompt (a problem without a prediction counts as text-only)
};
BenchmarkMetrics scienceqa_metrics(const std::vector<ScienceQaItem>& items);

struct SeedItem {
  std::string question_type;
  std::string data_type;  // image / video
  bool correct = false;
  bool answered = true;   // the answer file has this question
};
// The script's eval_single only creates a type's correct count on a right or a missing answer: a question type whose
// questions are all answered and all wrong makes it raise KeyError (reported in errors).
BenchmarkMetrics seed_metrics(const std::vector<SeedItem>& items);

// mmbench / mmbench-cn: circular evaluation over the rows (eval/mmbench_eval.h); rows without an answer are skipped
// (test split: submission only).
BenchmarkMetrics mmbench_metrics(const std::string& kind, const std::vector<McqRow>& rows);

// vizwiz, llavabench, mmvet: no local score; the note says where the answers go.
BenchmarkMetrics unscored_metrics(const std::string& kind, int64_t n);

// --- output ---

// {"acc": ..., "splits": {"random": {"acc": ..., ...}}, "errors": [...], "unparsed": N, ...}
nlohmann::json metrics_json(const BenchmarkMetrics& m);
// A few lines for terminals: the headline, one line per group, errors and notes.
std::string format_metrics(const BenchmarkMetrics& m);

}  // namespace dpn::eval

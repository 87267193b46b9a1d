// MMBench answer matching and circular evaluation as the MMBench toolkit does it with its `exact_matching` judge
// (open-compass/VLMEvalKit vlmeval/utils/matching_util.py can_infer, vlmeval/dataset/utils/multiple_choice.py
// mcq_circular_eval / prefetch_circular_group / report_acc; commit e8e78f05 read): no GPT fallback, so an answer
// that no rule can read is "unparsed" and counts as wrong. LLaVA's own eval_mmbench.py was deleted upstream; its
// submission path is convert_mmbench_for_submission.py (the .xlsx, eval/submission.h) read back by the toolkit.
//
// Circular evaluation: the official TSVs hold every question once per rotation of its options (index g, then
// g + k * 1e6); a question counts as right only when every row of its group is parsed to that row's answer.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace dpn::eval {

// Option letter -> option text, A..Z in order, for the cells of the row that are not missing (build_choices).
using McqChoices = std::vector<std::pair<std::string, std::string>>;

// pandas' default missing-value strings ('', 'NA', 'N/A', 'NULL', 'NaN', 'None', 'nan', 'null', '#N/A', ...): such
// cells of the TSV, or of the .xlsx the toolkit reads, become NaN.
bool pandas_na(const std::string& field);

// A text cell after the .xlsx round trip: XML turns "\r\n" and a lone "\r" into "\n".
std::string xlsx_text(const std::string& text);

// The prediction as the toolkit sees it after the .xlsx round trip: missing-value strings (and "") come back as
// NaN and are matched as str(NaN) == "nan"; line ends as xlsx_text.
std::string mmbench_prediction_cell(const std::string& prediction);

// can_infer(answer, choices): can_infer_option, then can_infer_text. Returns the letter, "Z" (the answer declines,
// or names option Z) or "" when nothing matched (the toolkit's False).
std::string mmbench_can_infer(const std::string& answer, const McqChoices& choices);
std::string mmbench_can_infer_option(const std::string& answer, const McqChoices& choices);
std::string mmbench_can_infer_text(const std::string& answer, const McqChoices& choices);

// EvalSample::extra["choices"] ([[letter, text], ...]) as McqChoices.
McqChoices mmbench_choices(const nlohmann::json& extra);

struct McqRow {
  int64_t index = 0;
  int64_t group = 0;     // g_index: the TSV's g_index column, else index % 1000000
  std::string answer;    // ground-truth letter
  std::string parsed;    // mmbench_can_infer of the prediction ("" = unparsed)
  std::string category, l2_category, split;
};

struct McqGroupHit {
  int64_t group = 0;
  bool hit = false;
  int rows = 0;
  const McqRow* main = nullptr;  // the row with index == group (category, split of the question)
};

// One entry per main row (index == group), in row order, as mcq_circular_eval builds data_main.
std::vector<McqGroupHit> mmbench_circular_hits(const std::vector<McqRow>& rows);

}  // namespace dpn::eval

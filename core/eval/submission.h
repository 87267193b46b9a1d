// The files evaluation servers and judges take, from a run's answers, as LLaVA-1.5's converters write them:
//
//   format               script reproduced                              file
//   vqav2-submission     scripts/convert_vqav2_for_submission.py        JSON list of {question_id, answer} over every
//                                                                       question of the question file (test2015),
//                                                                       answer = EvalAIAnswerProcessor(text), "" when
//                                                                       unanswered
//   vizwiz-submission    scripts/convert_vizwiz_for_submission.py       JSON list of {image, answer} (all answered)
//   mmbench-submission   scripts/convert_mmbench_for_submission.py      .xlsx: the TSV without hint, category, source,
//                                                                       image, comment, l2-category; "prediction"
//                                                                       inserted as the 7th column
//   mmvet                scripts/convert_mmvet_for_eval.py              JSON {"v1_<question_id>": text}
//   llava-answers        llava/eval/model_vqa*.py output                JSONL {question_id, prompt, text, answer_id,
//                                                                       model_id, metadata} (LLaVA-Bench's GPT review,
//                                                                       and `dpn score`)
#pragma once
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "eval/xlsx_table.h"
#include "store/run_store.h"

namespace dpn::eval {

// One answered question of a run.
struct AnsweredSample {
  std::string id;          // the store's sample id
  std::string question;    // the prompt the model received
  std::string prediction;  // the model's answer
  std::string family;
};

std::vector<AnsweredSample> answered_samples(const std::vector<store::SampleResult>& rows);

// question_file: the LLaVA question JSONL whose questions the server expects (every line gets an entry).
nlohmann::json vqav2_submission(const std::string& question_file, const std::vector<AnsweredSample>& answers);
// Throws dpn::Error when a question of the file has no answer (the script asserts every one is answered).
nlohmann::json vizwiz_submission(const std::string& question_file, const std::vector<AnsweredSample>& answers);
nlohmann::ordered_json mmvet_results(const std::vector<AnsweredSample>& answers);

struct XlsxExport {
  XlsxTable table;
  std::vector<std::string> warnings;  // where LLaVA's converter (pandas + openpyxl) would have failed
};
// tsv: the MMBench TSV the run answered. Cells typed as pandas reads the TSV (integer columns as numbers).
XlsxExport mmbench_submission(const std::string& tsv, const std::vector<AnsweredSample>& answers);

// kind: the run's dataset kind (decides the question_id type and the prompt field LLaVA's scripts write).
std::string llava_answers_jsonl(const std::string& kind, const std::string& model, const std::vector<AnsweredSample>& answers);

const std::vector<std::string>& export_formats();

// The export of a stored run in `format` to `out` ("" = stdout for the text formats; the .xlsx needs a file).
// `questions`: the question file/TSV when it is not the run's recorded dataset path. Returns warnings.
std::vector<std::string> export_run(store::RunStore& db, int64_t run, const std::string& format,
                                    const std::string& questions, const std::string& out);

}  // namespace dpn::eval

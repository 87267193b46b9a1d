// `dpn score`: re-scores a LLaVA answer file (ours, or one written by LLaVA's model_vqa*.py) without a model, the
// way the official pipeline would: the same joins, the same order, the same parsing and the same failures.
//
//   kind        --questions                 --annotations                       pipeline reproduced
//   vqav2       llava_vqav2_*.jsonl          v2_mscoco_*_annotations.json        submission processing + vqaEval
//   textvqa     (not needed)                 TextVQA_0.5.1_val.json              eval_textvqa.py
//   gqa         llava_gqa_testdev_*.jsonl    testdev_balanced_questions.json     convert_gqa_for_eval.py + eval.py
//   pope        llava_pope_test.jsonl        folder of coco_pope_*.json          eval_pope.py
//   mme         (not needed)                 MME_Benchmark_release_version/      convert_answer_to_mme + calculation
//   scienceqa   llava_test_CQM-A.json        folder with problems.json and       eval_science_qa.py --split test
//                                            pid_splits.json
//   mmbench(-cn) mmbench_dev_*.tsv           (the TSV's answer column)           submission xlsx + VLMEvalKit
//   seed        llava-seed-bench.jsonl       SEED-Bench.json                     convert_seed_for_submission.py
//
// Where a question file is given, it limits the evaluated questions to its own (the official scripts take the whole
// split; with the full question file the two are the same). Unreadable or inconsistent files (an answer whose
// question or ground truth cannot be found, where the script raises KeyError) are dpn::Errors naming the file and
// line; failures of the script's arithmetic are reported in metrics.errors.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "eval/official_metrics.h"

namespace dpn::eval {

struct RescoreSpec {
  std::string kind;
  std::string questions;
  std::string predictions;
  std::string annotations;
  std::string split = "test";  // ScienceQA's pid_splits.json key
};

struct RescoredSample {
  nlohmann::json question_id;  // as in the answer (or question) file
  std::string prediction;      // the model's answer ("" when it had none)
  bool answered = false;
  bool scored = false;         // has ground truth
  double score = 0;
  bool correct = false;
  std::string parsed;          // what the official code read or submits
};

struct RescoreReport {
  std::vector<RescoredSample> samples;
  BenchmarkMetrics metrics;
};

RescoreReport rescore(const RescoreSpec& spec);

// {"samples": [{"question_id", "score", "correct", "parsed", "prediction"}...], "metrics": metrics_json(...)}
nlohmann::json rescore_json(const RescoreReport& r);

// The kinds rescore() accepts.
const std::vector<std::string>& rescore_kinds();

}  // namespace dpn::eval

// `dpn score`: re-scores a LLaVA-format answer file with the official metric, without a model (thin over
// core/eval/rescore.h).
#include <iostream>

#include "command.h"
#include "eval/rescore.h"

namespace dpn::cli {
namespace {

const char* const kUsage =
    "Usage: dpn score --kind K --predictions ANSWERS.jsonl [--questions Q] [--annotations ANN] [--split S] [--json]\n\n"
    "Scores an answer file ({question_id, prompt, text} per line, as LLaVA's model_vqa*.py or\n"
    "`dpn runs export ID --format llava-answers` write it) the way the benchmark's official script does.\n\n"
    "  --kind vqav2      --questions llava_vqav2_*.jsonl      --annotations v2_mscoco_*_annotations.json\n"
    "  --kind textvqa                                          --annotations TextVQA_0.5.1_val.json\n"
    "  --kind gqa        --questions llava_gqa_*.jsonl         --annotations testdev_balanced_questions.json\n"
    "  --kind pope       --questions llava_pope_test.jsonl     --annotations FOLDER (coco_pope_*.json)\n"
    "  --kind mme                                              --annotations MME_Benchmark_release_version/\n"
    "  --kind scienceqa  --questions llava_test_CQM-A.json     --annotations FOLDER (problems.json, pid_splits.json)\n"
    "  --kind mmbench | mmbench-cn  --questions mmbench_dev_*.tsv   (circular evaluation, exact matching)\n"
    "  --kind seed       --questions llava-seed-bench.jsonl    --annotations SEED-Bench.json\n"
    "  --kind vizwiz | mmvet | llavabench: no local score (server / GPT-4 judged)\n\n"
    "A question file limits the evaluation to its questions. --split: ScienceQA's split (default test).\n"
    "--json prints {\"samples\": [{\"question_id\", \"score\", ...}], \"metrics\": {...}} with the official metric names.\n"
    "Where the official script would stop with an error, the metrics say so instead of printing a number.\n"
    "Exit status: 0 scored, 3 scored but the official script would have failed (see the errors), 1 error, 2 usage.";

int run_score(Args& a) {
  eval::RescoreSpec spec;
  spec.kind = a.require("kind");
  spec.predictions = a.require("predictions");
  spec.questions = a.get("questions");
  spec.annotations = a.get("annotations");
  spec.split = a.get("split", "test");
  const bool json = a.flag("json");
  a.finish();
  if (!a.positional().empty()) throw UsageError("unexpected argument '" + a.positional()[0] + "'");
  const eval::RescoreReport r = eval::rescore(spec);
  if (json) {
    std::cout << eval::rescore_json(r).dump(2) << "\n";
  } else {
    int64_t answered = 0;
    for (const auto& s : r.samples) answered += s.answered;
    std::cout << spec.kind << ": " << r.samples.size() << " questions, " << answered << " answered\n"
              << eval::format_metrics(r.metrics);
  }
  return r.metrics.errors.empty() ? 0 : 3;
}

}  // namespace

DPN_CLI_COMMAND(score, "score", "re-score a LLaVA answer file with the benchmark's official metric (no model)", kUsage,
                run_score);

}  // namespace dpn::cli

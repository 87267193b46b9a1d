// The official aggregates of a stored run (eval/official_metrics.h) from what the run store keeps per sample: the
// prediction, the ground truth, the score and the family. This is what `dpn bench`, `dpn runs show` and the GUI show.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "eval/official_metrics.h"
#include "store/run_store.h"

namespace dpn::eval {

// `kind`: the run's dataset kind. `categories` (sample id -> dataset category) adds SEED's question types and
// MMBench's categories when the dataset was read; without it they are left out. dpnbench has no official script:
// the result has an empty `official`.
BenchmarkMetrics run_metrics(const std::string& kind, const std::vector<store::SampleResult>& samples,
                             const std::map<std::string, std::string>* categories = nullptr);

// MMBench's choices recovered from the prompt our reader built (eval/dataset.h mmbench_prompt); empty when the prompt
// does not have that shape.
McqChoices mmbench_choices_from_prompt(const std::string& prompt, const std::string& kind);

}  // namespace dpn::eval

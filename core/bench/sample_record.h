// One answered benchmark question turned into the row the run store keeps: score, FLOPs, timings, per-layer trace
// and router decisions.
#pragma once
#include <cstdint>
#include <string>

#include "dpn.h"
#include "eval/sample.h"
#include "store/run_store.h"

namespace dpn::bench {

struct SampleCost {
  double flops_llm = 0;    // LLM prefill: decoder layers + final norm (the count FLOPs reductions are quoted on)
  double flops_total = 0;  // vision + projector + LLM prefill, logits and decode (RunTrace::total_flops)
  std::vector<store::LayerTraceRow> layers;
};

// The FLOPs and per-layer rows the engine counted for this answer (its trace: core/flops over the record of what
// ran). Throws dpn::Error when the answer carries no trace (asked with AskOptions::trace = false).
SampleCost sample_cost(const AskResult& r);

// The store row for `sample` answered with `r`: scored with the dataset's own scorer (eval::score_sample).
store::SampleResult make_sample_result(const std::string& dataset_kind, const eval::EvalSample& sample,
                                       const AskResult& r, const SampleCost& cost, double latency_ms, int64_t peak_rss);

}  // namespace dpn::bench

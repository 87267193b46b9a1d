// One answered benchmark question turned into the row the run store keeps: score, FLOPs, timings, per-layer trace
// and router decisions.
#pragma once
#include <cstdint>
#include <string>

#include "dpn.h"
#include "eval/sample.h"
#include "flops/flops.h"
#include "store/run_store.h"

namespace dpn::bench {

// Decode passes a generation ran: every generated token is fed back except the last one when generation stopped on
// the token limit (on EOS the last kept token was fed to produce the EOS).
int decode_passes(const AskResult& r);

struct SampleCost {
  double flops_llm = 0;    // LLM prefill: decoder layers + final norm (the count FLOPs reductions are quoted on)
  double flops_total = 0;  // vision + projector + LLM prefill, logits and decode
  std::vector<store::LayerTraceRow> layers;
};

// The engine's trace when it counted the FLOPs (trace.llm_prefill_flops > 0); otherwise core/flops on `shape` with
// this sample's real token counts (and, for DPN, the path its routers took). Per-layer rows come from the trace's
// layers when present, else from the analytic plan with ms = 0 (not measured). Throws dpn::Error naming the method
// when neither can be had (DPN without router decisions).
SampleCost sample_cost(const flops::ModelShape& shape, const std::string& method, const AskResult& r);

// The store row for `sample` answered with `r`: scored with the dataset's own scorer (eval::score_sample).
store::SampleResult make_sample_result(const std::string& dataset_kind, const eval::EvalSample& sample,
                                       const AskResult& r, const SampleCost& cost, double latency_ms, int64_t peak_rss);

}  // namespace dpn::bench

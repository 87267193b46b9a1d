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

// The store row for `sample` answered with `r`: scored with the dataset's own scorer (eval::score_sample), with the
// category and the per-stage times (vision_shared when r's encoding came from Model::encode).
store::SampleResult make_sample_result(const std::string& dataset_kind, const eval::EvalSample& sample,
                                       const AskResult& r, const SampleCost& cost, double latency_ms, int64_t peak_rss);

// The cluster a question belongs to: questions about the same image are not independent evidence. MME's image
// key when the reader gives one, else the image file (relative to `images_dir` when inside it), else a hash of an
// embedded image's bytes; "" when there is no image.
std::string cluster_key(const eval::EvalSample& sample, const std::string& images_dir);

// Below this router probability a forced expert's pooled tokens are scaled to almost nothing.
constexpr double kNearZeroProbability = 0.01;

// What the method did that the reader of a result should know, as a JSON array ("" when nothing):
//   {"kind":"guard_skipped","layer":L}   a pooling layer of the method (`pooling_layers`: the model's DPE layers
//                                        for dpn, the spec's layers for static) with no decision in the trace: the
//                                        <16-token (or kernel-area) guard left the grid unpooled
//   {"kind":"forced_low_probability","layer":L,"p":P}  a forced expert whose router probability P is below
//                                        kNearZeroProbability: its pooled tokens were multiplied by ~0
std::string sample_notes(const std::vector<int>& pooling_layers, const AskResult& r);

// The layers where `method` pools on a model with these DPE layers (empty for none, fastv, tokenpacker).
std::vector<int> pooling_layers(const std::string& method, const std::vector<int>& dpe_layers);

}  // namespace dpn::bench

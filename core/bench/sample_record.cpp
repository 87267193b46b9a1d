// Scoring one answered question and recording its cost and trace for the run store.
#include "bench/sample_record.h"

#include <cstdio>

#include "eval/scorers.h"
#include "util/error.h"

namespace dpn::bench {
namespace {

std::string probs_json(const std::vector<float>& probs) {
  std::string s = "[";
  char buf[32];
  for (size_t i = 0; i < probs.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%s%.6g", i ? "," : "", static_cast<double>(probs[i]));
    s += buf;
  }
  return s + "]";
}

}  // namespace

SampleCost sample_cost(const AskResult& r) {
  const RunTrace& t = r.trace;
  if (t.layers.empty()) throw Error("benchmark", "the answer has no trace, so its FLOPs are unknown (ask with trace on)");
  SampleCost c;
  c.flops_llm = t.llm_prefill_flops;
  c.flops_total = t.total_flops();
  for (const auto& l : t.layers) c.layers.push_back({l.layer, l.visual, l.grid_h, l.grid_w, l.ms, l.flops});
  return c;
}

store::SampleResult make_sample_result(const std::string& dataset_kind, const eval::EvalSample& sample,
                                       const AskResult& r, const SampleCost& cost, double latency_ms,
                                       int64_t peak_rss) {
  const eval::SampleScore score = eval::score_sample(dataset_kind, sample, r.answer);
  store::SampleResult s;
  s.sample_id = sample.id;
  s.question = sample.question;
  for (size_t i = 0; i < sample.answers.size(); ++i) s.answer += (i ? " | " : "") + sample.answers[i];
  s.prediction = r.answer;
  s.score = score.score;
  s.correct = score.correct;
  s.family = sample.family.empty() ? sample.category : sample.family;
  s.flops_llm = cost.flops_llm;
  s.flops_total = cost.flops_total;
  s.latency_ms = latency_ms;
  s.prefill_ms = r.timing.prefill_ms;
  s.decode_ms = r.timing.decode_ms;
  s.kv_bytes = r.kv_cache_bytes;
  s.peak_rss = peak_rss;
  s.layers = cost.layers;
  for (const auto& d : r.trace.routers) s.routers.push_back({d.layer, d.chosen, probs_json(d.probs), d.overridden});
  return s;
}

}  // namespace dpn::bench

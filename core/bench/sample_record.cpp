// Scoring one answered question and recording its cost and trace for the run store.
#include "bench/sample_record.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "eval/scorers.h"
#include "flops/method_spec.h"
#include "eval/subset.h"
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
  s.category = sample.category;
  s.preprocess_ms = r.timing.load_image_ms + r.timing.preprocess_ms;
  s.vision_ms = r.timing.vision_ms;
  s.projector_ms = r.timing.projector_ms;
  s.vision_shared = r.timing.encoding_shared;
  return s;
}

std::string cluster_key(const eval::EvalSample& sample, const std::string& images_dir) {
  if (sample.extra.is_object() && sample.extra.contains("image_key") && sample.extra["image_key"].is_string())
    return sample.extra["image_key"].get<std::string>();
  if (!sample.image.empty()) {
    namespace fs = std::filesystem;
    if (!images_dir.empty()) {
      const fs::path rel = fs::path(sample.image).lexically_relative(images_dir);
      if (!rel.empty() && *rel.begin() != "..") return rel.generic_string();
    }
    return sample.image;
  }
  if (!sample.image_data.empty()) {
    char b[32];
    std::snprintf(b, sizeof b, "embedded:%016llx", static_cast<unsigned long long>(eval::stable_hash(sample.image_data)));
    return b;
  }
  return "";
}

std::vector<int> pooling_layers(const std::string& method, const std::vector<int>& dpe_layers) {
  const flops::MethodSpec m = flops::parse_method_spec(method);
  if (m.kind == flops::MethodSpec::Kind::Dpn) return dpe_layers;
  std::vector<int> layers;
  if (m.kind == flops::MethodSpec::Kind::Static)
    for (const auto& step : m.steps) layers.push_back(step.layer);
  return layers;
}

std::string sample_notes(const std::vector<int>& pooling, const AskResult& r) {
  nlohmann::json notes = nlohmann::json::array();
  for (int layer : pooling) {
    const bool decided = std::any_of(r.trace.routers.begin(), r.trace.routers.end(),
                                     [&](const RouterTrace& d) { return d.layer == layer; });
    if (!decided) notes.push_back({{"kind", "guard_skipped"}, {"layer", layer}});
  }
  for (const auto& d : r.trace.routers)
    if (d.overridden && d.chosen >= 0 && static_cast<size_t>(d.chosen) < d.probs.size() &&
        d.probs[static_cast<size_t>(d.chosen)] < kNearZeroProbability)
      notes.push_back({{"kind", "forced_low_probability"}, {"layer", d.layer}, {"p", d.probs[static_cast<size_t>(d.chosen)]}});
  return notes.empty() ? "" : notes.dump();
}

}  // namespace dpn::bench

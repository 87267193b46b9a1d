// Export of one run's samples as CSV (RFC 4180 quoting) or JSON (run header + samples, optionally with traces).
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "store/run_store.h"

namespace dpn::store {

namespace {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

// Integral values (FLOPs, bytes) print without exponent; others with 10 significant digits.
std::string num(double v) {
  char buf[64];
  if (std::isfinite(v) && std::fabs(v) < 1e18 && v == std::floor(v))
    std::snprintf(buf, sizeof buf, "%.0f", v);
  else
    std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

nlohmann::ordered_json spec_json(const RunInfo& r) {
  nlohmann::ordered_json params = nlohmann::json::parse(r.spec.params_json.empty() ? "{}" : r.spec.params_json,
                                                        nullptr, /*allow_exceptions=*/false);
  if (params.is_discarded()) params = r.spec.params_json;
  return {{"id", r.id},           {"model", r.spec.model_name},     {"model_path", r.spec.model_path},
          {"dataset", r.spec.dataset_name}, {"dataset_kind", r.spec.dataset_kind},
          {"method", r.spec.method}, {"params", params},           {"dtype", r.spec.dtype},
          {"device", r.spec.device}, {"threads", r.spec.threads},  {"shard", r.spec.shard},
          {"code_version", r.spec.code_version}, {"created_at", r.created_at}, {"status", r.status},
          {"n_samples", r.n_samples}};
}

}  // namespace

std::string RunStore::export_csv(int64_t run) {
  std::string out =
      "sample_id,question,answer,prediction,score,correct,family,flops_llm,flops_total,latency_ms,prefill_ms,"
      "decode_ms,kv_bytes,peak_rss\n";
  for (const auto& s : samples(run, /*with_traces=*/false)) {
    out += csv_field(s.sample_id) + "," + csv_field(s.question) + "," + csv_field(s.answer) + "," +
           csv_field(s.prediction) + "," + num(s.score) + "," + (s.correct ? "1" : "0") + "," + csv_field(s.family) +
           "," + num(s.flops_llm) + "," + num(s.flops_total) + "," + num(s.latency_ms) + "," + num(s.prefill_ms) +
           "," + num(s.decode_ms) + "," + std::to_string(s.kv_bytes) + "," + std::to_string(s.peak_rss) + "\n";
  }
  return out;
}

std::string RunStore::export_json(int64_t run, bool with_traces) {
  nlohmann::ordered_json doc;
  doc["run"] = spec_json(run_info(run));
  auto& arr = doc["samples"] = nlohmann::ordered_json::array();
  for (const auto& s : samples(run, with_traces)) {
    nlohmann::ordered_json j = {
        {"sample_id", s.sample_id}, {"question", s.question},   {"answer", s.answer},
        {"prediction", s.prediction}, {"score", s.score},       {"correct", s.correct},
        {"family", s.family},       {"flops_llm", s.flops_llm}, {"flops_total", s.flops_total},
        {"latency_ms", s.latency_ms}, {"prefill_ms", s.prefill_ms}, {"decode_ms", s.decode_ms},
        {"kv_bytes", s.kv_bytes},   {"peak_rss", s.peak_rss}};
    if (with_traces) {
      auto& layers = j["layers"] = nlohmann::ordered_json::array();
      for (const auto& l : s.layers)
        layers.push_back({{"layer", l.layer}, {"n_visual", l.n_visual}, {"grid_h", l.grid_h},
                          {"grid_w", l.grid_w}, {"ms", l.ms}, {"flops", l.flops}});
      auto& routers = j["routers"] = nlohmann::ordered_json::array();
      for (const auto& d : s.routers)
        routers.push_back({{"layer", d.layer}, {"expert", d.expert},
                           {"probs", nlohmann::json::parse(d.probs_json, nullptr, false)},
                           {"overridden", d.overridden}});
    }
    arr.push_back(std::move(j));
  }
  return doc.dump(2) + "\n";
}

}  // namespace dpn::store

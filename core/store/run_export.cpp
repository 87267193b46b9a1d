// Export of runs as one long CSV (one row per run and sample, RFC 4180, no raw line breaks) or of one run as JSON
// (run header + samples, optionally with traces, + failures).
#include <cmath>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "store/run_labels.h"
#include "store/run_store.h"
#include "util/json_parse.h"

namespace dpn::store {

namespace {

// RFC 4180 field with no raw line break: CR, LF and backslash become \r, \n and \\ (reversible), then the field is
// quoted when it holds a comma or a quote.
std::string csv_field(const std::string& s) {
  std::string e;
  e.reserve(s.size());
  for (char c : s) {
    if (c == '\n') e += "\\n";
    else if (c == '\r') e += "\\r";
    else if (c == '\\') e += "\\\\";
    else e.push_back(c);
  }
  if (e.find_first_of(",\"") == std::string::npos) return e;
  std::string out = "\"";
  for (char c : e) {
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

std::string join(const std::vector<std::string>& cells) {
  std::string line;
  for (size_t i = 0; i < cells.size(); ++i) line += (i ? "," : "") + cells[i];
  return line + "\n";
}

// The probability the router gave the chosen expert ("" when there is none, e.g. a static pyramid).
std::string chosen_probability(const RouterDecisionRow& d) {
  const nlohmann::json p = parse_json_or_discarded(d.probs_json.empty() ? "[]" : d.probs_json);
  if (!p.is_array() || d.expert < 0 || static_cast<size_t>(d.expert) >= p.size() || !p[d.expert].is_number()) return "";
  return num(p[d.expert].get<double>());
}

nlohmann::ordered_json spec_json(const RunInfo& r) {
  nlohmann::ordered_json params = parse_json_or_discarded(r.spec.params_json.empty() ? "{}" : r.spec.params_json);
  if (params.is_discarded()) params = r.spec.params_json;
  return {{"id", r.id},           {"model", r.spec.model_name},     {"model_path", r.spec.model_path},
          {"dataset", r.spec.dataset_name}, {"dataset_kind", r.spec.dataset_kind},
          {"method", r.spec.method}, {"method_spec", method_spec(r)}, {"subset", subset_text(r)},
          {"params", params},       {"dtype", r.spec.dtype},
          {"device", r.spec.device}, {"threads", r.spec.threads},  {"shard", r.spec.shard},
          {"code_version", r.spec.code_version}, {"created_at", r.created_at}, {"status", r.status},
          {"n_samples", r.n_samples}};
}

}  // namespace

std::string RunStore::export_csv(int64_t run) { return export_csv(std::vector<int64_t>{run}); }

// Columns: run and sample identity, outcome, score, cost, per-stage latency, then one tokens_lN column per decoder
// layer (visual tokens entering layer N) and expert_lL / expert_p_lL per DPE layer L (chosen expert index and its
// router probability), over the union of the runs' layers.
std::string RunStore::export_csv(const std::vector<int64_t>& runs) {
  struct Run {
    RunInfo info;
    std::vector<SampleResult> samples;
    std::vector<SampleFailure> failures;
  };
  std::vector<Run> data;
  std::set<int> layers, dpe_layers;
  for (int64_t id : runs) {
    Run r{run_info(id), samples(id, /*with_traces=*/true), failures(id)};
    for (const auto& s : r.samples) {
      for (const auto& l : s.layers) layers.insert(l.layer);
      for (const auto& d : s.routers) dpe_layers.insert(d.layer);
    }
    data.push_back(std::move(r));
  }
  std::vector<std::string> head = {"run_id", "model", "method", "dataset", "subset", "dtype", "device", "sample_id",
                                   "category", "family", "cluster", "status", "failure", "question", "answer",
                                   "prediction", "score", "correct", "flops_llm", "flops_total", "latency_ms",
                                   "preprocess_ms", "vision_ms", "projector_ms", "prefill_ms", "decode_ms",
                                   "vision_shared", "kv_bytes", "peak_rss", "notes"};
  for (int l : layers) head.push_back("tokens_l" + std::to_string(l));
  for (int l : dpe_layers) {
    head.push_back("expert_l" + std::to_string(l));
    head.push_back("expert_p_l" + std::to_string(l));
  }
  std::string out = join(head);
  for (const auto& r : data) {
    const std::vector<std::string> run_cells = {std::to_string(r.info.id), csv_field(r.info.spec.model_name),
                                                csv_field(method_spec(r.info)), csv_field(r.info.spec.dataset_name),
                                                csv_field(subset_text(r.info)), csv_field(r.info.spec.dtype),
                                                csv_field(r.info.spec.device)};
    for (const auto& s : r.samples) {
      std::vector<std::string> c = run_cells;
      for (const std::string& v : {s.sample_id, s.category, s.family, s.cluster, std::string("ok"), std::string(""),
                                   s.question, s.answer, s.prediction})
        c.push_back(csv_field(v));
      for (double v : {s.score}) c.push_back(num(v));
      c.push_back(s.correct ? "1" : "0");
      for (double v : {s.flops_llm, s.flops_total, s.latency_ms, s.preprocess_ms, s.vision_ms, s.projector_ms,
                       s.prefill_ms, s.decode_ms})
        c.push_back(num(v));
      c.push_back(s.vision_shared ? "1" : "0");
      c.push_back(std::to_string(s.kv_bytes));
      c.push_back(std::to_string(s.peak_rss));
      c.push_back(csv_field(s.notes_json));
      std::map<int, int> tokens;
      for (const auto& l : s.layers) tokens[l.layer] = l.n_visual;
      for (int l : layers) c.push_back(tokens.count(l) ? std::to_string(tokens[l]) : "");
      std::map<int, const RouterDecisionRow*> routers;
      for (const auto& d : s.routers) routers[d.layer] = &d;
      for (int l : dpe_layers) {
        c.push_back(routers.count(l) ? std::to_string(routers[l]->expert) : "");
        c.push_back(routers.count(l) ? chosen_probability(*routers[l]) : "");
      }
      out += join(c);
    }
    for (const auto& f : r.failures) {
      std::vector<std::string> c = run_cells;
      for (const std::string& v : {f.sample_id, std::string(""), std::string(""), std::string(""),
                                   std::string("failed"), f.reason})
        c.push_back(csv_field(v));
      c.resize(head.size(), "");
      out += join(c);
    }
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
        {"kv_bytes", s.kv_bytes},   {"peak_rss", s.peak_rss},   {"category", s.category},
        {"cluster", s.cluster},     {"preprocess_ms", s.preprocess_ms}, {"vision_ms", s.vision_ms},
        {"projector_ms", s.projector_ms}, {"vision_shared", s.vision_shared},
        {"notes", s.notes_json.empty() ? nlohmann::ordered_json::array()
                                       : parse_json_or_discarded<nlohmann::ordered_json>(s.notes_json)}};
    if (with_traces) {
      auto& layers = j["layers"] = nlohmann::ordered_json::array();
      for (const auto& l : s.layers)
        layers.push_back({{"layer", l.layer}, {"n_visual", l.n_visual}, {"grid_h", l.grid_h},
                          {"grid_w", l.grid_w}, {"ms", l.ms}, {"flops", l.flops}});
      auto& routers = j["routers"] = nlohmann::ordered_json::array();
      for (const auto& d : s.routers)
        routers.push_back({{"layer", d.layer}, {"expert", d.expert},
                           {"probs", parse_json_or_discarded(d.probs_json)},
                           {"overridden", d.overridden}});
    }
    arr.push_back(std::move(j));
  }
  auto& failed = doc["failures"] = nlohmann::ordered_json::array();
  for (const auto& f : failures(run))
    failed.push_back({{"sample_id", f.sample_id}, {"reason", f.reason}, {"attempts", f.attempts},
                      {"at", f.created_at}});
  return doc.dump(2) + "\n";
}

}  // namespace dpn::store

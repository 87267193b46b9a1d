// Renders FlopsReport pairs (method vs none) as a table or JSON.
#include "flops/report.h"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace dpn::flops {
namespace {

std::string pct(double fraction) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f%%", 100.0 * fraction);
  return b;
}

std::string row(const std::string& label, double base, double method, bool counted = true) {
  char b[160];
  if (!counted) {
    std::snprintf(b, sizeof b, "  %-34s %12s %12s %9s\n", label.c_str(), "n/c", "n/c", "-");
  } else {
    const double saving = base > 0 ? 1 - method / base : 0.0;
    std::snprintf(b, sizeof b, "  %-34s %12s %12s %9s\n", label.c_str(), format_si(base).c_str(),
                  format_si(method).c_str(), pct(saving).c_str());
  }
  return b;
}

nlohmann::json stages(const FlopsReport& r) {
  nlohmann::json j;
  j["vision"] = r.vision_counted ? nlohmann::json(r.vision) : nlohmann::json(nullptr);
  j["projector"] = r.projector;
  j["llm_prefill"] = r.llm_prefill;
  j["lm_head"] = r.lm_head;
  j["llm_decode_per_token"] = r.llm_decode_per_token;
  j["llm_decode_total"] = r.llm_decode_total;
  j["llm_total"] = r.llm_total();
  j["whole_total"] = r.whole_total();
  j["fastv_convention_macs"] = r.fastv_convention;
  return j;
}

nlohmann::json layers(const FlopsReport& r) {
  nlohmann::json arr = nlohmann::json::array();
  for (size_t i = 0; i < r.plan.layers.size(); ++i) {
    const LayerPlan& lp = r.plan.layers[i];
    const LayerFlops& f = r.prefill[i];
    nlohmann::json j = {{"layer", lp.layer},
                        {"tokens", lp.tokens},
                        {"visual", lp.visual},
                        {"grid", {lp.grid_h, lp.grid_w}},
                        {"kv_len", lp.kv_len},
                        {"prefill",
                         {{"qkvo", f.qkvo},
                          {"attention", f.attention},
                          {"mlp", f.mlp},
                          {"elementwise", f.elementwise()},
                          {"router", f.router},
                          {"pooling", f.pooling},
                          {"ranking", f.ranking},
                          {"total", f.total()}}},
                        {"decode_first_token", r.decode_first[i].total()}};
    const MethodWork& w = lp.work;
    if (w.pool_in > 0) j["pool"] = {{"in", w.pool_in}, {"out", w.pool_out}, {"kernel", {w.kernel_h, w.kernel_w}}};
    if (w.router_experts > 0) j["router"] = true;
    if (w.rank_rows > 0) j["rank_rows"] = w.rank_rows;
    arr.push_back(j);
  }
  return arr;
}

}  // namespace

std::string format_si(double value) {
  const char* prefixes[] = {"", "K", "M", "G", "T", "P"};
  int i = 0;
  double v = value;
  while (std::fabs(v) >= 1000.0 && i < 5) {
    v /= 1000.0;
    ++i;
  }
  char b[32];
  std::snprintf(b, sizeof b, std::fabs(v) >= 100 ? "%.0f %s" : std::fabs(v) >= 10 ? "%.1f %s" : "%.2f %s", v,
                prefixes[i]);
  return b;
}

std::string report_text(const FlopsReport& none, const FlopsReport& m, bool per_layer) {
  std::string s;
  char b[256];
  std::snprintf(b, sizeof b, "model %s, method %s\n", m.model.c_str(), m.method.c_str());
  s += b;
  std::snprintf(b, sizeof b, "prompt: %lld image + %lld text tokens (none: %lld image); %d decode pass(es)\n\n",
                static_cast<long long>(m.plan.image_tokens), static_cast<long long>(m.plan.text_tokens),
                static_cast<long long>(none.plan.image_tokens), static_cast<int>(m.decode_passes));
  s += b;
  std::snprintf(b, sizeof b, "  %-34s %12s %12s %9s\n", "FLOPs (2 per MAC)", "none", "method", "saving");
  s += b;
  s += row("vision tower", none.vision, m.vision, m.vision_counted && none.vision_counted);
  s += row("projector", none.projector, m.projector);
  s += row("LLM prefill (decoder layers)", none.llm_prefill, m.llm_prefill);
  s += row("final norm + LM head (last position)", none.lm_head, m.lm_head);
  s += row("LLM decode, first token", none.llm_decode_per_token, m.llm_decode_per_token);
  s += row("LLM decode, all passes", none.llm_decode_total, m.llm_decode_total);
  s += row("LLM total", none.llm_total(), m.llm_total());
  s += row(m.vision_counted ? "whole model" : "whole model (vision not counted)", none.whole_total(), m.whole_total());
  s += "\n";
  std::snprintf(b, sizeof b, "  %-34s %12s %12s %9s\n", "FastV paper convention (MACs)", "none", "method", "saving");
  s += b;
  s += row("LLM, 4nd^2 + 2n^2d + 2ndm per layer", none.fastv_convention, m.fastv_convention);
  if (!m.vision_counted) s += "\nvision: " + m.vision_note + "\n";
  if (per_layer) {
    std::snprintf(b, sizeof b, "\n  %5s %7s %7s %7s %7s %12s %12s  %s\n", "layer", "tokens", "visual", "grid", "kv",
                  "prefill", "decode[0]", "event");
    s += b;
    for (size_t i = 0; i < m.plan.layers.size(); ++i) {
      const LayerPlan& lp = m.plan.layers[i];
      std::string grid = lp.grid_h > 0 ? std::to_string(lp.grid_h) + "x" + std::to_string(lp.grid_w) : "-";
      std::string event;
      const MethodWork& w = lp.work;
      if (w.pool_in > 0)
        event = std::string(w.router_experts > 0 ? "router, " : "") + "pool " + std::to_string(w.kernel_h) + "x" +
                std::to_string(w.kernel_w) + ": " + std::to_string(w.pool_in) + " -> " + std::to_string(w.pool_out);
      if (w.rank_rows > 0) event = "ranks visual tokens (" + std::to_string(w.rank_rows) + " attention rows)";
      std::snprintf(b, sizeof b, "  %5d %7lld %7lld %7s %7lld %12s %12s  %s\n", lp.layer,
                    static_cast<long long>(lp.tokens), static_cast<long long>(lp.visual), grid.c_str(),
                    static_cast<long long>(lp.kv_len), format_si(m.prefill[i].total()).c_str(),
                    format_si(m.decode_first[i].total()).c_str(), event.c_str());
      s += b;
    }
  }
  return s;
}

std::string report_json(const FlopsReport& none, const FlopsReport& m) {
  const Saving sv = saving_vs(none, m);
  nlohmann::json j;
  j["model"] = m.model;
  j["method"] = m.method;
  j["conventions"] = {{"flops_per_mac", 2},
                      {"prefill_attention", "full square unless --causal"},
                      {"lm_head_prefill", "final norm + LM head on the last position only"},
                      {"fastv_convention", "MACs, 4nd^2 + 2n^2d + 2ndm per layer"}};
  j["image_tokens"] = m.plan.image_tokens;
  j["text_tokens"] = m.plan.text_tokens;
  j["decode_tokens"] = m.decode_passes;
  j["vision_counted"] = m.vision_counted;
  if (!m.vision_counted) j["vision_note"] = m.vision_note;
  j["method_flops"] = stages(m);
  j["none_flops"] = stages(none);
  j["saving_vs_none"] = {{"llm_prefill", sv.llm_prefill},
                         {"llm", sv.llm},
                         {"whole", sv.whole},
                         {"fastv_convention", sv.fastv_convention}};
  j["layers"] = layers(m);
  return j.dump(2);
}

}  // namespace dpn::flops

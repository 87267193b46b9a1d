// Aggregating stored runs into the `dpn bench` table and its JSON form.
#include "bench/summary.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

#include "flops/report.h"

namespace dpn::bench {
namespace {

std::vector<GroupAccuracy> group(const std::vector<SampleRow>& rows, std::string SampleRow::*key) {
  std::map<std::string, GroupAccuracy> g;
  for (const auto& r : rows) {
    auto& a = g[r.*key];
    a.name = r.*key;
    a.n += 1;
    a.accuracy += r.correct ? 1 : 0;
    a.mean_score += r.score;
  }
  std::vector<GroupAccuracy> out;
  for (auto& [name, a] : g) {
    a.accuracy /= static_cast<double>(a.n);
    a.mean_score /= static_cast<double>(a.n);
    out.push_back(a);
  }
  return out;
}

std::string percent(double fraction) {
  char b[32];
  std::snprintf(b, sizeof b, "%.2f%%", 100.0 * fraction);
  return b;
}

std::string row(const std::vector<std::string>& cells) {
  std::string s = "|";
  for (const auto& c : cells) s += " " + c + " |";
  return s + "\n";
}

std::string rule(size_t n) {
  std::string s = "|";
  for (size_t i = 0; i < n; ++i) s += "---|";
  return s + "\n";
}

const GroupAccuracy* find_group(const std::vector<GroupAccuracy>& groups, const std::string& name) {
  for (const auto& g : groups)
    if (g.name == name) return &g;
  return nullptr;
}

std::string group_cell(const GroupAccuracy* g) {
  return g ? percent(g->accuracy) + " (" + std::to_string(g->n) + ")" : "-";
}

}  // namespace

MethodSummary summarize_run(const std::string& method, int64_t run_id, const std::vector<store::SampleResult>& samples,
                            const std::map<std::string, std::string>& categories,
                            const std::vector<store::SampleResult>* baseline) {
  MethodSummary m;
  m.method = method;
  m.run_id = run_id;
  m.n = static_cast<int64_t>(samples.size());
  std::map<std::pair<int, std::string>, std::map<int, int64_t>> chosen;  // (layer, family or "") -> expert -> count
  std::map<int, size_t> n_experts;                                       // layer -> experts the router scored
  for (const auto& s : samples) {
    SampleRow r;
    r.id = s.sample_id;
    auto c = categories.find(s.sample_id);
    r.category = c == categories.end() ? "" : c->second;
    r.family = s.family;
    r.question = s.question;
    r.answer = s.answer;
    r.prediction = s.prediction;
    r.correct = s.correct;
    r.score = s.score;
    r.flops_llm = s.flops_llm;
    r.latency_ms = s.latency_ms;
    m.rows.push_back(r);
    m.accuracy += s.correct ? 1 : 0;
    m.mean_score += s.score;
    m.mean_flops_llm += s.flops_llm;
    m.mean_latency_ms += s.latency_ms;
    for (const auto& d : s.routers) {
      if (d.overridden || d.probs_json.empty() || d.probs_json == "[]") continue;  // not the router's choice
      chosen[{d.layer, ""}][d.expert] += 1;
      if (!s.family.empty()) chosen[{d.layer, s.family}][d.expert] += 1;
      const size_t n_probs = static_cast<size_t>(std::count(d.probs_json.begin(), d.probs_json.end(), ',') + 1);
      n_experts[d.layer] = std::max({n_experts[d.layer], n_probs, static_cast<size_t>(d.expert + 1)});
    }
  }
  std::sort(m.rows.begin(), m.rows.end(), [](const SampleRow& a, const SampleRow& b) { return a.id < b.id; });
  if (m.n > 0) {
    const double n = static_cast<double>(m.n);
    m.accuracy /= n;
    m.mean_score /= n;
    m.mean_flops_llm /= n;
    m.mean_latency_ms /= n;
  }
  m.categories = group(m.rows, &SampleRow::category);
  m.families = group(m.rows, &SampleRow::family);
  for (const auto& [key, counts] : chosen) {
    ExpertFrequency f;
    f.layer = key.first;
    f.family = key.second;
    for (const auto& [e, k] : counts) f.n += k;
    f.frequency.assign(n_experts[f.layer], 0.0);
    for (const auto& [e, k] : counts) f.frequency[static_cast<size_t>(e)] = static_cast<double>(k) / f.n;
    (f.family.empty() ? m.experts : m.family_experts).push_back(f);
  }
  if (baseline) {
    std::map<std::string, double> base;
    for (const auto& s : *baseline) base[s.sample_id] = s.flops_llm;
    double sum_m = 0, sum_b = 0;
    for (const auto& s : samples) {
      auto it = base.find(s.sample_id);
      if (it == base.end()) continue;
      sum_m += s.flops_llm;
      sum_b += it->second;
    }
    if (sum_b > 0) {
      m.has_saving = true;
      m.saving_vs_none = 1.0 - sum_m / sum_b;
    }
  }
  return m;
}

std::string format_table(const BenchSummary& s, bool with_latency) {
  std::string out = "model " + s.model + ", dataset " + s.dataset + (s.shard.empty() ? "" : ", shard " + s.shard) +
                    ": " + std::to_string(s.done) + "/" + std::to_string(s.total) + " samples stored" +
                    (s.cancelled ? " (stopped early)" : "") + "\n\n";
  std::set<std::string> categories, families;
  for (const auto& m : s.methods) {
    for (const auto& g : m.categories) categories.insert(g.name);
    for (const auto& g : m.families) families.insert(g.name);
  }
  const bool per_category = categories.size() > 1;
  std::vector<std::string> head = {"method", "n", "accuracy"};
  if (per_category)
    for (const auto& c : categories) head.push_back(c.empty() ? "(none)" : c);
  head.insert(head.end(), {"LLM prefill FLOPs", "saving vs none"});
  if (with_latency) head.push_back("latency ms");
  out += row(head) + rule(head.size());
  for (const auto& m : s.methods) {
    std::vector<std::string> cells = {m.method, std::to_string(m.n), m.n ? percent(m.accuracy) : "-"};
    if (per_category)
      for (const auto& c : categories) cells.push_back(group_cell(find_group(m.categories, c)));
    cells.push_back(m.n ? flops::format_si(m.mean_flops_llm) : "-");
    cells.push_back(m.has_saving ? percent(m.saving_vs_none) : "-");
    if (with_latency) {
      char b[32];
      std::snprintf(b, sizeof b, "%.1f", m.mean_latency_ms);
      cells.push_back(m.n ? b : "-");
    }
    out += row(cells);
  }
  if (families.size() > 1) {
    std::vector<std::string> fh = {"family"};
    for (const auto& m : s.methods) fh.push_back(m.method);
    out += "\n" + row(fh) + rule(fh.size());
    for (const auto& f : families) {
      std::vector<std::string> cells = {f.empty() ? "(none)" : f};
      for (const auto& m : s.methods) cells.push_back(group_cell(find_group(m.families, f)));
      out += row(cells);
    }
  }
  for (const auto& m : s.methods)  // the official aggregates (eval/official_metrics.h)
    if (!m.official.official.empty() && m.n > 0) out += "\n" + m.method + ": " + eval::format_metrics(m.official);
  for (const auto& m : s.methods) {
    if (m.experts.empty()) continue;
    size_t width = 0;
    for (const auto& e : m.experts) width = std::max(width, e.frequency.size());
    std::vector<std::string> eh = {"DPE layer", "n"};
    for (size_t i = 0; i < width; ++i) eh.push_back("expert " + std::to_string(i));
    out += "\nexpert frequencies, " + m.method + "\n\n" + row(eh) + rule(eh.size());
    for (const auto& e : m.experts) {
      std::vector<std::string> cells = {std::to_string(e.layer), std::to_string(e.n)};
      for (size_t i = 0; i < width; ++i) cells.push_back(i < e.frequency.size() ? percent(e.frequency[i]) : "-");
      out += row(cells);
    }
  }
  return out;
}

std::string summary_json(const BenchSummary& s, bool rows) {
  using nlohmann::json;
  auto groups = [](const std::vector<GroupAccuracy>& gs) {
    json a = json::array();
    for (const auto& g : gs) a.push_back({{"name", g.name}, {"n", g.n}, {"accuracy", g.accuracy}, {"mean_score", g.mean_score}});
    return a;
  };
  json j = {{"model", s.model}, {"dataset", s.dataset}, {"shard", s.shard}, {"db", s.db_path}, {"total", s.total},
            {"done", s.done}, {"computed", s.computed}, {"cancelled", s.cancelled}, {"abandoned", s.abandoned}, {"methods", json::array()}};
  for (const auto& m : s.methods) {
    json jm = {{"method", m.method}, {"run_id", m.run_id}, {"n", m.n}, {"accuracy", m.accuracy},
               {"mean_score", m.mean_score}, {"categories", groups(m.categories)}, {"families", groups(m.families)},
               {"mean_flops_llm_prefill", m.mean_flops_llm},
               {"saving_vs_none", m.has_saving ? json(m.saving_vs_none) : json(nullptr)},
               {"mean_latency_ms", m.mean_latency_ms}, {"experts", json::array()}};
    for (const auto& e : m.experts) jm["experts"].push_back({{"layer", e.layer}, {"n", e.n}, {"frequency", e.frequency}});
    if (!m.official.official.empty()) jm["official"] = eval::metrics_json(m.official);
    if (rows) {
      jm["samples"] = json::array();
      for (const auto& r : m.rows)
        jm["samples"].push_back({{"id", r.id}, {"category", r.category}, {"family", r.family}, {"answer", r.answer},
                                 {"prediction", r.prediction}, {"correct", r.correct}, {"score", r.score},
                                 {"flops_llm", r.flops_llm}, {"latency_ms", r.latency_ms}});
    }
    j["methods"].push_back(jm);
  }
  return j.dump(2);
}

}  // namespace dpn::bench

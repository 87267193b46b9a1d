// Aggregating stored runs into the `dpn bench` table and its JSON form.
#include "bench/summary.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

#include "flops/report.h"
#include "stats/holm.h"
#include "stats/quantile.h"
#include "store/sample_stats.h"
#include "util/json_parse.h"

namespace dpn::bench {
namespace {

GroupAccuracy group_of(const store::FamilySummary& f) {
  return {f.family, f.n, f.accuracy, f.ci95, f.mean_score, f.score_ci95, f.ci_method};
}

std::vector<GroupAccuracy> groups_of(const std::vector<store::FamilySummary>& fs) {
  std::vector<GroupAccuracy> out;
  for (const auto& f : fs) out.push_back(group_of(f));
  return out;
}

std::string fmt(const char* format, double v) {
  char b[64];
  std::snprintf(b, sizeof b, format, v);
  return b;
}

std::string percent(double fraction) { return fmt("%.2f", 100.0 * fraction) + "%"; }

// "[88.6, 99.1]": an interval of fractions in percent.
std::string ci_text(const stats::Interval& ci) {
  return "[" + fmt("%.1f", 100.0 * ci.lo) + ", " + fmt("%.1f", 100.0 * ci.hi) + "]";
}

std::string p_text(double p) {
  if (std::isnan(p)) return "-";
  return p >= 0.001 ? fmt("%.3g", p) : fmt("%.1e", p);
}

std::string spread_text(const stats::Spread& s) {
  if (s.n == 0) return "-";
  return fmt("%.1f", s.median) + " [" + fmt("%.1f", s.q1) + ", " + fmt("%.1f", s.q3) + "]";
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
  return g ? percent(g->accuracy) + " " + ci_text(g->ci95) + " (" + std::to_string(g->n) + ")" : "-";
}

double median_of(const std::vector<double>& v) { return v.empty() ? 0.0 : stats::quantile(v, 0.5); }

// "DPE layer 2 skipped by the guard in 12 of 60 samples", from the samples' notes_json.
std::vector<std::string> summarize_notes(const std::vector<store::SampleResult>& samples) {
  std::map<std::pair<std::string, int>, int64_t> counts;
  for (const auto& s : samples) {
    if (s.notes_json.empty()) continue;
    const nlohmann::json notes = parse_json_or_discarded(s.notes_json);
    if (!notes.is_array()) continue;
    for (const auto& n : notes)
      if (n.is_object() && n.value("kind", "") != "") counts[{n.value("kind", ""), n.value("layer", -1)}] += 1;
  }
  const std::string of = " of " + std::to_string(samples.size()) + " samples";
  std::vector<std::string> out;
  for (const auto& [key, k] : counts) {
    const std::string layer = std::to_string(key.second), times = std::to_string(k) + of;
    if (key.first == "guard_skipped")
      out.push_back("pooling layer " + layer + " skipped in " + times +
                    " (fewer than 16 visual tokens, or fewer than the largest kernel's area: the reference guard)");
    else if (key.first == "forced_low_probability")
      out.push_back("forced expert at layer " + layer + " had router probability below 0.01 in " + times +
                    " (its pooled tokens are multiplied by that probability, as in training)");
    else
      out.push_back(key.first + " at layer " + layer + " in " + times);
  }
  return out;
}

}  // namespace

MethodSummary summarize_run(const std::string& method, int64_t run_id, const std::vector<store::SampleResult>& stored,
                            const std::map<std::string, std::string>& categories,
                            const std::vector<store::SampleResult>* baseline, int64_t baseline_run) {
  std::vector<store::SampleResult> samples = stored;
  for (auto& s : samples)
    if (s.category.empty()) {
      auto c = categories.find(s.sample_id);
      if (c != categories.end()) s.category = c->second;
    }
  MethodSummary m;
  m.method = method;
  m.run_id = run_id;
  m.n = static_cast<int64_t>(samples.size());
  std::map<std::pair<int, std::string>, std::map<int, int64_t>> chosen;  // (layer, family or "") -> expert -> count
  std::map<int, size_t> n_experts;                                       // layer -> experts the router scored
  for (const auto& s : samples) {
    SampleRow r;
    r.id = s.sample_id;
    r.category = s.category;
    r.family = s.family;
    r.question = s.question;
    r.answer = s.answer;
    r.prediction = s.prediction;
    r.correct = s.correct;
    r.score = s.score;
    r.flops_llm = s.flops_llm;
    r.latency_ms = s.latency_ms;
    r.pooling = store::pooled_decisions(s);
    m.rows.push_back(r);
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
    m.mean_flops_llm /= static_cast<double>(m.n);
    m.mean_latency_ms /= static_cast<double>(m.n);
  }
  const store::FamilySummary all = store::score_group("", samples);
  m.accuracy = all.accuracy;
  m.ci95 = all.ci95;
  m.mean_score = all.mean_score;
  m.score_ci95 = all.score_ci95;
  m.ci_method = all.ci_method;
  m.categories = groups_of(store::score_groups(samples, &store::SampleResult::category));
  m.families = groups_of(store::score_groups(samples, &store::SampleResult::family));
  m.latency = store::latency_summary(samples);
  m.notes = summarize_notes(samples);
  for (const auto& [key, counts] : chosen) {
    ExpertFrequency f;
    f.layer = key.first;
    f.family = key.second;
    for (const auto& [e, k] : counts) f.n += k;
    f.frequency.assign(n_experts[f.layer], 0.0);
    for (const auto& [e, k] : counts) f.frequency[static_cast<size_t>(e)] = static_cast<double>(k) / f.n;
    (f.family.empty() ? m.experts : m.family_experts).push_back(f);
  }
  if (!baseline) return m;
  std::map<std::string, const store::SampleResult*> base;
  for (const auto& s : *baseline) base[s.sample_id] = &s;
  double sum_m = 0, sum_b = 0;
  std::vector<double> flops_m, flops_b, prefill_m, prefill_b, total_m, total_b;
  for (const auto& s : samples) {
    auto it = base.find(s.sample_id);
    if (it == base.end()) continue;
    sum_m += s.flops_llm;
    sum_b += it->second->flops_llm;
    flops_m.push_back(s.flops_llm);
    flops_b.push_back(it->second->flops_llm);
    prefill_m.push_back(s.prefill_ms);
    prefill_b.push_back(it->second->prefill_ms);
    total_m.push_back(s.latency_ms);
    total_b.push_back(it->second->latency_ms);
  }
  if (sum_b > 0) {
    m.has_saving = true;
    m.saving_vs_none = 1.0 - sum_m / sum_b;
  }
  if (!flops_m.empty() && median_of(flops_m) > 0 && median_of(prefill_m) > 0 && median_of(total_m) > 0) {
    m.has_speedup = true;
    m.speedup = {median_of(flops_b) / median_of(flops_m), median_of(prefill_b) / median_of(prefill_m),
                 median_of(total_b) / median_of(total_m)};
  }
  m.is_baseline = baseline_run != 0 && baseline_run == run_id;
  if (!m.is_baseline) {
    m.paired = store::paired_comparison(*baseline, samples);
    m.has_paired = m.paired.n > 0;
  }
  return m;
}

void adjust_paired_p(BenchSummary& s) {
  std::vector<double> p;
  std::vector<MethodSummary*> compared;
  for (auto& m : s.methods)
    if (m.has_paired) {
      p.push_back(m.paired.p);
      compared.push_back(&m);
    }
  const std::vector<double> adjusted = stats::holm_adjust(p);
  for (size_t i = 0; i < compared.size(); ++i) compared[i]->paired.p_holm = adjusted[i];
  s.holm_m = static_cast<int>(compared.size());
}

std::string format_table(const BenchSummary& s, bool with_latency) {
  const std::string base = s.baseline.run_id ? s.baseline.label : "none";
  std::string out = "model " + s.model + ", dataset " + s.dataset + (s.shard.empty() ? "" : ", shard " + s.shard) +
                    ": " + std::to_string(s.done) + "/" + std::to_string(s.total) + " samples stored" +
                    (s.cancelled ? " (stopped early)" : "") +
                    (s.failed ? ", " + std::to_string(s.failed) + " failed" : "") + "\n";
  out += "accuracy with its 95% interval in percent (Wilson for independent 0/1 scores; bootstrap over samples for "
         "graded scores, over images when questions share one)" +
         std::string(s.baseline.run_id ? "; baseline: " + s.baseline.label : "") + "\n\n";
  std::set<std::string> categories, families;
  for (const auto& m : s.methods) {
    for (const auto& g : m.categories) categories.insert(g.name);
    for (const auto& g : m.families) families.insert(g.name);
  }
  const bool per_category = categories.size() > 1;
  std::vector<std::string> head = {"method", "n", "accuracy [95% CI]"};
  if (per_category)
    for (const auto& c : categories) head.push_back(c.empty() ? "(none)" : c);
  head.insert(head.end(), {"LLM prefill FLOPs", "saving vs " + base});
  if (with_latency) head.push_back("latency ms (median)");
  out += row(head) + rule(head.size());
  for (const auto& m : s.methods) {
    std::vector<std::string> cells = {m.method, std::to_string(m.n), m.n ? percent(m.accuracy) + " " + ci_text(m.ci95) : "-"};
    if (per_category)
      for (const auto& c : categories) cells.push_back(group_cell(find_group(m.categories, c)));
    cells.push_back(m.n ? flops::format_si(m.mean_flops_llm) : "-");
    cells.push_back(m.has_saving ? percent(m.saving_vs_none) : "-");
    if (with_latency) cells.push_back(m.n ? fmt("%.1f", m.latency.total.median) : "-");
    out += row(cells);
  }

  bool any_paired = false, clustered = false;
  for (const auto& m : s.methods) {
    any_paired = any_paired || m.has_paired;
    clustered = clustered || (m.has_paired && m.paired.clustered);
  }
  if (any_paired) {
    out += "\npaired with " + base + " on the samples both answered (B = the method, A = " + base +
           "): difference in accuracy points with its 95% interval; p: exact McNemar for 0/1 scores, sign-flip "
           "permutation for graded ones; " +
           (s.holm_m > 1 ? "Holm-adjusted over " + std::to_string(s.holm_m) + " comparisons with one baseline"
                         : std::string("one comparison, no adjustment")) +
           "\n" +
           (clustered ? "(questions share images: the interval is a cluster bootstrap over images; McNemar treats "
                        "questions as independent, --json also gives a permutation p that flips whole images)\n"
                      : "") +
           "\n";
    const std::vector<std::string> ph = {"method", "n", base + " better", "method better", "difference [95% CI]",
                                         "p", "p (Holm)"};
    out += row(ph) + rule(ph.size());
    for (const auto& m : s.methods) {
      if (!m.has_paired) continue;
      const auto& c = m.paired;
      out += row({m.method, std::to_string(c.n), std::to_string(c.only_a), std::to_string(c.only_b),
                  fmt("%+.2f", 100 * c.delta) + " [" + fmt("%+.2f", 100 * c.delta_ci95.lo) + ", " +
                      fmt("%+.2f", 100 * c.delta_ci95.hi) + "]",
                  p_text(c.p), p_text(c.p_holm)});
    }
  }

  if (with_latency) {
    out += "\nlatency per sample in ms, median [quartiles] (" + std::to_string(s.threads) + " threads on " +
           std::to_string(s.cores) + " cores; warm-up " + std::to_string(s.warmup) + " sample(s) per method; " +
           (s.vision_shared ? "image encoded once per sample, shared by the methods" : "image encoded by every method") +
           (s.code_version.empty() ? "" : "; code " + s.code_version) + "); speed-up = " + base +
           " / method, from medians\n\n";
    const std::vector<std::string> lh = {"method", "total", "vision", "projector", "prefill", "decode",
                                         "speed-up: FLOPs / prefill / total"};
    out += row(lh) + rule(lh.size());
    for (const auto& m : s.methods) {
      const auto& l = m.latency;
      out += row({m.method, spread_text(l.total), spread_text(l.vision), spread_text(l.projector),
                  spread_text(l.prefill), spread_text(l.decode),
                  m.has_speedup ? fmt("%.2fx", m.speedup.flops) + " / " + fmt("%.2fx", m.speedup.realized_prefill) +
                                      " / " + fmt("%.2fx", m.speedup.realized_total)
                                : "-"});
    }
    for (const auto& w : s.warnings) out += "\nwarning: " + w + "\n";
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
  for (const auto& m : s.methods) {
    if (m.failures.empty()) continue;
    out += "\nfailed samples, " + m.method + ": " + std::to_string(m.failures.size()) +
           " (not counted above; `dpn bench ... --retry-failed` answers them again)\n";
    for (size_t i = 0; i < m.failures.size() && i < 5; ++i)
      out += "  " + m.failures[i].sample_id + ": " + m.failures[i].reason + "\n";
    if (m.failures.size() > 5) out += "  ... (dpn runs show " + std::to_string(m.run_id) + " lists them all)\n";
  }
  for (const auto& m : s.methods)
    for (const auto& n : m.notes) out += "\nnote, " + m.method + ": " + n + "\n";
  return out;
}

std::string summary_json(const BenchSummary& s, bool rows) {
  using nlohmann::json;
  auto interval = [](const stats::Interval& i) { return json::array({i.lo, i.hi}); };
  auto nan_null = [](double v) { return std::isnan(v) ? json(nullptr) : json(v); };
  auto groups = [&](const std::vector<GroupAccuracy>& gs) {
    json a = json::array();
    for (const auto& g : gs)
      a.push_back({{"name", g.name}, {"n", g.n}, {"accuracy", g.accuracy}, {"ci95", interval(g.ci95)},
                   {"mean_score", g.mean_score}, {"score_ci95", interval(g.score_ci95)}, {"ci_method", g.ci_method}});
    return a;
  };
  auto spread = [](const stats::Spread& x) {
    return json{{"n", x.n}, {"median", x.median}, {"q1", x.q1}, {"q3", x.q3}};
  };
  json j = {{"model", s.model}, {"dataset", s.dataset}, {"shard", s.shard}, {"db", s.db_path}, {"total", s.total},
            {"done", s.done}, {"computed", s.computed}, {"failed", s.failed}, {"cancelled", s.cancelled},
            {"abandoned", s.abandoned},
            {"baseline", s.baseline.run_id ? json{{"run_id", s.baseline.run_id}, {"label", s.baseline.label}} : json(nullptr)},
            {"p_adjustment", {{"method", "holm"}, {"comparisons", s.holm_m}}},
            {"latency_protocol", {{"threads", s.threads}, {"cores", s.cores}, {"warmup", s.warmup},
                                  {"vision_shared", s.vision_shared}, {"code_version", s.code_version},
                                  {"load_max", s.load_max}}},
            {"warnings", s.warnings}, {"methods", json::array()}};
  for (const auto& m : s.methods) {
    const auto& l = m.latency;
    json jm = {{"method", m.method}, {"run_id", m.run_id}, {"n", m.n}, {"accuracy", m.accuracy},
               {"ci95", interval(m.ci95)}, {"ci_method", m.ci_method}, {"mean_score", m.mean_score},
               {"score_ci95", interval(m.score_ci95)}, {"categories", groups(m.categories)},
               {"families", groups(m.families)}, {"mean_flops_llm_prefill", m.mean_flops_llm},
               {"saving_vs_none", m.has_saving ? json(m.saving_vs_none) : json(nullptr)},
               {"mean_latency_ms", m.mean_latency_ms},
               {"latency_ms", {{"total", spread(l.total)}, {"preprocess", spread(l.preprocess)},
                               {"vision", spread(l.vision)}, {"projector", spread(l.projector)},
                               {"prefill", spread(l.prefill)}, {"decode", spread(l.decode)},
                               {"prefill_ms_per_gflop", spread(l.prefill_ms_per_gflop)}}},
               {"speedup", m.has_speedup ? json{{"flops", m.speedup.flops},
                                                {"realized_prefill", m.speedup.realized_prefill},
                                                {"realized_total", m.speedup.realized_total}}
                                         : json(nullptr)},
               {"is_baseline", m.is_baseline}, {"experts", json::array()}, {"failed", m.failures.size()},
               {"failures", json::array()}, {"notes", m.notes}};
    if (m.has_paired) {
      const auto& c = m.paired;
      jm["paired"] = {{"n", c.n}, {"only_a", c.only_a}, {"only_b", c.only_b}, {"delta", c.delta},
                      {"delta_ci95", interval(c.delta_ci95)}, {"delta_ci_method", c.delta_ci_method},
                      {"mcnemar_p", nan_null(c.mcnemar_p)}, {"permutation_p", c.permutation_p}, {"p", c.p},
                      {"p_method", c.p_method}, {"p_holm", nan_null(c.p_holm)}, {"clustered", c.clustered},
                      {"baseline_run", s.baseline.run_id}};
    } else {
      jm["paired"] = nullptr;
    }
    for (const auto& e : m.experts) jm["experts"].push_back({{"layer", e.layer}, {"n", e.n}, {"frequency", e.frequency}});
    if (!m.official.official.empty()) jm["official"] = eval::metrics_json(m.official);
    for (const auto& f : m.failures)
      jm["failures"].push_back({{"id", f.sample_id}, {"reason", f.reason}, {"attempts", f.attempts}});
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

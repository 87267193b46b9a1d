// Group intervals, latency spreads and paired comparisons over stored samples.
#include "store/sample_stats.h"

#include <algorithm>
#include <map>

#include "stats/estimate.h"

namespace dpn::store {
namespace {

std::vector<const SampleResult*> by_id(const std::vector<SampleResult>& samples) {
  std::vector<const SampleResult*> p;
  for (const auto& s : samples) p.push_back(&s);
  std::sort(p.begin(), p.end(), [](const SampleResult* a, const SampleResult* b) { return a->sample_id < b->sample_id; });
  return p;
}

// Cluster ids from the cluster names; a sample without one is alone in its cluster.
class ClusterIds {
 public:
  int64_t operator()(const SampleResult& s) {
    if (s.cluster.empty()) return next_++;
    auto it = ids_.find(s.cluster);
    if (it == ids_.end()) it = ids_.emplace(s.cluster, next_++).first;
    return it->second;
  }

 private:
  std::map<std::string, int64_t> ids_;
  int64_t next_ = 0;
};

stats::Spread spread_of(const std::vector<const SampleResult*>& rows, double (*get)(const SampleResult&)) {
  std::vector<double> v;
  for (const SampleResult* r : rows) v.push_back(get(*r));
  return stats::spread(v);
}

}  // namespace

FamilySummary score_group(const std::string& name, const std::vector<SampleResult>& samples) {
  std::vector<double> correct, score;
  std::vector<int64_t> clusters;
  ClusterIds cluster_id;
  for (const SampleResult* s : by_id(samples)) {
    correct.push_back(s->correct ? 1.0 : 0.0);
    score.push_back(s->score);
    clusters.push_back(cluster_id(*s));
  }
  const stats::Estimate acc = stats::estimate_mean(correct, clusters), sc = stats::estimate_mean(score, clusters);
  FamilySummary g;
  g.family = name;
  g.n = acc.n;
  g.accuracy = acc.value;
  g.ci95 = acc.ci95;
  g.mean_score = sc.value;
  g.score_ci95 = sc.ci95;
  g.ci_method = acc.method;
  return g;
}

std::vector<FamilySummary> score_groups(const std::vector<SampleResult>& samples, std::string SampleResult::*key) {
  std::map<std::string, std::vector<SampleResult>> groups;
  for (const auto& s : samples) groups[s.*key].push_back(s);
  std::vector<FamilySummary> out;
  for (const auto& [name, rows] : groups) out.push_back(score_group(name, rows));
  return out;
}

LatencySummary latency_summary(const std::vector<SampleResult>& samples) {
  const auto rows = by_id(samples);
  LatencySummary l;
  l.total = spread_of(rows, [](const SampleResult& s) { return s.latency_ms; });
  l.preprocess = spread_of(rows, [](const SampleResult& s) { return s.preprocess_ms; });
  l.vision = spread_of(rows, [](const SampleResult& s) { return s.vision_ms; });
  l.projector = spread_of(rows, [](const SampleResult& s) { return s.projector_ms; });
  l.prefill = spread_of(rows, [](const SampleResult& s) { return s.prefill_ms; });
  l.decode = spread_of(rows, [](const SampleResult& s) { return s.decode_ms; });
  std::vector<const SampleResult*> counted;
  for (const SampleResult* r : rows)
    if (r->flops_llm > 0) counted.push_back(r);
  l.prefill_ms_per_gflop = spread_of(counted, [](const SampleResult& s) { return s.prefill_ms / (s.flops_llm / 1e9); });
  return l;
}

stats::PairedComparison paired_comparison(const std::vector<SampleResult>& a, const std::vector<SampleResult>& b) {
  std::map<std::string, const SampleResult*> in_b;
  for (const auto& s : b) in_b[s.sample_id] = &s;
  std::vector<double> sa, sb;
  std::vector<int64_t> clusters;
  ClusterIds cluster_id;
  for (const SampleResult* s : by_id(a)) {
    auto it = in_b.find(s->sample_id);
    if (it == in_b.end()) continue;
    sa.push_back(s->score);
    sb.push_back(it->second->score);
    clusters.push_back(cluster_id(*s));
  }
  return stats::compare_paired(sa, sb, clusters);
}

}  // namespace dpn::store

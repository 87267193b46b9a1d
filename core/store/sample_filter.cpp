// Samples picked by correctness and pooling (see sample_filter.h).
#include "store/sample_filter.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "util/error.h"

namespace dpn::store {

namespace {

struct Grid {
  int h = 0, w = 0;
};

double chosen_probability(const RouterDecisionRow& r) {
  const auto j = nlohmann::json::parse(r.probs_json, nullptr, false);
  if (!j.is_array() || r.expert < 0 || size_t(r.expert) >= j.size() || !j[size_t(r.expert)].is_number()) return 0;
  return j[size_t(r.expert)].get<double>();
}

}  // namespace

std::vector<PooledDecision> pooled_decisions(const SampleResult& s) {
  std::map<int, Grid> grid;  // layer -> grid entering it
  for (const auto& l : s.layers) grid[l.layer] = {l.grid_h, l.grid_w};
  auto shrink = [&](int from, int to, PooledDecision& d) {
    auto a = grid.find(from), b = grid.find(to);
    if (a == grid.end() || b == grid.end() || b->second.h <= 0 || b->second.w <= 0) return false;
    if (a->second.h <= b->second.h && a->second.w <= b->second.w) return false;
    d.kh = a->second.h / b->second.h;
    d.kw = a->second.w / b->second.w;
    return true;
  };
  std::vector<PooledDecision> out;
  for (const auto& r : s.routers) {
    PooledDecision d;
    d.layer = r.layer;
    d.expert = r.expert;
    d.probability = chosen_probability(r);
    if (!shrink(r.layer, r.layer + 1, d)) shrink(r.layer - 1, r.layer, d);  // post, else pre
    out.push_back(d);
  }
  return out;
}

void parse_pooled_beyond(const std::string& text, SampleFilter& f, const std::string& what) {
  int h = 0, w = 0;
  char x = 0, rest = 0;
  const int n = std::sscanf(text.c_str(), "%d%c%d%c", &h, &x, &w, &rest);
  if (n == 1) w = h;
  const bool ok = (n == 1 || (n == 3 && (x == 'x' || x == 'X'))) && h > 0 && w > 0 && h <= 4096 && w <= 4096;
  if (!ok) throw Error(what, "expected a kernel such as 2x2, got '" + text + "'");
  f.pooled_beyond_h = h;
  f.pooled_beyond_w = w;
}

bool matches(bool correct, const std::string& family, const std::vector<PooledDecision>& pooling,
             const SampleFilter& f) {
  if (f.correctness == SampleFilter::Correctness::wrong && correct) return false;
  if (f.correctness == SampleFilter::Correctness::correct && !correct) return false;
  if (!f.family.empty() && family != f.family) return false;
  if (f.pooled_beyond_h > 0 || f.pooled_beyond_w > 0) {
    const int limit = std::max(1, f.pooled_beyond_h) * std::max(1, f.pooled_beyond_w);
    bool beyond = false;
    for (const auto& d : pooling) beyond = beyond || d.kh * d.kw > limit;
    if (!beyond) return false;
  }
  return true;
}

bool matches(const SampleResult& s, const SampleFilter& f) {
  return matches(s.correct, s.family, pooled_decisions(s), f);
}

std::vector<SampleResult> filter_samples(RunStore& db, int64_t run, const SampleFilter& f) {
  std::vector<SampleResult> out;
  for (auto& s : db.samples(run, true))
    if (matches(s, f)) out.push_back(std::move(s));
  return out;
}

}  // namespace dpn::store

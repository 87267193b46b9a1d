// The result table of `dpn bench`, computed from the run store (so a resumed, a merged and an uninterrupted run
// print the same thing): accuracy overall and per category/family, mean LLM prefill FLOPs and the saving against
// `none`, mean latency, and how often each expert was chosen at each DPE layer.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "eval/official_metrics.h"
#include "eval/sample.h"
#include "store/run_store.h"

namespace dpn::bench {

struct GroupAccuracy {
  std::string name;  // category or family
  int64_t n = 0;
  double accuracy = 0;    // fraction correct
  double mean_score = 0;  // the benchmark's per-sample score (VQA soft accuracy...)
};

// What the routers chose: only decisions a router made count (probabilities recorded, not forced by an override or
// a path); a static pyramid's or a random policy's fixed pooling is not a choice.
struct ExpertFrequency {
  int layer = 0;
  std::string family;             // "" over all samples; else one question family
  int64_t n = 0;                  // samples with a router decision at this layer
  std::vector<double> frequency;  // per expert index, fractions of n
};

struct SampleRow {
  std::string id, category, family, question, answer, prediction;
  bool correct = false;
  double score = 0, flops_llm = 0, latency_ms = 0;
};

struct MethodSummary {
  std::string method;  // canonical spec
  int64_t run_id = 0;
  int64_t n = 0;       // stored samples
  double accuracy = 0, mean_score = 0;
  std::vector<GroupAccuracy> categories, families;  // sorted by name
  double mean_flops_llm = 0;                        // LLM prefill FLOPs per sample
  bool has_saving = false;                          // a `none` run over the same samples exists
  double saving_vs_none = 0;                        // 1 - flops / none's flops, over the samples both have
  double mean_latency_ms = 0;
  std::vector<ExpertFrequency> experts;             // by DPE layer; empty without router decisions
  std::vector<ExpertFrequency> family_experts;      // by (DPE layer, family)
  std::vector<SampleRow> rows;                      // by sample id
  eval::BenchmarkMetrics official;                  // the benchmark's official aggregates (eval/run_metrics.h)
};

struct BenchSummary {
  std::string model, dataset, shard, db_path;
  int64_t total = 0;       // methods x selected samples
  int64_t done = 0;        // stored, this invocation or earlier
  int64_t computed = 0;    // answered by this invocation
  bool cancelled = false;
  bool abandoned = false;  // a sample cut off mid-generation by the cancel was dropped (it runs again on resume)
  std::vector<MethodSummary> methods;
  std::map<std::string, std::string> images;  // sample id -> image file of the selected samples ("" if embedded)
};

// Summary of one stored run. `categories` maps sample id -> dataset category (the store keeps only the family).
// `baseline`: the `none` run's samples for the saving, or nullptr.
MethodSummary summarize_run(const std::string& method, int64_t run_id, const std::vector<store::SampleResult>& samples,
                            const std::map<std::string, std::string>& categories,
                            const std::vector<store::SampleResult>* baseline);

// Markdown tables: methods (accuracy, per category, FLOPs, saving, latency), per family, expert frequencies.
// `with_latency` = false leaves the latency column out (it is the only column that differs between machines/runs).
std::string format_table(const BenchSummary& s, bool with_latency = true);

// One JSON object (pretty-printed) with everything in BenchSummary, per-sample rows included when `rows`.
std::string summary_json(const BenchSummary& s, bool rows);

}  // namespace dpn::bench

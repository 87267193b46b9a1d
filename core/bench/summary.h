// The result table of `dpn bench`, computed from the run store (so a resumed, a merged and an uninterrupted run
// print the same thing): accuracy with its 95% interval overall and per category/family, mean LLM prefill FLOPs and
// the saving against the baseline, the paired comparison of every method with the baseline (Holm-adjusted),
// latency medians and quartiles per stage with the realized and FLOPs speed-ups, how often each expert was chosen at
// each DPE layer, failed samples and notes.
//
// Everything here is plain data for the views too: `ci95` is the 95% interval of `accuracy` (fractions, [lo, hi]),
// `paired` compares this method (B) with the baseline (A) on the samples both answered.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "eval/official_metrics.h"
#include "eval/sample.h"
#include "stats/interval.h"
#include "stats/paired.h"
#include "store/run_store.h"
#include "store/sample_filter.h"

namespace dpn::bench {

struct GroupAccuracy {
  std::string name;  // category or family
  int64_t n = 0;
  double accuracy = 0;         // fraction correct
  stats::Interval ci95;        // of accuracy
  double mean_score = 0;       // the benchmark's per-sample score (VQA soft accuracy...)
  stats::Interval score_ci95;  // of mean_score
  std::string ci_method;       // wilson | bootstrap | cluster-bootstrap (store/sample_stats.h)
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
  std::vector<store::PooledDecision> pooling;  // router decisions with the kernel each applied (from the traces)
};

// The realized speed-up next to the one FLOPs promise, both from medians over the samples both runs hold:
// baseline / method (2.0 = twice as fast).
struct Speedup {
  double flops = 0;             // median LLM prefill FLOPs
  double realized_prefill = 0;  // median prefill ms
  double realized_total = 0;    // median end-to-end ms per sample
};

struct MethodSummary {
  std::string method;  // canonical spec
  int64_t run_id = 0;
  int64_t n = 0;       // stored samples
  double accuracy = 0, mean_score = 0;
  stats::Interval ci95, score_ci95;  // of accuracy and mean_score
  std::string ci_method;
  std::vector<GroupAccuracy> categories, families;  // sorted by name
  double mean_flops_llm = 0;                        // LLM prefill FLOPs per sample
  bool has_saving = false;                          // a baseline run over the same samples exists
  double saving_vs_none = 0;                        // 1 - flops / baseline's flops, over the samples both have
  double mean_latency_ms = 0;
  store::LatencySummary latency;                    // per stage: median and quartiles
  bool has_speedup = false;
  Speedup speedup;                                  // against the baseline
  bool is_baseline = false;                         // this run is the baseline
  bool has_paired = false;
  stats::PairedComparison paired;                   // B = this method, A = the baseline; p_holm across methods
  std::vector<ExpertFrequency> experts;             // by DPE layer; empty without router decisions
  std::vector<ExpertFrequency> family_experts;      // by (DPE layer, family)
  std::vector<store::SampleFailure> failures;       // selected samples this method could not answer
  std::vector<std::string> notes;                   // e.g. "DPE layer 2 skipped by the guard in 12 of 60 samples"
  std::vector<SampleRow> rows;                      // by sample id
  eval::BenchmarkMetrics official;                  // the benchmark's official aggregates (eval/run_metrics.h)
};

// What the comparisons are made against.
struct Baseline {
  int64_t run_id = 0;  // 0: no baseline
  std::string label;   // e.g. "none", "demo-base none (run 4)"
};

struct BenchSummary {
  std::string model, dataset, shard, db_path;
  int64_t total = 0;       // methods x selected samples
  int64_t done = 0;        // stored, this invocation or earlier
  int64_t computed = 0;    // answered by this invocation
  int64_t failed = 0;      // selected samples a method could not answer (over all methods)
  bool cancelled = false;
  bool abandoned = false;  // a sample cut off mid-generation by the cancel was dropped (it runs again on resume)
  Baseline baseline;
  int holm_m = 0;          // comparisons the p-values were Holm-adjusted over
  // The latency protocol, from the runs' sessions (the latest session of each run):
  int threads = 0, cores = 0, warmup = 0;
  bool vision_shared = false;
  std::string code_version;
  double load_max = 0;                // highest 1-minute load average seen while the runs were answered
  std::vector<std::string> warnings;  // loaded machine, timing spread beyond the threshold
  std::vector<MethodSummary> methods;
  std::map<std::string, std::string> images;  // sample id -> image file of the selected samples ("" if embedded)
};

// Relative IQR of prefill ms per GFLOP above which a method's timings are flagged as noisy.
constexpr double kSpreadWarning = 0.25;

// Summary of one stored run. `categories` maps sample id -> dataset category for rows stored without one (before
// schema 2). `baseline`: the baseline run's samples for the saving, speed-up and paired comparison, or nullptr;
// `baseline_run` its id (a run is not compared with itself).
MethodSummary summarize_run(const std::string& method, int64_t run_id, const std::vector<store::SampleResult>& samples,
                            const std::map<std::string, std::string>& categories,
                            const std::vector<store::SampleResult>* baseline, int64_t baseline_run = 0);

// Holm-adjusts the methods' paired p-values (sets paired.p_holm and holm_m).
void adjust_paired_p(BenchSummary& s);

// Markdown tables: methods (accuracy [95% CI], per category, FLOPs, saving, median latency), paired comparisons with
// the baseline, latency per stage, per family, expert frequencies, failures and notes.
// `with_latency` = false leaves every measured time out (the only numbers that differ between machines/runs).
std::string format_table(const BenchSummary& s, bool with_latency = true);

// One JSON object (pretty-printed) with everything in BenchSummary ("ci95": [lo, hi] next to each accuracy,
// "paired": {"n", "only_a", "only_b", "delta", "delta_ci95", "mcnemar_p", ...}), per-sample rows when `rows`.
std::string summary_json(const BenchSummary& s, bool rows);

}  // namespace dpn::bench

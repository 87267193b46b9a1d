// The run store: one SQLite file holding models, datasets, benchmark runs, per-sample results, per-layer traces and
// router decisions. The benchmark runner writes each sample as it completes; the CLI and the GUI read it.
//
// Usage (what the runner does):
//   RunStore store(default_db_path());                 // creates or migrates the file
//   int64_t run = store.find_or_create_run(spec);      // same spec => same run, so re-running resumes
//   auto done = store.completed_ids(run);              // skip these
//   for (each sample not in done) store.add_sample_result(run, result);   // one transaction per sample
//   store.set_run_status(run, "complete");
#pragma once
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "stats/interval.h"
#include "stats/paired.h"
#include "stats/quantile.h"

namespace dpn::store {

class Db;

// Newest schema this build knows. A file with a larger version is refused (written by a newer dpn).
constexpr int kSchemaVersion = 2;

// $XDG_DATA_HOME/dpn-studio/runs.sqlite, or ~/.local/share/dpn-studio/runs.sqlite. Creates the folder.
std::string default_db_path();

// What identifies a run. Two specs with equal identity fields map to the same run (that is how resume works):
// model_name, dataset_name, method, params_json, dtype, device, shard. The others are recorded, not compared.
struct RunSpec {
  std::string model_name;     // e.g. "llava-v1.5-7b"
  std::string model_path;     // recorded
  std::string dataset_name;   // e.g. "pope"
  std::string dataset_kind;   // reader name: vqav2, textvqa, gqa, pope, mme, scienceqa, mmbench, dpnbench
  std::string dataset_path;   // recorded
  std::string method;         // "dpn", "fastv", "tokenpacker", "none"
  std::string params_json;    // method parameters + subset options (limit/seed/category), canonical JSON
  std::string dtype;          // "fp16", "fp32", "bf16"
  std::string device;         // "cpu", "cuda:0"
  std::string shard;          // "" for unsharded, else "i/N"
  std::string code_version;   // recorded ("0.1.0+g<commit>[-dirty]"); a resume under another version is appended
  int threads = 0;            // recorded: the intra-op threads the engine actually used (run_sessions has each one)
};

struct LayerTraceRow {
  int layer = 0;
  int n_visual = 0;  // visual tokens entering this layer
  int grid_h = 0;
  int grid_w = 0;
  double ms = 0;
  double flops = 0;
};

struct RouterDecisionRow {
  int layer = 0;
  int expert = 0;           // chosen expert index
  std::string probs_json;   // the router's probabilities, e.g. "[0.1,0.7,0.2]"
  bool overridden = false;  // forced by the user rather than chosen by the router
};

struct SampleResult {
  std::string sample_id;
  std::string question;
  std::string answer;      // ground truth as shown to people (first or joined answers)
  std::string prediction;
  double score = 0;        // the benchmark's per-sample score in [0, 1] (VQA soft accuracy etc.)
  bool correct = false;
  std::string family;      // category / family used for per-family summaries
  double flops_llm = 0;
  double flops_total = 0;
  double latency_ms = 0;
  double prefill_ms = 0;
  double decode_ms = 0;
  int64_t kv_bytes = 0;
  int64_t peak_rss = 0;
  std::vector<LayerTraceRow> layers;
  std::vector<RouterDecisionRow> routers;
  // Schema 2:
  std::string category;        // dataset category (POPE split, MME subtask, DPNBench coarse/fine)
  std::string cluster;         // the image the question is about: questions sharing one are not independent
  double preprocess_ms = 0;    // image load + preprocessing
  double vision_ms = 0;        // vision tower
  double projector_ms = 0;     // projector
  bool vision_shared = false;  // the image was encoded once and shared by the methods of one bench (stages above
                               // are that one encoding's times, counted for each method as a lone run would)
  std::string notes_json;      // what a reader should know about this answer, e.g.
                               // [{"kind":"guard_skipped","layer":2},{"kind":"forced_low_probability","layer":8,"p":1e-4}]
};

// A sample a method could not answer (a question with `<image>` in it, a prompt longer than the context, an image
// that does not decode): recorded with its reason instead of stopping the run; retried only when asked.
struct SampleFailure {
  std::string sample_id;
  std::string reason;
  int attempts = 1;
  std::string created_at;
};

// What one (run, sample) came to: a result, or a failure with its reason (result.sample_id names the sample).
struct SampleOutcome {
  int64_t run = 0;
  SampleResult result;
  bool failed = false;
  std::string reason;
};

// One process working on a run: the machine state the latency protocol records.
struct RunSession {
  int64_t id = 0;
  std::string started_at, ended_at;  // UTC, ISO 8601; ended_at "" while running (or killed)
  int64_t pid = 0;
  std::string host;
  std::string code_version;          // "0.1.0+g<commit>[-dirty]"
  int threads = 0;                   // intra-op threads in use
  int cores = 0;                     // online cores
  double load_start = 0, load_end = 0, load_max = 0;  // 1-minute load average
  int warmup = 0;                    // warm-up samples per method before timing
  bool vision_shared = false;
  int64_t computed = 0, failed = 0;  // samples answered / failed in this session
};

struct RunInfo {
  int64_t id = 0;
  RunSpec spec;
  std::string created_at;  // UTC, ISO 8601
  std::string status;      // "running", "complete", "failed"
  int64_t n_samples = 0;
  double mean_score = 0;   // over stored samples
};

struct FamilySummary {  // also used per category: `family` then holds the category
  std::string family;
  int64_t n = 0;
  double mean_score = 0;
  double accuracy = 0;  // fraction with correct = 1
  stats::Interval ci95;        // of accuracy (sample_stats.h: Wilson, bootstrap or cluster bootstrap)
  stats::Interval score_ci95;  // of mean_score
  std::string ci_method;
};

// Per-stage latency, median and quartiles over the stored samples (the latency protocol's numbers).
struct LatencySummary {
  stats::Spread total, preprocess, vision, projector, prefill, decode;
  stats::Spread prefill_ms_per_gflop;  // timing noise with the work divided out: its relative IQR is the spread
};

struct RunSummary {
  RunInfo run;
  double accuracy = 0;
  double mean_latency_ms = 0;
  double mean_prefill_ms = 0;
  double mean_decode_ms = 0;
  double mean_flops_llm = 0;
  double mean_flops_total = 0;
  std::vector<FamilySummary> families;
  // Schema 2:
  stats::Interval ci95;        // of accuracy
  stats::Interval score_ci95;  // of run.mean_score
  std::string ci_method;
  std::vector<FamilySummary> categories;
  LatencySummary latency;
  std::vector<SampleFailure> failures;
  std::vector<RunSession> sessions;
};

struct SampleDiff {
  std::string sample_id;
  std::string prediction_a, prediction_b;
  double score_a = 0, score_b = 0;
};

struct RunDiff {
  RunInfo a, b;
  int64_t common = 0, only_a = 0, only_b = 0;
  double mean_score_a = 0, mean_score_b = 0;  // over the common samples
  int64_t changed_predictions = 0;
  int64_t fixed = 0;   // wrong in A, correct in B
  int64_t broken = 0;  // correct in A, wrong in B
  std::vector<SampleDiff> changed;  // samples whose prediction differs, by sample id
  stats::PairedComparison paired;   // B - A on the common samples' scores (sample_stats.h: paired_comparison)
};

struct StoreOptions {
  bool create = true;        // create the file if missing (the CLI's read commands pass false)
  // false: synchronous=NORMAL (WAL) - a committed sample survives a crash or SIGKILL of the process; after a power
  // loss the last few may be missing (and are recomputed on resume, never duplicated). true: synchronous=FULL,
  // survives power loss too, at one fsync per sample (~5 ms here vs ~0.5 ms).
  bool durable = false;
  int busy_timeout_ms = 10000;
  int64_t max_page_count = 0;  // >0 caps the file size in pages (used to simulate a full disk)
};

class RunStore {
 public:
  // Opens or creates `path`, checks it is SQLite, applies migrations up to kSchemaVersion, refuses newer schemas.
  explicit RunStore(const std::string& path, const StoreOptions& options = {});
  ~RunStore();
  RunStore(const RunStore&) = delete;
  RunStore& operator=(const RunStore&) = delete;

  const std::string& path() const { return path_; }
  int schema_version();

  int64_t find_or_create_run(const RunSpec& spec);
  std::set<std::string> completed_ids(int64_t run);
  // Stores the sample with its traces and router decisions in ONE transaction. A sample id already stored for
  // this run is an error (the runner must skip completed ids); nothing is half-written on failure.
  void add_sample_result(int64_t run, const SampleResult& result);
  // Several outcomes (one sample answered by every method of a bench) in ONE transaction: all or none are stored,
  // so a stopped benchmark holds the same samples for every method. A result clears an earlier failure of the
  // same (run, sample); a failure of a sample already stored is an error; a repeated failure counts an attempt.
  void add_outcomes(const std::vector<SampleOutcome>& outcomes);
  std::set<std::string> failed_ids(int64_t run);
  std::vector<SampleFailure> failures(int64_t run);
  void set_run_status(int64_t run, const std::string& status);
  // Sessions: add returns the id; update rewrites its mutable fields (ended_at is set to now when `ended`).
  int64_t add_session(int64_t run, const RunSession& session);
  void update_session(int64_t session_id, const RunSession& session, bool ended);
  std::vector<RunSession> sessions(int64_t run);

  std::vector<RunInfo> list_runs();
  RunInfo run_info(int64_t run);  // throws naming the run id if it does not exist
  RunSummary run_summary(int64_t run);
  std::vector<SampleResult> samples(int64_t run, bool with_traces);
  RunDiff diff_runs(int64_t a, int64_t b);
  // Long ("tidy") CSV of one or several runs, one row per (run, sample): run_export.cpp lists the columns. RFC 4180
  // quoting; no raw line break inside a field (CR and LF are written as the two characters \r and \n, a backslash
  // as \\), so line-oriented tools and Parquet converters read one record per line.
  std::string export_csv(int64_t run);
  std::string export_csv(const std::vector<int64_t>& runs);
  std::string export_json(int64_t run, bool with_traces);
  void delete_run(int64_t run);
  std::string integrity_check();  // "ok" when healthy

  Db& db() { return *db_; }

 private:
  void check_run(int64_t run);
  std::string path_;
  std::unique_ptr<Db> db_;
};

// Finds the run with spec's identity or inserts it (with its model and dataset). The caller holds a transaction.
int64_t upsert_run(Db& db, const RunSpec& spec);

// Merges shard databases into `out` (created if missing): models/datasets matched by name, runs by identity with
// the shard field cleared, so the merged run equals one unsharded run. A sample stored twice with different
// predictions is an error naming both inputs; identical duplicates are skipped. Returns the merged run ids.
std::vector<int64_t> merge_databases(const std::string& out, const std::vector<std::string>& inputs);

}  // namespace dpn::store

// Running methods x samples against the run store, one committed sample at a time.
#include "bench/runner.h"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>

#include "bench/run_identity.h"
#include "bench/sample_record.h"
#include "dpn.h"
#include "eval/dataset.h"
#include "eval/preset.h"
#include "eval/run_metrics.h"
#include "flops/method_spec.h"
#include "util/error.h"

namespace dpn::bench {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

int64_t peak_rss_bytes() {
  struct rusage u {};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<int64_t>(u.ru_maxrss) * 1024;  // Linux reports KiB
}

std::vector<std::string> canonical_methods(const std::vector<std::string>& methods) {
  if (methods.empty()) throw Error("--methods", "no method given (e.g. none,dpn,fastv:k=2,r=0.5)");
  std::vector<std::string> out;
  for (const auto& m : methods) {
    const std::string c = flops::to_string(flops::parse_method_spec(m));
    for (const auto& o : out)
      if (o == c) throw Error("--methods", "method '" + m + "' is listed twice (as '" + c + "')");
    out.push_back(c);
  }
  return out;
}

bool same_identity(const store::RunSpec& a, const store::RunSpec& b) {
  return a.model_name == b.model_name && a.dataset_name == b.dataset_name && a.method == b.method &&
         a.params_json == b.params_json && a.dtype == b.dtype && a.device == b.device && a.shard == b.shard;
}

// The stored run with this identity, without creating one.
std::optional<int64_t> find_run(store::RunStore& db, const store::RunSpec& spec) {
  for (const auto& r : db.list_runs())
    if (same_identity(r.spec, spec)) return r.id;
  return std::nullopt;
}

// MMBench embeds its images; the engine reads files.
class TempImage {
 public:
  explicit TempImage(const std::string& bytes) {
    char name[] = "/tmp/dpn-bench-image-XXXXXX";
    const int fd = ::mkstemp(name);
    if (fd < 0) throw Error("/tmp", "cannot create a temporary file for an embedded image");
    ::close(fd);
    path_ = name;
    std::ofstream f(path_, std::ios::binary);
    if (!(f << bytes)) throw Error(path_, "cannot write an embedded image");
  }
  ~TempImage() { std::remove(path_.c_str()); }
  TempImage(const TempImage&) = delete;
  TempImage& operator=(const TempImage&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct Selected {
  ResolvedDataset dataset;
  std::vector<eval::EvalSample> samples;
  std::map<std::string, std::string> categories;  // id -> category
};

Selected select(const BenchSpec& spec) {
  Selected s;
  s.dataset = resolve_dataset(spec.dataset);
  s.samples = eval::select_subset(eval::read_dataset(s.dataset.spec), spec.subset);
  for (const auto& e : s.samples) s.categories[e.id] = e.category;
  return s;
}

std::string db_path_of(const BenchSpec& spec) { return spec.db_path.empty() ? store::default_db_path() : spec.db_path; }

std::string shard_text(const BenchSpec& spec) {
  return spec.subset.shard_count > 1
             ? std::to_string(spec.subset.shard_index) + "/" + std::to_string(spec.subset.shard_count)
             : "";
}

// Summaries of the given runs (0 = no run yet), with the `none` run of the same subset as the FLOPs baseline.
BenchSummary summarize(const BenchSpec& spec, store::RunStore& db, const Selected& sel, const std::string& model_name,
                       const std::string& model_path, const std::vector<std::string>& methods,
                       const std::vector<int64_t>& runs) {
  BenchSummary s;
  s.model = model_name;
  s.dataset = sel.dataset.name;
  s.shard = shard_text(spec);
  s.db_path = db.path();
  s.total = static_cast<int64_t>(methods.size() * sel.samples.size());
  for (const auto& e : sel.samples) s.images[e.id] = e.image;
  std::optional<std::vector<store::SampleResult>> baseline;
  if (auto none = find_run(db, make_run_spec(spec, "none", model_name, model_path, sel.dataset)))
    baseline = db.samples(*none, false);
  for (size_t i = 0; i < methods.size(); ++i) {
    std::vector<store::SampleResult> rows;
    if (runs[i] > 0) rows = db.samples(runs[i], true);
    std::vector<store::SampleResult> kept;  // only the selected samples count
    for (auto& r : rows)
      if (sel.categories.count(r.sample_id)) kept.push_back(std::move(r));
    s.done += static_cast<int64_t>(kept.size());
    s.methods.push_back(summarize_run(methods[i], runs[i], kept, sel.categories, baseline ? &*baseline : nullptr));
    s.methods.back().official = eval::run_metrics(sel.dataset.spec.kind, kept, &sel.categories);
  }
  return s;
}

}  // namespace

BenchSummary stored_summary(const BenchSpec& spec) {
  const std::vector<std::string> methods = canonical_methods(spec.methods);
  const Selected sel = select(spec);
  store::StoreOptions so;
  so.create = false;
  store::RunStore db(db_path_of(spec), so);
  const std::string model_path = resolve_model_path(spec.model);
  const std::string model_name = model_store_name(model_path);
  std::vector<int64_t> runs;
  for (const auto& m : methods)
    runs.push_back(find_run(db, make_run_spec(spec, m, model_name, model_path, sel.dataset)).value_or(0));
  return summarize(spec, db, sel, model_name, model_path, methods, runs);
}

namespace {

// `loaded` null: load spec.model here.
BenchSummary run(const BenchSpec& spec, Model* loaded, const ProgressFn& progress, const std::atomic<bool>& cancel) {
  // Everything that can be wrong is found before the first sample.
  const std::vector<std::string> methods = canonical_methods(spec.methods);
  if (spec.max_new_tokens < 1) throw Error("--max-new-tokens", "must be at least 1");
  const Selected sel = select(spec);
  std::optional<eval::EvalPreset> preset;
  if (!spec.preset.empty()) preset = eval::eval_preset(spec.preset, sel.dataset.spec.kind);
  store::StoreOptions so;
  so.durable = spec.durable;
  store::RunStore db(db_path_of(spec), so);
  ModelOptions mo;
  mo.path = spec.model;
  mo.vision_tower = spec.vision_tower;
  mo.dtype = spec.dtype;
  mo.device = spec.device;
  mo.threads = spec.threads;
  const std::string model_path = resolve_model_path(spec.model);
  std::unique_ptr<Model> owned = loaded ? nullptr : Model::load(mo);
  Model* model = loaded ? loaded : owned.get();
  const ModelInfo info = model->info();
  for (const auto& m : methods) {
    const flops::MethodSpec parsed = flops::parse_method_spec(m);
    flops::validate_method_spec(parsed, info.llm_layers);
    if (parsed.kind == flops::MethodSpec::Kind::Dpn && info.dpe_layers.empty())
      throw Error(model_path, "method '" + m + "' needs a DPN checkpoint; this model has no DPE layers");
  }
  const std::string model_name = model_store_name(model_path);

  std::vector<int64_t> runs;
  std::vector<std::set<std::string>> completed;
  BenchProgress p;
  p.total = static_cast<int64_t>(methods.size() * sel.samples.size());
  for (const auto& m : methods) {
    runs.push_back(db.find_or_create_run(make_run_spec(spec, m, model_name, model_path, sel.dataset)));
    completed.push_back(db.completed_ids(runs.back()));
    for (const auto& e : sel.samples) p.done += completed.back().count(e.id) ? 1 : 0;
  }
  p.method = methods.front();
  if (progress) progress(p);

  bool cancelled = false, abandoned = false;
  Clock::time_point started = Clock::now();
  for (size_t mi = 0; mi < methods.size() && !cancelled; ++mi) {
    const std::string& method = methods[mi];
    p.method = method;
    db.set_run_status(runs[mi], "running");
    try {
      for (const auto& sample : sel.samples) {
        if (completed[mi].count(sample.id)) continue;
        if (cancel.load()) {
          cancelled = true;
          break;
        }
        std::optional<TempImage> embedded;
        AskOptions q;
        if (sample.image.empty() && !sample.image_data.empty()) embedded.emplace(sample.image_data);
        q.image_path = embedded ? embedded->path() : sample.image;
        q.question = sample.question;
        q.method = method;
        q.max_new_tokens = spec.max_new_tokens;
        std::optional<Clock::time_point> cancel_seen;
        q.on_token = [&](const std::string&) {
          if (!cancel.load()) return true;
          if (!cancel_seen) cancel_seen = Clock::now();
          return ms_since(*cancel_seen) < spec.cancel_grace_ms;
        };
        const Clock::time_point t = Clock::now();
        AskResult r = model->ask(q);
        if (preset) r.answer = eval::postprocess_answer(*preset, r.answer);
        const double latency = ms_since(t);
        if (r.cancelled) {  // cut off mid-generation: the partial answer is not a result
          cancelled = abandoned = true;
          break;
        }
        const SampleCost cost = sample_cost(r);
        const store::SampleResult row =
            make_sample_result(sel.dataset.spec.kind, sample, r, cost, latency, peak_rss_bytes());
        db.add_sample_result(runs[mi], row);
        p.done += 1;
        p.computed += 1;
        p.sample_id = sample.id;
        p.last_correct = row.correct;
        p.rate = p.computed / (ms_since(started) / 1000.0);
        p.eta_s = p.rate > 0 ? static_cast<double>(p.total - p.done) / p.rate : -1;
        if (progress) progress(p);
      }
    } catch (...) {
      try {
        db.set_run_status(runs[mi], "failed");
      } catch (...) {  // the first error is the one to report
      }
      throw;
    }
    db.set_run_status(runs[mi], cancelled ? "partial" : "complete");
  }
  BenchSummary s = summarize(spec, db, sel, model_name, model_path, methods, runs);
  s.computed = p.computed;
  s.cancelled = cancelled;
  s.abandoned = abandoned;
  return s;
}

}  // namespace

BenchSummary run_benchmark(const BenchSpec& spec, const ProgressFn& progress, const std::atomic<bool>& cancel) {
  return run(spec, nullptr, progress, cancel);
}

BenchSummary run_benchmark(const BenchSpec& spec, Model& model, const ProgressFn& progress,
                           const std::atomic<bool>& cancel) {
  return run(spec, &model, progress, cancel);
}

}  // namespace dpn::bench

// Running samples x methods against the run store: every method answers a sample (sharing its encoded image) before
// the next sample starts, and the sample's outcomes are committed together.
#include "bench/runner.h"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <set>

#include "bench/code_version.h"
#include "bench/run_identity.h"
#include "bench/sample_record.h"
#include "dpn.h"
#include "eval/dataset.h"
#include "eval/preset.h"
#include "eval/run_metrics.h"
#include "flops/method_spec.h"
#include "store/run_labels.h"
#include "store/run_lock.h"
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

// The 1-minute load average (0 when /proc/loadavg cannot be read).
double load_average() {
  std::ifstream f("/proc/loadavg");
  double load = 0;
  return (f >> load) ? load : 0.0;
}

int online_cores() { return static_cast<int>(std::max(1L, ::sysconf(_SC_NPROCESSORS_ONLN))); }

std::string host_name() {
  char b[256] = {};
  return ::gethostname(b, sizeof b - 1) == 0 ? b : "";
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

// An unknown --category/--family would select nothing and end as an empty "complete" run: refuse it, naming the
// values the dataset has.
void check_filter(const std::string& option, const std::string& value, const std::vector<eval::EvalSample>& all,
                  std::string eval::EvalSample::*field, const std::string& dataset) {
  if (value.empty()) return;
  std::set<std::string> values;
  for (const auto& s : all) values.insert(s.*field);
  if (values.count(value)) return;
  std::string list;
  for (const auto& v : values)
    if (!v.empty()) list += (list.empty() ? "" : ", ") + v;
  throw Error(option + " " + value, "no sample of " + dataset + " has it (" +
                                        (list.empty() ? std::string("the dataset has none") : "it has: " + list) + ")");
}

Selected select(const BenchSpec& spec) {
  Selected s;
  s.dataset = resolve_dataset(spec.dataset);
  const std::vector<eval::EvalSample> all = eval::read_dataset(s.dataset.spec);
  check_filter("--category", spec.subset.category, all, &eval::EvalSample::category, s.dataset.name);
  check_filter("--family", spec.subset.family, all, &eval::EvalSample::family, s.dataset.name);
  s.samples = eval::select_subset(all, spec.subset);
  if (s.samples.empty() && spec.subset.shard_count <= 1)
    throw Error(s.dataset.path, all.empty() ? "the dataset has no samples"
                                            : "no sample has category '" + spec.subset.category + "' and family '" +
                                                  spec.subset.family + "' together");
  for (const auto& e : s.samples) s.categories[e.id] = e.category;
  return s;
}

std::string db_path_of(const BenchSpec& spec) { return spec.db_path.empty() ? store::default_db_path() : spec.db_path; }

std::string shard_text(const BenchSpec& spec) {
  return spec.subset.shard_count > 1
             ? std::to_string(spec.subset.shard_index) + "/" + std::to_string(spec.subset.shard_count)
             : "";
}

bool is_run_id(const std::string& s) {
  return !s.empty() && s.size() < 18 && s.find_first_not_of("0123456789") == std::string::npos;
}

// --baseline: see BenchSpec::baseline. `runs` holds this bench's runs (0 = not created yet). Throws dpn::Error
// naming --baseline when an explicit baseline does not exist.
Baseline resolve_baseline(const BenchSpec& spec, store::RunStore& db, const Selected& sel,
                          const std::string& model_name, const std::string& model_path,
                          const std::vector<std::string>& methods, const std::vector<int64_t>& runs) {
  const std::string& b = spec.baseline;
  if (b.empty()) {
    const auto none = find_run(db, make_run_spec(spec, "none", model_name, model_path, sel.dataset));
    return none ? Baseline{*none, "none"} : Baseline{};
  }
  if (is_run_id(b)) {
    const store::RunInfo info = db.run_info(std::stoll(b));
    if (info.spec.dataset_name != sel.dataset.name)
      throw Error("--baseline " + b, "run " + b + " is on dataset " + info.spec.dataset_name + "; this benchmark is on " +
                                         sel.dataset.name);
    return {info.id, info.spec.model_name + " " + store::method_spec(info) + " (run " + b + ")"};
  }
  std::optional<std::string> method;
  try {
    method = flops::to_string(flops::parse_method_spec(b));
  } catch (const Error&) {  // not a method: a model name
  }
  if (method) {
    for (size_t i = 0; i < methods.size(); ++i)
      if (methods[i] == *method) return runs[i] ? Baseline{runs[i], *method} : Baseline{};
    if (auto run = find_run(db, make_run_spec(spec, *method, model_name, model_path, sel.dataset)))
      return {*run, *method + " (run " + std::to_string(*run) + ")"};
    throw Error("--baseline " + b, "no stored run of '" + *method + "' for " + model_name +
                                       " over this subset; add it to --methods or give a run id");
  }
  if (auto run = find_run(db, make_run_spec(spec, "none", b, "", sel.dataset)))
    return {*run, b + " none (run " + std::to_string(*run) + ")"};
  throw Error("--baseline " + b, "model '" + b + "' has no `none` run over " + sel.dataset.name +
                                     " with these subset options in " + db.path() +
                                     " (run `dpn bench --model " + b +
                                     " --methods none` with the same --limit/--seed/--category/--family, or give a "
                                     "run id from `dpn runs list`)");
}

// The latency protocol's record and warnings, from the latest session of each run.
void add_protocol(BenchSummary& s, store::RunStore& db) {
  bool first = true;
  for (const auto& m : s.methods) {
    if (!m.run_id) continue;
    const auto sessions = db.sessions(m.run_id);
    if (sessions.empty()) continue;
    const store::RunSession& last = sessions.back();
    if (first) {
      s.threads = last.threads;
      s.cores = last.cores;
      s.warmup = last.warmup;
      s.vision_shared = last.vision_shared && s.methods.size() > 1;
      s.code_version = last.code_version;
      first = false;
    }
    s.load_max = std::max(s.load_max, last.load_max);
  }
  char b[256];
  if (s.cores > 0 && s.threads > s.cores) {
    std::snprintf(b, sizeof b, "%d threads on %d cores: the threads compete with each other; use --threads %d or fewer",
                  s.threads, s.cores, s.cores);
    s.warnings.push_back(b);
  }
  if (s.cores > 0 && s.load_max > static_cast<double>(s.cores)) {
    std::snprintf(b, sizeof b,
                  "the machine was loaded while timing: 1-minute load average up to %.1f on %d cores (this run's %d "
                  "threads included), so its threads did not have the cores to themselves; latencies are not "
                  "comparable with another run's",
                  s.load_max, s.cores, s.threads);
    s.warnings.push_back(b);
  }
  for (const auto& m : s.methods) {
    const stats::Spread& x = m.latency.prefill_ms_per_gflop;
    if (x.n >= 8 && x.relative_iqr() > kSpreadWarning) {
      std::snprintf(b, sizeof b,
                    "%s: prefill time per GFLOP varies by %.0f%% (IQR / median) across samples, beyond %.0f%%: the "
                    "timings are noisy (a loaded machine, frequency scaling); compare medians, or rerun",
                    m.method.c_str(), 100 * x.relative_iqr(), 100 * kSpreadWarning);
      s.warnings.push_back(b);
    }
  }
}

// Summaries of the given runs (0 = no run yet), compared with the baseline.
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
  s.baseline = resolve_baseline(spec, db, sel, model_name, model_path, methods, runs);
  std::optional<std::vector<store::SampleResult>> baseline;
  if (s.baseline.run_id) baseline = db.samples(s.baseline.run_id, false);
  for (size_t i = 0; i < methods.size(); ++i) {
    std::vector<store::SampleResult> rows;
    if (runs[i] > 0) rows = db.samples(runs[i], true);
    std::vector<store::SampleResult> kept;  // only the selected samples count
    for (auto& r : rows)
      if (sel.categories.count(r.sample_id)) kept.push_back(std::move(r));
    s.done += static_cast<int64_t>(kept.size());
    MethodSummary m = summarize_run(methods[i], runs[i], kept, sel.categories, baseline ? &*baseline : nullptr,
                                    s.baseline.run_id);
    m.official = eval::run_metrics(sel.dataset.spec.kind, kept, &sel.categories);
    if (runs[i] > 0)
      for (auto& f : db.failures(runs[i]))
        if (sel.categories.count(f.sample_id)) m.failures.push_back(std::move(f));
    s.failed += static_cast<int64_t>(m.failures.size());
    s.methods.push_back(std::move(m));
  }
  adjust_paired_p(s);
  add_protocol(s, db);
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
  if (spec.warmup < 0) throw Error("--warmup", "must be 0 or more");
  const Selected sel = select(spec);
  std::optional<eval::EvalPreset> preset;
  if (!spec.preset.empty()) preset = eval::eval_preset(spec.preset, sel.dataset.spec.kind);
  const double load_start = load_average();
  store::StoreOptions so;
  so.durable = spec.durable;
  store::RunStore db(db_path_of(spec), so);
  const std::string model_path = resolve_model_path(spec.model);
  const std::string model_name = model_store_name(model_path);
  resolve_baseline(spec, db, sel, model_name, model_path, methods, std::vector<int64_t>(methods.size(), 0));
  ModelOptions mo;
  mo.path = spec.model;
  mo.vision_tower = spec.vision_tower;
  mo.dtype = spec.dtype;
  mo.device = spec.device;
  mo.threads = spec.threads;
  mo.max_memory = spec.max_memory;
  std::unique_ptr<Model> owned = loaded ? nullptr : Model::load(mo);
  Model* model = loaded ? loaded : owned.get();
  const ModelInfo info = model->info();
  for (const auto& m : methods) {
    const flops::MethodSpec parsed = flops::parse_method_spec(m);
    flops::validate_method_spec(parsed, info.llm_layers);
    if (parsed.kind == flops::MethodSpec::Kind::Dpn && info.dpe_layers.empty())
      throw Error(model_path, "method '" + m + "' needs a DPN checkpoint; this model has no DPE layers");
    model->check_method(m);  // e.g. tokenpacker on a model whose projector is not TokenPacker
  }

  std::vector<int64_t> runs;
  std::vector<std::pair<int64_t, std::string>> claims;
  for (const auto& m : methods) {
    store::RunSpec rs = make_run_spec(spec, m, model_name, model_path, sel.dataset);
    rs.threads = info.threads;
    rs.code_version = code_version();
    runs.push_back(db.find_or_create_run(rs));
    claims.push_back({runs.back(), m});
  }
  // A second process on the same runs stops here, before it changes anything.
  store::RunLock lock(db.path(), claims);

  std::vector<std::set<std::string>> completed, failed;
  std::vector<std::vector<int>> pooling;
  BenchProgress p;
  p.total = static_cast<int64_t>(methods.size() * sel.samples.size());
  for (size_t mi = 0; mi < methods.size(); ++mi) {
    completed.push_back(db.completed_ids(runs[mi]));
    failed.push_back(spec.retry_failed ? std::set<std::string>{} : db.failed_ids(runs[mi]));
    pooling.push_back(pooling_layers(methods[mi], info.dpe_layers));
    for (const auto& e : sel.samples) p.done += completed[mi].count(e.id) || failed[mi].count(e.id) ? 1 : 0;
  }
  auto pending = [&](const eval::EvalSample& sample) {
    std::vector<size_t> todo;
    for (size_t mi = 0; mi < methods.size(); ++mi)
      if (!completed[mi].count(sample.id) && !failed[mi].count(sample.id)) todo.push_back(mi);
    return todo;
  };
  store::RunSession session;
  session.pid = ::getpid();
  session.host = host_name();
  session.code_version = code_version();
  session.threads = info.threads;
  session.cores = online_cores();
  session.load_start = session.load_max = std::max(load_start, load_average());
  session.warmup = spec.warmup;
  session.vision_shared = spec.share_vision;
  std::vector<int64_t> sessions;
  std::vector<store::RunSession> per_run(methods.size(), session);
  for (size_t mi = 0; mi < methods.size(); ++mi) {
    sessions.push_back(db.add_session(runs[mi], session));
    db.set_run_status(runs[mi], "running");
  }
  p.method = methods.front();
  if (progress) progress(p);

  bool cancelled = false, abandoned = false;
  try {
    // Warm-up: the first samples still to do, every method, answers thrown away (caches, allocator, thread pool).
    int warmed = 0;
    for (const auto& sample : sel.samples) {
      if (warmed >= spec.warmup || cancel.load()) break;
      const std::vector<size_t> todo = pending(sample);
      if (todo.empty() || sample.image.empty()) continue;
      try {
        AskOptions q;
        q.question = sample.question;
        q.max_new_tokens = spec.max_new_tokens;
        q.encoded = spec.share_vision ? model->encode(sample.image) : nullptr;
        q.image_path = sample.image;
        for (const auto& m : methods) {
          q.method = m;
          model->ask(q);
        }
        ++warmed;
      } catch (const std::exception&) {  // a bad sample: the measured pass records why
      }
    }

    const Clock::time_point started = Clock::now();
    for (const auto& sample : sel.samples) {
      const std::vector<size_t> todo = pending(sample);
      if (todo.empty()) continue;
      if (cancel.load()) {
        cancelled = true;
        break;
      }
      std::optional<Clock::time_point> cancel_seen;
      auto out_of_grace = [&] {
        if (!cancel.load()) return false;
        if (!cancel_seen) cancel_seen = Clock::now();
        return ms_since(*cancel_seen) >= spec.cancel_grace_ms;
      };
      const std::string cluster = cluster_key(sample, sel.dataset.spec.images);
      const bool shared = spec.share_vision && todo.size() > 1;
      std::optional<TempImage> embedded;
      std::shared_ptr<const EncodedImage> encoded;
      std::string image_error;
      double encode_ms = 0;
      try {
        if (sample.image.empty() && !sample.image_data.empty()) embedded.emplace(sample.image_data);
        if (shared) {
          const Clock::time_point t = Clock::now();
          encoded = model->encode(embedded ? embedded->path() : sample.image);
          encode_ms = ms_since(t);
        }
      } catch (const std::exception& e) {
        image_error = e.what();
      }
      std::vector<store::SampleOutcome> group;
      for (size_t mi : todo) {
        if (out_of_grace()) {
          abandoned = true;
          break;
        }
        store::SampleOutcome o;
        o.run = runs[mi];
        o.result.sample_id = sample.id;
        p.method = methods[mi];
        try {
          if (!image_error.empty()) throw Error("", image_error);
          AskOptions q;
          q.image_path = embedded ? embedded->path() : sample.image;
          q.encoded = encoded;
          q.question = sample.question;
          q.method = methods[mi];
          q.max_new_tokens = spec.max_new_tokens;
          q.on_token = [&](const std::string&) { return !out_of_grace(); };
          const Clock::time_point t = Clock::now();
          AskResult r = model->ask(q);
          if (preset) r.answer = eval::postprocess_answer(*preset, r.answer);
          // A shared encoding is counted for each method, as that method alone would have paid it.
          const double latency = ms_since(t) + encode_ms;
          if (r.cancelled) {  // cut off mid-generation: the partial answer is not a result
            abandoned = true;
            break;
          }
          const SampleCost cost = sample_cost(r);
          o.result = make_sample_result(sel.dataset.spec.kind, sample, r, cost, latency, peak_rss_bytes());
          o.result.cluster = cluster;
          o.result.notes_json = sample_notes(pooling[mi], r);
        } catch (const std::exception& e) {  // this sample cannot be answered by this method: record why, go on
          o.failed = true;
          o.reason = e.what();
        }
        group.push_back(std::move(o));
      }
      if (abandoned) {  // the sample's outcomes go in together or not at all
        cancelled = true;
        break;
      }
      db.add_outcomes(group);
      for (size_t i = 0; i < group.size(); ++i) {
        const size_t mi = todo[i];
        (group[i].failed ? failed[mi] : completed[mi]).insert(sample.id);
        (group[i].failed ? per_run[mi].failed : per_run[mi].computed) += 1;
        p.failed += group[i].failed ? 1 : 0;
        p.computed += group[i].failed ? 0 : 1;
        p.last_correct = !group[i].failed && group[i].result.correct;
      }
      p.done += static_cast<int64_t>(group.size());
      p.sample_id = sample.id;
      p.rate = static_cast<double>(p.computed + p.failed) / (ms_since(started) / 1000.0);
      p.eta_s = p.rate > 0 ? static_cast<double>(p.total - p.done) / p.rate : -1;
      session.load_max = std::max(session.load_max, load_average());
      if (progress) progress(p);
    }
  } catch (...) {
    try {
      for (int64_t run : runs) db.set_run_status(run, "failed");
    } catch (...) {  // the first error is the one to report
    }
    throw;
  }
  session.load_end = load_average();
  for (size_t mi = 0; mi < methods.size(); ++mi) {
    per_run[mi].load_end = session.load_end;
    per_run[mi].load_max = std::max(session.load_max, session.load_end);
    db.update_session(sessions[mi], per_run[mi], /*ended=*/true);
    bool all = true;
    for (const auto& e : sel.samples) all = all && (completed[mi].count(e.id) || failed[mi].count(e.id));
    db.set_run_status(runs[mi], all ? "complete" : "partial");
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

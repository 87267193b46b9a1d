// RunStore: opening/migrating the database, writing one sample per transaction, and the read-side queries.
#include "store/run_store.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <thread>

#include "store/sample_stats.h"
#include "store/schema.h"
#include "store/sqlite_db.h"
#include "util/error.h"
#include "util/regular_file.h"

namespace dpn::store {

namespace {

// The 16-byte magic at the start of every SQLite 3 database file.
constexpr char kSqliteMagic[16] = {'S', 'Q', 'L', 'i', 't', 'e', ' ', 'f', 'o', 'r', 'm', 'a', 't', ' ', '3', '\0'};

void make_dirs(const std::string& dir) {
  std::string cur;
  for (size_t i = 0; i <= dir.size(); ++i) {
    if (i == dir.size() || dir[i] == '/') {
      if (!cur.empty() && ::mkdir(cur.c_str(), 0755) != 0 && errno != EEXIST)
        throw Error(cur, std::string("cannot create the folder for the run database: ") + std::strerror(errno));
    }
    if (i < dir.size()) cur.push_back(dir[i]);
  }
}

// Refuses a non-empty file that does not start with the SQLite magic, before sqlite gets to touch it.
void check_is_sqlite(const std::string& path) {
  refuse_special_file(path);  // a FIFO as the database would block the open below (and sqlite's)
  std::ifstream f(path, std::ios::binary);
  if (!f) return;  // missing: sqlite creates it (or reports it)
  char head[16] = {};
  f.read(head, sizeof head);
  std::streamsize n = f.gcount();
  if (n == 0) return;  // empty file: a fresh database
  if (n < 16 || std::memcmp(head, kSqliteMagic, 16) != 0)
    throw Error(path, "is not an SQLite database (its first bytes are not 'SQLite format 3'); "
                      "pass another file with --db or move this one away");
}

RunInfo read_run_row(Stmt& s) {
  // Columns: see kRunSelect.
  RunInfo r;
  r.id = s.int64(0);
  r.spec.model_name = s.text(1);
  r.spec.model_path = s.text(2);
  r.spec.dataset_name = s.text(3);
  r.spec.dataset_kind = s.text(4);
  r.spec.dataset_path = s.text(5);
  r.spec.method = s.text(6);
  r.spec.params_json = s.text(7);
  r.spec.code_version = s.text(8);
  r.spec.device = s.text(9);
  r.spec.dtype = s.text(10);
  r.spec.threads = static_cast<int>(s.int64(11));
  r.created_at = s.text(12);
  r.status = s.text(13);
  r.spec.shard = s.text(14);
  r.n_samples = s.int64(15);
  r.mean_score = s.is_null(16) ? 0.0 : s.real(16);
  return r;
}

const char* const kRunSelect =
    "SELECT r.id, m.name, m.path, d.name, d.kind, d.path, r.method, r.params_json, r.code_version, r.device, "
    "r.dtype, r.threads, r.created_at, r.status, r.shard, "
    "(SELECT count(*) FROM samples s WHERE s.run_id = r.id), (SELECT avg(score) FROM samples s WHERE s.run_id = r.id) "
    "FROM runs r JOIN models m ON m.id = r.model_id JOIN datasets d ON d.id = r.dataset_id ";

// Sample columns in the order SampleResult lists them.
const char* const kSampleColumns =
    "sample_id, question, answer, prediction, score, correct, family, flops_llm, flops_total, latency_ms, "
    "prefill_ms, decode_ms, kv_bytes, peak_rss, category, cluster, preprocess_ms, vision_ms, projector_ms, "
    "vision_shared, notes_json";
constexpr int kSampleColumnCount = 21;

SampleResult read_sample_row(Stmt& s) {
  SampleResult r;
  r.sample_id = s.text(0);
  r.question = s.text(1);
  r.answer = s.text(2);
  r.prediction = s.text(3);
  r.score = s.real(4);
  r.correct = s.int64(5) != 0;
  r.family = s.text(6);
  r.flops_llm = s.real(7);
  r.flops_total = s.real(8);
  r.latency_ms = s.real(9);
  r.prefill_ms = s.real(10);
  r.decode_ms = s.real(11);
  r.kv_bytes = s.int64(12);
  r.peak_rss = s.int64(13);
  r.category = s.text(14);
  r.cluster = s.text(15);
  r.preprocess_ms = s.real(16);
  r.vision_ms = s.real(17);
  r.projector_ms = s.real(18);
  r.vision_shared = s.int64(19) != 0;
  r.notes_json = s.text(20);
  return r;
}

// Binds a sample's columns (kSampleColumns order) after the run id at index 1.
void bind_sample(Stmt& st, int64_t run, const SampleResult& r) {
  st.bind(1, run).bind(2, r.sample_id).bind(3, r.question).bind(4, r.answer).bind(5, r.prediction)
      .bind(6, r.score).bind(7, r.correct ? 1 : 0).bind(8, r.family).bind(9, r.flops_llm).bind(10, r.flops_total)
      .bind(11, r.latency_ms).bind(12, r.prefill_ms).bind(13, r.decode_ms).bind(14, r.kv_bytes).bind(15, r.peak_rss)
      .bind(16, r.category).bind(17, r.cluster).bind(18, r.preprocess_ms).bind(19, r.vision_ms)
      .bind(20, r.projector_ms).bind(21, r.vision_shared ? 1 : 0).bind(22, r.notes_json);
}

std::string placeholders(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += i ? ", ?" : "?";
  return s;
}

const char* const kSessionColumns =
    "id, started_at, ended_at, pid, host, code_version, threads, cores, load_start, load_end, load_max, warmup, "
    "vision_shared, computed, failed";

RunSession read_session_row(Stmt& s) {
  RunSession r;
  r.id = s.int64(0);
  r.started_at = s.text(1);
  r.ended_at = s.text(2);
  r.pid = s.int64(3);
  r.host = s.text(4);
  r.code_version = s.text(5);
  r.threads = static_cast<int>(s.int64(6));
  r.cores = static_cast<int>(s.int64(7));
  r.load_start = s.real(8);
  r.load_end = s.real(9);
  r.load_max = s.real(10);
  r.warmup = static_cast<int>(s.int64(11));
  r.vision_shared = s.int64(12) != 0;
  r.computed = s.int64(13);
  r.failed = s.int64(14);
  return r;
}

// WAL lets a viewer read while a bench writes. The mode is stored in the file, so only a new (or pre-WAL) file needs
// the switch; sqlite answers a switch that races another opener with SQLITE_BUSY at once, without the busy handler,
// so it is retried here within the same timeout.
void switch_to_wal(Db& db, int timeout_ms) {
  // The first real read: sqlite reports SQLITE_NOTADB here for a damaged header; name the file.
  {
    auto mode = db.prepare("PRAGMA journal_mode");
    if (mode.step() && mode.text(0) == "wal") return;
  }
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!db.exec_unless_busy("PRAGMA journal_mode = WAL", "switching to WAL journaling")) {
    if (std::chrono::steady_clock::now() > end) {
      db.exec("PRAGMA journal_mode = WAL", "switching to WAL journaling");  // still busy: the usual error, naming it
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

std::string default_db_path() {
  std::string base;
  if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x) {
    base = x;
  } else if (const char* h = std::getenv("HOME"); h && *h) {
    base = std::string(h) + "/.local/share";
  } else {
    throw Error("$HOME", "neither XDG_DATA_HOME nor HOME is set; pass the database file with --db");
  }
  std::string dir = base + "/dpn-studio";
  make_dirs(dir);
  return dir + "/runs.sqlite";
}

RunStore::RunStore(const std::string& path, const StoreOptions& options) : path_(path) {
  check_is_sqlite(path);
  db_ = std::make_unique<Db>(path, options.create);
  db_->exec("PRAGMA busy_timeout = " + std::to_string(options.busy_timeout_ms), "setting busy_timeout");
  switch_to_wal(*db_, options.busy_timeout_ms);
  db_->exec(options.durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL", "setting synchronous");
  db_->exec("PRAGMA foreign_keys = ON", "enabling foreign keys");
  if (options.max_page_count > 0)
    db_->exec("PRAGMA max_page_count = " + std::to_string(options.max_page_count), "setting max_page_count");
  migrate(*db_);
}

RunStore::~RunStore() = default;

int RunStore::schema_version() { return read_schema_version(*db_); }

int64_t upsert_run(Db& db, const RunSpec& spec) {
  if (spec.model_name.empty() || spec.dataset_name.empty() || spec.method.empty())
    throw Error(db.path(), "a run needs a model name, a dataset name and a method");
  db.prepare("INSERT INTO models(name, path) VALUES (?, ?) ON CONFLICT(name) DO NOTHING")
      .bind(1, spec.model_name).bind(2, spec.model_path).run();
  db.prepare("INSERT INTO datasets(name, kind, path) VALUES (?, ?, ?) ON CONFLICT(name) DO NOTHING")
      .bind(1, spec.dataset_name).bind(2, spec.dataset_kind).bind(3, spec.dataset_path).run();
  auto find = db.prepare(
      "SELECT r.id, r.code_version FROM runs r JOIN models m ON m.id = r.model_id JOIN datasets d ON d.id = r.dataset_id "
      "WHERE m.name = ? AND d.name = ? AND r.method = ? AND r.params_json = ? AND r.dtype = ? AND r.device = ? "
      "AND r.shard = ?");
  find.bind(1, spec.model_name).bind(2, spec.dataset_name).bind(3, spec.method).bind(4, spec.params_json)
      .bind(5, spec.dtype).bind(6, spec.device).bind(7, spec.shard);
  if (find.step()) {
    int64_t id = find.int64(0);
    std::string versions = find.text(1);
    // A resume under another build is recorded in the run (visible in `dpn runs show`), not silently mixed.
    if (!spec.code_version.empty() && ("," + versions + ",").find("," + spec.code_version + ",") == std::string::npos)
      db.prepare("UPDATE runs SET code_version = ? WHERE id = ?")
          .bind(1, versions.empty() ? spec.code_version : versions + "," + spec.code_version).bind(2, id).run();
    return id;
  }
  db.prepare(
        "INSERT INTO runs(model_id, dataset_id, method, params_json, code_version, device, dtype, threads, shard) "
        "VALUES ((SELECT id FROM models WHERE name = ?), (SELECT id FROM datasets WHERE name = ?), ?, ?, ?, ?, ?, ?, ?)")
      .bind(1, spec.model_name).bind(2, spec.dataset_name).bind(3, spec.method).bind(4, spec.params_json)
      .bind(5, spec.code_version).bind(6, spec.device).bind(7, spec.dtype).bind(8, spec.threads).bind(9, spec.shard)
      .run();
  return db.last_insert_rowid();
}

int64_t RunStore::find_or_create_run(const RunSpec& spec) {
  Transaction tx(*db_);
  int64_t id = upsert_run(*db_, spec);
  tx.commit();
  return id;
}

void RunStore::check_run(int64_t run) {
  auto s = db_->prepare("SELECT 1 FROM runs WHERE id = ?");
  s.bind(1, run);
  if (!s.step()) throw Error(path_, "there is no run " + std::to_string(run) + " (see `dpn runs list`)");
}

std::set<std::string> RunStore::completed_ids(int64_t run) {
  std::set<std::string> ids;
  auto s = db_->prepare("SELECT sample_id FROM samples WHERE run_id = ?");
  s.bind(1, run);
  while (s.step()) ids.insert(s.text(0));
  return ids;
}

void RunStore::add_sample_result(int64_t run, const SampleResult& r) { add_outcomes({{run, r, false, ""}}); }

void RunStore::add_outcomes(const std::vector<SampleOutcome>& outcomes) {
  Transaction tx(*db_);
  auto dup = db_->prepare("SELECT 1 FROM samples WHERE run_id = ? AND sample_id = ?");
  auto clear = db_->prepare("DELETE FROM sample_failures WHERE run_id = ? AND sample_id = ?");
  auto fail = db_->prepare(
      "INSERT INTO sample_failures(run_id, sample_id, reason) VALUES (?, ?, ?) ON CONFLICT(run_id, sample_id) DO "
      "UPDATE SET reason = excluded.reason, attempts = attempts + 1, created_at = excluded.created_at");
  auto ins = db_->prepare(std::string("INSERT INTO samples(run_id, ") + kSampleColumns + ") VALUES (" +
                          placeholders(kSampleColumnCount + 1) + ")");
  auto layer = db_->prepare(
      "INSERT INTO layer_traces(run_id, sample_id, layer, n_visual, grid_h, grid_w, ms, flops) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  auto router = db_->prepare(
      "INSERT INTO router_decisions(run_id, sample_id, layer, expert, probs_json, overridden) VALUES (?, ?, ?, ?, ?, ?)");
  for (const auto& o : outcomes) {
    const int64_t run = o.run;
    const SampleResult& r = o.result;
    dup.bind(1, run).bind(2, r.sample_id);
    const bool stored = dup.step();
    dup.reset();
    if (stored)
      throw Error(path_, "sample '" + r.sample_id + "' is already stored for run " + std::to_string(run) +
                             "; skip the ids from completed_ids()");
    if (o.failed) {
      fail.bind(1, run).bind(2, r.sample_id).bind(3, o.reason);
      fail.run();
      continue;
    }
    clear.bind(1, run).bind(2, r.sample_id);
    clear.run();
    bind_sample(ins, run, r);
    ins.run();
    for (const auto& l : r.layers) {
      layer.bind(1, run).bind(2, r.sample_id).bind(3, l.layer).bind(4, l.n_visual).bind(5, l.grid_h)
          .bind(6, l.grid_w).bind(7, l.ms).bind(8, l.flops);
      layer.run();
    }
    for (const auto& d : r.routers) {
      router.bind(1, run).bind(2, r.sample_id).bind(3, d.layer).bind(4, d.expert).bind(5, d.probs_json)
          .bind(6, d.overridden ? 1 : 0);
      router.run();
    }
  }
  tx.commit();
}

std::set<std::string> RunStore::failed_ids(int64_t run) {
  std::set<std::string> ids;
  auto s = db_->prepare("SELECT sample_id FROM sample_failures WHERE run_id = ?");
  s.bind(1, run);
  while (s.step()) ids.insert(s.text(0));
  return ids;
}

std::vector<SampleFailure> RunStore::failures(int64_t run) {
  check_run(run);
  std::vector<SampleFailure> out;
  auto s = db_->prepare(
      "SELECT sample_id, reason, attempts, created_at FROM sample_failures WHERE run_id = ? "
      "ORDER BY length(sample_id), sample_id");
  s.bind(1, run);
  while (s.step()) out.push_back({s.text(0), s.text(1), static_cast<int>(s.int64(2)), s.text(3)});
  return out;
}

int64_t RunStore::add_session(int64_t run, const RunSession& r) {
  check_run(run);
  db_->prepare(
        "INSERT INTO run_sessions(run_id, pid, host, code_version, threads, cores, load_start, load_end, load_max, "
        "warmup, vision_shared) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(1, run).bind(2, r.pid).bind(3, r.host).bind(4, r.code_version).bind(5, r.threads).bind(6, r.cores)
      .bind(7, r.load_start).bind(8, r.load_end).bind(9, r.load_max).bind(10, r.warmup)
      .bind(11, r.vision_shared ? 1 : 0).run();
  return db_->last_insert_rowid();
}

void RunStore::update_session(int64_t id, const RunSession& r, bool ended) {
  db_->prepare(
        "UPDATE run_sessions SET load_end = ?, load_max = ?, computed = ?, failed = ?, "
        "ended_at = CASE WHEN ? THEN strftime('%Y-%m-%dT%H:%M:%SZ', 'now') ELSE ended_at END WHERE id = ?")
      .bind(1, r.load_end).bind(2, r.load_max).bind(3, r.computed).bind(4, r.failed).bind(5, ended ? 1 : 0)
      .bind(6, id).run();
}

std::vector<RunSession> RunStore::sessions(int64_t run) {
  std::vector<RunSession> out;
  auto s = db_->prepare(std::string("SELECT ") + kSessionColumns + " FROM run_sessions WHERE run_id = ? ORDER BY id");
  s.bind(1, run);
  while (s.step()) out.push_back(read_session_row(s));
  return out;
}

void RunStore::set_run_status(int64_t run, const std::string& status) {
  check_run(run);
  db_->prepare("UPDATE runs SET status = ? WHERE id = ?").bind(1, status).bind(2, run).run();
}

std::vector<RunInfo> RunStore::list_runs() {
  std::vector<RunInfo> runs;
  auto s = db_->prepare(std::string(kRunSelect) + "ORDER BY r.id");
  while (s.step()) runs.push_back(read_run_row(s));
  return runs;
}

RunInfo RunStore::run_info(int64_t run) {
  auto s = db_->prepare(std::string(kRunSelect) + "WHERE r.id = ?");
  s.bind(1, run);
  if (!s.step()) throw Error(path_, "there is no run " + std::to_string(run) + " (see `dpn runs list`)");
  return read_run_row(s);
}

RunSummary RunStore::run_summary(int64_t run) {
  RunSummary sum;
  sum.run = run_info(run);
  const std::vector<SampleResult> rows = samples(run, /*with_traces=*/false);
  if (!rows.empty()) {
    const double n = static_cast<double>(rows.size());
    for (const auto& r : rows) {
      sum.mean_latency_ms += r.latency_ms / n;
      sum.mean_prefill_ms += r.prefill_ms / n;
      sum.mean_decode_ms += r.decode_ms / n;
      sum.mean_flops_llm += r.flops_llm / n;
      sum.mean_flops_total += r.flops_total / n;
    }
  }
  const FamilySummary all = score_group("", rows);
  sum.accuracy = all.accuracy;
  sum.ci95 = all.ci95;
  sum.score_ci95 = all.score_ci95;
  sum.ci_method = all.ci_method;
  sum.families = score_groups(rows, &SampleResult::family);
  sum.categories = score_groups(rows, &SampleResult::category);
  sum.latency = latency_summary(rows);
  sum.failures = failures(run);
  sum.sessions = sessions(run);
  return sum;
}

std::vector<SampleResult> RunStore::samples(int64_t run, bool with_traces) {
  check_run(run);
  std::vector<SampleResult> out;
  std::map<std::string, size_t> index;
  auto s = db_->prepare(std::string("SELECT ") + kSampleColumns +
                        " FROM samples WHERE run_id = ? ORDER BY length(sample_id), sample_id");
  s.bind(1, run);
  while (s.step()) {
    index[s.text(0)] = out.size();
    out.push_back(read_sample_row(s));
  }
  if (!with_traces) return out;
  auto t = db_->prepare(
      "SELECT sample_id, layer, n_visual, grid_h, grid_w, ms, flops FROM layer_traces WHERE run_id = ? "
      "ORDER BY sample_id, layer");
  t.bind(1, run);
  while (t.step())
    out[index.at(t.text(0))].layers.push_back({static_cast<int>(t.int64(1)), static_cast<int>(t.int64(2)),
                                              static_cast<int>(t.int64(3)), static_cast<int>(t.int64(4)), t.real(5),
                                              t.real(6)});
  auto d = db_->prepare(
      "SELECT sample_id, layer, expert, probs_json, overridden FROM router_decisions WHERE run_id = ? "
      "ORDER BY sample_id, layer");
  d.bind(1, run);
  while (d.step())
    out[index.at(d.text(0))].routers.push_back(
        {static_cast<int>(d.int64(1)), static_cast<int>(d.int64(2)), d.text(3), d.int64(4) != 0});
  return out;
}

RunDiff RunStore::diff_runs(int64_t a, int64_t b) {
  RunDiff diff;
  diff.a = run_info(a);
  diff.b = run_info(b);
  auto s = db_->prepare(
      "SELECT x.sample_id, x.prediction, y.prediction, x.score, y.score, x.correct, y.correct "
      "FROM samples x JOIN samples y ON y.run_id = ? AND y.sample_id = x.sample_id WHERE x.run_id = ? "
      "ORDER BY length(x.sample_id), x.sample_id");
  s.bind(1, b).bind(2, a);
  double sum_a = 0, sum_b = 0;
  while (s.step()) {
    ++diff.common;
    sum_a += s.real(3);
    sum_b += s.real(4);
    bool ca = s.int64(5) != 0, cb = s.int64(6) != 0;
    if (!ca && cb) ++diff.fixed;
    if (ca && !cb) ++diff.broken;
    if (s.text(1) != s.text(2)) {
      ++diff.changed_predictions;
      diff.changed.push_back({s.text(0), s.text(1), s.text(2), s.real(3), s.real(4)});
    }
  }
  if (diff.common > 0) {
    diff.mean_score_a = sum_a / diff.common;
    diff.mean_score_b = sum_b / diff.common;
  }
  diff.only_a = diff.a.n_samples - diff.common;
  diff.only_b = diff.b.n_samples - diff.common;
  diff.paired = paired_comparison(samples(a, false), samples(b, false));
  return diff;
}

void RunStore::delete_run(int64_t run) {
  check_run(run);
  Transaction tx(*db_);
  db_->prepare("DELETE FROM runs WHERE id = ?").bind(1, run).run();  // cascades to samples, traces, decisions
  tx.commit();
}

std::string RunStore::integrity_check() {
  auto s = db_->prepare("PRAGMA integrity_check");
  std::string out;
  while (s.step()) out += (out.empty() ? "" : "\n") + s.text(0);
  auto fk = db_->prepare("PRAGMA foreign_key_check");
  if (fk.step()) out += (out == "ok" ? "\n" : "") + std::string("foreign key violation in table ") + fk.text(0);
  return out;
}

}  // namespace dpn::store

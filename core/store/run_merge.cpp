// `dpn runs merge`: combine shard databases into one, so a sharded benchmark ends as one unsharded run.
#include <sqlite3.h>

#include <algorithm>
#include <map>
#include <set>

#include "store/run_store.h"
#include "store/sqlite_db.h"
#include "util/error.h"

namespace dpn::store {

namespace {

// "i/N" -> N, 0 when unsharded or malformed.
int shard_count(const std::string& shard) {
  auto slash = shard.find('/');
  if (slash == std::string::npos) return 0;
  try {
    return std::stoi(shard.substr(slash + 1));
  } catch (const std::exception&) {
    return 0;
  }
}

struct MergedRun {
  int expected_shards = 0;
  std::set<std::string> shards;
  bool all_complete = true;
};

// Copies every run of the attached database `src` into main, inside the caller's transaction.
void copy_runs(Db& db, const std::string& in, const std::string& out, const std::vector<RunInfo>& runs,
               std::map<int64_t, MergedRun>& merged) {
  for (const auto& r : runs) {
    RunSpec spec = r.spec;
    spec.shard.clear();
    int64_t id = upsert_run(db, spec);
    auto conflict = db.prepare(
        "SELECT s.sample_id FROM src.samples s JOIN main.samples d ON d.run_id = ? AND d.sample_id = s.sample_id "
        "WHERE s.run_id = ? AND (d.prediction != s.prediction OR d.score != s.score) LIMIT 1");
    conflict.bind(1, id).bind(2, r.id);
    if (conflict.step())
      throw Error(in, "sample '" + conflict.text(0) + "' of run " + std::to_string(r.id) + " is already in " + out +
                          " with another prediction; nothing from this file was merged");
    const std::string columns =
        "sample_id, question, answer, prediction, score, correct, family, flops_llm, flops_total, latency_ms, "
        "prefill_ms, decode_ms, kv_bytes, peak_rss, created_at, category, cluster, preprocess_ms, vision_ms, "
        "projector_ms, vision_shared, notes_json";
    db.prepare("INSERT OR IGNORE INTO main.samples(run_id, " + columns + ") SELECT ?, " + columns +
               " FROM src.samples WHERE run_id = ?")
        .bind(1, id).bind(2, r.id).run();
    db.prepare(
          "INSERT OR IGNORE INTO main.layer_traces(run_id, sample_id, layer, n_visual, grid_h, grid_w, ms, flops) "
          "SELECT ?, sample_id, layer, n_visual, grid_h, grid_w, ms, flops FROM src.layer_traces WHERE run_id = ?")
        .bind(1, id).bind(2, r.id).run();
    db.prepare(
          "INSERT OR IGNORE INTO main.router_decisions(run_id, sample_id, layer, expert, probs_json, overridden) "
          "SELECT ?, sample_id, layer, expert, probs_json, overridden FROM src.router_decisions WHERE run_id = ?")
        .bind(1, id).bind(2, r.id).run();
    // A failure stays a failure only while no input has the sample answered.
    db.prepare(
          "INSERT OR IGNORE INTO main.sample_failures(run_id, sample_id, reason, attempts, created_at) "
          "SELECT ?, f.sample_id, f.reason, f.attempts, f.created_at FROM src.sample_failures f WHERE f.run_id = ?")
        .bind(1, id).bind(2, r.id).run();
    db.prepare("DELETE FROM main.sample_failures WHERE run_id = ? AND sample_id IN "
               "(SELECT sample_id FROM main.samples WHERE run_id = ?)")
        .bind(1, id).bind(2, id).run();
    db.prepare(
          "INSERT INTO main.run_sessions(run_id, started_at, ended_at, pid, host, code_version, threads, cores, "
          "load_start, load_end, load_max, warmup, vision_shared, computed, failed) "
          "SELECT ?, started_at, ended_at, pid, host, code_version, threads, cores, load_start, load_end, load_max, "
          "warmup, vision_shared, computed, failed FROM src.run_sessions s WHERE s.run_id = ? AND NOT EXISTS "
          "(SELECT 1 FROM main.run_sessions d WHERE d.run_id = ?1 AND d.started_at = s.started_at AND d.pid = s.pid "
          "AND d.host = s.host)")
        .bind(1, id).bind(2, r.id).run();
    auto& m = merged[id];
    m.expected_shards = std::max(m.expected_shards, shard_count(r.spec.shard));
    m.shards.insert(r.spec.shard);
    m.all_complete = m.all_complete && r.status == "complete";
  }
}

}  // namespace

std::vector<int64_t> merge_databases(const std::string& out, const std::vector<std::string>& inputs) {
  if (inputs.empty()) throw Error(out, "merge needs at least one input database");
  RunStore dst(out);
  Db& db = dst.db();
  std::map<int64_t, MergedRun> merged;
  for (const auto& in : inputs) {
    if (in == out) throw Error(in, "an input database is also the output; choose another OUT file");
    std::vector<RunInfo> runs;
    {
      StoreOptions ro;
      ro.create = false;
      RunStore src(in, ro);  // checks SQLite-ness and schema version, names the file on error
      runs = src.list_runs();
    }
    db.prepare("ATTACH DATABASE ? AS src").bind(1, in).run();
    try {
      Transaction tx(db);
      copy_runs(db, in, out, runs, merged);
      tx.commit();
    } catch (...) {
      sqlite3_exec(db.raw(), "DETACH DATABASE src", nullptr, nullptr, nullptr);
      throw;
    }
    db.exec("DETACH DATABASE src", "detaching " + in);
  }
  std::vector<int64_t> ids;
  for (const auto& [id, m] : merged) {
    bool complete = m.all_complete && (m.expected_shards == 0 || static_cast<int>(m.shards.size()) == m.expected_shards);
    dst.set_run_status(id, complete ? "complete" : "partial");
    ids.push_back(id);
  }
  return ids;
}

}  // namespace dpn::store

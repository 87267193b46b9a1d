// Versioned migrations of the run database. Never edit a released migration; append a new one.
#include "store/schema.h"

#include "store/run_store.h"
#include "store/sqlite_db.h"
#include "util/error.h"

namespace dpn::store {

const std::vector<std::string>& schema_migrations() {
  static const std::vector<std::string> migrations = {
      // 1: models, datasets, runs, samples, layer_traces, router_decisions.
      R"sql(
CREATE TABLE models (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  path TEXT NOT NULL DEFAULT ''
);
CREATE TABLE datasets (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL DEFAULT '',
  path TEXT NOT NULL DEFAULT ''
);
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  model_id INTEGER NOT NULL REFERENCES models(id),
  dataset_id INTEGER NOT NULL REFERENCES datasets(id),
  method TEXT NOT NULL,
  params_json TEXT NOT NULL DEFAULT '{}',
  code_version TEXT NOT NULL DEFAULT '',
  device TEXT NOT NULL DEFAULT '',
  dtype TEXT NOT NULL DEFAULT '',
  threads INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  status TEXT NOT NULL DEFAULT 'running',
  shard TEXT NOT NULL DEFAULT '',
  UNIQUE (model_id, dataset_id, method, params_json, dtype, device, shard)
);
CREATE TABLE samples (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  sample_id TEXT NOT NULL,
  question TEXT NOT NULL DEFAULT '',
  answer TEXT NOT NULL DEFAULT '',
  prediction TEXT NOT NULL DEFAULT '',
  score REAL NOT NULL DEFAULT 0,
  correct INTEGER NOT NULL DEFAULT 0,
  family TEXT NOT NULL DEFAULT '',
  flops_llm REAL NOT NULL DEFAULT 0,
  flops_total REAL NOT NULL DEFAULT 0,
  latency_ms REAL NOT NULL DEFAULT 0,
  prefill_ms REAL NOT NULL DEFAULT 0,
  decode_ms REAL NOT NULL DEFAULT 0,
  kv_bytes INTEGER NOT NULL DEFAULT 0,
  peak_rss INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  PRIMARY KEY (run_id, sample_id)
);
CREATE TABLE layer_traces (
  run_id INTEGER NOT NULL,
  sample_id TEXT NOT NULL,
  layer INTEGER NOT NULL,
  n_visual INTEGER NOT NULL DEFAULT 0,
  grid_h INTEGER NOT NULL DEFAULT 0,
  grid_w INTEGER NOT NULL DEFAULT 0,
  ms REAL NOT NULL DEFAULT 0,
  flops REAL NOT NULL DEFAULT 0,
  PRIMARY KEY (run_id, sample_id, layer),
  FOREIGN KEY (run_id, sample_id) REFERENCES samples(run_id, sample_id) ON DELETE CASCADE
);
CREATE TABLE router_decisions (
  run_id INTEGER NOT NULL,
  sample_id TEXT NOT NULL,
  layer INTEGER NOT NULL,
  expert INTEGER NOT NULL,
  probs_json TEXT NOT NULL DEFAULT '[]',
  overridden INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (run_id, sample_id, layer),
  FOREIGN KEY (run_id, sample_id) REFERENCES samples(run_id, sample_id) ON DELETE CASCADE
);
CREATE INDEX runs_by_model ON runs(model_id);
CREATE INDEX runs_by_dataset ON runs(dataset_id);
)sql",
      // 2 (issue 17): per-sample category, cluster (image), stage times and notes; failed samples with their reason;
      // one session row per process that worked on a run (threads, commit, load average).
      R"sql(
ALTER TABLE samples ADD COLUMN category TEXT NOT NULL DEFAULT '';
ALTER TABLE samples ADD COLUMN cluster TEXT NOT NULL DEFAULT '';
ALTER TABLE samples ADD COLUMN preprocess_ms REAL NOT NULL DEFAULT 0;
ALTER TABLE samples ADD COLUMN vision_ms REAL NOT NULL DEFAULT 0;
ALTER TABLE samples ADD COLUMN projector_ms REAL NOT NULL DEFAULT 0;
ALTER TABLE samples ADD COLUMN vision_shared INTEGER NOT NULL DEFAULT 0;
ALTER TABLE samples ADD COLUMN notes_json TEXT NOT NULL DEFAULT '';
CREATE TABLE sample_failures (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  sample_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  PRIMARY KEY (run_id, sample_id)
);
CREATE TABLE run_sessions (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  started_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  ended_at TEXT NOT NULL DEFAULT '',
  pid INTEGER NOT NULL DEFAULT 0,
  host TEXT NOT NULL DEFAULT '',
  code_version TEXT NOT NULL DEFAULT '',
  threads INTEGER NOT NULL DEFAULT 0,
  cores INTEGER NOT NULL DEFAULT 0,
  load_start REAL NOT NULL DEFAULT 0,
  load_end REAL NOT NULL DEFAULT 0,
  load_max REAL NOT NULL DEFAULT 0,
  warmup INTEGER NOT NULL DEFAULT 0,
  vision_shared INTEGER NOT NULL DEFAULT 0,
  computed INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX run_sessions_by_run ON run_sessions(run_id);
)sql",
  };
  return migrations;
}

int read_schema_version(Db& db) {
  auto has = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'");
  has.step();
  if (has.int64(0) == 0) return 0;
  auto v = db.prepare("SELECT max(version) FROM schema_version");
  if (!v.step() || v.is_null(0)) return 0;
  return static_cast<int>(v.int64(0));
}

void migrate(Db& db) {
  int version = read_schema_version(db);
  const auto& migrations = schema_migrations();
  static_assert(kSchemaVersion >= 1, "schema version starts at 1");
  if (static_cast<int>(migrations.size()) != kSchemaVersion)
    throw Error(db.path(), "internal: kSchemaVersion does not match the number of migrations");
  if (version > kSchemaVersion)
    throw Error(db.path(), "the run database has schema version " + std::to_string(version) +
                               ", newer than this dpn understands (" + std::to_string(kSchemaVersion) +
                               "). It was written by a newer dpn; upgrade dpn or pass another file with --db.");
  if (version == kSchemaVersion) return;
  // Another process may be opening the same new file right now (a bench and a viewer, shards of one array): take the
  // write lock first and read the version again under it, so exactly one of them applies each migration.
  Transaction tx(db);
  for (int v = read_schema_version(db); v < kSchemaVersion; ++v) {
    db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
            "applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')))",
            "creating schema_version");
    db.exec(migrations[v], "applying schema migration " + std::to_string(v + 1));
    db.prepare("INSERT INTO schema_version(version) VALUES (?)").bind(1, v + 1).run();
  }
  tx.commit();
}

}  // namespace dpn::store

// Tests of the run store: schema/migrations, resume identity, one transaction per sample, queries, exports, and the
// bad inputs (not SQLite, newer schema, full disk, duplicate sample) with nothing stored lost.
#include "store/run_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <cstdio>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "store/sqlite_db.h"
#include "store_test_util.h"
#include "util/error.h"

using namespace dpn::store;
using dpn::store::test::TempDir;
using dpn::store::test::test_sample;
using dpn::store::test::test_spec;

namespace {

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const dpn::Error& e) {
    return e.what();
  }
  return "(no error)";
}

int64_t count(RunStore& s, const std::string& sql) {
  auto st = s.db().prepare(sql);
  st.step();
  return st.int64(0);
}

TEST(RunStore, CreatesSchemaWithWalAndForeignKeys) {
  TempDir dir;
  RunStore s(dir.file("runs.sqlite"));
  EXPECT_EQ(s.schema_version(), kSchemaVersion);
  auto mode = s.db().prepare("PRAGMA journal_mode");
  mode.step();
  EXPECT_EQ(mode.text(0), "wal");
  EXPECT_EQ(count(s, "PRAGMA foreign_keys"), 1);
  for (const char* t : {"models", "datasets", "runs", "samples", "layer_traces", "router_decisions", "schema_version"})
    EXPECT_EQ(count(s, std::string("SELECT count(*) FROM sqlite_master WHERE name = '") + t + "'"), 1) << t;
  EXPECT_EQ(s.integrity_check(), "ok");
}

TEST(RunStore, SameSpecIsTheSameRunSoRerunningResumes) {
  TempDir dir;
  RunStore s(dir.file("runs.sqlite"));
  int64_t a = s.find_or_create_run(test_spec());
  EXPECT_EQ(s.find_or_create_run(test_spec()), a);
  RunSpec other = test_spec();
  other.params_json = R"({"limit":0,"ratio":0.25})";
  EXPECT_NE(s.find_or_create_run(other), a);
  RunSpec shard = test_spec("0/2");
  EXPECT_NE(s.find_or_create_run(shard), a);
  // threads and code version are recorded, not part of the identity; another version is appended.
  RunSpec newer = test_spec();
  newer.threads = 16;
  newer.code_version = "v0.2.0";
  EXPECT_EQ(s.find_or_create_run(newer), a);
  EXPECT_EQ(s.run_info(a).spec.code_version, "v0.1.0,v0.2.0");
  EXPECT_EQ(s.list_runs().size(), 3u);
}

TEST(RunStore, SampleWithTracesRoundTripsAndCompletedIdsResume) {
  TempDir dir;
  RunStore s(dir.file("runs.sqlite"));
  int64_t run = s.find_or_create_run(test_spec());
  for (int i = 0; i < 5; ++i) s.add_sample_result(run, test_sample(i));
  EXPECT_EQ(s.completed_ids(run), (std::set<std::string>{"0", "1", "2", "3", "4"}));
  auto back = s.samples(run, /*with_traces=*/true);
  ASSERT_EQ(back.size(), 5u);
  SampleResult want = test_sample(3);
  EXPECT_EQ(back[3].sample_id, "3");
  EXPECT_EQ(back[3].prediction, want.prediction);
  EXPECT_DOUBLE_EQ(back[3].flops_llm, want.flops_llm);
  EXPECT_EQ(back[3].peak_rss, want.peak_rss);
  ASSERT_EQ(back[3].layers.size(), 28u);
  EXPECT_EQ(back[3].layers[27].n_visual, 144);
  ASSERT_EQ(back[3].routers.size(), 3u);
  EXPECT_EQ(back[3].routers[1].layer, 8);
  EXPECT_EQ(back[3].routers[1].probs_json, "[0.2,0.5,0.3]");
  // A duplicate is refused with a message, and nothing about the stored sample changes.
  std::string e = error_of([&] { s.add_sample_result(run, test_sample(3)); });
  EXPECT_NE(e.find("already stored"), std::string::npos) << e;
  EXPECT_EQ(count(s, "SELECT count(*) FROM layer_traces"), 5 * 28);
}

TEST(RunStore, HalfWrittenSampleIsRolledBack) {
  TempDir dir;
  RunStore s(dir.file("runs.sqlite"));
  int64_t run = s.find_or_create_run(test_spec());
  SampleResult bad = test_sample(1);
  bad.layers.push_back(bad.layers[0]);  // duplicate layer -> primary key violation after the sample row went in
  EXPECT_THROW(s.add_sample_result(run, bad), dpn::Error);
  EXPECT_EQ(count(s, "SELECT count(*) FROM samples"), 0);
  EXPECT_EQ(count(s, "SELECT count(*) FROM layer_traces"), 0);
  s.add_sample_result(run, test_sample(1));  // the id is free again
  EXPECT_EQ(s.completed_ids(run).size(), 1u);
}

TEST(RunStore, SummaryDiffExportDelete) {
  TempDir dir;
  RunStore s(dir.file("runs.sqlite"));
  int64_t a = s.find_or_create_run(test_spec());
  RunSpec sb = test_spec();
  sb.method = "fastv";
  int64_t b = s.find_or_create_run(sb);
  for (int i = 0; i < 6; ++i) s.add_sample_result(a, test_sample(i));
  for (int i = 1; i < 7; ++i) {
    SampleResult r = test_sample(i);
    if (i == 2) {  // fix one sample: answer "no", A said "Yes"
      r.prediction = "No";
      r.score = 1;
      r.correct = true;
    }
    s.add_sample_result(b, r);
  }
  RunSummary sum = s.run_summary(a);
  EXPECT_EQ(sum.run.n_samples, 6);
  EXPECT_EQ(sum.families.size(), 2u);
  EXPECT_DOUBLE_EQ(sum.mean_latency_ms, 102.5);
  RunDiff d = s.diff_runs(a, b);
  EXPECT_EQ(d.common, 5);
  EXPECT_EQ(d.only_a, 1);
  EXPECT_EQ(d.only_b, 1);
  EXPECT_EQ(d.changed_predictions, 1);
  EXPECT_EQ(d.fixed, 1);
  EXPECT_EQ(d.broken, 0);
  ASSERT_EQ(d.changed.size(), 1u);
  EXPECT_EQ(d.changed[0].sample_id, "2");

  // B - A on the 5 common samples: one fixed, none broken; exact McNemar p = 1 for (0, 1) discordant pairs.
  EXPECT_EQ(d.paired.n, 5);
  EXPECT_EQ(d.paired.only_a, 0);
  EXPECT_EQ(d.paired.only_b, 1);
  EXPECT_NEAR(d.paired.delta, 0.2, 1e-12);
  EXPECT_DOUBLE_EQ(d.paired.mcnemar_p, 1.0);
  EXPECT_LT(d.paired.delta_ci95.lo, 0.0);
  EXPECT_GT(d.paired.delta_ci95.hi, 0.2);

  // The long CSV: one header, one line per (run, sample) - the question's line break is written as \n, not raw.
  std::string csv = s.export_csv(a);
  EXPECT_EQ(csv.substr(0, csv.find('\n')).rfind("run_id,model,method,dataset,subset,dtype,device,sample_id,category,"
                                                "family,cluster,status,failure,question,answer,prediction,score,correct,"
                                                "flops_llm,flops_total,latency_ms,preprocess_ms,vision_ms,projector_ms,"
                                                "prefill_ms,decode_ms,",
                                                0),
            0u)
      << csv;
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 7);
  EXPECT_NE(csv.find("\n1,llava-v1.5-7b,dpn,pope,"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",Is there a dog in the image?\\nAnswer the question using a single word or phrase.,no,No,1,1,"),
            std::string::npos)
      << csv;
  EXPECT_NE(csv.find(",tokens_l27,expert_l2,expert_p_l2,"), std::string::npos);
  const std::string both = s.export_csv(std::vector<int64_t>{a, b});
  EXPECT_EQ(std::count(both.begin(), both.end(), '\n'), 13);
  EXPECT_NE(both.find("\n2,llava-v1.5-7b,fastv,pope,"), std::string::npos) << both;
  auto j = nlohmann::json::parse(s.export_json(a, /*with_traces=*/true));
  EXPECT_EQ(j["run"]["method"], "dpn");
  EXPECT_EQ(j["run"]["params"]["ratio"], 0.5);
  EXPECT_EQ(j["samples"].size(), 6u);
  EXPECT_EQ(j["samples"][0]["layers"].size(), 28u);
  EXPECT_EQ(j["samples"][0]["routers"][0]["probs"][1], 0.5);

  s.delete_run(a);
  EXPECT_EQ(s.list_runs().size(), 1u);
  EXPECT_EQ(count(s, "SELECT count(*) FROM samples"), 6);  // run b's
  EXPECT_EQ(count(s, "SELECT count(*) FROM layer_traces"), 6 * 28);
  EXPECT_NE(error_of([&] { s.run_info(a); }).find("there is no run"), std::string::npos);
  EXPECT_THROW(s.delete_run(a), dpn::Error);
  EXPECT_EQ(s.integrity_check(), "ok");
}

TEST(RunStore, RefusesAFileThatIsNotSqlite) {
  TempDir dir;
  const std::string path = dir.file("notes.sqlite");
  std::ofstream(path) << "these are my notes, not a database\n";
  std::string e = error_of([&] { RunStore s(path); });
  EXPECT_NE(e.find(path), std::string::npos) << e;
  EXPECT_NE(e.find("not an SQLite database"), std::string::npos) << e;
  std::ifstream in(path);
  std::string first;
  std::getline(in, first);
  EXPECT_EQ(first, "these are my notes, not a database");  // untouched
}

TEST(RunStore, RefusesANewerSchemaAndKeepsIt) {
  TempDir dir;
  const std::string path = dir.file("runs.sqlite");
  {
    RunStore s(path);
    s.add_sample_result(s.find_or_create_run(test_spec()), test_sample(0));
    s.db().exec("INSERT INTO schema_version(version) VALUES (" + std::to_string(kSchemaVersion + 1) + ")");
  }
  std::string e = error_of([&] { RunStore s(path); });
  EXPECT_NE(e.find(path), std::string::npos) << e;
  EXPECT_NE(e.find("newer"), std::string::npos) << e;
  Db raw(path, false);
  auto st = raw.prepare("SELECT count(*) FROM samples");
  st.step();
  EXPECT_EQ(st.int64(0), 1);
}

// A bench and a viewer (or the shards of one array) opening the same new file at once: each migration is applied
// exactly once and every opener gets a usable store. Before the version was re-read under the write lock, the loser
// of this race failed with "table models already exists".
TEST(RunStore, ConcurrentOpenersOfANewFileMigrateItOnce) {
  for (int round = 0; round < 20; ++round) {
    TempDir dir;
    const std::string path = dir.file("runs.sqlite");
    std::atomic<int> ready{0};
    std::vector<std::string> errors(4);
    std::vector<std::thread> openers;
    for (size_t t = 0; t < errors.size(); ++t)
      openers.emplace_back([&, t] {
        ++ready;
        while (ready < static_cast<int>(errors.size())) std::this_thread::yield();
        errors[t] = error_of([&] {
          RunStore s(path);
          s.find_or_create_run(test_spec());
        });
      });
    for (auto& th : openers) th.join();
    for (size_t t = 0; t < errors.size(); ++t) EXPECT_EQ(errors[t], "(no error)") << "round " << round << " opener " << t;
    RunStore s(path);
    EXPECT_EQ(count(s, "SELECT count(*) FROM schema_version"), kSchemaVersion);
    EXPECT_EQ(count(s, "SELECT count(*) FROM runs"), 1);
  }
}

TEST(RunStore, MissingFileWithoutCreateIsAClearError) {
  TempDir dir;
  StoreOptions o;
  o.create = false;
  std::string e = error_of([&] { RunStore s(dir.file("none.sqlite"), o); });
  EXPECT_NE(e.find("none.sqlite"), std::string::npos) << e;
}

// Simulated full disk: a tiny max_page_count makes sqlite report SQLITE_FULL, as a full file system would.
TEST(RunStore, FullDiskIsAClearErrorAndEarlierSamplesSurvive) {
  TempDir dir;
  const std::string path = dir.file("runs.sqlite");
  {
    RunStore s(path);
    s.find_or_create_run(test_spec());
  }
  StoreOptions o;
  o.max_page_count = 40;  // 4 KiB pages: ~160 KiB in all
  RunStore s(path, o);
  int64_t run = s.find_or_create_run(test_spec());
  int stored = 0;
  std::string e;
  for (int i = 0; i < 10000 && e.empty(); ++i) {
    try {
      SampleResult r = test_sample(i);
      r.question = std::string(2000, 'q');
      s.add_sample_result(run, r);
      ++stored;
    } catch (const dpn::Error& err) {
      e = err.what();
    }
  }
  ASSERT_FALSE(e.empty()) << "the page limit never triggered";
  EXPECT_GT(stored, 3);
  EXPECT_NE(e.find(path), std::string::npos) << e;
  EXPECT_NE(e.find("full"), std::string::npos) << e;
  EXPECT_EQ(s.completed_ids(run).size(), static_cast<size_t>(stored));
  EXPECT_EQ(count(s, "SELECT count(*) FROM layer_traces"), stored * 28);  // no half sample
  EXPECT_EQ(s.integrity_check(), "ok");
  // After "freeing space" (a new connection without the cap) the run resumes.
  RunStore again(path);
  again.add_sample_result(run, test_sample(stored));
  EXPECT_EQ(again.completed_ids(run).size(), static_cast<size_t>(stored + 1));
}

TEST(RunStore, DefaultPathFollowsXdgDataHome) {
  TempDir dir;
  const char* old = std::getenv("XDG_DATA_HOME");
  std::string saved = old ? old : "";
  setenv("XDG_DATA_HOME", dir.file("xdg").c_str(), 1);
  EXPECT_EQ(default_db_path(), dir.file("xdg") + "/dpn-studio/runs.sqlite");
  if (old) setenv("XDG_DATA_HOME", saved.c_str(), 1);
  else unsetenv("XDG_DATA_HOME");
}

// Store overhead for the runner: one sample with 28 layer traces and 3 router decisions per transaction.
TEST(RunStoreBench, AddSampleResultCost) {
  TempDir dir;
  for (bool durable : {true, false}) {
    StoreOptions o;
    o.durable = durable;
    RunStore s(dir.file(durable ? "full.sqlite" : "normal.sqlite"), o);
    int64_t run = s.find_or_create_run(test_spec());
    const int n = 300;
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) s.add_sample_result(run, test_sample(i));
    double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / n;
    std::printf("[ bench    ] add_sample_result (28 traces + 3 routers), synchronous=%s: %.1f us/sample\n",
                durable ? "FULL" : "NORMAL", us);
    EXPECT_EQ(s.completed_ids(run).size(), static_cast<size_t>(n));
  }
}

}  // namespace

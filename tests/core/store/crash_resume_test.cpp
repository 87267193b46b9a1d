// Crash safety and concurrency of the run store: a writer process killed with SIGKILL mid-run leaves a healthy
// database holding every completed sample exactly once, and a resumed run adds the rest; a reader connection can
// query while a writer writes (WAL).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "store/run_store.h"
#include "store/sqlite_db.h"
#include "store_test_util.h"

using namespace dpn::store;
using dpn::store::test::TempDir;
using dpn::store::test::test_sample;
using dpn::store::test::test_spec;

namespace {

constexpr int kTotal = 400;

// What the benchmark runner does: open, find the run, skip completed ids, store the others one by one.
void run_writer(const std::string& path, int total) {
  RunStore s(path);
  int64_t run = s.find_or_create_run(test_spec());
  auto done = s.completed_ids(run);
  for (int i = 0; i < total; ++i)
    if (!done.count(std::to_string(i))) s.add_sample_result(run, test_sample(i));
  s.set_run_status(run, "complete");
}

int64_t scalar(Db& db, const std::string& sql) {
  auto st = db.prepare(sql);
  st.step();
  return st.int64(0);
}

TEST(CrashResume, SigkillMidRunThenResumeHasEverySampleOnce) {
  TempDir dir;
  const std::string path = dir.file("runs.sqlite");
  { RunStore init(path); }  // create the schema before forking; no connection is open across fork()
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    try {
      run_writer(path, 1000000);  // never finishes on its own
    } catch (...) {
    }
    _exit(0);
  }
  // Wait until the child has committed a good number of samples, reading while it writes.
  int64_t seen = 0;
  {
    Db reader(path, false);
    reader.exec("PRAGMA busy_timeout = 10000");
    for (int tries = 0; tries < 3000 && seen < 50; ++tries) {
      seen = scalar(reader, "SELECT count(*) FROM samples");
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "the writer ended before it was killed";
  ASSERT_GE(seen, 50);

  RunStore s(path);
  EXPECT_EQ(s.integrity_check(), "ok");
  int64_t run = s.find_or_create_run(test_spec());
  const int64_t stored = scalar(s.db(), "SELECT count(*) FROM samples");
  EXPECT_GE(stored, seen);  // everything seen committed is still there
  EXPECT_EQ(scalar(s.db(), "SELECT count(DISTINCT sample_id) FROM samples"), stored);
  EXPECT_EQ(scalar(s.db(), "SELECT count(*) FROM layer_traces"), stored * 28);  // no half-written sample
  EXPECT_EQ(scalar(s.db(), "SELECT count(*) FROM router_decisions"), stored * 3);
  // Completed ids are a prefix 0..stored-1 (the writer goes in order).
  EXPECT_EQ(scalar(s.db(), "SELECT max(CAST(sample_id AS INTEGER)) FROM samples"), stored - 1);

  run_writer(path, stored + kTotal);  // re-running the same command resumes
  EXPECT_EQ(s.completed_ids(run).size(), static_cast<size_t>(stored + kTotal));
  EXPECT_EQ(scalar(s.db(), "SELECT count(*) FROM layer_traces"), (stored + kTotal) * 28);
  EXPECT_EQ(s.run_info(run).status, "complete");
  EXPECT_EQ(s.integrity_check(), "ok");
}

TEST(CrashResume, ReaderQueriesWhileWriterWrites) {
  TempDir dir;
  const std::string path = dir.file("runs.sqlite");
  { RunStore init(path); }
  std::atomic<bool> writer_done{false};
  std::thread writer([&] {
    run_writer(path, kTotal);
    writer_done = true;
  });
  RunStore reader(path);
  int reads = 0;
  int64_t last = 0;
  bool monotonic = true;
  std::string error;
  while (!writer_done) {
    try {
      auto runs = reader.list_runs();
      int64_t n = runs.empty() ? 0 : runs[0].n_samples;
      monotonic = monotonic && n >= last;
      last = n;
      ++reads;
    } catch (const std::exception& e) {
      error = e.what();
      break;
    }
  }
  writer.join();
  EXPECT_EQ(error, "");
  EXPECT_TRUE(monotonic);
  EXPECT_GT(reads, 5);
  EXPECT_EQ(reader.list_runs().at(0).n_samples, kTotal);
}

}  // namespace

// `dpn bench` as a user (or a Slurm array) runs it: killed with SIGKILL mid-run and re-run, it ends with every
// sample exactly once in a healthy database; Ctrl-C stops cleanly with exit status 130; three shards merged with
// `dpn runs merge` give the same samples and table as one unsharded run. Needs the `dpn` binary (target dpn).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "bench/runner.h"
#include "bench_test_util.h"
#include "store/run_store.h"

using namespace dpn::bench;

namespace {

const std::string kDpn = std::string(DPN_BINARY_DIR) + "/app/dpn";

std::vector<std::string> bench_args(const std::string& db, int limit, const std::string& extra = "") {
  std::vector<std::string> a = {"bench", "--model", "tiny-random", "--dataset", test::kDpnBench, "--limit",
                                std::to_string(limit), "--db", db, "--threads", "1", "--max-new-tokens", "8"};
  if (!extra.empty()) {
    a.push_back(extra.substr(0, extra.find(' ')));
    if (extra.find(' ') != std::string::npos) a.push_back(extra.substr(extra.find(' ') + 1));
  }
  return a;
}

std::string read_file(const std::string& path) {
  std::string text;
  if (FILE* f = std::fopen(path.c_str(), "r")) {
    std::array<char, 4096> buf;
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) text.append(buf.data(), n);
    std::fclose(f);
  }
  return text;
}

struct CliResult {
  int code;
  std::string out;  // stdout only; stderr goes to `err`
  std::string err;
};

// Runs `dpn args...` to completion, capturing stdout, and stderr through a file.
CliResult run_dpn(const std::vector<std::string>& args, const std::string& err_file) {
  std::string cmd = kDpn;
  for (const auto& a : args) cmd += " '" + a + "'";
  cmd += " 2>'" + err_file + "'";
  FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  const int status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out, read_file(err_file)};
}

// Starts `dpn args...` in the background with stdout and stderr going to `log`.
pid_t spawn_dpn(const std::vector<std::string>& args, const std::string& log) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    std::vector<char*> argv = {const_cast<char*>(kDpn.c_str())};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(kDpn.c_str(), argv.data());
    ::_exit(127);
  }
  return pid;
}

// Samples stored so far (0 while the database does not exist yet), read through a second connection.
int64_t stored(const std::string& db) {
  if (!std::filesystem::exists(db)) return 0;
  try {
    dpn::store::StoreOptions o;
    o.create = false;
    dpn::store::RunStore s(db, o);
    int64_t n = 0;
    for (const auto& r : s.list_runs()) n += r.n_samples;
    return n;
  } catch (const std::exception&) {
    return 0;  // caught between the file's creation and its schema
  }
}

// Waits until `db` holds at least `n` samples written by the running `pid`. Empty when it does; otherwise why not
// (the run ended first, with its log, or 120 s passed).
std::string wait_for_samples(const std::string& db, int64_t n, pid_t pid, const std::string& log) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < end) {
    if (stored(db) >= n) return "";
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid)
      return "dpn bench ended (status " + std::to_string(status) + ") before storing " + std::to_string(n) +
             " samples:\n" + read_file(log);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return "no progress within 120 s:\n" + read_file(log);
}

// Every sample of `db`'s single run, checking that no id is there twice.
std::map<std::string, std::string> predictions_once(const std::string& db) {
  dpn::store::RunStore s(db);
  EXPECT_EQ(s.integrity_check(), "ok");
  const auto runs = s.list_runs();
  EXPECT_EQ(runs.size(), 1u);
  std::map<std::string, std::string> p;
  if (runs.empty()) return p;
  for (const auto& r : s.samples(runs[0].id, false))
    EXPECT_TRUE(p.emplace(r.sample_id, r.prediction).second) << "sample " << r.sample_id << " is stored twice";
  return p;
}

BenchSpec spec_of(const std::string& db, int limit) {
  BenchSpec s;
  s.model = "tiny-random";
  s.dataset.path = test::kDpnBench;
  s.methods = {"none"};
  s.subset.limit = limit;
  s.db_path = db;
  s.threads = 1;
  s.max_new_tokens = 8;
  return s;
}

}  // namespace

TEST(BenchCli, BinaryIsBuilt) {
  ASSERT_TRUE(std::filesystem::exists(kDpn)) << kDpn << " is missing: build the `dpn` target before these tests";
}

TEST(BenchCli, SigkillMidRunThenResumeHasEverySampleOnce) {
  test::TempDir dir;
  const int total = 80;
  const std::string db = dir.file("runs.sqlite");
  const pid_t pid = spawn_dpn(bench_args(db, total), dir.file("killed.log"));
  ASSERT_GT(pid, 0);
  const std::string waited = wait_for_samples(db, 5, pid, dir.file("killed.log"));
  ASSERT_EQ(waited, "");
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "the run finished before it was killed";
  const int64_t survived = stored(db);
  EXPECT_GE(survived, 5);
  EXPECT_LT(survived, total);
  {
    dpn::store::RunStore s(db);
    EXPECT_EQ(s.integrity_check(), "ok");
  }

  const CliResult r = run_dpn(bench_args(db, total, "--json"), dir.file("resume.err"));
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["computed"], total - survived);
  EXPECT_EQ(j["done"], total);
  const auto p = predictions_once(db);
  ASSERT_EQ(p.size(), static_cast<size_t>(total));
  for (int i = 0; i < total; ++i) EXPECT_TRUE(p.count(std::to_string(i))) << "sample " << i << " is missing";

  // The killed-and-resumed run answered exactly what an uninterrupted one does.
  const CliResult ref = run_dpn(bench_args(dir.file("ref.sqlite"), total), dir.file("ref.err"));
  ASSERT_EQ(ref.code, 0) << ref.err;
  EXPECT_EQ(predictions_once(dir.file("ref.sqlite")), p);
}

TEST(BenchCli, CtrlCStopsCleanlyWithStatus130) {
  test::TempDir dir;
  const int total = 80;
  const std::string db = dir.file("runs.sqlite");
  const pid_t pid = spawn_dpn(bench_args(db, total), dir.file("int.log"));
  const std::string waited = wait_for_samples(db, 3, pid, dir.file("int.log"));
  ASSERT_EQ(waited, "");
  ASSERT_EQ(::kill(pid, SIGINT), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "dpn bench died of signal " << (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  EXPECT_EQ(WEXITSTATUS(status), 130);
  const int64_t kept = stored(db);
  EXPECT_LT(kept, total);
  const std::string log = read_file(dir.file("int.log"));
  EXPECT_NE(log.find("stopped: " + std::to_string(kept) + "/" + std::to_string(total) + " samples are stored in " + db),
            std::string::npos) << log;
  EXPECT_NE(log.find("| none | " + std::to_string(kept) + " |"), std::string::npos) << log;  // the table of what is stored
  const CliResult r = run_dpn(bench_args(db, total, "--json"), dir.file("resume.err"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["computed"], total - kept);
  EXPECT_EQ(predictions_once(db).size(), static_cast<size_t>(total));
}

TEST(BenchCli, ThreeShardsMergedEqualOneUnshardedRun) {
  test::TempDir dir;
  const int total = 30;
  const std::string whole = dir.file("whole.sqlite"), merged = dir.file("merged.sqlite");
  CliResult r = run_dpn(bench_args(whole, total), dir.file("whole.err"));
  ASSERT_EQ(r.code, 0) << r.err;
  std::vector<std::string> shard_dbs;
  std::set<std::string> seen;
  size_t sum = 0;
  for (int i = 0; i < 3; ++i) {
    shard_dbs.push_back(dir.file("shard" + std::to_string(i) + ".sqlite"));
    r = run_dpn(bench_args(shard_dbs.back(), total, "--shard " + std::to_string(i) + "/3"), dir.file("shard.err"));
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("shard " + std::to_string(i) + "/3"), std::string::npos) << r.out;
    const auto p = predictions_once(shard_dbs.back());
    EXPECT_GT(p.size(), 0u) << "shard " << i << " is empty";
    sum += p.size();
    for (const auto& [id, pred] : p) EXPECT_TRUE(seen.insert(id).second) << "sample " << id << " is in two shards";
  }
  EXPECT_EQ(sum, static_cast<size_t>(total));

  r = run_dpn({"runs", "merge", merged, shard_dbs[0], shard_dbs[1], shard_dbs[2]}, dir.file("merge.err"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(predictions_once(merged), predictions_once(whole));
  {
    dpn::store::RunStore s(merged);
    EXPECT_EQ(s.list_runs().at(0).status, "complete");
  }
  // The same table (latency aside: it is measured, not computed) and the same per-sample rows.
  const BenchSummary a = stored_summary(spec_of(whole, total)), b = stored_summary(spec_of(merged, total));
  EXPECT_EQ(format_table(a, false), format_table(b, false));
  ASSERT_EQ(a.methods.at(0).rows.size(), b.methods.at(0).rows.size());
  for (size_t i = 0; i < a.methods[0].rows.size(); ++i) {
    const auto &x = a.methods[0].rows[i], &y = b.methods[0].rows[i];
    EXPECT_EQ(x.id, y.id);
    EXPECT_EQ(x.prediction, y.prediction);
    EXPECT_EQ(x.correct, y.correct);
    EXPECT_EQ(x.flops_llm, y.flops_llm);
  }
  // Running the unsharded command on the merged database finds everything done.
  r = run_dpn(bench_args(merged, total, "--json"), dir.file("again.err"));
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["computed"], 0);
  EXPECT_EQ(j["done"], total);
}

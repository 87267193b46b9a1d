// `dpn runs merge`: shard databases merged give the same table as one unsharded run; conflicts and bad inputs are
// clear errors that leave the output as it was.
#include <gtest/gtest.h>

#include <fstream>

#include "eval/subset.h"
#include "store/run_store.h"
#include "store_test_util.h"
#include "util/error.h"

using namespace dpn::store;
using dpn::store::test::TempDir;
using dpn::store::test::test_sample;
using dpn::store::test::test_spec;

namespace {

constexpr int kSamples = 120;

// One "benchmark run" over ids 0..kSamples-1 restricted to shard i/N, as the runner would do it.
void run_shard(const std::string& path, int i, int n) {
  RunStore s(path);
  int64_t run = s.find_or_create_run(test_spec(n > 1 ? std::to_string(i) + "/" + std::to_string(n) : ""));
  for (int k = 0; k < kSamples; ++k)
    if (dpn::eval::stable_hash(std::to_string(k)) % n == static_cast<uint64_t>(i)) s.add_sample_result(run, test_sample(k));
  s.set_run_status(run, "complete");
}

TEST(Merge, ShardsMergeToTheUnshardedTable) {
  TempDir dir;
  run_shard(dir.file("whole.sqlite"), 0, 1);
  std::vector<std::string> shards;
  for (int i = 0; i < 3; ++i) {
    shards.push_back(dir.file("shard" + std::to_string(i) + ".sqlite"));
    run_shard(shards.back(), i, 3);
  }
  auto ids = merge_databases(dir.file("merged.sqlite"), shards);
  ASSERT_EQ(ids.size(), 1u);
  RunStore whole(dir.file("whole.sqlite"));
  RunStore merged(dir.file("merged.sqlite"));
  int64_t w = whole.list_runs().at(0).id;
  EXPECT_EQ(merged.run_info(ids[0]).spec.shard, "");
  EXPECT_EQ(merged.run_info(ids[0]).status, "complete");
  // Same table: the exports (samples + traces + routers) are identical apart from the run header's id/time.
  auto strip_run = [](std::string json) { return json.substr(json.find("\"samples\"")); };
  EXPECT_EQ(strip_run(merged.export_json(ids[0], true)), strip_run(whole.export_json(w, true)));
  EXPECT_EQ(merged.export_csv(ids[0]), whole.export_csv(w));
  EXPECT_EQ(merged.integrity_check(), "ok");
  // Merging a shard twice adds nothing (identical rows are skipped).
  merge_databases(dir.file("merged.sqlite"), {shards[0]});
  EXPECT_EQ(merged.run_info(ids[0]).n_samples, kSamples);
}

TEST(Merge, MissingShardGivesPartialStatus) {
  TempDir dir;
  run_shard(dir.file("s0.sqlite"), 0, 2);
  auto ids = merge_databases(dir.file("out.sqlite"), {dir.file("s0.sqlite")});
  RunStore out(dir.file("out.sqlite"));
  EXPECT_EQ(out.run_info(ids.at(0)).status, "partial");
}

TEST(Merge, ConflictingSampleIsRefusedAndOutputUnchanged) {
  TempDir dir;
  run_shard(dir.file("a.sqlite"), 0, 1);
  {
    RunStore b(dir.file("b.sqlite"));
    int64_t run = b.find_or_create_run(test_spec("1/2"));
    SampleResult r = test_sample(5);
    r.prediction = "something else";
    b.add_sample_result(run, r);
    b.add_sample_result(run, test_sample(1000));
  }
  merge_databases(dir.file("out.sqlite"), {dir.file("a.sqlite")});
  std::string e;
  try {
    merge_databases(dir.file("out.sqlite"), {dir.file("b.sqlite")});
  } catch (const dpn::Error& err) {
    e = err.what();
  }
  EXPECT_NE(e.find("b.sqlite"), std::string::npos) << e;
  EXPECT_NE(e.find("'5'"), std::string::npos) << e;
  RunStore out(dir.file("out.sqlite"));
  EXPECT_EQ(out.list_runs().at(0).n_samples, kSamples);  // sample 1000 of the refused file did not go in
  EXPECT_EQ(out.integrity_check(), "ok");
}

TEST(Merge, NonSqliteInputNamesTheFile) {
  TempDir dir;
  std::ofstream(dir.file("junk.sqlite")) << "junk junk junk junk junk";
  std::string e;
  try {
    merge_databases(dir.file("out.sqlite"), {dir.file("junk.sqlite")});
  } catch (const dpn::Error& err) {
    e = err.what();
  }
  EXPECT_NE(e.find("junk.sqlite"), std::string::npos) << e;
  EXPECT_NE(e.find("not an SQLite database"), std::string::npos) << e;
}

}  // namespace

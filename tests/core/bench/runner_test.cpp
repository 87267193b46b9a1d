// The runner on the bundled tiny-random model and DPNBench: stores every sample once, resumes without repeating,
// stops cleanly when cancelled (never storing a cut-off answer), and rejects bad methods before any work.
#include "bench/runner.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "bench_test_util.h"
#include "dpn.h"
#include "store/run_store.h"
#include "util/error.h"

using namespace dpn::bench;

namespace {

BenchSpec tiny_spec(const std::string& db, int64_t limit) {
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

std::map<std::string, std::string> predictions(const BenchSummary& s, size_t method = 0) {
  std::map<std::string, std::string> p;
  for (const auto& r : s.methods.at(method).rows) p[r.id] = r.prediction;
  return p;
}

const std::atomic<bool> kNoCancel{false};

}  // namespace

TEST(Runner, StoresEverySampleOnceAndResumesWithoutRepeating) {
  test::TempDir dir;
  std::vector<BenchProgress> seen;
  const BenchSummary a =
      run_benchmark(tiny_spec(dir.file("runs.sqlite"), 6), [&](const BenchProgress& p) { seen.push_back(p); }, kNoCancel);
  EXPECT_EQ(a.total, 6);
  EXPECT_EQ(a.done, 6);
  EXPECT_EQ(a.computed, 6);
  EXPECT_FALSE(a.cancelled);
  ASSERT_EQ(seen.size(), 7u);  // before the first sample, then after each
  EXPECT_EQ(seen.front().done, 0);
  EXPECT_EQ(seen.back().done, 6);
  EXPECT_EQ(seen.back().method, "none");
  EXPECT_GT(seen.back().rate, 0);
  EXPECT_EQ(seen.back().eta_s, 0);
  ASSERT_EQ(a.methods.size(), 1u);
  EXPECT_EQ(a.methods[0].n, 6);
  EXPECT_GT(a.methods[0].mean_flops_llm, 0);
  EXPECT_TRUE(a.methods[0].has_saving);
  EXPECT_EQ(a.methods[0].saving_vs_none, 0.0);
  EXPECT_EQ(a.model, "tiny-random");
  EXPECT_EQ(a.dataset, "dpnbench:test");

  dpn::store::RunStore db(dir.file("runs.sqlite"));
  auto runs = db.list_runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].status, "complete");
  EXPECT_EQ(runs[0].n_samples, 6);
  // Layer rows (per decoder layer of tiny-random) go in with each sample.
  const auto stored = db.samples(runs[0].id, true);
  ASSERT_EQ(stored.size(), 6u);
  EXPECT_EQ(stored[0].layers.size(), 4u);
  EXPECT_GT(stored[0].latency_ms, 0);
  EXPECT_GT(stored[0].peak_rss, 0);

  const BenchSummary b = run_benchmark(tiny_spec(dir.file("runs.sqlite"), 6), nullptr, kNoCancel);
  EXPECT_EQ(b.computed, 0);
  EXPECT_EQ(b.done, 6);
  EXPECT_EQ(predictions(b), predictions(a));
  EXPECT_EQ(db.list_runs().size(), 1u);
  EXPECT_EQ(format_table(stored_summary(tiny_spec(dir.file("runs.sqlite"), 6))), format_table(b));

  // Another subset is another run.
  BenchSpec family = tiny_spec(dir.file("runs.sqlite"), 2);
  family.subset.family = "glyph";
  const BenchSummary c = run_benchmark(family, nullptr, kNoCancel);
  EXPECT_EQ(c.computed, 2);
  EXPECT_EQ(db.list_runs().size(), 2u);
  for (const auto& r : c.methods[0].rows) EXPECT_EQ(r.family, "glyph");
}

TEST(Runner, UsesAModelTheCallerLoadedAndReportsEachSamplesImageAndQuestion) {
  test::TempDir dir;
  dpn::ModelOptions mo;
  mo.path = "tiny-random";
  mo.threads = 1;
  auto model = dpn::Model::load(mo);
  const BenchSummary a = run_benchmark(tiny_spec(dir.file("loaded.sqlite"), 4), *model, nullptr, kNoCancel);
  const BenchSummary ref = run_benchmark(tiny_spec(dir.file("ref.sqlite"), 4), nullptr, kNoCancel);
  EXPECT_EQ(a.computed, 4);
  EXPECT_EQ(a.model, ref.model);  // the same run identity as when the runner loads the model itself
  EXPECT_EQ(predictions(a), predictions(ref));
  ASSERT_EQ(a.images.size(), 4u);
  for (const auto& r : a.methods.at(0).rows) {
    EXPECT_TRUE(std::filesystem::is_regular_file(a.images.at(r.id))) << a.images.at(r.id);
    EXPECT_FALSE(r.question.empty());
  }
}

TEST(Runner, CancelBetweenSamplesThenResume) {
  test::TempDir dir;
  std::atomic<bool> cancel{false};
  const BenchSummary a = run_benchmark(
      tiny_spec(dir.file("runs.sqlite"), 5), [&](const BenchProgress& p) { if (p.computed == 2) cancel = true; }, cancel);
  EXPECT_TRUE(a.cancelled);
  EXPECT_EQ(a.computed, 2);
  EXPECT_EQ(a.done, 2);
  {
    dpn::store::RunStore db(dir.file("runs.sqlite"));
    EXPECT_EQ(db.list_runs().at(0).status, "partial");
  }
  const BenchSummary b = run_benchmark(tiny_spec(dir.file("runs.sqlite"), 5), nullptr, kNoCancel);
  EXPECT_FALSE(b.cancelled);
  EXPECT_EQ(b.computed, 3);
  EXPECT_EQ(b.done, 5);
  const BenchSummary ref = run_benchmark(tiny_spec(dir.file("ref.sqlite"), 5), nullptr, kNoCancel);
  EXPECT_EQ(predictions(b), predictions(ref));
  dpn::store::RunStore db(dir.file("runs.sqlite"));
  EXPECT_EQ(db.list_runs().at(0).status, "complete");
}

TEST(Runner, CancelMidGenerationNeverStoresACutOffAnswer) {
  test::TempDir dir;
  const int64_t n = 40;
  BenchSpec spec = tiny_spec(dir.file("runs.sqlite"), n);
  spec.max_new_tokens = 64;  // generation is nearly all of a sample's time, so the cancel lands inside one
  spec.cancel_grace_ms = 0;
  std::atomic<bool> cancel{false};
  std::thread raiser;
  const BenchSummary a = run_benchmark(
      spec,
      [&](const BenchProgress& p) {
        if (p.computed == 1)
          raiser = std::thread([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            cancel = true;
          });
      },
      cancel);
  raiser.join();
  EXPECT_TRUE(a.cancelled);
  EXPECT_GE(a.done, 1);
  EXPECT_LT(a.done, n);
  EXPECT_EQ(a.done, a.computed);
  BenchSpec ref_spec = spec;
  ref_spec.db_path = dir.file("ref.sqlite");
  const BenchSummary ref = run_benchmark(ref_spec, nullptr, kNoCancel);
  ASSERT_EQ(ref.done, n);
  const auto full = predictions(ref);
  for (const auto& [id, p] : predictions(a)) EXPECT_EQ(p, full.at(id)) << "sample " << id << " was stored cut off";
  const BenchSummary resumed = run_benchmark(spec, nullptr, kNoCancel);
  EXPECT_EQ(resumed.done, n);
  EXPECT_EQ(resumed.computed, n - a.done);
  EXPECT_EQ(predictions(resumed), full);
}

TEST(Runner, BadMethodsFailBeforeAnyWork) {
  test::TempDir dir;
  BenchSpec s = tiny_spec(dir.file("runs.sqlite"), 3);
  s.methods = {"none", "turbo"};
  EXPECT_THROW(run_benchmark(s, nullptr, kNoCancel), dpn::Error);
  EXPECT_FALSE(std::filesystem::exists(dir.file("runs.sqlite")));  // not even the database was created

  s.methods = {"none", "fastv:k=9,r=0.5"};  // tiny-random has 4 decoder layers
  try {
    run_benchmark(s, nullptr, kNoCancel);
    FAIL() << "k beyond the depth was accepted";
  } catch (const dpn::Error& e) {
    EXPECT_NE(std::string(e.what()).find("beyond the decoder's depth"), std::string::npos) << e.what();
  }
  s.methods = {"none", "dpn"};
  try {
    run_benchmark(s, nullptr, kNoCancel);
    FAIL() << "dpn on a model without DPE layers was accepted";
  } catch (const dpn::Error& e) {
    EXPECT_NE(std::string(e.what()).find("needs a DPN checkpoint"), std::string::npos) << e.what();
  }
  dpn::store::RunStore db(dir.file("runs.sqlite"));
  EXPECT_TRUE(db.list_runs().empty());

  s.methods = {"none", "none"};
  EXPECT_THROW(run_benchmark(s, nullptr, kNoCancel), dpn::Error);
  s.methods = {"none"};
  s.max_new_tokens = 0;
  EXPECT_THROW(run_benchmark(s, nullptr, kNoCancel), dpn::Error);
}

// The model's description is read once (by the engine): the tower given by --vision-tower may be anywhere.
TEST(Runner, VisionTowerAnywhere) {
  test::TempDir dir;
  const std::string golden = std::string(DPN_TEST_DATA) + "/golden";
  std::filesystem::copy(golden + "/llava_orig", dir.file("model"));  // without its sibling tower folder
  BenchSpec s = tiny_spec(dir.file("runs.sqlite"), 2);
  s.model = dir.file("model");
  s.max_new_tokens = 2;
  try {
    run_benchmark(s, nullptr, kNoCancel);
    FAIL() << "the tower is not next to the model: loading must fail without --vision-tower";
  } catch (const dpn::Error& e) {
    EXPECT_NE(std::string(e.what()).find("--vision-tower"), std::string::npos) << e.what();
  }
  s.vision_tower = golden + "/tiny-clip-golden";
  const BenchSummary b = run_benchmark(s, nullptr, kNoCancel);
  EXPECT_EQ(b.done, 2);
  EXPECT_GT(b.methods.at(0).mean_flops_llm, 0);
}

// Which options make a different run: subset options and method parameters do; the shard is its own field so that
// merged shards land on the unsharded run.
#include "bench/run_identity.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

using namespace dpn::bench;

namespace {

ResolvedDataset dataset() {
  ResolvedDataset d;
  d.spec.kind = "dpnbench";
  d.name = "dpnbench:test";
  d.path = "/data/dpnbench/test";
  return d;
}

dpn::store::RunSpec spec_for(const BenchSpec& b, const std::string& method = "fastv:k=2,r=0.5,rank=last") {
  return make_run_spec(b, method, "tiny-random", "/models/tiny-random", dataset());
}

}  // namespace

TEST(RunIdentity, ParamsHoldMethodGenerationAndSubset) {
  BenchSpec b;
  b.subset.limit = 50;
  b.subset.seed = 7;
  b.subset.category = "fine";
  const auto r = spec_for(b);
  EXPECT_EQ(r.method, "fastv");
  EXPECT_EQ(r.model_name, "tiny-random");
  EXPECT_EQ(r.dataset_name, "dpnbench:test");
  EXPECT_EQ(r.dataset_kind, "dpnbench");
  EXPECT_EQ(r.shard, "");
  EXPECT_EQ(r.params_json,
            R"({"category":"fine","family":"","limit":50,"max_new_tokens":16,"method":"fastv:k=2,r=0.5,rank=last",)"
            R"("seed":7,"temperature":0})");
}

TEST(RunIdentity, DifferentSubsetsAreDifferentRuns) {
  BenchSpec base;
  const std::string p0 = spec_for(base).params_json;
  BenchSpec b = base;
  b.subset.limit = 10;
  EXPECT_NE(spec_for(b).params_json, p0);
  b = base;
  b.subset.seed = 0;  // a seed of 0 shuffles; no seed keeps file order
  EXPECT_NE(spec_for(b).params_json, p0);
  b = base;
  b.subset.family = "glyph";
  EXPECT_NE(spec_for(b).params_json, p0);
  b = base;
  b.max_new_tokens = 32;
  EXPECT_NE(spec_for(b).params_json, p0);
  EXPECT_NE(spec_for(base, "fastv:k=3,r=0.5,rank=last").params_json, p0);
}

TEST(RunIdentity, ShardIsItsOwnFieldNotAParameter) {
  BenchSpec b;
  b.subset.limit = 30;
  const auto whole = spec_for(b);
  b.subset.shard_index = 2;
  b.subset.shard_count = 3;
  const auto shard = spec_for(b);
  EXPECT_EQ(shard.shard, "2/3");
  EXPECT_EQ(shard.params_json, whole.params_json);
  b.subset.shard_index = 0;
  b.subset.shard_count = 1;  // one shard is the whole set
  EXPECT_EQ(spec_for(b).shard, "");
}

TEST(RunIdentity, ModelStoreName) {
  EXPECT_EQ(model_store_name("/models/llava-v1.5-7b/"), "llava-v1.5-7b");
  EXPECT_EQ(model_store_name("resources/models/tiny-random"), "tiny-random");
}

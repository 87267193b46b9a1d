// The sample filter behind `dpn runs show ID --wrong --pooled-beyond 2x2` and the benchmark view: kernels read
// from the stored layer traces (post and pre pooling, non-square), correctness and family, bad kernel text.
#include "store/sample_filter.h"

#include <gtest/gtest.h>

#include "store_test_util.h"
#include "util/error.h"

namespace dpn::store {
namespace {

// A 4-layer sample whose 12x12 grid is pooled by `k0` after layer 0 and by `k1` after layer 1 (post).
SampleResult pooled_sample(const std::string& id, bool correct, int k0, int k1, const std::string& family = "glyph") {
  SampleResult s;
  s.sample_id = id;
  s.correct = correct;
  s.score = correct ? 1 : 0;
  s.family = family;
  const int g0 = 12, g1 = g0 / k0, g2 = g1 / k1;
  s.layers = {{0, g0 * g0, g0, g0, 1, 1}, {1, g1 * g1, g1, g1, 1, 1}, {2, g2 * g2, g2, g2, 1, 1}, {3, g2 * g2, g2, g2, 1, 1}};
  s.routers = {{0, k0 == 1 ? 0 : k0 == 2 ? 1 : 2, "[0.05,0.15,0.8]", false}};
  if (g1 * g1 >= 16) s.routers.push_back({1, k1 == 1 ? 0 : 1, "[0.1,0.9]", false});
  return s;
}

TEST(SampleFilter, KernelsComeFromTheGridShrinkAcrossTheDecisionLayer) {
  const auto d = pooled_decisions(pooled_sample("a", true, 4, 1));
  ASSERT_EQ(d.size(), 1u);  // 3x3 after layer 0: layer 1 makes no decision
  EXPECT_EQ(d[0].layer, 0);
  EXPECT_EQ(d[0].kh, 4);
  EXPECT_EQ(d[0].kw, 4);
  EXPECT_DOUBLE_EQ(d[0].probability, 0.8);  // expert 2's probability
  const auto e = pooled_decisions(pooled_sample("b", true, 1, 2));
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].kh * e[0].kw, 1);
  EXPECT_EQ(e[1].kh, 2);
  EXPECT_DOUBLE_EQ(e[1].probability, 0.9);

  SampleResult pre = pooled_sample("c", true, 2, 1);  // pooling before layer 1: the grid entering 1 is already 6x6
  pre.routers = {{1, 1, "[0.3,0.7]", false}};
  const auto p = pooled_decisions(pre);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].kh, 2);

  SampleResult wide = pooled_sample("d", true, 1, 1);  // a 1x2 expert: 12x12 -> 12x6
  wide.layers[1].grid_w = 6;
  wide.routers = {{0, 1, "[0.1,0.9]", false}};
  const auto w = pooled_decisions(wide);
  EXPECT_EQ(w[0].kh, 1);
  EXPECT_EQ(w[0].kw, 2);
}

TEST(SampleFilter, WrongAnswersPooledBeyondTwoByTwo) {
  SampleFilter f;
  f.correctness = SampleFilter::Correctness::wrong;
  parse_pooled_beyond("2x2", f);
  EXPECT_TRUE(matches(pooled_sample("a", false, 4, 1), f));
  EXPECT_FALSE(matches(pooled_sample("b", true, 4, 1), f));   // right answer
  EXPECT_FALSE(matches(pooled_sample("c", false, 2, 2), f));  // 2x2 twice: no single decision beyond 2x2
  EXPECT_FALSE(matches(pooled_sample("d", false, 1, 1), f));
  SampleResult none;  // no traces, no decisions (a method without routers)
  none.correct = false;
  EXPECT_FALSE(matches(none, f));
  f.pooled_beyond_h = f.pooled_beyond_w = 0;
  EXPECT_TRUE(matches(none, f));
  f.family = "glyph";
  EXPECT_FALSE(matches(none, f));
  f.correctness = SampleFilter::Correctness::correct;
  EXPECT_TRUE(matches(pooled_sample("e", true, 1, 1, "glyph"), f));
  EXPECT_FALSE(matches(pooled_sample("e", true, 1, 1, "count_rough"), f));
}

TEST(SampleFilter, FromTheStoredRun) {
  test::TempDir dir;
  RunStore db(dir.file("runs.sqlite"));
  const int64_t run = db.find_or_create_run(test::test_spec());
  db.add_sample_result(run, pooled_sample("1", false, 4, 1));
  db.add_sample_result(run, pooled_sample("2", false, 2, 2));
  db.add_sample_result(run, pooled_sample("3", true, 4, 1));
  SampleFilter f;
  f.correctness = SampleFilter::Correctness::wrong;
  parse_pooled_beyond("2", f);
  const auto rows = filter_samples(db, run, f);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].sample_id, "1");
}

TEST(SampleFilter, BadKernelTextIsRefused) {
  SampleFilter f;
  for (const char* bad : {"", "x", "2y2", "0x2", "-2", "2x2x2", "2x", "99999x2"})
    EXPECT_THROW(parse_pooled_beyond(bad, f), Error) << bad;
  parse_pooled_beyond("1X2", f);
  EXPECT_EQ(f.pooled_beyond_h, 1);
  EXPECT_EQ(f.pooled_beyond_w, 2);
}

}  // namespace
}  // namespace dpn::store

// Construction checks of the DPNBench families: a pixel oracle answers everything at full resolution, a
// 4x4-patch average-pooled colour map still answers the coarse families and loses the fine ones.
#include "datasets/vqa_oracle.h"

#include <gtest/gtest.h>

#include <map>

#include "util/error.h"

using namespace dpn::datasets;

namespace {

struct Accuracy {
  int full = 0, pooled = 0, total = 0;
};

// Accuracy per family over the scenes of the committed test subset (seed kTestSeed, indices 0..239).
std::map<Family, Accuracy> measure(int n_scenes) {
  const GeneratorConfig cfg;
  std::map<Family, Accuracy> acc;
  for (int i = 0; i < n_scenes; ++i) {
    const Scene s = generate_scene(cfg, kTestSeed, static_cast<uint64_t>(i));
    const PooledColorMap pooled = pool_color_map(s.image, cfg.patch_size * cfg.block_patches);
    for (const QA& q : s.qa) {
      Accuracy& a = acc[q.family];
      a.full += oracle_full_resolution(s.image, q, cfg) == q.answer;
      a.pooled += oracle_pooled(pooled, q, cfg) == q.answer;
      ++a.total;
    }
  }
  for (const auto& [f, a] : acc)
    std::printf("  %-20s full-res %.3f   4x4-pooled %.3f   (n=%d)\n", family_name(f), double(a.full) / a.total,
                double(a.pooled) / a.total, a.total);
  return acc;
}

}  // namespace

TEST(VqaOracle, PoolColorMapAveragesWholeCells) {
  cv::Mat img(8, 8, CV_8UC3, cv::Scalar(0, 0, 0));
  img(cv::Rect(0, 0, 4, 2)).setTo(cv::Scalar(200, 100, 40));
  const PooledColorMap m = pool_color_map(img, 4);
  ASSERT_EQ(m.cells, 2);
  EXPECT_DOUBLE_EQ(m.mean[0][0], 100.0);  // half of the top-left cell
  EXPECT_DOUBLE_EQ(m.mean[0][1], 50.0);
  EXPECT_DOUBLE_EQ(m.mean[1][0], 0.0);
  EXPECT_THROW(pool_color_map(img, 9), dpn::Error);
}

TEST(VqaOracle, CoarseSurvivesPoolingFineDoesNot) {
  const auto acc = measure(240);
  for (const auto& [family, a] : acc) {
    // Every answer is readable from the pixels (also checks the renderer keeps shapes and digits distinct).
    EXPECT_EQ(a.full, a.total) << family_name(family);
    if (family_is_coarse(family)) {
      EXPECT_EQ(a.pooled, a.total) << family_name(family);
    }
  }
  // Measured on these 240 scenes (and on 3000 training-seed scenes: 0.137 / 0.403 / 0.519):
  // glyph 0.129 (chance 0.1), small_object_color 0.383 (chance ~0.4 with 2-3 small shapes), position 0.525
  // (chance 0.5). The bounds leave room for noise but fail if the construction starts leaking.
  EXPECT_LE(acc.at(Family::glyph).pooled, 0.25 * acc.at(Family::glyph).total);
  EXPECT_LE(acc.at(Family::small_object_color).pooled, 0.50 * acc.at(Family::small_object_color).total);
  EXPECT_LE(acc.at(Family::position).pooled, 0.62 * acc.at(Family::position).total);
}

TEST(VqaOracle, FullResolutionOracleFailsOnABlankImage) {
  // A no-information image must not be answered "correctly" by accident for the fine families.
  const GeneratorConfig cfg;
  const Scene s = generate_scene(cfg, kTestSeed, 0);
  cv::Mat blank(cfg.image_size, cfg.image_size, CV_8UC3, cv::Scalar(220, 30, 30));
  EXPECT_EQ(oracle_full_resolution(blank, s.qa[static_cast<size_t>(Family::glyph)], cfg), "");
  EXPECT_EQ(oracle_full_resolution(blank, s.qa[static_cast<size_t>(Family::small_object_color)], cfg), "");
  EXPECT_EQ(oracle_full_resolution(blank, s.qa[static_cast<size_t>(Family::count_rough)], cfg), "0");
}

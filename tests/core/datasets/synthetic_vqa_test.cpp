// Tests of the DPNBench scene generator: determinism, layout invariants, closed answers, patch labels, config errors.
#include "datasets/synthetic_vqa.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "datasets/llava_eval_export.h"
#include "util/error.h"

using namespace dpn::datasets;

namespace {

bool same_pixels(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}

}  // namespace

TEST(SyntheticVqa, SameSeedAndIndexGiveIdenticalBytes) {
  const GeneratorConfig cfg;
  for (uint64_t index : {0ull, 7ull, 123456ull}) {
    const Scene a = generate_scene(cfg, 42, index), b = generate_scene(cfg, 42, index);
    EXPECT_EQ(encode_png(a.image), encode_png(b.image)) << "index " << index;
    ASSERT_EQ(a.qa.size(), b.qa.size());
    for (size_t k = 0; k < a.qa.size(); ++k) {
      EXPECT_EQ(a.qa[k].question, b.qa[k].question);
      EXPECT_EQ(a.qa[k].answer, b.qa[k].answer);
    }
    EXPECT_EQ(a.patches.color, b.patches.color);
  }
}

TEST(SyntheticVqa, DifferentSeedOrIndexGivesDifferentImages) {
  const GeneratorConfig cfg;
  const Scene base = generate_scene(cfg, 42, 0);
  EXPECT_FALSE(same_pixels(base.image, generate_scene(cfg, 43, 0).image));
  EXPECT_FALSE(same_pixels(base.image, generate_scene(cfg, 42, 1).image));
}

TEST(SyntheticVqa, KnownSceneIsStable) {
  // Pins the PRNG stream and rasteriser: if this changes, bump kGeneratorVersion and regenerate datasets/.
  const Scene s = generate_scene(GeneratorConfig{}, kTestSeed, 0);
  std::vector<std::string> got;
  for (const QA& q : s.qa) got.push_back(q.question + " -> " + q.answer);
  const std::vector<std::string> want = {
      "What is the background color? -> red",
      "Which color does the small triangle have? -> orange",
      "Is there a pink shape in the image? -> yes",
      "Which digit is written in the white box? -> 2",
      "How many large objects are in the image? -> 4",
      "Is the small triangle above or below the digit box? -> above",  // checked by eye
  };
  EXPECT_EQ(got, want);
}

TEST(SyntheticVqa, LayoutInvariantsHold) {
  const GeneratorConfig cfg;
  const int block_px = cfg.patch_size * cfg.block_patches;
  for (uint64_t i = 0; i < 300; ++i) {
    const Scene s = generate_scene(cfg, 5, i);
    ASSERT_EQ(s.image.type(), CV_8UC3);
    ASSERT_EQ(s.image.cols, cfg.image_size);
    int big = 0, small = 0, glyphs = 0;
    std::set<int> big_blocks, small_shapes, small_colors;
    std::map<int, int> items_per_block;
    for (const Object& o : s.objects) {
      const int block = (o.y / block_px) * cfg.blocks() + o.x / block_px;
      // Every object lies inside one block.
      EXPECT_EQ(block, ((o.y + o.size - 1) / block_px) * cfg.blocks() + (o.x + o.size - 1) / block_px);
      EXPECT_NE(o.color, s.background);
      if (o.kind == ObjectKind::big_shape) {
        ++big;
        EXPECT_TRUE(big_blocks.insert(block).second) << "two big shapes in one block";
        EXPECT_GE(o.size, 3 * block_px / 4);
      } else {
        ++items_per_block[block];
        (o.kind == ObjectKind::glyph ? glyphs : small)++;
        if (o.kind == ObjectKind::small_shape) {
          EXPECT_TRUE(small_shapes.insert(static_cast<int>(o.shape)).second);
          EXPECT_TRUE(small_colors.insert(static_cast<int>(o.color)).second);
        }
      }
    }
    EXPECT_GE(big, cfg.min_big);
    EXPECT_LE(big, cfg.max_big);
    EXPECT_GE(small, cfg.min_small);
    EXPECT_LE(small, cfg.max_small);
    EXPECT_EQ(glyphs, 1);
    for (const auto& [block, n] : items_per_block) {
      EXPECT_EQ(big_blocks.count(block), 0u) << "small item in a big shape's block";
      EXPECT_LE(n, 2);
    }
  }
}

TEST(SyntheticVqa, OneQuestionPerFamilyWithClosedAnswers) {
  const auto& vocab = answer_vocabulary();
  EXPECT_EQ(vocab.size(), 24u);
  for (uint64_t i = 0; i < 200; ++i) {
    const Scene s = generate_scene(GeneratorConfig{}, 9, i);
    ASSERT_EQ(s.qa.size(), static_cast<size_t>(kFamilies));
    for (int f = 0; f < kFamilies; ++f) {
      const QA& q = s.qa[static_cast<size_t>(f)];
      EXPECT_EQ(q.family, static_cast<Family>(f));
      EXPECT_NE(std::find(vocab.begin(), vocab.end(), q.answer), vocab.end()) << q.answer;
      EXPECT_EQ(q.question.find('\n'), std::string::npos);
    }
  }
}

TEST(SyntheticVqa, PatchLabelsMatchObjects) {
  const GeneratorConfig cfg;
  for (uint64_t i = 0; i < 50; ++i) {
    const Scene s = generate_scene(cfg, 11, i);
    const PatchLabels& p = s.patches;
    ASSERT_EQ(p.grid, cfg.grid());
    ASSERT_EQ(p.color.size(), static_cast<size_t>(p.grid * p.grid));
    int glyph_patches = 0;
    for (const Object& o : s.objects) {
      const size_t centre =
          static_cast<size_t>((o.y + o.size / 2) / cfg.patch_size * p.grid + (o.x + o.size / 2) / cfg.patch_size);
      if (o.kind == ObjectKind::glyph) {
        EXPECT_EQ(p.digit[centre], o.digit + 1);
        EXPECT_EQ(p.kind[centre], 3);
        EXPECT_EQ(p.color[centre], static_cast<uint8_t>(Color::white));
      } else if (o.kind == ObjectKind::small_shape) {
        EXPECT_EQ(p.kind[centre], 2);
        EXPECT_EQ(p.shape[centre], static_cast<int>(o.shape) + 1);
        EXPECT_EQ(p.color[centre], static_cast<uint8_t>(o.color));
      }
    }
    for (size_t k = 0; k < p.kind.size(); ++k) {
      glyph_patches += p.kind[k] == 3;
      if (p.kind[k] == 0) {
        EXPECT_EQ(p.color[k], static_cast<uint8_t>(s.background));
      }
    }
    EXPECT_EQ(glyph_patches, 1);
    EXPECT_EQ(std::to_string(std::max_element(p.digit.begin(), p.digit.end())[0] - 1), s.qa[3].answer);
  }
}

TEST(SyntheticVqa, OtherImageSizesWork) {
  GeneratorConfig cfg;
  cfg.image_size = 112;  // 14x14 patches: 3x3 blocks centred with a one-patch margin
  const Scene s = generate_scene(cfg, 3, 0);
  EXPECT_EQ(s.image.cols, 112);
  EXPECT_EQ(s.patches.grid, 14);
  cfg.image_size = 192;
  cfg.patch_size = 16;  // glyph drawn at scale 2
  EXPECT_EQ(generate_scene(cfg, 3, 0).image.cols, 192);
  EXPECT_EQ(glyph_geometry(16).scale, 2);
}

TEST(SyntheticVqa, BadConfigIsAnErrorNamingTheField) {
  auto message = [](GeneratorConfig c) {
    try {
      c.validate();
    } catch (const dpn::Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  GeneratorConfig c;
  c.image_size = 100;
  EXPECT_NE(message(c).find("image_size"), std::string::npos);
  c = GeneratorConfig{};
  c.patch_size = 4;
  EXPECT_NE(message(c).find("patch_size"), std::string::npos);
  c = GeneratorConfig{};
  c.max_big = 9;
  EXPECT_NE(message(c).find("max_big"), std::string::npos);
  c = GeneratorConfig{};
  c.min_small = 0;
  EXPECT_NE(message(c).find("min_small"), std::string::npos);
  c = GeneratorConfig{};
  c.image_size = 48;  // 6x6 patches: only one block of 4x4
  EXPECT_NE(message(c).find("block_patches"), std::string::npos);
  EXPECT_THROW(generate_scene(c, 1, 0), dpn::Error);
  EXPECT_THROW(family_from_name("colour"), dpn::Error);
  EXPECT_EQ(family_from_name("glyph"), Family::glyph);
}

TEST(SyntheticVqa, TestScenesNeverReappearInTrainingSeeds) {
  // The committed subset is (kTestSeed, 0..239); training draws seeds >= kFirstTrainSeed.
  const GeneratorConfig cfg;
  std::set<std::vector<unsigned char>> test_pngs;
  for (uint64_t i = 0; i < 240; ++i) test_pngs.insert(encode_png(generate_scene(cfg, kTestSeed, i).image));
  EXPECT_EQ(test_pngs.size(), 240u) << "duplicate images inside the test subset";
  for (uint64_t i = 0; i < 2000; ++i)
    EXPECT_EQ(test_pngs.count(encode_png(generate_scene(cfg, kFirstTrainSeed, i).image)), 0u) << "train index " << i;
}

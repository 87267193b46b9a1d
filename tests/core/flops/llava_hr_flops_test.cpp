// FLOPs of LLaVA-HR's dual-path vision tower (llava-detail.md §7.1) against torch.utils.flop_counter.FlopCounterMode
// run on the reference modules (numbers recorded by hand with torch 2.15 / timm 1.0.31, see each test). FlopCounterMode
// counts only convolutions and matmuls (2 per MAC); our count adds norms, activations, biases and residuals, so it
// must lie a little above.
#include <gtest/gtest.h>

#include "flops/flops.h"
#include "flops/model_shape.h"

using namespace dpn::flops;

namespace {

const std::string kHr = std::string(DPN_TEST_DATA) + "/golden/hr/llava_hr";

// timm ConvNeXt(depths=[3,3,27,3], dims=[192,384,768,1536]).forward_features at 224 px: 68,719,795,200 FLOPs
// (= timm's published 34.4 GMACs for convnext_large).
TEST(LlavaHrFlops, ConvNextLargeMatchesFlopCounter) {
  const double ours = convnext_flops({192, 384, 768, 1536}, {3, 3, 27, 3}, 224);
  const double ref = 68719795200.0;
  std::printf("convnext_large 224: ours %.6g ref %.6g ratio %.4f\n", ours, ref, ours / ref);
  EXPECT_GE(ours, ref);
  EXPECT_LE(ours, 1.02 * ref);
  // 1024 px has (1024/224)^2 = (32/7)^2 times the positions at every stage.
  EXPECT_NEAR(convnext_flops({192, 384, 768, 1536}, {3, 3, 27, 3}, 1024) / ours, (32.0 / 7) * (32.0 / 7), 1e-9);
}

// make_llava_hr_golden.hr_tower_forward on the tiny golden model at 256 px: 34,289,760 FLOPs (convs + matmuls).
TEST(LlavaHrFlops, TinyGoldenTowerMatchesFlopCounter) {
  const ModelShape s = model_shape_from_folder(kHr);
  ASSERT_EQ(s.vision.kind, VisionShape::Kind::LlavaHr);
  EXPECT_EQ(s.vision.image, 32);  // max(int(256/32*4), 16)
  EXPECT_EQ(s.vision.layers, 4);  // all layers, whatever mm_vision_select_layer says
  EXPECT_EQ(s.image_tokens, 64);
  EXPECT_EQ(s.grid_h, 8);
  const double ours = vision_flops(s.vision), ref = 34289760.0;
  std::printf("tiny HR tower: ours %.6g ref %.6g ratio %.4f\n", ours, ref, ours / ref);
  EXPECT_GE(ours, ref);
  EXPECT_LE(ours, 1.15 * ref);  // tiny widths: elementwise work is a larger share than at real size
}

TEST(LlavaHrFlops, PresetsAreCounted) {
  const ModelShape hr = model_shape_preset("llava-hr-7b"), x = model_shape_preset("llava-hr-x-13b");
  ASSERT_EQ(hr.vision.kind, VisionShape::Kind::LlavaHr);
  ASSERT_EQ(x.vision.kind, VisionShape::Kind::LlavaHr);
  EXPECT_EQ(hr.vision.image, 448);
  EXPECT_EQ(hr.image_tokens, 1024);
  const double f7 = vision_flops(hr.vision), f13 = vision_flops(x.vision);
  const double slow7 = convnext_flops(hr.vision.slow_dims, hr.vision.slow_depths, 1024);
  const double slow13 = convnext_flops(x.vision.slow_dims, x.vision.slow_depths, 1024);
  std::printf("HR-7B vision %.4g TFLOPs (ConvNeXt-L %.4g), HR-X vision %.4g TFLOPs (ConvNeXt-XXL %.4g)\n", f7 / 1e12,
              slow7 / 1e12, f13 / 1e12, slow13 / 1e12);
  // llava-detail.md §7.3: ~0.7 T MACs for ConvNeXt-L, ~3 T for XXL, ~0.36 T for CLIP-L on 1024 tokens.
  EXPECT_NEAR(slow7 / 2e12, 0.72, 0.05);
  EXPECT_GT(slow13, 3.5 * slow7);
  EXPECT_NEAR((f7 - slow7) / 2e12, 0.36, 0.05);  // CLIP + adapters + alignment
  FlopsOptions opt;
  const FlopsReport r = count_flops(hr, parse_method_spec("none"), opt);
  EXPECT_TRUE(r.vision_counted);
  EXPECT_DOUBLE_EQ(r.vision, f7);
}

}  // namespace

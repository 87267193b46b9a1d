// The method interface as a new method sees it: a TokenMethod written here, in the test, runs through the unchanged
// generator and leaves the generic per-layer record (sequence, regions with merged cells, work for the FLOPs count).
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "core/golden_fixture.h"
#include "generate/generator.h"
#include "methods/method.h"
#include "model/llava_model.h"
#include "text/prompt.h"

using namespace dpn;
using namespace dpn::test;

namespace {

// Merges each visual token with the one after it (a, b) -> (a + b) / 2 after layer 1: scattered pairs when the
// grid rows have odd length, which a rectangle cannot describe.
class PairMerge : public TokenMethod {
 public:
  void after_layer(int layer, SeqState& s, LayerAction& action) override {
    if (layer != 1) return;
    const int64_t n = s.visual_count / 2;
    at::Tensor v = s.x.narrow(0, s.visual_start, 2 * n).view({n, 2, s.x.size(1)}).mean(1);
    std::vector<TokenRegion> regions;
    for (int64_t i = 0; i < n; ++i) regions.push_back(s.merge_regions({2 * i, 2 * i + 1}));
    if (s.visual_count % 2) {  // the odd one out stays
      v = at::cat({v, s.x.narrow(0, s.visual_start + 2 * n, 1)}, 0);
      regions.push_back(s.regions.back());
    }
    s.splice_visual(v);
    s.regions = std::move(regions);
    s.grid_h = s.grid_w = 0;
    action.work.pool_in = 2 * n;
    action.work.pool_out = n;
  }
};

}  // namespace

TEST(MethodInterface, SeqStateMergesRegionsIntoRectanglesOrCellLists) {
  SeqState s;
  s.base_h = s.base_w = 4;
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c) s.regions.push_back({r, c, r + 1, c + 1});
  const TokenRegion block = s.merge_regions({0, 1, 4, 5});
  EXPECT_EQ(std::vector<int>({block.r0, block.c0, block.r1, block.c1}), std::vector<int>({0, 0, 2, 2}));
  EXPECT_TRUE(block.cells.empty()) << "a full rectangle lists no cells";
  const TokenRegion diagonal = s.merge_regions({0, 5});
  EXPECT_EQ(std::vector<int>({diagonal.r0, diagonal.c0, diagonal.r1, diagonal.c1}), std::vector<int>({0, 0, 2, 2}));
  EXPECT_EQ(diagonal.cells, std::vector<int>({0, 5}));
  s.regions = {diagonal, s.regions[15]};  // merging merges keeps the cells
  const TokenRegion again = s.merge_regions({0, 1});
  EXPECT_EQ(again.cells, std::vector<int>({0, 5, 15}));
}

TEST(MethodInterface, ANewMethodRunsThroughTheGenericRecord) {
  auto m = load_llava_model(golden_dir() + "/methods/dpn_v1", "", at::kFloat);
  GoldenFixture fx("fastv_k2_r050_last", golden_dir() + "/methods/expected");  // a plain prompt on this model
  std::vector<int> ids = tokenize_prompt(*m->tokenizer, fx.meta["prompt"].get<std::string>());
  SafetensorsFile px(golden_dir() + "/methods/expected/pixel_values.safetensors");
  at::Tensor pixels = at::from_blob(const_cast<std::byte*>(px.tensors()[0].data), px.tensors()[0].shape, at::kFloat).clone();
  EmbeddedPrompt prompt = embed_prompt(*m, ids, encode_image(*m, pixels));
  PairMerge method;
  GenerateOptions go;
  go.max_new_tokens = 2;
  go.stop_at_eos = false;
  go.method = &method;
  Generation g = generate(*m, prompt, go);
  ASSERT_EQ(g.layers.size(), 6u);
  EXPECT_EQ(g.layers[1].visual, 64);
  EXPECT_EQ(g.layers[1].action.work.pool_in, 64);
  EXPECT_EQ(g.layers[1].action.work.pool_out, 32);
  EXPECT_FALSE(g.layers[1].action.router);
  EXPECT_EQ(g.layers[2].visual, 32);
  EXPECT_EQ(g.layers[2].seq_len, g.layers[1].seq_len - 32);
  ASSERT_EQ(g.layers[2].regions.size(), 32u);
  // Pairs (0,1) of an 8-wide grid are a 1x2 rectangle: no cell list.
  const TokenRegion& first = g.layers[2].regions[0];
  EXPECT_EQ(std::vector<int>({first.r0, first.c0, first.r1, first.c1}), std::vector<int>({0, 0, 1, 2}));
  EXPECT_TRUE(first.cells.empty());
  EXPECT_EQ(g.final_len, g.layers[5].seq_len);
  EXPECT_EQ(g.decode_passes, 1);
}

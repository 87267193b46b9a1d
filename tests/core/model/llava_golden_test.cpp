// Fidelity of the engine against HF transformers on tiny random LLaVA models in every checkpoint layout.
// Numbers come from tests/golden/make_llava_golden.py (see its JSON for the versions that produced them).
#include <gtest/gtest.h>

#include "core/golden_fixture.h"
#include "generate/generator.h"
#include "image/preprocess.h"
#include "model/clip_vision.h"
#include "model/llava_model.h"
#include "text/prompt.h"

using namespace dpn;
using namespace dpn::test;

namespace {

constexpr double kTol = 1e-4;  // issue acceptance: logits max abs error <= 1e-4 in fp32

struct Case {
  const char* model;
  const char* expected;
};

class LlavaGolden : public ::testing::TestWithParam<Case> {};

// HF fixtures spell the image as N copies of image_token_index; collapse them to LLaVA's single sentinel.
std::vector<int> expected_ids(const at::Tensor& ids, int image_token) {
  std::vector<int> out;
  const int64_t* p = ids.data_ptr<int64_t>();
  for (int64_t i = 0; i < ids.numel(); ++i) {
    int v = int(p[i]);
    if (v == image_token) v = kImageSentinel;
    if (v == kImageSentinel && !out.empty() && out.back() == kImageSentinel) continue;
    out.push_back(v);
  }
  return out;
}

TEST_P(LlavaGolden, MatchesReferenceEndToEnd) {
  const Case c = GetParam();
  GoldenFixture fx(c.expected);
  auto m = load_llava_model(golden_dir() + "/" + c.model, "", at::kFloat);

  // Image decode, pad, PIL-bicubic resize, normalise.
  cv::Mat rgb = load_image_rgb(golden_dir() + "/" + fx.meta["image"].get<std::string>());
  at::Tensor rgb_t = at::from_blob(rgb.data, {rgb.rows, rgb.cols, 3}, at::kByte);
  EXPECT_TRUE(at::equal(rgb_t, fx["image_rgb"])) << "decoded RGB differs from PIL";
  cv::Mat sq = expand_to_square(rgb, m->cfg.image_mean);
  EXPECT_TRUE(at::equal(at::from_blob(sq.data, {sq.rows, sq.cols, 3}, at::kByte), fx["padded_rgb"])) << "expand2square differs";
  at::Tensor pixels = preprocess_image(rgb, m->cfg.vision.image_size, m->cfg.image_mean, m->cfg.image_std);
  double dpx = max_abs_diff(pixels, fx["pixel_values"]);
  std::printf("[%s] pixel_values max diff %.3g\n", c.model, dpx);
  EXPECT_LE(dpx, 1e-5);

  // Prompt ids (per-chunk SentencePiece, image sentinel).
  std::vector<int> ids = tokenize_prompt(*m->tokenizer, fx.meta["prompt"].get<std::string>());
  EXPECT_EQ(ids, expected_ids(fx["input_ids"], m->cfg.image_token_index));

  // Vision tower, projector, splice.
  at::Tensor feats = clip_vision_forward(m->weights.vision, m->cfg, fx["pixel_values"]);
  double dv = max_abs_diff(feats, fx["vision_features"]);
  at::Tensor visual = encode_image(*m, fx["pixel_values"]);
  double dp = max_abs_diff(visual, fx["image_embeds"]);
  EmbeddedPrompt prompt = embed_prompt(*m, ids, visual);
  double de = max_abs_diff(prompt.embeds, fx["inputs_embeds"]);
  std::printf("[%s] vision %.3g projector %.3g embeds %.3g\n", c.model, dv, dp, de);
  EXPECT_LE(dv, kTol);
  EXPECT_LE(dp, kTol);
  EXPECT_LE(de, kTol);
  EXPECT_EQ(prompt.visual_count, fx.meta["n_visual_tokens"].get<int64_t>());

  // Decoder: every layer, final logits, 32 greedy tokens with EOS ignored.
  GenerateOptions go;
  go.max_new_tokens = 32;
  go.stop_at_eos = false;
  go.all_logits = true;
  go.keep_hidden = true;
  Generation g = generate(*m, prompt, go);
  for (int l = 0; l < m->cfg.text.layers; ++l) {
    double d = max_abs_diff(g.hidden[l], fx["layer_out." + std::to_string(l)]);
    std::printf("[%s] layer %d max diff %.3g\n", c.model, l, d);
    EXPECT_LE(d, kTol) << "decoder layer " << l;
  }
  double dl = max_abs_diff(g.prefill_logits, fx["logits"]);
  std::printf("[%s] logits max diff %.3g\n", c.model, dl);
  EXPECT_LE(dl, kTol);
  at::Tensor want = fx["greedy_tokens"];
  std::vector<int> want_v(want.data_ptr<int64_t>(), want.data_ptr<int64_t>() + want.numel());
  EXPECT_EQ(g.tokens, want_v);
}

INSTANTIATE_TEST_SUITE_P(Layouts, LlavaGolden,
                         ::testing::Values(Case{"llava_orig", "llava_orig"}, Case{"llava_hf", "llava_hf"},
                                           Case{"llava_hf_new", "llava_hf"}),
                         [](const auto& info) { return std::string(info.param.model); });

}  // namespace

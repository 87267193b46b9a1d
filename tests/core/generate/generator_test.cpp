// Generation beyond the fp32 golden path: bf16 on CPU, zero-copy loading, EOS stop, and the top-p sampler.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "core/golden_fixture.h"
#include "generate/generator.h"
#include "generate/sampler.h"
#include "model/llava_model.h"
#include "text/prompt.h"

using namespace dpn;
using namespace dpn::test;

namespace {

EmbeddedPrompt golden_prompt(const LlavaModel& m, const GoldenFixture& fx) {
  std::vector<int> ids = tokenize_prompt(*m.tokenizer, fx.meta["prompt"].get<std::string>());
  return embed_prompt(m, ids, encode_image(m, fx["pixel_values"]));
}

}  // namespace

TEST(Loading, Fp32WeightsAreUsedInPlaceFromTheMapping) {
  auto m = load_llava_model(golden_dir() + "/llava_orig", "", at::kFloat);
  EXPECT_GT(m->weights.bytes_in_place, 0);
  EXPECT_EQ(m->weights.bytes_copied, 0) << "fp32 checkpoint loaded as fp32 must not copy";
  auto b = load_llava_model(golden_dir() + "/llava_orig", "", at::kBFloat16);
  EXPECT_EQ(b->weights.bytes_in_place, 0);
  EXPECT_EQ(b->weights.bytes_copied, m->weights.bytes_in_place / 2) << "fp32 -> bf16 halves the bytes";
}

TEST(Generation, Bf16OnCpuTracksFp32) {
  GoldenFixture fx("llava_orig");
  auto m = load_llava_model(golden_dir() + "/llava_orig", "", at::kBFloat16);
  GenerateOptions go;
  go.max_new_tokens = 4;
  go.stop_at_eos = false;
  Generation g = generate(*m, golden_prompt(*m, fx), go);
  at::Tensor want = fx["logits"][fx["logits"].size(0) - 1];
  at::Tensor got = g.prefill_logits[0];
  double err = max_abs_diff(got, want), scale = want.abs().max().item<double>();
  std::printf("bf16 last-position logits: max diff %.4f (logit scale %.2f)\n", err, scale);
  EXPECT_EQ(g.prefill_logits.scalar_type(), at::kFloat);
  EXPECT_LT(err, 0.05 * scale) << "bf16 has ~3 significant digits; 4 layers should stay within 5% of the scale";
  EXPECT_EQ(g.tokens[0], fx["greedy_tokens"][0].item<int64_t>()) << "first greedy token (margin 0.13) must agree";
}

TEST(Generation, StopsAtEos) {
  GoldenFixture fx("llava_hf");
  auto m = load_llava_model(golden_dir() + "/llava_hf", "", at::kFloat);
  m->cfg.text.eos_id = int(fx["greedy_tokens"][3].item<int64_t>());  // pretend the 4th greedy token is EOS
  GenerateOptions go;
  go.max_new_tokens = 32;
  Generation g = generate(*m, golden_prompt(*m, fx), go);
  EXPECT_EQ(g.stop_reason, "eos");
  ASSERT_EQ(g.tokens.size(), 3u);
  EXPECT_EQ(g.decode_passes, 3) << "the EOS came out of the pass that fed the third token";
  for (int i = 0; i < 3; ++i) EXPECT_EQ(g.tokens[i], fx["greedy_tokens"][i].item<int64_t>());
}

TEST(Generation, MaxTokensAndCancel) {
  GoldenFixture fx("llava_hf");
  auto m = load_llava_model(golden_dir() + "/llava_hf", "", at::kFloat);
  GenerateOptions go;
  go.max_new_tokens = 5;
  go.stop_at_eos = false;
  Generation g = generate(*m, golden_prompt(*m, fx), go);
  EXPECT_EQ(g.tokens.size(), 5u);
  EXPECT_EQ(g.stop_reason, "max_tokens");
  EXPECT_EQ(g.decode_passes, 4) << "the first token comes from prefill; the last one is never fed back";
  int seen = 0;
  go.on_token = [&](int) { return ++seen < 2; };
  g = generate(*m, golden_prompt(*m, fx), go);
  EXPECT_EQ(g.stop_reason, "cancelled");
  EXPECT_EQ(g.tokens.size(), 2u);
  EXPECT_EQ(g.decode_passes, 1);
}

TEST(Generation, KvCacheHoldsEveryProcessedToken) {
  GoldenFixture fx("llava_hf");
  auto m = load_llava_model(golden_dir() + "/llava_hf", "", at::kFloat);
  GenerateOptions go;
  go.max_new_tokens = 6;
  go.stop_at_eos = false;
  EmbeddedPrompt p = golden_prompt(*m, fx);
  Generation g = generate(*m, p, go);
  const int64_t L = p.embeds.size(0);
  // The last generated token is never fed back: L + 5 entries per layer, Hkv=2 heads of 16 dims, k and v, fp32.
  for (const auto& l : g.cache.layers) EXPECT_EQ(l.len, L + 5);
  EXPECT_EQ(g.cache.bytes(), int64_t(m->cfg.text.layers) * (L + 5) * 2 * 16 * 2 * 4);
}

TEST(Sampler, GreedyIsArgmax) {
  Sampler s({0.f, 1.f, 0});
  EXPECT_EQ(s.next(at::tensor({0.1f, 3.f, -1.f, 2.9f})), 1);
}

TEST(Sampler, TopPKeepsTheSmallestNucleusAndIsSeeded) {
  at::Tensor logits = at::tensor({2.f, 1.f, 0.f, -10.f});  // softmax ~ 0.665, 0.245, 0.090, 0.00001
  Sampler narrow({1.f, 0.5f, 7});
  for (int i = 0; i < 200; ++i) EXPECT_EQ(narrow.next(logits), 0) << "p0 = 0.665 >= top_p 0.5: only token 0";
  Sampler s({1.f, 0.9f, 7}), again({1.f, 0.9f, 7});
  int count[4] = {0, 0, 0, 0};
  std::vector<int> a, b;
  for (int i = 0; i < 4000; ++i) {
    a.push_back(s.next(logits));
    b.push_back(again.next(logits));
    ++count[a.back()];
  }
  EXPECT_EQ(a, b) << "same seed, same draws";
  EXPECT_EQ(count[2] + count[3], 0) << "0.665 + 0.245 = 0.91 >= 0.9: tokens 2 and 3 are outside the nucleus";
  EXPECT_NEAR(count[0] / 4000.0, 0.665 / 0.910, 0.03);
  Sampler hot({1.f, 1.f, 3});
  int c2 = 0;
  for (int i = 0; i < 4000; ++i) c2 += hot.next(logits) == 2;
  EXPECT_NEAR(c2 / 4000.0, 0.090, 0.02) << "top_p 1 samples the full distribution";
}

// The trainer's model pieces: a TokenPacker initialised as average pooling starts where the mlp2x projector it
// replaces is (the LLM it feeds was trained on that projector's tokens).
#include "train/train_model.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

namespace dpn::train {
namespace {

TEST(TrainModel, TokenPackerInitialisedAsAveragePoolingMatchesTheBaseProjectorOnPooledFeatures) {
  at::manual_seed(3);
  const ModelDims d;  // the demo dims: 12 x 12 grid of 64-d features, LLM width 128
  const int64_t B = 2, G = d.grid(), N = int64_t(G) * G, Dv = d.v_hidden, g = G / kTokenPackerScale;
  Params base;
  init_mlp_projector(base, d, 7);
  // ViT-like features: a per-token offset and scale around the channel values, as the demo tower's (mean ~1, std ~9).
  at::Tensor feats = at::randn({B, N, Dv}) * 9.0 + 1.0;
  at::Tensor multi = at::cat({at::randn({B, N, 3 * Dv}), feats}, -1);  // levels 1..3 are noise to the value path
  const double mean = feats.mean(-1).mean().item<double>(), std = feats.std(-1, false).mean().item<double>();

  Params p;
  init_tokenpacker_as_avg_pool(p, d, 5, base, mean, std);
  const at::Tensor got = tokenpacker_projector(p, d, feats, multi);  // [B, 36, 128]

  at::Tensor pooled = feats.view({B, g, 2, g, 2, Dv}).mean({2, 4}).reshape({B, g * g, Dv});
  const at::Tensor want = mlp_projector(base, pooled);
  ASSERT_EQ(got.sizes(), want.sizes());
  const at::Tensor cos = at::cosine_similarity(got, want, -1);
  EXPECT_GT(cos.mean().item<double>(), 0.97);
  EXPECT_NEAR((got.norm(2, -1) / want.norm(2, -1)).mean().item<double>(), 1.0, 0.1);

  // Against the random initialisation it replaces, whose tokens are near-constant and tiny.
  Params r;
  init_tokenpacker(r, d, 5);
  const at::Tensor random = tokenpacker_projector(r, d, feats, multi);
  EXPECT_LT(at::cosine_similarity(random, want, -1).mean().item<double>(), 0.5);
  EXPECT_LT((random.norm(2, -1) / want.norm(2, -1)).mean().item<double>(), 0.1);
}

}  // namespace
}  // namespace dpn::train

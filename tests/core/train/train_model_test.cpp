// The trainer's model pieces: a TokenPacker initialised as average pooling starts where the mlp2x projector it
// replaces is (the LLM it feeds was trained on that projector's tokens); the route stage's per-sample losses and
// router supervision.
#include "train/train_model.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>

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

TEST(TrainModel, PerSampleLossAveragesEachSamplesOwnTargetRows) {
  DecoderResult r;
  r.logits = at::tensor({0.f, 0.f, 5.f, 0.f, 0.f, 0.f}).view({3, 2});  // rows: sample 0, sample 0, sample 2
  r.target_ids = at::tensor(std::vector<int64_t>{0, 1, 0});
  r.target_sample = {0, 0, 2};
  const at::Tensor l = per_sample_loss(r, 3);
  const at::Tensor ce = at::cross_entropy_loss(r.logits, r.target_ids, {}, at::Reduction::None);
  ASSERT_EQ(l.size(0), 3);
  EXPECT_NEAR(l[0].item<double>(), (ce[0] + ce[1]).item<double>() / 2, 1e-6);
  EXPECT_EQ(l[1].item<double>(), 0.0);  // no target rows
  EXPECT_NEAR(l[2].item<double>(), ce[2].item<double>(), 1e-6);
}

TEST(TrainModel, RoutingTargetLossRaisesTheTargetsProbabilityPerLayer) {
  at::Tensor logits = at::zeros({2, 3}).set_requires_grad(true);  // two records at layer 0
  at::Tensor other = at::zeros({1, 2}).set_requires_grad(true);   // one at layer 1
  const at::Tensor p = at::softmax(logits / 10.0, -1), q = at::softmax(other / 10.0, -1);
  std::vector<RouteRecord> routes{{0, 0, 1, p[0]}, {0, 1, 0, p[1]}, {1, 0, 0, q[0]}};
  const RouteTargets targets{{0, {2, -1}}, {1, {1}}};  // sample 1 of layer 0 has no target
  at::Tensor loss = routing_target_loss(routes, targets);
  EXPECT_NEAR(loss.item<double>(), std::log(3.0) / 2 + std::log(2.0) / 2, 1e-6);  // mean of the layers' means
  loss.backward();
  EXPECT_LT(logits.grad()[0][2].item<double>(), 0);  // descending raises the target's logit
  EXPECT_GT(logits.grad()[0][0].item<double>(), 0);
  EXPECT_EQ(logits.grad()[1].abs().sum().item<double>(), 0.0);  // the record without a target is left alone
  EXPECT_LT(other.grad()[0][1].item<double>(), 0);
  EXPECT_EQ(routing_target_loss(routes, {}).item<double>(), 0.0);
}

}  // namespace
}  // namespace dpn::train

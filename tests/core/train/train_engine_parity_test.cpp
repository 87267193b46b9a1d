// The trainer's model code (train/train_model.h: its own CLIP, projectors, LLaMA decoder and DPE layers) and the
// engine's (model/, methods/, generate/) compute the same thing: the bundled demo models, one image and one prompt
// (the same token ids and pixel tensor for both), last-position logits equal within 1e-5 (fp32) for the base model,
// DPN on every forced path (each expert at each DPE layer, combined) and TokenPacker.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "flops/method_spec.h"
#include "generate/generator.h"
#include "image/preprocess.h"
#include "methods/make_method.h"
#include "model/llava_model.h"
#include "text/prompt.h"
#include "train/checkpoint_io.h"
#include "train/train_model.h"

namespace dpn::train {
namespace {

// Logits of scale ~14 (an fp32 step there is 9.5e-7): the engine's one-row products are its GEMV (model/gemv), the
// trainer's LibTorch GEMMs, so the sums run in different orders; 2e-5 is ~20 steps of the largest logit.
constexpr double kTolerance = 2e-5;

struct Loaded {
  std::unique_ptr<LlavaModel> engine;
  Params params;  // the same files read as the trainer reads them
  ModelDims dims;
  std::vector<int> ids;  // the engine's prompt
  at::Tensor pixels;     // [3, S, S], the engine's preprocessing
};

Loaded load(const std::string& name) {
  Loaded l;
  l.engine = load_llava_model(std::string(DPN_SOURCE_DIR) + "/resources/models/" + name, "", at::kFloat);
  const LlavaConfig& c = l.engine->cfg;
  l.params = read_tensors(c.model_dir);
  for (auto& [k, t] : read_tensors(c.vision_dir)) l.params[k] = t;
  ModelDims& d = l.dims;
  d.image_size = c.vision.image_size;
  d.patch = c.vision.patch_size;
  d.v_hidden = c.vision.hidden;
  d.v_layers = c.vision.layers;
  d.v_heads = c.vision.heads;
  d.v_inter = c.vision.intermediate;
  d.v_ln_eps = c.vision.ln_eps;
  d.hidden = c.text.hidden;
  d.layers = c.text.layers;
  d.heads = c.text.heads;
  d.kv_heads = c.text.kv_heads;
  d.inter = c.text.intermediate;
  d.vocab = c.text.vocab;
  d.max_positions = c.text.max_positions;
  d.rms_eps = c.text.rms_eps;
  d.rope_theta = c.text.rope_theta;
  l.ids = tokenize_prompt(*l.engine->tokenizer,
                          render_prompt("What color is the small circle?", c.conv_template, uses_router_token(*l.engine) ? "<ROUTER>" : ""));
  l.pixels = preprocess_image(load_image_rgb(std::string(DPN_SOURCE_DIR) + "/resources/samples/shapes.png"), c.input_size(),
                              c.image_mean, c.image_std);
  return l;
}

// The engine's path of `dpn ask`: encode, splice, prefill; logits at the last prompt position [V].
at::Tensor engine_logits(const Loaded& l, const std::string& method, const std::vector<std::pair<int, int>>& overrides = {}) {
  const LlavaModel& m = *l.engine;
  std::unique_ptr<TokenMethod> tm = make_method(m, flops::parse_method_spec(method), overrides, 0);
  const at::Tensor visual = encode_image(m, l.pixels);
  const EmbeddedPrompt prompt = embed_prompt(m, l.ids, visual);
  GenerateOptions o;
  o.max_new_tokens = 1;
  o.method = tm.get();
  o.router_pos = uses_router_token(m) ? router_position(l.ids, m.tokenizer->added_tokens().at("<ROUTER>"), prompt.visual_count) : -1;
  return generate(m, prompt, o).prefill_logits.reshape({-1}).to(at::kFloat);
}

// The trainer's path: its vision tower and projector, the prompt embedded with its embedding table, one sequence
// whose only target is the token after the prompt; the router reads the last prompt token (use_special_token false).
at::Tensor trainer_logits(const Loaded& l, bool tokenpacker, const DpnSpec* dpn) {
  const at::Tensor vis = visual_tokens(l.params, l.dims, l.pixels.unsqueeze(0), tokenpacker)[0];  // [N, D]
  const int64_t n = vis.size(0);
  std::vector<int64_t> text;
  int64_t s = -1;
  for (size_t j = 0; j < l.ids.size(); ++j) {
    if (l.ids[j] == kImageSentinel) s = int64_t(text.size());
    else text.push_back(l.ids[j]);
  }
  EXPECT_GE(s, 0);
  const at::Tensor te = at::embedding(l.params.at("model.embed_tokens.weight"), at::tensor(text, at::kLong));
  const int64_t len = int64_t(text.size()) + n;
  SeqBatch b;
  b.embeds = at::cat({te.narrow(0, 0, s), vis, te.narrow(0, s, te.size(0) - s)}, 0).unsqueeze(0);
  b.targets = at::full({1, len}, -100, at::kLong);
  b.targets[0][len - 1] = 0;  // any id: only the position matters
  const int g = int(std::lround(std::sqrt(double(n))));
  b.vis_start = {s};
  b.vis_count = {n};
  b.length = {len};
  b.grid_h = {g};
  b.grid_w = {g};
  b.router_pos = {len - 1};
  const DecoderResult r = decoder_forward(l.params, l.dims, b, dpn, RouteMode::Argmax);
  EXPECT_EQ(r.logits.size(0), 1);
  return r.logits[0];
}

double max_diff(const at::Tensor& a, const at::Tensor& b) {
  EXPECT_EQ(a.sizes(), b.sizes());
  return (a - b).abs().max().item<double>();
}

// A model without pooling (method none): the mlp2x_gelu or the TokenPacker projector.
void expect_unpooled_parity(const std::string& name, ProjectorKind projector) {
  const Loaded l = load(name);
  ASSERT_EQ(l.engine->cfg.projector, projector);
  const at::Tensor e = engine_logits(l, "none"), t = trainer_logits(l, projector == ProjectorKind::TokenPacker, nullptr);
  const double diff = max_diff(e, t);
  std::printf("%s: max |diff| %.3g (logit scale %.3g)\n", name.c_str(), diff, e.abs().max().item<double>());
  EXPECT_LT(diff, kTolerance);
}

TEST(TrainEngineParity, BaseModelLogitsMatch) { expect_unpooled_parity("demo-base", ProjectorKind::Mlp2xGelu); }

TEST(TrainEngineParity, TokenPackerLogitsMatch) { expect_unpooled_parity("demo-tokenpacker", ProjectorKind::TokenPacker); }

TEST(TrainEngineParity, DpnLogitsMatchOnEveryForcedPathAndTheRoutersOwnChoice) {
  const Loaded l = load("demo-dpn");
  const PoolingConfig& pc = l.engine->cfg.pooling;
  ASSERT_TRUE(pc.present);
  ASSERT_FALSE(pc.layers.empty());
  DpnSpec spec;
  for (const auto& pl : pc.layers) spec.layers.push_back({pl.index, pl.experts});

  // Every combination of one expert per DPE layer (an odometer over the layers' expert counts).
  std::vector<std::vector<int>> paths{{}};
  for (const auto& pl : pc.layers) {
    std::vector<std::vector<int>> next;
    for (const auto& p : paths)
      for (int e = 0; e < int(pl.experts.size()); ++e) {
        next.push_back(p);
        next.back().push_back(e);
      }
    paths = next;
  }
  std::vector<at::Tensor> engine_by_path;
  for (const auto& path : paths) {
    std::vector<std::pair<int, int>> overrides;
    spec.forced.clear();
    std::string label;
    for (size_t i = 0; i < path.size(); ++i) {
      overrides.push_back({pc.layers[i].index, path[i]});
      spec.forced[pc.layers[i].index] = path[i];
      const auto [kh, kw] = pc.layers[i].experts[size_t(path[i])];
      label += " L" + std::to_string(pc.layers[i].index) + "=" + std::to_string(kh) + "x" + std::to_string(kw);
    }
    const at::Tensor e = engine_logits(l, "dpn", overrides), t = trainer_logits(l, false, &spec);
    const double diff = max_diff(e, t);
    std::printf("demo-dpn%s: max |diff| %.3g\n", label.c_str(), diff);
    EXPECT_LT(diff, kTolerance) << "forced path" << label;
    engine_by_path.push_back(e);
  }
  // The overrides took effect: the all-1x1 path and the path with every largest expert give different logits.
  ASSERT_GE(engine_by_path.size(), 2u);
  EXPECT_GT(max_diff(engine_by_path.front(), engine_by_path.back()), 1e-3);

  spec.forced.clear();
  const double diff = max_diff(engine_logits(l, "dpn"), trainer_logits(l, false, &spec));
  std::printf("demo-dpn router's choice: max |diff| %.3g\n", diff);
  EXPECT_LT(diff, kTolerance);
}

}  // namespace
}  // namespace dpn::train

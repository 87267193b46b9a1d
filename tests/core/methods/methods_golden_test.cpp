// DPN (router choice, every forced expert pair, v1/v2, max/avg/conv, pre/post), static pooling and FastV against the
// Python reference of tests/golden/make_methods_golden.py (HF LlamaDecoderLayer modules driven layer by layer, checked
// against an independent plain-torch implementation; semantics and sources in tests/golden/METHODS.md).
#include <gtest/gtest.h>

#include "core/golden_fixture.h"
#include "flops/method_spec.h"
#include "generate/generator.h"
#include "methods/make_method.h"
#include "model/llava_model.h"
#include "text/prompt.h"

using namespace dpn;
using namespace dpn::test;

namespace {

constexpr double kTol = 1e-4;

std::string methods_dir() { return golden_dir() + "/methods"; }

struct MethodCase {
  const char* name;
  const char* spec;  // our --method string for the case
};

// The fixture's prompt, pixel values and model; runs our method and compares everything the fixture recorded.
void check_case(const MethodCase& c) {
  GoldenFixture fx(c.name, methods_dir() + "/expected");
  const std::string folder = fx.meta["model_folder"];
  auto m = load_llava_model(methods_dir() + "/" + folder, "", at::kFloat);
  const std::string prompt_text = fx.meta["prompt"];
  std::vector<int> ids = tokenize_prompt(*m->tokenizer, prompt_text);
  at::Tensor want_ids = fx["input_ids"];
  ASSERT_EQ(ids, std::vector<int>(want_ids.data_ptr<int64_t>(), want_ids.data_ptr<int64_t>() + want_ids.numel())) << c.name;

  SafetensorsFile px(methods_dir() + "/expected/pixel_values.safetensors");
  at::Tensor pixels = at::from_blob(const_cast<std::byte*>(px.tensors()[0].data), px.tensors()[0].shape, at::kFloat).clone();
  EmbeddedPrompt prompt = embed_prompt(*m, ids, encode_image(*m, pixels));

  std::vector<std::pair<int, int>> overrides;
  if (fx.meta["method"].contains("override"))
    for (auto it = fx.meta["method"]["override"].begin(); it != fx.meta["method"]["override"].end(); ++it)
      overrides.emplace_back(std::stoi(it.key()), it.value()["expert"].get<int>());
  auto method = make_method(*m, flops::parse_method_spec(c.spec), overrides, 0);

  GenerateOptions go;
  go.max_new_tokens = 16;
  go.stop_at_eos = false;
  go.keep_hidden = true;
  go.method = method.get();
  if (prompt_text.find("<ROUTER>") != std::string::npos)
    go.router_pos = router_position(ids, m->tokenizer->added_tokens().at("<ROUTER>"), prompt.visual_count);
  Generation g = generate(*m, prompt, go);

  at::Tensor seq_len = fx["seq_len"];
  double worst = 0;
  for (int l = 0; l < m->cfg.text.layers; ++l) {
    EXPECT_EQ(g.layers[l].seq_len, seq_len[l].item<int64_t>()) << c.name << " layer " << l;
    const std::string full = "layer_out." + std::to_string(l), last = "layer_out_last_row." + std::to_string(l);
    if (fx.has(full)) {
      ASSERT_EQ(g.hidden[l].sizes(), fx[full].sizes()) << c.name << " layer " << l;
      worst = std::max(worst, max_abs_diff(g.hidden[l], fx[full]));
    } else {
      worst = std::max(worst, max_abs_diff(g.hidden[l][g.hidden[l].size(0) - 1], fx[last]));
    }
  }
  double dl = max_abs_diff(g.prefill_logits[0], fx["logits_last"]);
  std::printf("[%s] layers max diff %.3g, last logits %.3g\n", c.name, worst, dl);
  EXPECT_LE(worst, kTol) << c.name;
  EXPECT_LE(dl, kTol) << c.name;
  at::Tensor want = fx["greedy_tokens"];
  EXPECT_EQ(g.tokens, std::vector<int>(want.data_ptr<int64_t>(), want.data_ptr<int64_t>() + want.numel())) << c.name;

  // Router decisions, from the per-layer record.
  std::vector<RouterTrace> routers;
  for (const LayerSnapshot& s : g.layers)
    if (s.action.router) routers.push_back(*s.action.router);
  size_t r = 0;
  for (const auto& rec : fx.meta.value("dpe_records", nlohmann::json::array())) {
    if (rec.value("skipped", false)) continue;
    ASSERT_LT(r, routers.size()) << c.name;
    const RouterTrace& rt = routers[r++];
    EXPECT_EQ(rt.layer, rec["layer"].get<int>());
    EXPECT_EQ(rt.chosen, rec.value("used", 0)) << c.name << " layer " << rt.layer;
    EXPECT_EQ(rt.grid_after_h, rec["grid_out"][0].get<int>());
    EXPECT_EQ(rt.grid_after_w, rec["grid_out"][1].get<int>());
    if (rec.contains("router_probs"))
      for (size_t e = 0; e < rt.probs.size(); ++e) EXPECT_NEAR(rt.probs[e], rec["router_probs"][e].get<double>(), 1e-5);
  }
  EXPECT_EQ(r, routers.size()) << c.name << ": pooled at a layer the reference skipped";
  if (fx.meta.contains("fastv")) {  // the kept tokens' base-grid cells, in sequence order, at layer K
    const LayerSnapshot& after = g.layers.at(fx.meta["method"]["k"].get<size_t>());
    std::vector<int> kept;
    for (const TokenRegion& reg : after.regions) {
      EXPECT_EQ((reg.r1 - reg.r0) * (reg.c1 - reg.c0), 1) << c.name << ": a FastV survivor covers one cell";
      kept.push_back(reg.r0 * g.base_w + reg.c0);
    }
    EXPECT_EQ(kept, fx.meta["fastv"]["kept_image_indices_in_grid"].get<std::vector<int>>()) << c.name;
  }
}

class MethodsGolden : public ::testing::TestWithParam<MethodCase> {};

TEST_P(MethodsGolden, MatchesReference) { check_case(GetParam()); }

INSTANTIATE_TEST_SUITE_P(
    Cases, MethodsGolden,
    ::testing::Values(MethodCase{"dpn_v1", "dpn"}, MethodCase{"dpn_v1_force_00", "dpn"}, MethodCase{"dpn_v1_force_01", "dpn"},
                      MethodCase{"dpn_v1_force_02", "dpn"}, MethodCase{"dpn_v1_force_10", "dpn"},
                      MethodCase{"dpn_v1_force_11", "dpn"}, MethodCase{"dpn_v1_force_12", "dpn"},
                      MethodCase{"dpn_v1_force_20", "dpn"}, MethodCase{"dpn_v1_force_21", "dpn"},
                      MethodCase{"dpn_v1_force_22", "dpn"}, MethodCase{"dpn_v2_avg_pre", "dpn"},
                      MethodCase{"dpn_v2_avg_pre_force_22", "dpn"}, MethodCase{"dpn_conv", "dpn"},
                      MethodCase{"static_l1_2x2_l3_1x2", "static:1=2x2,3=1x2"},
                      MethodCase{"fastv_k2_r050_last", "fastv:k=2,r=0.5,rank=last"},
                      MethodCase{"fastv_k2_r050_mean", "fastv:k=2,r=0.5,rank=mean"},
                      MethodCase{"fastv_k1_r075_last", "fastv:k=1,r=0.75"}, MethodCase{"tokenpacker", "tokenpacker"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace

// VisionZip, PyramidDrop and SparseVLM (v1.5 prune-only and v2.0) against fixtures written by
// tests/golden/make_baselines_golden.py: the official code of each method (pinned commits, transformers 4.37.2) run on
// the CPU with a tiny random LLaVA-1.5 checkpoint, checked there against a Python reference written from the spec
// (tests/golden/METHODS.md, "VisionZip, PyramidDrop, SparseVLM"). Compared: the tokens each method keeps or merges
// (as base-grid cells), VisionZip's features and merge assignment, every layer's output, positions as the decoded
// token sees them, the last prefill logits and 16 greedy tokens. fp32 throughout.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "core/golden_fixture.h"
#include "flops/flops.h"
#include "flops/method_spec.h"
#include "generate/generator.h"
#include "methods/make_method.h"
#include "methods/method.h"
#include "model/llava_model.h"
#include "text/prompt.h"

using namespace dpn;
using namespace dpn::test;

namespace {

constexpr double kTol = 2e-5;

std::string baselines_dir() { return golden_dir() + "/baselines"; }

// Row-major base-grid cells a region covers.
std::vector<int> cells_of(const TokenRegion& r, int base_w) {
  if (!r.cells.empty()) return r.cells;
  std::vector<int> out;
  for (int y = r.r0; y < r.r1; ++y)
    for (int x = r.c0; x < r.c1; ++x) out.push_back(y * base_w + x);
  return out;
}

struct MethodRun {
  std::unique_ptr<LlavaModel> m;
  std::unique_ptr<TokenMethod> method;
  VisionTokens chosen;
  EmbeddedPrompt prompt;
  Generation g;
};

MethodRun run_case(const GoldenFixture& fx) {
  MethodRun r;
  r.m = load_llava_model(baselines_dir() + "/" + fx.meta["model_folder"].get<std::string>(), "", at::kFloat);
  std::vector<int> ids = tokenize_prompt(*r.m->tokenizer, fx.meta["prompt"].get<std::string>());
  EXPECT_EQ(ids, fx.meta["input_ids"].get<std::vector<int>>());
  SafetensorsFile px(baselines_dir() + "/expected/pixel_values.safetensors");
  at::Tensor pixels = at::from_blob(const_cast<std::byte*>(px.tensors()[0].data), px.tensors()[0].shape, at::kFloat).clone();
  r.method = make_method(*r.m, flops::parse_method_spec(fx.meta["method"].get<std::string>()), {}, 0);
  at::Tensor visual = encode_image(*r.m, pixels, nullptr, nullptr, r.method.get(), &r.chosen);
  r.prompt = embed_prompt(*r.m, ids, visual, r.chosen.regions);
  GenerateOptions go;
  go.max_new_tokens = fx.meta["greedy_steps"].get<int>();
  go.stop_at_eos = false;
  go.keep_hidden = true;
  go.method = r.method.get();
  r.g = generate(*r.m, r.prompt, go);
  return r;
}

// Layer outputs, lengths, decode positions, logits and greedy tokens.
void check_run(const std::string& name, const GoldenFixture& fx, MethodRun& r) {
  const int L = r.m->cfg.text.layers;
  at::Tensor seq_len = fx["seq_len"], visual_in = fx["visual_in"], dec = fx["decode_positions_step1"];
  double worst = 0;
  for (int l = 0; l < L; ++l) {
    EXPECT_EQ(r.g.layers[l].seq_len, seq_len[l].item<int64_t>()) << name << " layer " << l;
    EXPECT_EQ(r.g.layers[l].visual, visual_in[l].item<int64_t>()) << name << " layer " << l;
    const std::string key = "layer_out." + std::to_string(l);
    ASSERT_EQ(r.g.hidden[l].sizes(), fx[key].sizes()) << name << " layer " << l;
    worst = std::max(worst, max_abs_diff(r.g.hidden[l], fx[key]));
    // The first decoded token's RoPE position in this layer, whose cache holds what the layer processed.
    EXPECT_EQ(r.method->decode_position(l, r.g.layers[l].seq_len, r.g.prefill_len, 0), dec[l].item<int64_t>())
        << name << " layer " << l;
  }
  const double dl = max_abs_diff(r.g.prefill_logits[0], fx["logits_last"]);
  std::printf("[%s] layers max diff %.3g, last logits %.3g\n", name.c_str(), worst, dl);
  EXPECT_LE(worst, kTol) << name;
  EXPECT_LE(dl, kTol) << name;
  EXPECT_EQ(r.g.tokens, fx.meta["greedy_tokens"].get<std::vector<int>>()) << name;
}

class VisionZipGolden : public ::testing::TestWithParam<const char*> {};

TEST_P(VisionZipGolden, MatchesOfficialCode) {
  const std::string name = GetParam();
  GoldenFixture fx(name, baselines_dir() + "/expected");
  MethodRun r = run_case(fx);
  const nlohmann::json& vz = fx.meta["visionzip"];
  // Features handed to the projector: dominant (class token first) then contextual, as the official tower returns.
  ASSERT_EQ(r.chosen.features.sizes(), fx["visionzip_features"].sizes()) << name;
  EXPECT_LE(max_abs_diff(r.chosen.features, fx["visionzip_features"]), kTol) << name;
  EXPECT_LE(max_abs_diff(r.prompt.embeds.narrow(0, r.prompt.visual_start, r.prompt.visual_count), fx["image_embeds"]), kTol)
      << name;
  // Each token's base-grid cells: a dominant patch its own cell, the class token none, a contextual token its
  // target and every token merged into it (the official assignment).
  const int gw = vz["grid"][1].get<int>();
  const auto want = vz["cells"].get<std::vector<std::vector<int>>>();
  ASSERT_EQ(r.chosen.regions.size(), want.size()) << name;
  for (size_t i = 0; i < want.size(); ++i) {
    std::vector<int> got = i == 0 ? std::vector<int>{} : cells_of(r.chosen.regions[i], gw);
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, want[i]) << name << " token " << i;
  }
  check_run(name, fx, r);
}

INSTANTIATE_TEST_SUITE_P(Cases, VisionZipGolden, ::testing::Values("visionzip_d10_c6", "visionzip_tokens32"),
                         [](const auto& info) { return std::string(info.param); });

class PruneGolden : public ::testing::TestWithParam<const char*> {};

// PDrop and SparseVLM: the kept image tokens per stage (original grid indices, in sequence order).
TEST_P(PruneGolden, MatchesOfficialCode) {
  const std::string name = GetParam();
  GoldenFixture fx(name, baselines_dir() + "/expected");
  MethodRun r = run_case(fx);
  const bool pdrop = name.rfind("pdrop", 0) == 0;
  for (auto it = fx.meta["kept_cells"].begin(); it != fx.meta["kept_cells"].end(); ++it) {
    const int l = std::stoi(it.key());
    // PDrop drops before layer l (its regions show the survivors); SparseVLM after it (the next layer's).
    const LayerSnapshot& s = r.g.layers.at(size_t(pdrop ? l : l + 1));
    std::vector<int> got;
    for (const TokenRegion& reg : s.regions) {
      const std::vector<int> c = cells_of(reg, r.g.base_w);
      EXPECT_EQ(c.size(), 1u) << name << ": a survivor covers one cell";
      got.push_back(c.at(0));
    }
    EXPECT_EQ(got, it.value().get<std::vector<int>>()) << name << " layer " << l;
  }
  check_run(name, fx, r);
}

INSTANTIATE_TEST_SUITE_P(Cases, PruneGolden,
                         ::testing::Values("pdrop_l2_3_5_lam05", "pdrop_l1_2_4_r07", "sparsevlm_v15", "sparsevlm_v20"),
                         [](const auto& info) { return std::string(info.param); });

// Recycling (v1.5, approximate: the official clustering depends on random density noise, so no exact fixture). What
// does not depend on the noise must hold: the first pruning layer keeps the prune-only run's tokens, then appends
// int(int(0.3 p + 1) / 10) + 1 recycled tokens, each covering the cells of the pruned tokens merged into it.
TEST(SparseVlmRecycle, KeepsThePruneOnlySetAndAppendsTheRecycledCount) {
  GoldenFixture fx("sparsevlm_v15", baselines_dir() + "/expected");
  GoldenFixture fx_recycle = fx;
  fx_recycle.meta["method"] = fx.meta["method"].get<std::string>() + ",recycle=on";
  MethodRun r = run_case(fx_recycle);
  const std::vector<int> kept = fx.meta["kept_cells"]["1"].get<std::vector<int>>();
  const LayerSnapshot& s = r.g.layers.at(2);
  const int64_t v = r.g.layers.at(1).visual, p = v - int64_t(kept.size());
  const int64_t in = flops::sparsevlm_recycle_inputs(p), out = flops::sparsevlm_recycled_count(p);
  EXPECT_EQ(in, int64_t(p * 0.3) + 1);
  ASSERT_EQ(s.visual, int64_t(kept.size()) + out);
  std::set<int> seen(kept.begin(), kept.end());
  size_t merged_cells = 0;
  for (size_t i = 0; i < s.regions.size(); ++i) {
    const std::vector<int> c = cells_of(s.regions[i], r.g.base_w);
    if (i < kept.size()) {
      EXPECT_EQ(c, std::vector<int>{kept[i]}) << "kept token " << i;
      continue;
    }
    merged_cells += c.size();
    for (int cell : c) EXPECT_TRUE(seen.insert(cell).second) << "cell " << cell << " counted twice";
  }
  EXPECT_EQ(int64_t(merged_cells), in);
  EXPECT_EQ(s.action.work.recycle_in, 0);  // reported at the pruning layer, not the next
  EXPECT_EQ(r.g.layers.at(1).action.work.recycle_in, in);
  EXPECT_EQ(r.g.layers.at(1).action.work.recycle_out, out);
}

}  // namespace

// What the methods do beyond matching the reference numbers: the trace they leave, the KV cache they shrink, the
// checkpoint layouts DPN loads from, and clear errors for specs that cannot apply.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "core/error_of.h"
#include "core/golden_fixture.h"
#include "dpn.h"
#include "io/safetensors.h"
#include "io/safetensors_writer.h"
#include "util/error.h"
#include "core/scratch_dir.h"

namespace fs = std::filesystem;
using namespace dpn;
using namespace dpn::test;

namespace {

std::string methods_dir() { return golden_dir() + "/methods"; }
const std::string kImage = golden_dir() + "/images/odd_37x23.png";
const std::string kQuestion = "What is the color of the big square?\nAnswer the question using a single word or phrase.";

AskResult ask(const std::string& model, const std::string& method, std::vector<std::pair<int, int>> overrides = {},
              bool attention = false) {
  ModelOptions mo;
  mo.path = model;
  auto m = Model::load(mo);
  AskOptions q;
  q.image_path = kImage;
  q.question = kQuestion;
  q.method = method;
  q.overrides = std::move(overrides);
  q.max_new_tokens = 4;
  q.stop_at_eos = false;
  q.trace_attention = attention;
  return m->ask(q);
}


}  // namespace

TEST(Trace, DpnRecordsThePyramidRegionsAndRouters) {
  AskResult r = ask(methods_dir() + "/dpn_v1", "dpn", {{1, 2}}, /*attention=*/true);
  const RunTrace& t = r.trace;
  ASSERT_EQ(t.layers.size(), 6u);
  EXPECT_EQ(t.image.orig_w, 37);
  EXPECT_EQ(t.image.side, 37);
  EXPECT_EQ(t.image.offset_y, 7);
  EXPECT_EQ(t.image.grid_h, 8);
  // Layer 1 forced to 2x2 (8x8 -> 4x4); layer 3's router then picks for itself.
  ASSERT_EQ(t.routers.size(), 2u);
  EXPECT_TRUE(t.routers[0].overridden);
  EXPECT_EQ(t.routers[0].chosen, 2);
  EXPECT_FALSE(t.routers[1].overridden);
  float sum = 0;
  for (float p : t.routers[0].probs) sum += p;
  EXPECT_NEAR(sum, 1.f, 1e-5);
  EXPECT_EQ(t.layers[0].visual, 64);
  EXPECT_EQ(t.layers[2].visual, 16);
  EXPECT_EQ(t.layers[2].grid_h, 4);
  // Every pooled token covers a 2x2 block of base cells, tiling the 8x8 grid row-major.
  const TokenRegion& last = t.layers[2].regions.back();
  EXPECT_EQ(last.r0, 6);
  EXPECT_EQ(last.c0, 6);
  EXPECT_EQ(last.r1, 8);
  EXPECT_EQ(last.c1, 8);
  int covered = 0;
  for (const auto& reg : t.layers[2].regions) covered += (reg.r1 - reg.r0) * (reg.c1 - reg.c0);
  EXPECT_EQ(covered, 64);
  // Attention from the last token to the visual tokens: a part of a softmax row, so in (0, 1].
  for (const auto& l : t.layers) {
    ASSERT_EQ(l.attention.size(), size_t(l.visual));
    float a = 0;
    for (float x : l.attention) a += x;
    EXPECT_GT(a, 0.f);
    EXPECT_LE(a, 1.f + 1e-5f);
  }
  // FLOPs shrink with the sequence.
  EXPECT_GT(t.layers[0].flops, t.layers[2].flops);
  EXPECT_GT(t.llm_prefill_flops, 0);
  ASSERT_EQ(t.stages.size(), 6u);
  EXPECT_EQ(t.stages[4].name, "prefill");
}

TEST(Trace, KvCacheShrinksWithTheTokensDropped) {
  AskResult none = ask(methods_dir() + "/dpn_v1", "none");
  AskResult dpn = ask(methods_dir() + "/dpn_v1", "dpn", {{1, 2}, {3, 2}});
  AskResult fastv = ask(methods_dir() + "/dpn_v1", "fastv:k=2,r=0.5");
  // Each layer caches exactly the tokens it processed plus the decoded ones (3 fed back of 4 generated).
  for (const AskResult* r : {&none, &dpn, &fastv})
    for (const auto& l : r->trace.layers) EXPECT_EQ(l.kv_bytes, int64_t(l.seq_len + 3) * 2 * 64 * 4) << "layer " << l.layer;
  EXPECT_LT(dpn.kv_cache_bytes, none.kv_cache_bytes);
  EXPECT_LT(fastv.kv_cache_bytes, none.kv_cache_bytes);
  // FastV at k=2 keeps 32 of 64 image tokens from layer 2 on.
  EXPECT_EQ(fastv.trace.layers[1].seq_len - fastv.trace.layers[2].seq_len, 32);
  EXPECT_EQ(fastv.trace.layers[2].regions.size(), 32u);
  EXPECT_EQ(fastv.trace.layers[2].grid_h, 0) << "FastV survivors are not a grid";
  EXPECT_LT(dpn.trace.llm_prefill_flops, none.trace.llm_prefill_flops);
}

TEST(Trace, TokenPackerTokensCoverTwoByTwoRegions) {
  AskResult r = ask(methods_dir() + "/tokenpacker", "tokenpacker");
  ASSERT_FALSE(r.trace.layers.empty());
  EXPECT_EQ(r.visual_tokens, 16);
  const auto& regs = r.trace.layers[0].regions;
  ASSERT_EQ(regs.size(), 16u);
  EXPECT_EQ(regs[5].r0, 2);
  EXPECT_EQ(regs[5].c0, 2);
  EXPECT_EQ(regs[5].r1, 4);
}

TEST(DpnCheckpoint, LoadsFromTheHfLayoutToo) {
  // Re-save dpn_v1 (original layout) under llava-hf legacy names with the pooling section and routers kept.
  const fs::path dir = scratch_dir("hf");
  const fs::path src = methods_dir() + "/dpn_v1", clip = methods_dir() + "/tiny-clip-golden";
  std::vector<RawTensor> out;
  SafetensorsFile lm((src / "model.safetensors").string()), vt((clip / "model.safetensors").string());
  for (RawTensor t : lm.tensors()) {
    const std::string n = t.name;
    if (n.rfind("model.mm_projector.0.", 0) == 0) t.name = "multi_modal_projector.linear_1." + n.substr(21);
    else if (n.rfind("model.mm_projector.2.", 0) == 0) t.name = "multi_modal_projector.linear_2." + n.substr(21);
    else if (n == "lm_head.weight") t.name = "language_model.lm_head.weight";
    else t.name = "language_model." + n;
    out.push_back(t);
  }
  for (RawTensor t : vt.tensors()) {
    t.name = "vision_tower." + t.name;
    out.push_back(t);
  }
  write_safetensors((dir / "model.safetensors").string(), out);
  nlohmann::json orig = nlohmann::json::parse(std::ifstream(src / "config.json"));
  nlohmann::json vis = nlohmann::json::parse(std::ifstream(clip / "config.json"));
  nlohmann::json hf = {{"architectures", {"LlavaForConditionalGeneration"}}, {"image_token_index", 600},
                       {"vision_feature_layer", -2}, {"vision_feature_select_strategy", "default"},
                       {"text_config", orig}, {"vision_config", vis}, {"pooling", orig["pooling"]}};
  std::ofstream(dir / "config.json") << hf.dump(2);
  for (const char* f : {"tokenizer.model", "added_tokens.json"}) fs::copy(src / f, dir / f);

  AskResult a = ask(src.string(), "dpn"), b = ask(dir.string(), "dpn");
  EXPECT_EQ(a.tokens, b.tokens);
  ASSERT_EQ(a.trace.routers.size(), b.trace.routers.size());
  for (size_t i = 0; i < a.trace.routers.size(); ++i) {
    EXPECT_EQ(a.trace.routers[i].chosen, b.trace.routers[i].chosen);
    EXPECT_EQ(a.trace.routers[i].probs, b.trace.routers[i].probs);
  }
}

TEST(MethodErrors, SpecsThatCannotApplyAreClearErrors) {
  const std::string dpn = methods_dir() + "/dpn_v1", plain = golden_dir() + "/llava_orig";
  EXPECT_NE(error_of([&] { ask(plain, "dpn"); }).find("not a DPN checkpoint"), std::string::npos);
  EXPECT_NE(error_of([&] { ask(dpn, "fastv:k=9,r=0.5"); }).find("9"), std::string::npos);
  EXPECT_NE(error_of([&] { ask(dpn, "dpn", {{2, 0}}); }).find("layer 2 is not a DPE layer"), std::string::npos);
  EXPECT_NE(error_of([&] { ask(dpn, "dpn", {{1, 5}}); }).find("expert 5 does not exist"), std::string::npos);
  EXPECT_NE(error_of([&] { ask(dpn, "none", {{1, 0}}); }).find("need --method dpn"), std::string::npos);
  EXPECT_NE(error_of([&] { ask(dpn, "dpn:path=1=4x4"); }).find("has no 4x4 expert"), std::string::npos);
  EXPECT_NE(error_of([&] { ask(plain, "tokenpacker"); }).find("needs a TokenPacker checkpoint"), std::string::npos);
  EXPECT_NE(error_of([&] { ask(plain, "bogus"); }).find("bogus"), std::string::npos);
  // An expert that would leave no token: a 1x16 kernel on the 8x8 grid (its area passes the size guard).
  std::string e = error_of([&] { ask(plain, "static:1=1x16"); });
  EXPECT_NE(e.find("would leave no token"), std::string::npos) << e;
}

TEST(MethodErrors, VisualTokensThatAreNotAGridCannotBePooled) {
  // vision_feature_select_strategy "full" keeps the class token: 7x7 + 1 = 50 visual tokens, not a grid.
  const fs::path dir = scratch_dir("full") / "llava_hf";
  fs::copy(golden_dir() + "/llava_hf", dir, fs::copy_options::recursive);
  nlohmann::json j = nlohmann::json::parse(std::ifstream(dir / "config.json"));
  j["vision_feature_select_strategy"] = "full";
  std::ofstream(dir / "config.json") << j.dump(2);
  std::string e = error_of([&] { ask(dir.string(), "static:1=2"); });
  EXPECT_NE(e.find("50 visual tokens are not a grid"), std::string::npos) << e;
  EXPECT_EQ(ask(dir.string(), "none").visual_tokens, 50);
}

TEST(Trace, LlavaHrGeometryIsItsFastGridOverTheInputSquare) {
  // The tiny LLaVA-HR fixture: 256 px input, 8x8 fast grid (as 32x32 over 1024 px in the real model).
  ModelOptions mo;
  mo.path = golden_dir() + "/hr/llava_hr";
  auto m = Model::load(mo);
  AskOptions q;
  q.image_path = golden_dir() + "/hr/images/odd_37x23.png";
  q.question = kQuestion;
  q.method = "static:1=2x2";
  q.max_new_tokens = 2;
  AskResult r = m->ask(q);
  EXPECT_EQ(r.trace.image.input_size, 256);
  EXPECT_EQ(r.trace.image.grid_h, 8);
  EXPECT_EQ(r.visual_tokens, 64);
  EXPECT_EQ(r.trace.layers[2].grid_h, 4) << "the pooled level is drawn over the same square";
  EXPECT_EQ(r.trace.layers[2].regions.back().r1, 8);
  ModelInfo info = m->info();
  EXPECT_EQ(info.image_size, 256);
  EXPECT_EQ(info.grid, 8);
}

TEST(DpnRandomPooling, PicksExpertsUniformlyWithoutScaling) {
  // pooling_type "random" (an ablation of the reference): a seeded uniform expert per sample, no probability scaling.
  const fs::path dir = scratch_dir("random") / "dpn_v2_avg_pre";
  fs::copy(methods_dir() + "/dpn_v2_avg_pre", dir, fs::copy_options::recursive);
  fs::copy(methods_dir() + "/tiny-clip-golden", dir.parent_path() / "tiny-clip-golden", fs::copy_options::recursive | fs::copy_options::skip_existing);
  nlohmann::json j = nlohmann::json::parse(std::ifstream(dir / "config.json"));
  j["pooling"]["pooling_type"] = "random";
  std::ofstream(dir / "config.json") << j.dump(2);
  ModelOptions mo;
  mo.path = dir.string();
  auto m = Model::load(mo);
  std::map<int, int> seen;
  for (uint64_t seed = 0; seed < 12; ++seed) {
    AskOptions q;
    q.image_path = kImage;
    q.question = kQuestion;
    q.method = "dpn";
    q.seed = seed;
    q.max_new_tokens = 1;
    AskResult r = m->ask(q);
    ASSERT_FALSE(r.trace.routers.empty());
    EXPECT_TRUE(r.trace.routers[0].probs.empty()) << "no router runs";
    ++seen[r.trace.routers[0].chosen];
    AskResult again = m->ask(q);
    EXPECT_EQ(again.trace.routers[0].chosen, r.trace.routers[0].chosen) << "same seed, same choice";
  }
  EXPECT_GE(seen.size(), 2u) << "12 seeds should not all pick one of 3 experts";
}

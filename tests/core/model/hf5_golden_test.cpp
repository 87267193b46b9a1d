// Checkpoints as the current transformers writes them (LlavaForConditionalGeneration.save_pretrained, 5.23): a tower
// without its vision_model. level, a tied LM head absent from the file, an explicit head_dim, a projector without
// biases. Numbers from tests/golden/make_hf5_golden.py (transformers reloading the folder it wrote, fp32, eager).
#include <gtest/gtest.h>

#include <filesystem>

#include "core/golden_fixture.h"
#include "core/scratch_dir.h"
#include "io/safetensors.h"
#include "io/safetensors_writer.h"
#include "generate/generator.h"
#include "image/preprocess.h"
#include "model/llava_model.h"
#include "text/prompt.h"

namespace fs = std::filesystem;
using namespace dpn;
using namespace dpn::test;

namespace {

constexpr double kTol = 2e-5;  // issue 14: logits within 2e-5 in fp32

class Hf5Golden : public ::testing::TestWithParam<const char*> {};

TEST_P(Hf5Golden, LoadsAndMatchesTransformers) {
  const std::string name = GetParam();
  GoldenFixture fx(name, golden_dir() + "/hf5/expected");
  auto m = load_llava_model(golden_dir() + "/hf5/" + name, "", at::kFloat);
  EXPECT_EQ(m->cfg.names.vision, "vision_tower.");  // no vision_model. level
  at::Tensor pixels = preprocess_image(load_image_rgb(golden_dir() + "/" + fx.meta["image"].get<std::string>()),
                                       m->cfg.input_size(), m->cfg.image_mean, m->cfg.image_std);
  EXPECT_LE(max_abs_diff(pixels, fx["pixel_values"]), 1e-5);

  std::vector<int> ids = tokenize_prompt(*m->tokenizer, fx.meta["prompt"].get<std::string>());
  std::vector<int> want_ids;  // the fixture spells the image as n copies of 512: collapse them to the sentinel
  for (int64_t i = 0; i < fx["input_ids"].numel(); ++i) {
    const int v = int(fx["input_ids"][i].item<int64_t>());
    if (v != 512) want_ids.push_back(v);
    else if (want_ids.empty() || want_ids.back() != kImageSentinel) want_ids.push_back(kImageSentinel);
  }
  EXPECT_EQ(ids, want_ids);

  GenerateOptions go;
  go.max_new_tokens = int(fx["greedy_tokens"].numel());
  go.stop_at_eos = false;
  go.all_logits = true;
  Generation g = generate(*m, embed_prompt(*m, ids, encode_image(*m, pixels)), go);
  const double d = max_abs_diff(g.prefill_logits, fx["logits"]);
  std::printf("[hf5/%s] prefill logits (every position) max diff %.3g\n", name.c_str(), d);
  EXPECT_LE(d, kTol);
  at::Tensor want = fx["greedy_tokens"];
  EXPECT_EQ(g.tokens, std::vector<int>(want.data_ptr<int64_t>(), want.data_ptr<int64_t>() + want.numel()));
}

INSTANTIATE_TEST_SUITE_P(SavePretrained, Hf5Golden, ::testing::Values("tied_headdim", "untied"),
                         [](const auto& info) { return std::string(info.param); });

TEST(Hf5Checkpoints, WhatTheDescriptionSays) {
  const LlavaConfig tied = load_llava_config(golden_dir() + "/hf5/tied_headdim");
  EXPECT_TRUE(tied.text.tie_embeddings);
  EXPECT_TRUE(tied.names.lm_head.empty());
  EXPECT_EQ(tied.text.head_dim(), 32);
  EXPECT_EQ(tied.text.hidden / tied.text.heads, 16);
  const LlavaConfig untied = load_llava_config(golden_dir() + "/hf5/untied");
  EXPECT_EQ(untied.names.lm_head, "language_model.lm_head.weight");
  EXPECT_FALSE(untied.names.projector_bias);
  auto m = load_llava_model(golden_dir() + "/hf5/tied_headdim", "", at::kFloat);
  EXPECT_TRUE(m->weights.llm.lm_head.is_same(m->weights.llm.embed)) << "the tied head is the embedding, not a copy";
}

}  // namespace

// transformers 5's CLIPVisionModel.save_pretrained writes the tower's own folder without `vision_model.` too.
TEST(Hf5Checkpoints, SeparateClipFolderWithoutTheVisionModelLevel) {
  const fs::path tower = scratch_dir("hf5") / "clip";
  fs::create_directories(tower);
  fs::copy(golden_dir() + "/tiny-clip-golden/config.json", tower / "config.json");
  {
    SafetensorsFile f(golden_dir() + "/tiny-clip-golden/model.safetensors");
    std::vector<RawTensor> renamed;
    for (RawTensor t : f.tensors()) {
      ASSERT_EQ(t.name.rfind("vision_model.", 0), 0u) << t.name;
      t.name = t.name.substr(13);
      renamed.push_back(t);
    }
    write_safetensors((tower / "model.safetensors").string(), renamed);
  }
  auto stripped = load_llava_model(golden_dir() + "/llava_orig", tower.string(), at::kFloat);
  EXPECT_EQ(stripped->cfg.names.vision, "");
  auto usual = load_llava_model(golden_dir() + "/llava_orig", "", at::kFloat);
  GoldenFixture fx("llava_orig");
  EXPECT_TRUE(at::equal(encode_image(*stripped, fx["pixel_values"]), encode_image(*usual, fx["pixel_values"])));
}

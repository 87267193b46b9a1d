// LLaVA-HR config reading: the real HR-7B / HR-X-13B shapes and geometry (llava-detail.md §7), and the errors for
// variants the engine does not support.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/golden_fixture.h"
#include "core/scratch_dir.h"
#include "model/config.h"
#include "util/error.h"

using namespace dpn;
namespace fs = std::filesystem;

namespace {

// A LLaVA-HR-7B config as its training code writes it (vicuna-7b fields abridged to what the reader needs).
nlohmann::json hr7b() {
  return {{"hidden_size", 4096}, {"intermediate_size", 11008}, {"num_hidden_layers", 32}, {"num_attention_heads", 32},
          {"vocab_size", 32000}, {"rms_norm_eps", 1e-5}, {"mm_vision_tower", "openai/clip-vit-large-patch14-336"},
          {"mm_hidden_size", 1024}, {"mm_projector_type", "mlp2x_gelu"}, {"mm_vision_select_layer", -2},
          {"image_aspect_ratio", "pad"}, {"is_multipath_encoder", true}, {"input_image_size", 1024},
          {"vision_tower_slow", "convnext_large_mlp.clip_laion2b_ft_320"}, {"freeze_vision", false}};
}

LlavaConfig load_json(const nlohmann::json& j, const std::string& name) {
  const fs::path dir = dpn::test::scratch_dir("hr_cfg_" + name);
  std::ofstream(dir / "config.json") << j.dump();
  return load_llava_config(dir.string());
}

std::string load_error(const nlohmann::json& j, const std::string& name) {
  try {
    load_json(j, name);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(LlavaHrConfig, Hr7bGeometry) {
  LlavaConfig c = load_json(hr7b(), "7b");  // no CLIP folder: the known CLIP-L/14-336 shape is used
  ASSERT_TRUE(c.multipath.enabled);
  EXPECT_EQ(c.vision.hidden, 1024);
  EXPECT_EQ(c.vision.layers, 24);
  EXPECT_EQ(c.vision.patch_size, 14);
  EXPECT_EQ(c.multipath.slow.dims, (std::vector<int>{192, 384, 768, 1536}));
  EXPECT_EQ(c.multipath.slow.depths, (std::vector<int>{3, 3, 27, 3}));
  EXPECT_DOUBLE_EQ(c.multipath.slow.ln_eps, 1e-6);
  EXPECT_TRUE(c.multipath.adapters);
  EXPECT_EQ(c.multipath.fast_size(c.vision), 448);  // max(int(1024/32*14), 336)
  EXPECT_EQ(c.multipath.fast_grid(c.vision), 32);
  EXPECT_EQ(c.multipath.slow.grid(1024), 32);
  EXPECT_EQ(c.input_size(), 1024);
  EXPECT_EQ(c.base_grid(), 32);
  EXPECT_EQ(c.vision_layers_to_run(), 24);  // all layers: the -2 select layer is ignored by the HR tower
}

TEST(LlavaHrConfig, HrX13bAndPrepooling) {
  nlohmann::json j = hr7b();
  j["hidden_size"] = 5120;
  j["num_hidden_layers"] = 40;
  j["num_attention_heads"] = 40;
  j["intermediate_size"] = 13824;
  j["vision_tower_slow"] = "convnext_xxlarge.clip_laion2b_soup";
  j["pooling"] = {{"pooling_type", "static"}, {"prepooling", true}};
  LlavaConfig c = load_json(j, "x13b");
  EXPECT_EQ(c.multipath.slow.dims, (std::vector<int>{384, 768, 1536, 3072}));
  EXPECT_EQ(c.multipath.slow.depths, (std::vector<int>{3, 4, 30, 3}));
  EXPECT_DOUBLE_EQ(c.multipath.slow.ln_eps, 1e-5);
  EXPECT_EQ(c.base_grid(), 16);  // prepooling halves the 32x32 grid
  j["input_image_size"] = 1536;  // "HR-X larger": the arithmetic scales
  c = load_json(j, "x13b_1536");
  EXPECT_EQ(c.multipath.fast_size(c.vision), 672);
  EXPECT_EQ(c.multipath.fast_grid(c.vision), 48);
  EXPECT_EQ(c.multipath.slow.grid(1536), 48);
}

TEST(LlavaHrConfig, SmallInputKeepsTheClipSize) {
  nlohmann::json j = hr7b();
  j["input_image_size"] = 512;
  LlavaConfig c = load_json(j, "512");
  EXPECT_EQ(c.multipath.fast_size(c.vision), 336);  // max(224, 336)
  EXPECT_EQ(c.multipath.fast_grid(c.vision), 24);
  EXPECT_EQ(c.multipath.slow.grid(512), 16);
}

TEST(LlavaHrConfig, FrozenVisionHasNoAdapters) {
  nlohmann::json j = hr7b();
  j["freeze_vision"] = true;
  EXPECT_FALSE(load_json(j, "frozen").multipath.adapters);
}

TEST(LlavaHrConfig, UnsupportedVariantsAreNamed) {
  nlohmann::json j = hr7b();
  j["vision_tower_slow"] = "convnext_base_clip";
  EXPECT_NE(load_error(j, "base").find("vision_tower_slow 'convnext_base_clip' is not supported"), std::string::npos);
  j = hr7b();
  j.erase("vision_tower_slow");
  EXPECT_NE(load_error(j, "noslow").find("vision_tower_slow"), std::string::npos);
  j = hr7b();
  j["mm_vision_tower"] = "openai/clip-vit-base-patch16";  // not the known tower and no folder: must be found
  EXPECT_NE(load_error(j, "noclip").find("not found"), std::string::npos);
  j = hr7b();
  j["mm_projector_type"] = "tokenpacker";
  EXPECT_NE(load_error(j, "tp").find("tokenpacker"), std::string::npos);
  j = hr7b();
  j["slow_vision_config"] = {{"dims", {8, 16, 24}}, {"depths", {1, 1, 1}}};
  EXPECT_NE(load_error(j, "3stages").find("4 stages"), std::string::npos);
}

TEST(LlavaHrConfig, Llava15IsUnchanged) {
  LlavaConfig c = load_llava_config(dpn::test::golden_dir() + "/llava_orig");
  EXPECT_FALSE(c.multipath.enabled);
  EXPECT_EQ(c.input_size(), c.vision.image_size);
  EXPECT_EQ(c.base_grid(), c.vision.grid());
  EXPECT_EQ(c.vision_layers_to_run(), c.vision.layers - 1);
}

}  // namespace

// The model description (model/config.h): complete before any weight is read, from config.json and the tensor names,
// and never changed by loading; the FLOPs shape derives from it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error_of.h"
#include "core/golden_fixture.h"
#include "core/scratch_dir.h"
#include "flops/model_shape.h"
#include "io/safetensors.h"
#include "io/safetensors_writer.h"
#include "model/config.h"
#include "model/llava_model.h"
#include "util/error.h"

namespace fs = std::filesystem;
using namespace dpn;
using namespace dpn::test;

namespace {


// The fields loading could be tempted to change.
void expect_same(const LlavaConfig& a, const LlavaConfig& b) {
  EXPECT_EQ(a.layout, b.layout);
  EXPECT_EQ(a.projector, b.projector);
  EXPECT_EQ(a.names.llm, b.names.llm);
  EXPECT_EQ(a.names.lm_head, b.names.lm_head);
  EXPECT_EQ(a.names.vision, b.names.vision);
  EXPECT_EQ(a.names.projector, b.names.projector);
  EXPECT_EQ(a.tokenpacker.scale, b.tokenpacker.scale);
  EXPECT_EQ(a.tokenpacker.heads, b.tokenpacker.heads);
  EXPECT_EQ(a.vision_layers_to_run(), b.vision_layers_to_run());
}

}  // namespace

TEST(ModelDescription, LayoutAndNamesComeFromTheTensorNames) {
  const LlavaConfig orig = load_llava_config(golden_dir() + "/llava_orig");
  EXPECT_TRUE(orig.weights_found);
  EXPECT_EQ(orig.layout, Layout::Original);
  EXPECT_EQ(orig.names.llm, "model.");
  EXPECT_EQ(orig.names.lm_head, "lm_head.weight");
  EXPECT_EQ(orig.names.vision, "vision_model.");  // in the tower's own folder
  EXPECT_EQ(fs::path(orig.vision_dir).filename(), "tiny-clip-golden");
  const LlavaConfig legacy = load_llava_config(golden_dir() + "/llava_hf");
  EXPECT_EQ(legacy.layout, Layout::HfLegacy);
  EXPECT_EQ(legacy.names.llm, "language_model.model.");
  EXPECT_EQ(legacy.names.lm_head, "language_model.lm_head.weight");
  EXPECT_EQ(legacy.names.vision, "vision_tower.vision_model.");
  EXPECT_EQ(legacy.names.projector, "multi_modal_projector.");
  const LlavaConfig fresh = load_llava_config(golden_dir() + "/llava_hf_new");
  EXPECT_EQ(fresh.layout, Layout::HfNew);
  EXPECT_EQ(fresh.names.llm, "model.language_model.");
  EXPECT_EQ(fresh.names.lm_head, "lm_head.weight");
  EXPECT_EQ(fresh.names.vision, "model.vision_tower.vision_model.");
}

TEST(ModelDescription, TokenPackerIsKnownBeforeLoadingAndLoadingChangesNothing) {
  // The golden TokenPacker checkpoint says mm_projector_type "mlp2x_gelu" (as the official scripts write it).
  const std::string dir = golden_dir() + "/methods/tokenpacker";
  const LlavaConfig c = load_llava_config(dir);
  EXPECT_EQ(c.projector, ProjectorKind::TokenPacker);
  EXPECT_EQ(c.vision_layers_to_run(), 11);  // the deepest multi-level layer
  const flops::ModelShape shape = flops::model_shape(c);
  EXPECT_EQ(shape.projector.kind, flops::ProjectorShape::Kind::TokenPacker);
  EXPECT_EQ(shape.projector.embed, 16);
  EXPECT_EQ(shape.projector.multi_level_in, 64);
  EXPECT_EQ(shape.projector.packer_heads, 2);
  EXPECT_EQ(shape.image_tokens, 16);
  auto m = load_llava_model(dir, "", at::kFloat);
  expect_same(m->cfg, c);
  for (const char* other : {"/llava_orig", "/llava_hf", "/llava_hf_new", "/methods/dpn_v1"}) {
    const LlavaConfig before = load_llava_config(golden_dir() + other);
    expect_same(load_llava_model(golden_dir() + other, "", at::kFloat)->cfg, before);
  }
}

TEST(ModelDescription, AConfigOnlyFolderIsDescribedButNotLoaded) {
  const fs::path d = scratch_dir("desc") / "config_only";
  fs::create_directories(d);
  fs::copy(golden_dir() + "/llava_hf/config.json", d / "config.json");
  const LlavaConfig c = load_llava_config(d.string());
  EXPECT_FALSE(c.weights_found);
  EXPECT_EQ(flops::model_shape(c).llm.kv_heads, 2);
  const std::string e = error_of([&] { load_llava_weights(c, at::kFloat); });
  EXPECT_NE(e.find("no *.safetensors"), std::string::npos) << e;
}

TEST(ModelDescription, MissingClipL336IsAShapeForFlopsAndAClearErrorForLoading) {
  const fs::path d = scratch_dir("desc") / "llava_7b_config";
  fs::create_directories(d);
  std::ofstream(d / "config.json") << R"({"hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
      "num_attention_heads": 4, "vocab_size": 512, "mm_vision_tower": "openai/clip-vit-large-patch14-336",
      "mm_hidden_size": 1024, "mm_projector_type": "mlp2x_gelu"})";
  const LlavaConfig c = load_llava_config(d.string());
  EXPECT_EQ(c.vision.hidden, 1024);
  EXPECT_EQ(flops::model_shape(c).image_tokens, 576);
  const std::string e = error_of([&] { load_llava_weights(c, at::kFloat); });
  EXPECT_NE(e.find("mm_vision_tower 'openai/clip-vit-large-patch14-336' not found"), std::string::npos) << e;
  EXPECT_NE(e.find("--vision-tower"), std::string::npos) << e;
}

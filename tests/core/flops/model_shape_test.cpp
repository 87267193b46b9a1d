// Model shapes for FLOPs: the golden fixtures' config.json in both layouts, defaults of sparse configs, presets.
#include "flops/model_shape.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "util/error.h"

namespace fs = std::filesystem;
using namespace dpn::flops;

namespace {

const std::string kGolden = std::string(DPN_TEST_DATA) + "/golden";

// A scratch folder holding one config.json, removed at the end of the test.
struct ConfigDir {
  fs::path dir;
  explicit ConfigDir(const std::string& config_json) {
    static int counter = 0;
    dir = fs::temp_directory_path() / ("dpn_flops_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::create_directories(dir);
    std::ofstream(dir / "config.json") << config_json;
  }
  ~ConfigDir() { fs::remove_all(dir); }
};

}  // namespace

// tests/data/golden/llava_orig/config.json + its tower tests/data/golden/tiny-clip-golden/config.json
// (found as a sibling folder named like the last component of mm_vision_tower "openai/tiny-clip-golden").
TEST(ModelShape, OriginalLayoutGoldenFixture) {
  const ModelShape s = model_shape_from_folder(kGolden + "/llava_orig");
  EXPECT_EQ(s.llm.layers, 4);
  EXPECT_EQ(s.llm.hidden, 64);
  EXPECT_EQ(s.llm.ffn, 128);
  EXPECT_EQ(s.llm.heads, 4);
  EXPECT_EQ(s.llm.kv_heads, 4);
  EXPECT_EQ(s.llm.vocab, 512);
  EXPECT_EQ(s.vision.kind, VisionShape::Kind::Clip);
  EXPECT_EQ(s.vision.hidden, 32);
  EXPECT_EQ(s.vision.ffn, 64);
  EXPECT_EQ(s.vision.heads, 2);
  EXPECT_EQ(s.vision.layers, 2);   // select layer -2 of 3
  EXPECT_EQ(s.vision.image, 48);
  EXPECT_EQ(s.vision.patch, 6);
  EXPECT_EQ(s.vision.tokens, 65);  // 8x8 patches + CLS
  EXPECT_EQ(s.projector.kind, ProjectorShape::Kind::Mlp2x);
  EXPECT_EQ(s.projector.in, 32);
  EXPECT_EQ(s.projector.out, 64);
  EXPECT_EQ(s.image_tokens, 64);
  EXPECT_EQ(s.grid_h, 8);
  EXPECT_EQ(s.grid_w, 8);
}

// tests/data/golden/llava_hf/config.json: text_config with GQA (4 heads, 2 kv heads), vision_config 42 px / 6.
TEST(ModelShape, HfLayoutGoldenFixture) {
  const ModelShape s = model_shape_from_folder(kGolden + "/llava_hf");
  EXPECT_EQ(s.llm.layers, 4);
  EXPECT_EQ(s.llm.hidden, 64);
  EXPECT_EQ(s.llm.ffn, 128);
  EXPECT_EQ(s.llm.heads, 4);
  EXPECT_EQ(s.llm.kv_heads, 2);
  EXPECT_EQ(s.llm.vocab, 520);
  EXPECT_EQ(s.llm.kv_width(), 32);
  EXPECT_EQ(s.vision.hidden, 32);
  EXPECT_EQ(s.vision.layers, 2);
  EXPECT_EQ(s.vision.tokens, 50);  // 7x7 + CLS
  EXPECT_EQ(s.image_tokens, 49);   // = image_seq_length in the same file
  EXPECT_EQ(s.grid_h, 7);
}

// llava-detail.md §3.4: a sparse text_config/vision_config takes LlamaConfig / CLIPVisionConfig defaults.
TEST(ModelShape, HfSparseConfigTakesLibraryDefaults) {
  ConfigDir d(R"({"architectures": ["LlavaForConditionalGeneration"], "text_config": {"vocab_size": 32064}})");
  const ModelShape s = model_shape_from_folder(d.dir.string());
  EXPECT_EQ(s.llm.hidden, 4096);
  EXPECT_EQ(s.llm.ffn, 11008);
  EXPECT_EQ(s.llm.layers, 32);
  EXPECT_EQ(s.llm.heads, 32);
  EXPECT_EQ(s.llm.kv_heads, 32);
  EXPECT_EQ(s.llm.vocab, 32064);
  EXPECT_EQ(s.vision.hidden, 768);
  EXPECT_EQ(s.vision.ffn, 3072);
  EXPECT_EQ(s.vision.heads, 12);
  EXPECT_EQ(s.vision.layers, 11);  // -2 of the default 12
  EXPECT_EQ(s.vision.tokens, 50);  // 224 / 32 = 7 -> 49 + CLS
}

TEST(ModelShape, OriginalLayoutWithAbsentClipL336UsesItsKnownShape) {
  ConfigDir d(R"({"hidden_size": 4096, "intermediate_size": 11008, "num_hidden_layers": 32,
                  "num_attention_heads": 32, "vocab_size": 32000,
                  "mm_vision_tower": "openai/clip-vit-large-patch14-336", "mm_hidden_size": 1024,
                  "mm_projector_type": "mlp2x_gelu", "mm_vision_select_layer": -2})");
  const ModelShape s = model_shape_from_folder(d.dir.string());
  EXPECT_EQ(s.vision.layers, 23);
  EXPECT_EQ(s.vision.hidden, 1024);
  EXPECT_EQ(s.vision.ffn, 4096);
  EXPECT_EQ(s.vision.heads, 16);
  EXPECT_EQ(s.vision.tokens, 577);
  EXPECT_EQ(s.image_tokens, 576);
  EXPECT_EQ(s.llm.kv_heads, 32);  // defaults to the head count
}

TEST(ModelShape, TokenPackerConfigEmitsFewerTokens) {
  ConfigDir d(R"({"mm_vision_tower": "openai/clip-vit-large-patch14-336", "mm_projector_type": "tokenpacker",
                  "scale_factor": 3})");
  const ModelShape s = model_shape_from_folder(d.dir.string());
  EXPECT_EQ(s.projector.kind, ProjectorShape::Kind::TokenPacker);
  EXPECT_EQ(s.image_tokens, 64);
  EXPECT_EQ(s.grid_h, 8);
}

TEST(ModelShape, ErrorsNameTheField) {
  {
    ConfigDir d(R"({"mm_vision_tower": "someone/unknown-tower"})");
    try {
      model_shape_from_folder(d.dir.string());
      FAIL() << "an unknown absent tower must be an error";
    } catch (const dpn::Error& e) {
      EXPECT_NE(std::string(e.what()).find("mm_vision_tower 'someone/unknown-tower'"), std::string::npos) << e.what();
    }
  }
  {
    ConfigDir d(R"({"text_config": {"num_attention_heads": 32, "num_key_value_heads": 5}})");
    try {
      model_shape_from_folder(d.dir.string());
      FAIL() << "heads not a multiple of kv heads must be an error";
    } catch (const dpn::Error& e) {
      EXPECT_NE(std::string(e.what()).find("num_key_value_heads 5"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("text_config"), std::string::npos) << e.what();
    }
  }
  {
    ConfigDir d(R"({"text_config": {"hidden_size": "big"}})");
    EXPECT_THROW(model_shape_from_folder(d.dir.string()), dpn::Error);
  }
  EXPECT_THROW(model_shape_from_folder("/nonexistent/dpn/model"), dpn::Error);
}

TEST(ModelShape, PresetsFromTheReferenceNotes) {
  const ModelShape s7 = model_shape_preset("llava-1.5-7b");
  EXPECT_EQ(s7.llm.hidden, 4096);
  EXPECT_EQ(s7.llm.ffn, 11008);
  EXPECT_EQ(s7.llm.layers, 32);
  EXPECT_EQ(s7.image_tokens, 576);
  const ModelShape s13 = model_shape_preset("llava-1.5-13b");
  EXPECT_EQ(s13.llm.hidden, 5120);
  EXPECT_EQ(s13.llm.ffn, 13824);
  EXPECT_EQ(s13.llm.layers, 40);
  EXPECT_EQ(s13.projector.out, 5120);
  const ModelShape hr = model_shape_preset("llava-hr-x-13b");
  EXPECT_EQ(hr.image_tokens, 1024);
  EXPECT_EQ(hr.grid_h, 32);
  EXPECT_EQ(hr.vision.kind, VisionShape::Kind::LlavaHr);
  EXPECT_EQ(model_shape_preset("llava-hr-7b").llm.layers, 32);
  try {
    model_shape_preset("llava-2");
    FAIL();
  } catch (const dpn::Error& e) {
    EXPECT_NE(std::string(e.what()).find("llava-1.5-7b"), std::string::npos) << "the error lists the presets";
  }
  // A folder wins over a preset name.
  EXPECT_EQ(resolve_model_shape(kGolden + "/llava_hf").llm.vocab, 520);
  EXPECT_EQ(resolve_model_shape("llava-1.5-13b").llm.layers, 40);
}

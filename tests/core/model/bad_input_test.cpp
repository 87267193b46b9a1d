// Bad input is a clear error naming the file and the problem, never a crash: checkpoints, images, questions.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/golden_fixture.h"
#include "dpn.h"
#include "image/preprocess.h"
#include "io/safetensors.h"
#include "io/safetensors_writer.h"
#include "model/llava_model.h"
#include "util/error.h"
#include "core/scratch_dir.h"
#include "core/model/scratch_model.h"

namespace fs = std::filesystem;
using namespace dpn;
using namespace dpn::test;

namespace {

std::string load_error(const fs::path& dir) {
  try {
    load_llava_model(dir.string(), "", at::kFloat);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

// Rewrites model.safetensors without `drop`, or with `reshape` given a new shape.
void rewrite_weights(const fs::path& file, const std::string& drop, const std::string& reshape = "", std::vector<int64_t> shape = {}) {
  std::vector<uint8_t> copy;
  std::vector<RawTensor> out;
  {
    SafetensorsFile f(file.string());
    size_t total = 0;
    for (const auto& t : f.tensors()) total += t.nbytes;
    copy.resize(total);
    size_t off = 0;
    for (auto t : f.tensors()) {
      if (t.name == drop) continue;
      std::memcpy(copy.data() + off, t.data, t.nbytes);
      t.data = reinterpret_cast<const std::byte*>(copy.data() + off);
      off += t.nbytes;
      if (t.name == reshape) {
        int64_t n = 1;
        for (auto d : shape) n *= d;
        ASSERT_EQ(n, t.numel()) << "test bug: reshape must keep the element count";
        t.shape = shape;
      }
      out.push_back(t);
    }
  }
  write_safetensors(file.string(), out);
}

}  // namespace

TEST(BadCheckpoint, TruncatedWeights) {
  fs::path d = copy_model("llava_orig");
  fs::resize_file(d / "model.safetensors", fs::file_size(d / "model.safetensors") - 100);
  std::string e = load_error(d);
  EXPECT_NE(e.find("model.safetensors"), std::string::npos) << e;
  EXPECT_NE(e.find("beyond the data buffer"), std::string::npos) << e;
}

TEST(BadCheckpoint, MissingTensorIsNamed) {
  fs::path d = copy_model("llava_orig");
  rewrite_weights(d / "model.safetensors", "model.layers.2.mlp.up_proj.weight");
  std::string e = load_error(d);
  EXPECT_NE(e.find("missing tensor 'model.layers.2.mlp.up_proj.weight'"), std::string::npos) << e;
}

TEST(BadCheckpoint, ShapeDisagreeingWithConfigIsNamed) {
  fs::path d = copy_model("llava_orig");
  rewrite_weights(d / "model.safetensors", "", "model.layers.1.self_attn.q_proj.weight", {32, 128});
  std::string e = load_error(d);
  EXPECT_NE(e.find("'model.layers.1.self_attn.q_proj.weight' has shape [32, 128] but the config implies [64, 64]"), std::string::npos) << e;
}

TEST(BadCheckpoint, ConfigDisagreeingWithWeights) {
  fs::path d = copy_model("llava_hf");
  edit_config(d, [](nlohmann::json& j) { j["text_config"]["intermediate_size"] = 96; });
  std::string e = load_error(d);
  EXPECT_NE(e.find("mlp.gate_proj.weight' has shape [128, 64] but the config implies [96, 64]"), std::string::npos) << e;
}

TEST(BadCheckpoint, UnexpectedTensorIsReported) {
  fs::path d = copy_model("llava_hf_new");
  {
    std::vector<float> extra(4, 0.f);
    SafetensorsFile f((d / "model.safetensors").string());
    std::vector<RawTensor> ts = f.tensors();
    ts.push_back(RawTensor{"model.language_model.layers.0.mystery.weight", DType::F32, {4},
                           reinterpret_cast<const std::byte*>(extra.data()), 16, ""});
    write_safetensors((d / "model2.safetensors").string(), ts);
  }
  fs::remove(d / "model.safetensors");
  std::string e = load_error(d);
  EXPECT_NE(e.find("unexpected tensor"), std::string::npos) << e;
  EXPECT_NE(e.find("model.language_model.layers.0.mystery.weight"), std::string::npos) << e;
}

TEST(BadCheckpoint, MissingShardNamedByIndex) {
  fs::path d = copy_model("llava_hf");
  fs::remove(d / "model-00002-of-00002.safetensors");
  std::string e = load_error(d);
  EXPECT_NE(e.find("model-00002-of-00002.safetensors"), std::string::npos) << e;
  EXPECT_NE(e.find("missing"), std::string::npos) << e;
}

TEST(BadCheckpoint, MissingTokenizer) {
  fs::path d = copy_model("llava_orig");
  fs::remove(d / "tokenizer.model");
  std::string e = load_error(d);
  EXPECT_NE(e.find("tokenizer.model"), std::string::npos) << e;
  EXPECT_NE(e.find("missing tokenizer"), std::string::npos) << e;
}

TEST(BadCheckpoint, CorruptTokenizer) {
  fs::path d = copy_model("llava_orig");
  std::ofstream(d / "tokenizer.model", std::ios::trunc) << "not a sentencepiece model";
  std::string e = load_error(d);
  EXPECT_NE(e.find("cannot load SentencePiece model"), std::string::npos) << e;
}

TEST(BadCheckpoint, MissingVisionTower) {
  fs::path d = copy_model("llava_orig");
  fs::remove_all(d.parent_path() / "tiny-clip-golden");
  std::string e = load_error(d);
  EXPECT_NE(e.find("mm_vision_tower 'openai/tiny-clip-golden' not found"), std::string::npos) << e;
  EXPECT_NE(e.find("--vision-tower"), std::string::npos) << e;
}

TEST(BadCheckpoint, InvalidConfigJson) {
  fs::path d = copy_model("llava_orig");
  std::ofstream(d / "config.json", std::ios::trunc) << "{\"hidden_size\": 64,";
  std::string e = load_error(d);
  EXPECT_NE(e.find("config.json"), std::string::npos) << e;
  EXPECT_NE(e.find("invalid JSON"), std::string::npos) << e;
}

TEST(BadCheckpoint, PoolingLayerBeyondDepth) {
  fs::path d = copy_model("llava_orig");
  edit_config(d, [](nlohmann::json& j) {
    j["pooling"] = {{"pooling_type", "static"}, {"pooling_layers", {{{"index", 9}, {"kernel_size", {2, 2}}, {"stride", {2, 2}}}}}};
  });
  std::string e = load_error(d);
  EXPECT_NE(e.find("pooling layer index 9 does not exist"), std::string::npos) << e;
}

TEST(BadImage, MissingEmptyAndUndecodable) {
  const fs::path d = scratch_dir("badimg");
  std::ofstream(d / "empty.png").close();
  std::ofstream(d / "text.png") << "this is not an image";
  auto err = [](const fs::path& p) {
    try {
      load_image_rgb(p.string());
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_NE(err(d / "nope.png").find("not found"), std::string::npos);
  EXPECT_NE(err(d / "empty.png").find("empty (0 bytes)"), std::string::npos);
  EXPECT_NE(err(d / "text.png").find("not a readable image"), std::string::npos);
  EXPECT_NE(err(d / "text.png").find("text.png"), std::string::npos);
}

TEST(BadQuestion, EmptyQuestionIsRefused) {
  ModelOptions mo;
  mo.path = golden_dir() + "/llava_hf";
  auto model = Model::load(mo);
  AskOptions q;
  q.image_path = golden_dir() + "/images/odd_37x23.png";
  q.question = "  \n ";
  try {
    model->ask(q);
    FAIL() << "an empty question must be refused";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("question is empty"), std::string::npos);
  }
}

// Hostile and malformed model descriptions and asks (issue 15): every size and count validated with the file and
// key in the message (no SIGFPE, no silent truncation), library messages wrapped, the context and the memory
// checked before allocating, sampling settings validated, non-finite logits reported.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include "core/error_of.h"
#include "core/model/scratch_model.h"
#include "dpn.h"
#include "io/safetensors.h"
#include "io/safetensors_writer.h"
#include "model/config.h"
#include "model/llava_model.h"
#include "model/memory_estimate.h"

namespace fs = std::filesystem;
using namespace dpn;
using namespace dpn::test;

namespace {

// The error loading the description of `dir` gives; it must name the file and contain every `parts`.
void expect_config_error(const fs::path& dir, const std::vector<std::string>& parts, const std::string& file = "config.json") {
  const std::string e = error_of([&] { load_llava_config(dir.string()); });
  EXPECT_NE(e.find(file), std::string::npos) << e;
  for (const auto& p : parts) EXPECT_NE(e.find(p), std::string::npos) << "missing '" << p << "' in: " << e;
}

AskOptions golden_ask(int max_new_tokens = 4) {
  AskOptions q;
  q.image_path = golden_dir() + "/images/odd_37x23.png";
  q.question = "What is the color of the big square?";
  q.max_new_tokens = max_new_tokens;
  return q;
}

std::unique_ptr<Model> load(const fs::path& dir, int64_t max_memory = 0) {
  ModelOptions mo;
  mo.path = dir.string();
  mo.max_memory = max_memory;
  return Model::load(mo);
}

}  // namespace

TEST(ConfigValidation, SizesAreIntegralPositiveAndBounded) {
  const struct {
    const char* key;
    nlohmann::json value;
    const char* says;
  } cases[] = {
      {"hidden_size", 64.7, "'hidden_size' must be an integer, got 64.7"},
      {"hidden_size", 4294967360ull, "'hidden_size' is 4294967360, outside 1.."},
      {"hidden_size", -64, "'hidden_size' is -64, outside"},
      {"num_attention_heads", 0, "'num_attention_heads' is 0, outside"},
      {"num_key_value_heads", 3, "not a multiple of num_key_value_heads 3"},
      {"intermediate_size", "128", "'intermediate_size' must be an integer"},
      {"vocab_size", 1e300, "'vocab_size' is 1e+300, outside"},
      {"max_position_embeddings", 0, "'max_position_embeddings' is 0"},
      {"rope_theta", 0, "'rope_theta' is 0, outside (0"},
      {"rope_theta", -10000.0, "'rope_theta' is -10000.0"},
      {"rms_norm_eps", -1e-5, "'rms_norm_eps' is -1e-05, outside [0"},
      {"hidden_act", 5, "field 'hidden_act' has the wrong type: 5"},
      {"hidden_act", "relu", "hidden_act 'relu' is not supported"},
      {"eos_token_id", 100000, "'eos_token_id' is 100000, outside 0..511"},
      {"mm_vision_select_layer", 2.5, "'mm_vision_select_layer' must be an integer"},
      {"pooling", 5, "'pooling' must be an object"},
  };
  for (const auto& c : cases) {
    const fs::path d = copy_model("llava_orig");
    edit_config(d, [&](nlohmann::json& j) { j[c.key] = c.value; });
    SCOPED_TRACE(std::string(c.key) + " = " + c.value.dump());
    expect_config_error(d, {c.says});
  }
}

TEST(ConfigValidation, ZeroCountsThatWouldDivideByZero) {
  {  // vision num_attention_heads 0 (a SIGFPE in hidden % heads): the tower's own config.json is named
    const fs::path d = copy_model("llava_orig");
    edit_config(d.parent_path() / "tiny-clip-golden", [](nlohmann::json& j) { j["num_attention_heads"] = 0; });
    expect_config_error(d, {"tiny-clip-golden", "'num_attention_heads' is 0"});
  }
  {  // patch_size 0 and a tower that is wider than its heads allow
    const fs::path d = copy_model("llava_hf");
    edit_config(d, [](nlohmann::json& j) { j["vision_config"]["patch_size"] = 0; });
    expect_config_error(d, {"vision_config", "'patch_size' is 0"});
    edit_config(d, [](nlohmann::json& j) { j["vision_config"]["patch_size"] = 6, j["vision_config"]["num_attention_heads"] = 3; });
    expect_config_error(d, {"vision_config", "hidden_size 32 is not divisible by num_attention_heads 3"});
  }
  {  // TokenPacker scale_factor 0 and num_heads 0
    const fs::path d = copy_model("methods/tokenpacker");
    edit_config(d, [](nlohmann::json& j) { j["scale_factor"] = 0; });
    expect_config_error(d, {"'scale_factor' is 0"});
    edit_config(d, [](nlohmann::json& j) { j["scale_factor"] = 2, j["tokenpacker"]["num_heads"] = 0; });
    expect_config_error(d, {"tokenpacker", "'num_heads' is 0"});
    edit_config(d, [](nlohmann::json& j) { j["tokenpacker"]["num_heads"] = 5; });
    expect_config_error(d, {"num_heads 5 does not divide the width 16"});
    edit_config(d, [](nlohmann::json& j) { j["tokenpacker"]["num_heads"] = 2, j["scale_factor"] = 3; });
    expect_config_error(d, {"scale_factor 3 does not divide the 8-token grid side"});
  }
  {  // a pooling kernel too large to be a kernel
    const fs::path d = copy_model("methods/dpn_v1");
    edit_config(d, [](nlohmann::json& j) { j["pooling"]["pooling_layers"][0]["kernel_size"][2] = {4294967360ull, 2}; });
    expect_config_error(d, {"pooling", "'kernel_size' is 4294967360"});
  }
}

TEST(ConfigValidation, WrongTypesAreWrappedWithTheFile) {
  const fs::path d = copy_model("llava_hf");
  edit_config(d, [](nlohmann::json& j) { j["text_config"] = 5; });
  expect_config_error(d, {"text_config", "must be an object"});
  edit_config(d, [](nlohmann::json& j) { j["text_config"] = nlohmann::json::object(), j["vision_feature_select_strategy"] = 7; });
  expect_config_error(d, {"vision_feature_select_strategy", "wrong type"});
  std::ofstream(d / "config.json", std::ios::trunc) << "[1, 2]";
  expect_config_error(d, {"expected a JSON object"});
}

TEST(ConfigValidation, TokenizerThatIsAFolder) {
  const fs::path d = copy_model("llava_orig");
  fs::remove(d / "tokenizer.model");
  fs::create_directory(d / "tokenizer.model");
  const std::string e = error_of([&] { load_llava_model(d.string(), "", at::kFloat); });
  EXPECT_NE(e.find("tokenizer.model"), std::string::npos) << e;
  EXPECT_NE(e.find("is not a file"), std::string::npos) << e;
}

// Positions the golden ask takes (prompt with its 64 image tokens) on llava_orig.
int golden_prompt_tokens() {
  static const int n = load(golden_dir() + "/llava_orig")->ask(golden_ask(1)).prompt_tokens;
  return n;
}

TEST(AskValidation, PromptLongerThanTheContext) {
  const int n = golden_prompt_tokens();
  const fs::path d = copy_model("llava_orig");
  edit_config(d, [&](nlohmann::json& j) { j["max_position_embeddings"] = n - 1; });
  auto m = load(d);
  std::string e = error_of([&] { m->ask(golden_ask()); });
  EXPECT_NE(e.find("the prompt is " + std::to_string(n) + " tokens (64 of them the image)"), std::string::npos) << e;
  EXPECT_NE(e.find("context is " + std::to_string(n - 1)), std::string::npos) << e;
  AskOptions q = golden_ask();
  q.question = std::string(2000, 'a') + "?";  // a long question: refused before anything quadratic is allocated
  e = error_of([&] { m->ask(q); });
  EXPECT_NE(e.find("shorten the question"), std::string::npos) << e;
}

TEST(AskValidation, MaxNewTokensBeyondTheContext) {
  const int n = golden_prompt_tokens();
  const fs::path d = copy_model("llava_orig");
  edit_config(d, [&](nlohmann::json& j) { j["max_position_embeddings"] = n + 5; });
  auto m = load(d);
  const std::string e = error_of([&] { m->ask(golden_ask(10)); });
  EXPECT_NE(e.find("--max-new-tokens"), std::string::npos) << e;
  EXPECT_NE(e.find("at most 6 fit"), std::string::npos) << e;
  EXPECT_EQ(m->ask(golden_ask(6)).tokens.size() <= 6, true);
}

TEST(AskValidation, SamplingSettings) {
  auto m = load(golden_dir() + "/llava_hf");
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  for (float t : {nan, inf, -1.f}) {
    AskOptions q = golden_ask();
    q.temperature = t;
    EXPECT_NE(error_of([&] { m->ask(q); }).find("--temperature"), std::string::npos) << t;
  }
  for (float p : {nan, 2.f, 0.f, -1.f}) {
    AskOptions q = golden_ask();
    q.temperature = 1;
    q.top_p = p;
    EXPECT_NE(error_of([&] { m->ask(q); }).find("--top-p"), std::string::npos) << p;
  }
  AskOptions q = golden_ask();
  q.max_new_tokens = 0;
  EXPECT_NE(error_of([&] { m->ask(q); }).find("--max-new-tokens"), std::string::npos);
}

TEST(AskValidation, NonFiniteLogitsAreAnErrorNotAnEmptyAnswer) {
  const fs::path d = copy_model("llava_orig");
  {  // every weight NaN
    SafetensorsFile f((d / "model.safetensors").string());
    std::vector<std::vector<float>> data;
    std::vector<RawTensor> out;
    for (RawTensor t : f.tensors()) {
      data.emplace_back(size_t(t.numel()), std::numeric_limits<float>::quiet_NaN());
      t.data = reinterpret_cast<const std::byte*>(data.back().data());
      out.push_back(t);
    }
    write_safetensors((d / "nan.safetensors").string(), out);
  }
  fs::remove(d / "model.safetensors");
  auto m = load(d);
  const std::string e = error_of([&] { m->ask(golden_ask()); });
  EXPECT_NE(e.find("non-finite logits"), std::string::npos) << e;
  EXPECT_NE(e.find(d.string()), std::string::npos) << e;
}

TEST(MemoryBudget, RefusedBeforeLoadingAndBeforeAsking) {
  const std::string dir = golden_dir() + "/llava_orig";
  const LlavaConfig c = load_llava_config(dir);
  const MemoryEstimate e = estimate_memory(c, 200, 4);
  EXPECT_GT(e.weights, 4 * 200000);  // about 240 k parameters in the LLM and 60 k in the tower, fp32
  EXPECT_EQ(e.kv_cache, int64_t(4) * 2 * 4 * 16 * 200 * 4);
  std::string err = error_of([&] { load(dir, 64 * 1024); });
  EXPECT_NE(err.find("--max-memory"), std::string::npos) << err;
  EXPECT_NE(err.find("needs about"), std::string::npos) << err;
  // Enough for the weights and a short answer, not for 5000 tokens of context.
  auto m = load(dir, e.weights + 8 * 1024 * 1024);
  EXPECT_NO_THROW(m->ask(golden_ask(2)));
  const fs::path d = copy_model("llava_orig");
  edit_config(d, [](nlohmann::json& j) { j["max_position_embeddings"] = 100000; });
  auto big = load(d, e.weights + 8 * 1024 * 1024);
  err = error_of([&] { big->ask(golden_ask(20000)); });
  EXPECT_NE(err.find("--max-memory"), std::string::npos) << err;
  EXPECT_NE(err.find("KV cache"), std::string::npos) << err;
}

TEST(MemoryBudget, AvailableMemoryIsKnown) { EXPECT_GT(available_memory(), 0); }

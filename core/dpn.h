// DPN Studio engine: the public API. No LibTorch, no Qt: views and the CLI include only this header.
//
// Usage:
//   dpn::ModelOptions mo;  mo.path = "resources/models/demo-dpn";     // or a LLaVA checkpoint folder
//   auto model = dpn::Model::load(mo);                                 // mmaps the weights, validates every tensor
//   dpn::AskOptions q;  q.image_path = "cat.png";  q.question = "What colour is the cat?";
//   dpn::AskResult r = model->ask(q);                                  // r.answer, r.tokens, r.timing, r.trace
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace dpn {

struct ModelOptions {
  std::string path;          // checkpoint folder, or a built-in name resolved under the resources folder
  std::string vision_tower;  // original LLaVA layout: the CLIP folder, overriding config.json's mm_vision_tower
  std::string dtype = "f32"; // f32 | bf16
  std::string device = "cpu";// cpu | cuda (when the linked LibTorch has CUDA)
  int threads = 0;           // 0: all cores
};

struct AskOptions {
  std::string image_path;
  std::string question;
  std::string method = "none";  // none (this issue); compression methods are added by the methods module
  int max_new_tokens = 64;
  float temperature = 0.f;      // 0: greedy
  float top_p = 1.f;
  uint64_t seed = 0;
  bool stop_at_eos = true;
  // Called with the text decoded so far after each generated token; return false to cancel.
  std::function<bool(const std::string& partial)> on_token;
};

struct Timing {
  double load_image_ms = 0, preprocess_ms = 0, vision_ms = 0, projector_ms = 0, prefill_ms = 0, decode_ms = 0;
  int decode_steps = 0;
};

struct AskResult {
  std::string answer;
  std::vector<int> tokens;          // generated ids (EOS excluded)
  std::vector<int> prompt_ids;      // with -200 where the image goes
  int visual_tokens = 0;            // entering the LLM
  int prompt_tokens = 0;            // sequence length of the prefill
  bool cancelled = false;
  std::string stop_reason;          // eos | max_tokens | cancelled
  Timing timing;
  int64_t kv_cache_bytes = 0;
};

struct ModelInfo {
  std::string path, layout, dtype, device;
  int llm_layers = 0, hidden = 0, heads = 0, kv_heads = 0, vocab = 0;
  int image_size = 0, patch_size = 0, grid = 0, vision_layers = 0;
  int64_t parameters = 0;
  std::vector<int> dpe_layers;
};

class Model {
 public:
  static std::unique_ptr<Model> load(const ModelOptions& options);
  ~Model();
  AskResult ask(const AskOptions& options);
  ModelInfo info() const;
  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  explicit Model(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Resolves a built-in model name (e.g. "demo-dpn") to its folder under the resources folder; other values are
// returned unchanged. The resources folder is $DPN_RESOURCES, else the one next to the executable, else the source.
std::string resolve_model_path(const std::string& name_or_path);
std::string resources_dir();

}  // namespace dpn

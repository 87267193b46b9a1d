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
  int64_t max_memory = 0;    // bytes the model may use (weights, KV cache, prefill buffers); 0: what the machine has
};                           // available. Loading and asking refuse what the estimate says cannot fit.

// What a run did, layer by layer: plain data produced by the engine and drawn by the views.
// Visual tokens are described by the cells of the BASE grid (the vision tower's patch grid) they cover; ImageGeometry
// maps base-grid cells to pixels of the original image (through LLaVA's pad-to-square).
struct ImageGeometry {
  int orig_w = 0, orig_h = 0;       // original image size in pixels
  int side = 0;                     // padded square side (max(orig_w, orig_h))
  int offset_x = 0, offset_y = 0;   // where the original sits inside the square
  int input_size = 0;               // the vision tower's input side (e.g. 336)
  int grid_h = 0, grid_w = 0;       // base grid (e.g. 24 x 24)
};

struct TokenRegion {                // base-grid cells covered by one visual token: the half-open rectangle
  int r0 = 0, c0 = 0, r1 = 0, c1 = 0;  // rows [r0, r1) x columns [c0, c1), all of it unless `cells` says otherwise
  std::vector<int> cells;           // row-major base-grid indices when the token covers only some of the rectangle
};                                  // (a merge of scattered tokens); empty: the whole rectangle

struct LayerTrace {
  int layer = 0;
  int seq_len = 0;                  // tokens this decoder layer processed in prefill
  int visual = 0;                   // visual tokens among them
  int grid_h = 0, grid_w = 0;       // their grid; 0 x 0 when the survivors are not a grid (FastV)
  std::vector<TokenRegion> regions; // one per visual token, in sequence order
  std::vector<float> attention;     // on request: attention each visual token receives from the last prompt token
  double ms = 0;                    // prefill wall time of the layer
  double flops = 0;                 // prefill FLOPs of the layer (exact count)
  int64_t kv_bytes = 0;             // this layer's KV cache after generation
};

struct RouterTrace {                // one DPE layer's decision (DPN's payload in the per-layer record)
  int layer = 0;
  std::vector<std::pair<int, int>> experts;  // (kernel_h, kernel_w) per expert
  std::vector<float> probs;         // softmax(logits / 10)
  int chosen = 0;                   // expert index used
  bool overridden = false;          // forced by the user (what-if)
  int grid_before_h = 0, grid_before_w = 0, grid_after_h = 0, grid_after_w = 0;
};

struct StageTrace {
  std::string name;                 // load_image, preprocess, vision, projector, prefill, decode
  double ms = 0;
  double flops = 0;
};

struct RunTrace {
  ImageGeometry image;
  std::vector<LayerTrace> layers;
  std::vector<RouterTrace> routers;  // the router decisions of the layers that had one, in layer order
  std::vector<StageTrace> stages;
  // FLOPs of what ran (core/flops, counted from the per-layer record): decoder layers with the method's work, the
  // final norm + LM head on the last prefill row, the decode passes (each with its own logits), vision, projector.
  double llm_prefill_flops = 0, lm_head_flops = 0, llm_decode_flops = 0, vision_flops = 0, projector_flops = 0;
  int decode_passes = 0;            // decode forward passes (the first token comes from prefill)
  double total_flops() const { return vision_flops + projector_flops + llm_prefill_flops + lm_head_flops + llm_decode_flops; }
};

struct AskOptions {
  std::string image_path;
  std::string question;
  // none | dpn | static:L=K,... (K = 2 or 2x1 ...) | fastv:k=2,r=0.5[,rank=last|mean] | tokenpacker
  std::string method = "none";
  std::vector<std::pair<int, int>> overrides;  // DPN what-if: force expert E at layer L
  bool trace = true;                // fill AskResult::trace (cheap)
  bool trace_attention = false;     // also record attention received per visual token and layer (costs time)
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
  RunTrace trace;
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

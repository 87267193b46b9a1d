// A loaded LLaVA model (config, weights, tokenizer) and the steps before the decoder: image encoding and the
// splice of visual tokens into the embedded prompt. N visual tokens, L sequence length, D hidden.
#pragma once
#include <ATen/core/Tensor.h>

#include <memory>
#include <string>
#include <vector>

#include "model/config.h"
#include "model/weights.h"
#include "text/tokenizer.h"

namespace dpn {

struct LlavaModel {
  LlavaConfig cfg;
  LlavaWeights weights;
  std::unique_ptr<Tokenizer> tokenizer;
  at::ScalarType dtype;
};

// Loads the tokenizer and the weights of a described model (tokenizer first: a missing tokenizer fails before
// weights are mapped).
std::unique_ptr<LlavaModel> load_llava_model(const LlavaConfig& config, at::ScalarType dtype, at::Device device = at::kCPU);
// load_llava_model(load_llava_config(dir, vision_override), ...).
std::unique_ptr<LlavaModel> load_llava_model(const std::string& dir, const std::string& vision_override, at::ScalarType dtype,
                                             at::Device device = at::kCPU);

// pixels [3, S, S] -> visual tokens in LLM space [N, D] (vision tower + projector).
at::Tensor encode_image(const LlavaModel& m, const at::Tensor& pixels, double* vision_ms = nullptr, double* projector_ms = nullptr);

// ids with one kImageSentinel -> inputs_embeds [L, D] with the visual tokens in place of the sentinel.
struct EmbeddedPrompt {
  at::Tensor embeds;       // [L, D]
  int64_t visual_start = 0;
  int64_t visual_count = 0;
  int grid_h = 0, grid_w = 0;  // the visual tokens' grid (the vision tower's patch grid, or the projector's)
  int cell = 1;                // base-grid cells per visual token along each side (TokenPacker: its scale)
};
EmbeddedPrompt embed_prompt(const LlavaModel& m, const std::vector<int>& ids, const at::Tensor& visual);

}  // namespace dpn

// The hook through which token-compression methods act on the decoder's sequence between layers.
// The `none` method is the absence of one.
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>

namespace dpn {

struct LlamaLayerWeights;
struct AttentionRequest;

// The prefill sequence as it flows through the decoder.
struct SeqState {
  at::Tensor x;               // [L, D] hidden states
  at::Tensor positions;       // [L] int64 RoPE positions
  int64_t visual_start = 0;   // the contiguous run of visual tokens
  int64_t visual_count = 0;
  int grid_h = 0, grid_w = 0; // current visual grid (visual_count == grid_h * grid_w while it is a grid)
};

class TokenMethod {
 public:
  virtual ~TokenMethod() = default;
  // Called before and after decoder layer `layer` in the prefill pass. May shorten the sequence.
  virtual void before_layer(int layer, SeqState& s) {}
  virtual void after_layer(int layer, SeqState& s) {}
  // If it returns true, the layer's attention probabilities for the rows set in `req` are computed.
  virtual bool wants_attention(int layer, const SeqState& s, AttentionRequest& req) { return false; }
  virtual void on_attention(int layer, const SeqState& s, const at::Tensor& probs) {}
  // RoPE position of the token decoded at `step` (0-based) in `layer` whose cache holds `cache_len` entries.
  virtual int64_t decode_position(int layer, int64_t cache_len, int64_t prefill_len, int64_t step) { return cache_len; }
};

}  // namespace dpn

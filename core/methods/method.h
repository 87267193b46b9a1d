// The hook through which token-compression methods act on the decoder's sequence between layers.
// The `none` method is the absence of one.
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

#include "dpn.h"

namespace dpn {

struct AttentionRequest;

// The prefill sequence as it flows through the decoder.
struct SeqState {
  at::Tensor x;                       // [L, D] hidden states
  at::Tensor positions;               // [L] int64 RoPE positions
  int64_t visual_start = 0;           // the contiguous run of visual tokens
  int64_t visual_count = 0;
  int grid_h = 0, grid_w = 0;         // current visual grid (visual_count == grid_h * grid_w while it is a grid)
  std::vector<TokenRegion> regions;   // base-grid cells covered by each visual token, in sequence order
  int64_t router_pos = -1;            // index of the <ROUTER> token, or -1

  int64_t length() const { return x.size(0); }
  // Replaces the visual run by `visual` ([n', D]); text after it shifts. Positions become 0..L'-1 (DPN re-indexes)
  // unless `visual_positions` ([n']) is given: then the text keeps its positions and the visual run gets those (FastV).
  void splice_visual(const at::Tensor& visual, const at::Tensor& visual_positions = {});
  // Takes a whole new sequence whose visual run (same start) now has `visual_count` tokens; positions re-indexed.
  void replace_visual(const at::Tensor& new_x, int64_t visual_count);
};

class TokenMethod {
 public:
  virtual ~TokenMethod() = default;
  // Called before and after decoder layer `layer` in the prefill pass. May shorten the sequence.
  virtual void before_layer(int layer, SeqState& s) {}
  virtual void after_layer(int layer, SeqState& s) {}
  // Rows (indices into the layer's sequence) whose attention probabilities the method needs from this layer; empty
  // for none. on_attention then receives [Tk]: the attention each key receives, mean over heads and those rows.
  virtual std::vector<int64_t> attention_rows(int layer, const SeqState& s) { return {}; }
  virtual void on_attention(int layer, const SeqState& s, const at::Tensor& probs) {}
  // RoPE position of the token decoded at `step` (0-based) in `layer` whose cache holds `cache_len` entries.
  virtual int64_t decode_position(int layer, int64_t cache_len, int64_t prefill_len, int64_t step) { return cache_len; }
  // Decisions for the trace.
  std::vector<RouterTrace> routers;
  std::vector<int> fastv_kept;
};

}  // namespace dpn

// PyramidDrop's rank and drop at each stage boundary; see pdrop.h.
#include "methods/pdrop.h"

#include <ATen/ATen.h>

#include <algorithm>

#include "flops/flops.h"
#include "model/llama.h"
#include "util/error.h"

namespace dpn {

void PDropMethod::before_layer(int layer, SeqState& s, LayerAction& action) {
  if (layer == 0) image_tokens_ = s.visual_count;
  const auto it = std::find(o_.layers.begin(), o_.layers.end(), layer);
  if (it == o_.layers.end() || s.visual_count == 0) return;
  const int64_t keep = flops::pdrop_kept_count(image_tokens_, o_.ratios[size_t(it - o_.layers.begin())]);
  if (keep <= 0) throw Error("pdrop", "ratio keeps none of the " + std::to_string(image_tokens_) + " image tokens");
  if (keep > s.visual_count)
    throw Error("pdrop", "layer " + std::to_string(layer) + " would keep " + std::to_string(keep) + " of " +
                             std::to_string(s.visual_count) + " image tokens (ratios must not increase)");
  // The last prompt token's attention under this layer's norm, q, k and RoPE; heads averaged; image columns.
  const int64_t L = s.length();
  at::Tensor probs = llama_attention_rows(m_.weights.llm.layers[size_t(layer)], m_.cfg.text, s.x, s.positions, {L - 1});
  at::Tensor scores = probs.mean(0)[0].narrow(0, s.visual_start, s.visual_count).cpu();
  s.keep_visual(top_k_in_order(scores, keep), /*keep_positions=*/false);  // positions re-indexed 0..L'-1
  action.work.rank_key_rows = action.work.rank_keys = L;
  action.work.rank_rows = 1;
  action.work.rank_visual = scores.size(0);
}

}  // namespace dpn

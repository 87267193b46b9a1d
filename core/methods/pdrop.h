// PyramidDrop (Xing et al., CVPR 2025; more-baselines.md §1): the decoder in stages. Before each stage boundary layer
// l_s the image tokens are ranked by the attention the last prompt token pays them under layer l_s's own input norm,
// q/k projections and RoPE (at the current positions; softmax in fp32, mean over heads), and the top
// int(N * ratio_s) of the ORIGINAL N are kept in their original order with all text. Positions are re-indexed densely
// after each drop; each layer caches only what it processed, and a decoded token's position in a layer is that
// layer's own cache length (the official per-stage shift of int(N r_s) - int(N r_s+1) amounts to the same).
// Follows Cooperx521/PyramidDrop llava/model/modeling_llama_pdrop.py (pdrop_forward, pdrop_rank_drop).
#pragma once
#include <vector>

#include "methods/method.h"
#include "model/llava_model.h"

namespace dpn {

struct PDropOptions {
  std::vector<int> layers{8, 16, 24};            // stage boundaries
  std::vector<double> ratios{0.5, 0.25, 0.125};  // fraction of the original image tokens kept from each boundary on
};

class PDropMethod : public TokenMethod {
 public:
  PDropMethod(const LlavaModel& model, PDropOptions options) : m_(model), o_(std::move(options)) {}
  void before_layer(int layer, SeqState& s, LayerAction& action) override;

 private:
  const LlavaModel& m_;
  PDropOptions o_;
  int64_t image_tokens_ = -1;  // N, the image tokens entering the decoder
};

}  // namespace dpn

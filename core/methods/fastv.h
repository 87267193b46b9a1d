// FastV (Chen et al., ECCV 2024; baselines-and-llava.md): after layer K-1, rank the image tokens by the attention
// they receive — from the last prompt token (the official code) or averaged over all query tokens (the paper's text) —
// keep the top int((1 - R) * N) in their original order, drop the rest. Kept tokens keep their ORIGINAL position ids;
// layers >= K (and their KV caches) see only the kept tokens. Decoded tokens continue the original positions.
#pragma once
#include "methods/method.h"

namespace dpn {

struct FastVOptions {
  int k = 2;
  double r = 0.5;
  bool rank_by_mean = false;  // false: last prompt token (official code); true: mean over all query tokens
};

class FastVMethod : public TokenMethod {
 public:
  explicit FastVMethod(FastVOptions o) : o_(o) {}
  std::vector<int64_t> attention_rows(int layer, const SeqState& s) override;
  void on_attention(int layer, const SeqState& s, const at::Tensor& received, LayerAction& action) override;
  void before_layer(int layer, SeqState& s, LayerAction& action) override;
  int64_t decode_position(int layer, int64_t cache_len, int64_t prefill_len, int64_t step) override;

 private:
  FastVOptions o_;
  at::Tensor scores_;  // [N] attention received by each image token at layer K-1
};

}  // namespace dpn

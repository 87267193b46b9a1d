// SparseVLM (Zhang et al., ICML 2025; more-baselines.md §3), the pinned v1.5/main path (USE_VERSION 1_0): text
// raters are chosen once from the decoder's input (visual x text dot products, softmax over the text, mean over the
// visual tokens; the text tokens after the image scoring above their mean); each pruning layer runs on every token
// and caches them all, then its attention (mean over heads and raters) ranks the visual tokens and only the top
// min(count, v - 1) leave it, in their original order with all text. Positions are re-indexed densely; a decoded
// token's position in a layer is that layer's own cache length.
//   version 2.0 ("SparseVLM+"): the probabilities are divided by a RoPE-only weight map (ones as q and k), only the
//   `heads` heads with the most rater-to-visual mass are averaged, the kept tokens keep their ORIGINAL positions and
//   decoded tokens continue them.
//   recycle (v1.5, approximate): of the pruned tokens the best int(0.3 p) + 1 by score are clustered (DPC-kNN) into
//   int(that / 10) + 1 mean tokens inserted after the kept ones. The official code breaks density ties with random
//   noise of 1e-6; this one by index, so results agree where densities differ by more than that.
// Follows Gumpest/SparseVLMs llava/model/language_model/modelling_sparse_llama.py (LlamaDynamicvitModel.forward),
// score.py (attn_postprocess_topk, select_attn_head_by_sum) and utils.py (cluster_and_merge) at main 26a5f48.
#pragma once
#include <vector>

#include "methods/method.h"
#include "model/llava_model.h"

namespace dpn {

struct SparseVlmOptions {
  std::vector<int> layers{2, 6, 15};
  std::vector<int> counts{300, 200, 110};
  int version = 1;       // 1 = v1.5/main, 2 = v2.0
  int heads = 14;        // v2.0: heads averaged (at most the model's)
  bool recycle = false;  // v1.5 only
};

class SparseVlmMethod : public TokenMethod {
 public:
  SparseVlmMethod(const LlavaModel& model, SparseVlmOptions options) : m_(model), o_(std::move(options)) {}
  void before_layer(int layer, SeqState& s, LayerAction& action) override;
  std::vector<int64_t> attention_rows(int layer, const SeqState& s) override;
  void on_attention(int layer, const SeqState& s, const at::Tensor& received, LayerAction& action) override;
  bool attention_per_head(int layer) const override { return o_.version == 2 && stage(layer) >= 0; }
  void on_attention_heads(int layer, const SeqState& s, const at::Tensor& rows_per_head, LayerAction& action) override;
  void after_layer(int layer, SeqState& s, LayerAction& action) override;
  int64_t decode_position(int layer, int64_t cache_len, int64_t prefill_len, int64_t step) override;

 private:
  int stage(int layer) const;  // index into layers, or -1
  const LlavaModel& m_;
  SparseVlmOptions o_;
  std::vector<int64_t> raters_;  // rater offsets from the first token after the visual run
  at::Tensor scores_;            // [v] scores of the visual tokens at the current pruning layer
};

}  // namespace dpn

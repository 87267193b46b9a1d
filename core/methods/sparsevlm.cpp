// SparseVLM's raters, per-layer ranking, pruning and recycling; see sparsevlm.h. v visual tokens, R raters.
#include "methods/sparsevlm.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

#include "flops/flops.h"
#include "methods/dpc_cluster.h"
#include "model/llama.h"
#include "util/error.h"

namespace dpn {

int SparseVlmMethod::stage(int layer) const {
  const auto it = std::find(o_.layers.begin(), o_.layers.end(), layer);
  return it == o_.layers.end() ? -1 : int(it - o_.layers.begin());
}

void SparseVlmMethod::before_layer(int layer, SeqState& s, LayerAction& action) {
  if (layer != 0 || s.visual_count == 0) return;
  // Raters on the decoder's input: M = softmax over the text of V T^T, mean over the visual rows, above its mean.
  const int64_t text_start = s.visual_start + s.visual_count, t = s.length() - text_start;
  if (t <= 0) throw Error("sparsevlm", "no text follows the image: nothing can rate the visual tokens");
  at::Tensor v = s.x.narrow(0, s.visual_start, s.visual_count).to(at::kFloat);
  at::Tensor txt = s.x.narrow(0, text_start, t).to(at::kFloat);
  at::Tensor m = at::softmax(at::matmul(v, txt.t()), 1).mean(0).cpu();  // [t]
  at::Tensor idx = (m > m.mean()).nonzero().flatten().contiguous();
  raters_.assign(idx.data_ptr<int64_t>(), idx.data_ptr<int64_t>() + idx.numel());
  if (raters_.empty()) throw Error("sparsevlm", "no text token scores above the mean: no raters");
  action.work.rater_visual = s.visual_count;
  action.work.rater_text = t;
}

std::vector<int64_t> SparseVlmMethod::attention_rows(int layer, const SeqState& s) {
  if (stage(layer) < 0 || s.visual_count == 0) return {};
  std::vector<int64_t> rows;
  for (int64_t r : raters_) rows.push_back(s.visual_start + s.visual_count + r);
  return rows;
}

void SparseVlmMethod::on_attention(int layer, const SeqState& s, const at::Tensor& received, LayerAction& action) {
  // received: mean over heads and rater rows of the layer's probabilities (score.py attn_postprocess_topk).
  scores_ = received.narrow(0, s.visual_start, s.visual_count).cpu();
  action.work.rank_rows = int64_t(raters_.size());
  action.work.rank_keys = received.size(0);
  action.work.rank_visual = s.visual_count;
}

void SparseVlmMethod::on_attention_heads(int layer, const SeqState& s, const at::Tensor& per_head, LayerAction& action) {
  // v2.0: probabilities / RoPE weights, where the weight of (row i, column j) is RoPE(ones, pos_i) . RoPE(ones, pos_j)
  // / sqrt(Dh); the heads with the largest rater-to-visual sum are averaged, then the raters.
  const TextConfig& tc = m_.cfg.text;
  const int64_t Dh = tc.head_dim(), H = per_head.size(0);
  std::vector<int64_t> rows = attention_rows(layer, s);
  at::Tensor pos = s.positions.cpu();
  at::Tensor ones = at::ones({Dh}, at::TensorOptions().dtype(at::kFloat));
  at::Tensor flip = at::cat({-at::ones({Dh / 2}), at::ones({Dh / 2})});  // rotate_half(ones)
  auto rotated = [&](const at::Tensor& p) {
    RopeTables r = rope_tables(p, Dh, tc.rope_theta, at::kFloat);
    return r.cos * ones + r.sin * flip;  // [n, Dh]
  };
  at::Tensor qr = rotated(pos.index_select(0, at::tensor(rows, at::TensorOptions().dtype(at::kLong))));
  at::Tensor kr = rotated(pos.narrow(0, s.visual_start, s.visual_count));
  at::Tensor weight = at::matmul(qr, kr.t()) / std::sqrt(double(Dh));                      // [R, v]
  at::Tensor a = per_head.cpu().narrow(2, s.visual_start, s.visual_count) / weight;         // [H, R, v]
  at::Tensor heads = std::get<1>(a.sum(at::IntArrayRef({1, 2})).topk(std::min<int64_t>(o_.heads, H)));
  scores_ = a.index_select(0, heads).mean(0).mean(0);
  action.work.rank_per_head = true;
}

void SparseVlmMethod::after_layer(int layer, SeqState& s, LayerAction& action) {
  const int st = stage(layer);
  if (st < 0 || s.visual_count == 0) return;
  if (!scores_.defined() || scores_.size(0) != s.visual_count)
    throw Error("sparsevlm", "no attention was recorded at layer " + std::to_string(layer));
  const int64_t v = s.visual_count, keep = flops::sparsevlm_kept_count(v, o_.counts[size_t(st)]);
  at::Tensor kept = top_k_in_order(scores_, keep);  // one visual token: min(count, 0) keeps none, as topk(0) does
  if (!o_.recycle) {
    s.keep_visual(kept, /*keep_positions=*/o_.version == 2);
    scores_ = at::Tensor();
    return;
  }
  // Recycling: the best int(0.3 p) + 1 pruned tokens by score (in score order), clustered, inserted after the kept.
  at::Tensor is_kept = at::zeros({v}, at::TensorOptions().dtype(at::kBool)).index_fill_(0, kept, true);
  at::Tensor pruned = is_kept.logical_not().nonzero().flatten();
  const int64_t n = flops::sparsevlm_recycle_inputs(pruned.size(0)), k = flops::sparsevlm_recycled_count(pruned.size(0));
  at::Tensor chosen = pruned.index_select(0, std::get<1>(scores_.index_select(0, pruned).topk(n)));
  at::Tensor visual = s.x.narrow(0, s.visual_start, v);
  Clusters c = dpc_knn_cluster(visual.index_select(0, chosen.to(s.x.device())), k);
  std::vector<TokenRegion> regions;
  const int64_t* kp = kept.data_ptr<int64_t>();
  for (int64_t i = 0; i < keep && !s.regions.empty(); ++i) regions.push_back(s.regions[size_t(kp[i])]);
  const int64_t* cp = chosen.data_ptr<int64_t>();
  for (int64_t j = 0; j < k && !s.regions.empty(); ++j) {
    std::vector<int64_t> members;
    for (int64_t i = 0; i < n; ++i)
      if (c.assignment[size_t(i)] == j) members.push_back(cp[i]);
    regions.push_back(s.merge_regions(members));
  }
  s.splice_visual(at::cat({visual.index_select(0, kept.to(s.x.device())), c.merged}, 0));  // dense positions
  s.regions = std::move(regions);
  s.grid_h = s.grid_w = 0;
  scores_ = at::Tensor();
  action.work.recycle_in = n;
  action.work.recycle_out = k;
}

int64_t SparseVlmMethod::decode_position(int layer, int64_t cache_len, int64_t prefill_len, int64_t step) {
  return o_.version == 2 ? prefill_len + step : cache_len;  // v2.0 keeps the original positions
}

}  // namespace dpn

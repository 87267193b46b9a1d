// FastV token dropping; see fastv.h.
#include "methods/fastv.h"

#include <ATen/ATen.h>

#include <cmath>

#include "flops/flops.h"
#include "util/error.h"

namespace dpn {

std::vector<int64_t> FastVMethod::attention_rows(int layer, const SeqState& s) {
  if (layer != o_.k - 1 || s.visual_count == 0) return {};
  if (!o_.rank_by_mean) return {s.length() - 1};
  std::vector<int64_t> rows(s.length());
  for (int64_t i = 0; i < s.length(); ++i) rows[i] = i;
  return rows;
}

void FastVMethod::on_attention(int layer, const SeqState& s, const at::Tensor& received, LayerAction& action) {
  if (layer != o_.k - 1) return;
  // received [Tk]: the attention each key receives, averaged over heads and the query rows.
  scores_ = received.narrow(0, s.visual_start, s.visual_count).cpu();
  action.work.rank_rows = o_.rank_by_mean ? s.length() : 1;
  action.work.rank_keys = s.length();
  action.work.rank_visual = s.visual_count;
}

void FastVMethod::before_layer(int layer, SeqState& s, LayerAction& action) {
  // Ranked with layer K-1's attention; dropped from layer K's input on (the reference prunes there).
  if (layer != o_.k || s.visual_count == 0) return;
  if (!scores_.defined()) throw Error("fastv", "no attention was recorded at layer " + std::to_string(layer));
  const int64_t keep = flops::fastv_kept_count(s.visual_count, o_.r);
  if (keep <= 0) throw Error("fastv", "r = " + std::to_string(o_.r) + " would drop every image token");
  at::Tensor top = std::get<1>(scores_.topk(keep, /*dim=*/0, /*largest=*/true, /*sorted=*/true));
  at::Tensor idx = std::get<0>(top.sort());  // original order
  at::Tensor idx_dev = idx.to(s.x.device());
  at::Tensor visual = s.x.narrow(0, s.visual_start, s.visual_count).index_select(0, idx_dev);
  at::Tensor pos = s.positions.narrow(0, s.visual_start, s.visual_count).index_select(0, idx_dev);
  std::vector<TokenRegion> regions;
  const int64_t* ip = idx.data_ptr<int64_t>();
  for (int64_t i = 0; i < keep; ++i) regions.push_back(s.regions[size_t(ip[i])]);
  s.splice_visual(visual, pos);
  s.regions = std::move(regions);
  s.grid_h = s.grid_w = 0;  // the survivors no longer form a grid
}

int64_t FastVMethod::decode_position(int layer, int64_t cache_len, int64_t prefill_len, int64_t step) {
  return prefill_len + step;  // generated tokens follow the ORIGINAL sequence positions
}

}  // namespace dpn

// One DPE step per configured layer; see dpn_method.h.
#include "methods/dpn_method.h"

#include <ATen/ATen.h>

#include "methods/device_kernels.h"
#include "methods/dpe_pooling.h"
#include "methods/router.h"
#include "util/error.h"

namespace dpn {

DpnMethod::DpnMethod(const LlavaModel& model, DpnOptions options) : m_(model), o_(std::move(options)), rng_(o_.seed) {
  for (const auto& [layer, expert] : o_.overrides) {
    auto it = std::find_if(o_.layers.begin(), o_.layers.end(), [&](const PoolingLayer& p) { return p.index == layer; });
    if (it == o_.layers.end()) throw Error("--override", "layer " + std::to_string(layer) + " is not a DPE layer of this model");
    if (expert < 0 || expert >= int(it->experts.size()))
      throw Error("--override", "layer " + std::to_string(layer) + " has " + std::to_string(it->experts.size()) +
                                    " experts; expert " + std::to_string(expert) + " does not exist");
  }
}

void DpnMethod::before_layer(int layer, SeqState& s, LayerAction& action) {
  if (o_.location == PoolLocation::Pre) pool(layer, s, action);
}

void DpnMethod::after_layer(int layer, SeqState& s, LayerAction& action) {
  if (o_.location == PoolLocation::Post) pool(layer, s, action);
}

void DpnMethod::pool(int layer, SeqState& s, LayerAction& action) {
  auto it = std::find_if(o_.layers.begin(), o_.layers.end(), [&](const PoolingLayer& p) { return p.index == layer; });
  if (it == o_.layers.end()) return;
  const PoolingLayer& pl = *it;
  // Guards: too few visual tokens, or fewer than the largest expert's kernel area.
  int max_area = 0;
  for (auto [kh, kw] : pl.experts) max_area = std::max(max_area, kh * kw);
  if (s.visual_count < kDpnMinPoolTokens || s.visual_count < max_area) return;
  if (s.grid_h * s.grid_w != s.visual_count)
    throw Error("pooling", "layer " + std::to_string(layer) + ": the " + std::to_string(s.visual_count) +
                               " visual tokens are not a grid (square or H x 2H grids are supported)");

  RouterTrace rt;
  rt.layer = layer;
  rt.experts = pl.experts;
  rt.grid_before_h = s.grid_h;
  rt.grid_before_w = s.grid_w;
  int chosen = 0;
  float scale = 1.f;
  bool scaled = false;
  if (o_.type == PoolingType::Adaptive) {
    const RouterWeights& rw = m_.weights.llm.layers[layer].router;
    if (!rw.predictor.defined()) throw Error(m_.cfg.model_dir, "layer " + std::to_string(layer) + " has no router weights");
    const int64_t pos = s.router_pos >= 0 ? s.router_pos : s.length() - 1;
    at::Tensor probs = router_probs(rw, m_.cfg.pooling.router_version, s.x[pos]).cpu();
    rt.probs.assign(probs.data_ptr<float>(), probs.data_ptr<float>() + probs.numel());
    chosen = int(probs.argmax().item<int64_t>());
    auto ov = o_.overrides.find(layer);
    if (ov != o_.overrides.end()) {
      chosen = ov->second;
      rt.overridden = true;
    }
    scale = rt.probs[chosen];  // the pooled tokens are multiplied by the chosen expert's probability, 1x1 included
    scaled = true;
  } else if (o_.type == PoolingType::Random) {
    chosen = int(std::uniform_int_distribution<int>(0, int(pl.experts.size()) - 1)(rng_));
  }
  rt.chosen = chosen;
  const auto [kh, kw] = pl.experts[chosen];
  const int nh = s.grid_h / kh, nw = s.grid_w / kw;
  if (nh == 0 || nw == 0)
    throw Error("pooling", "layer " + std::to_string(layer) + ": expert " + std::to_string(kh) + "x" + std::to_string(kw) +
                               " on a " + std::to_string(s.grid_h) + "x" + std::to_string(s.grid_w) + " grid would leave no token");

  if (o_.function == PoolFunction::Conv) {  // learned depthwise experts (a 1x1 conv expert is a per-channel scale): torch ops
    at::Tensor visual = s.x.narrow(0, s.visual_start, s.visual_count);
    at::Tensor pooled = pool_visual_grid(visual, s.grid_h, s.grid_w, kh, kw, o_.function, m_.weights.llm.layers[layer].conv_experts.at(chosen));
    s.splice_visual(scaled ? pooled * scale : pooled);
  } else {  // max / avg: one pass (a CUDA kernel for CUDA tensors), scaled by p (1 for static/random)
    s.replace_visual(dpe_pool_sequence(s.x, s.visual_start, s.grid_h, s.grid_w, kh, kw, o_.function, scaled ? scale : 1.f),
                     int64_t(nh) * nw);
  }

  // Regions: each pooled token covers the union of its window's cells (the regions still describe the old grid).
  std::vector<TokenRegion> regions;
  regions.reserve(size_t(nh) * nw);
  std::vector<int64_t> window;
  for (int r = 0; r < nh; ++r)
    for (int c = 0; c < nw; ++c) {
      window.clear();
      for (int dr = 0; dr < kh; ++dr)
        for (int dc = 0; dc < kw; ++dc) window.push_back(int64_t(r * kh + dr) * s.grid_w + c * kw + dc);
      regions.push_back(s.merge_regions(window));
    }
  action.work.pool_in = int64_t(rt.grid_before_h) * rt.grid_before_w;
  action.work.pool_out = int64_t(nh) * nw;
  action.work.kernel_h = kh;
  action.work.kernel_w = kw;
  action.work.scaled = scaled;
  action.work.router_experts = rt.probs.empty() ? 0 : int(rt.probs.size());
  s.regions = std::move(regions);  // positions were re-indexed 0..L'-1
  s.grid_h = nh;
  s.grid_w = nw;
  rt.grid_after_h = nh;
  rt.grid_after_w = nw;
  action.router = rt;
}

}  // namespace dpn

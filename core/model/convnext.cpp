// ConvNeXt forward as timm computes it with conv_mlp = false (the LLaVA-HR variants): channels-first LayerNorm by
// permuting to channels-last, block MLP as Linear layers over channels-last, exact GELU.
#include "model/convnext.h"

#include <ATen/ATen.h>

namespace dpn {

namespace {

// timm LayerNorm2d: LayerNorm over the channels of [1, C, H, W].
at::Tensor layer_norm_2d(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b, double eps) {
  return at::layer_norm(x.permute({0, 2, 3, 1}), {x.size(1)}, w, b, eps).permute({0, 3, 1, 2});
}

// [1, C, H, W] -> [1, C, H, W]: dw 7x7 -> LN -> Linear C->4C -> GELU -> Linear 4C->C -> layer scale -> + x.
at::Tensor convnext_block(const ConvNextBlockWeights& w, double eps, const at::Tensor& x) {
  const int64_t C = x.size(1);
  at::Tensor h = at::conv2d(x, w.dw_w, w.dw_b, 1, 3, 1, C).permute({0, 2, 3, 1});  // [1, H, W, C]
  h = at::layer_norm(h, {C}, w.ln_w, w.ln_b, eps);
  h = at::linear(at::gelu(at::linear(h, w.fc1_w, w.fc1_b)), w.fc2_w, w.fc2_b);
  return x + (h * w.scale).permute({0, 3, 1, 2});
}

}  // namespace

at::Tensor convnext_forward(const ConvNextWeights& w, const SlowVisionConfig& cfg, const at::Tensor& pixels,
                            std::vector<at::Tensor>* stage_outputs) {
  at::Tensor x = pixels.to(w.stem_w.scalar_type()).unsqueeze(0);                  // [1, 3, S, S]
  x = layer_norm_2d(at::conv2d(x, w.stem_w, w.stem_b, 4), w.stem_ln_w, w.stem_ln_b, cfg.ln_eps);  // [1, C_0, S/4, S/4]
  for (size_t s = 0; s < w.stages.size(); ++s) {
    const ConvNextStageWeights& st = w.stages[s];
    if (st.down_w.defined())                                                      // [1, C_s, H/2, W/2]
      x = at::conv2d(layer_norm_2d(x, st.down_ln_w, st.down_ln_b, cfg.ln_eps), st.down_w, st.down_b, 2);
    for (const auto& b : st.blocks) x = convnext_block(b, cfg.ln_eps, x);
    if (stage_outputs) stage_outputs->push_back(x.squeeze(0));
  }
  return x.squeeze(0);
}

}  // namespace dpn

// The timm ConvNeXt that LLaVA-HR uses as its slow, high-resolution branch (llava-detail.md §7.1): weights named
// after the checkpoint keys under `model.vision_tower.slow_vision_tower.vision_tower.` and the forward to the last
// stage. Shapes: C_s channels of stage s, S input side, H_s x W_s the stage's map.
#pragma once
#include <ATen/core/Tensor.h>

#include <vector>

#include "model/config.h"

namespace dpn {

struct ConvNextBlockWeights {      // stages.{s}.blocks.{b}.
  at::Tensor dw_w, dw_b;           // conv_dw.{weight,bias}   [C, 1, 7, 7], [C]  (depthwise, padding 3)
  at::Tensor ln_w, ln_b;           // norm.{weight,bias}      [C]
  at::Tensor fc1_w, fc1_b;         // mlp.fc1.{weight,bias}   [4C, C], [4C]
  at::Tensor fc2_w, fc2_b;         // mlp.fc2.{weight,bias}   [C, 4C], [C]
  at::Tensor scale;                // weight (timm's layer-scale gamma, renamed by LLaVA-HR) [C]
};

struct ConvNextStageWeights {      // stages.{s}.
  at::Tensor down_ln_w, down_ln_b; // downsample.0.{weight,bias} [C_{s-1}] (stages 1-3 only)
  at::Tensor down_w, down_b;       // downsample.1.{weight,bias} [C_s, C_{s-1}, 2, 2], [C_s]
  std::vector<ConvNextBlockWeights> blocks;
};

struct ConvNextWeights {
  at::Tensor stem_w, stem_b;       // stem.0.{weight,bias}    [C_0, 3, 4, 4], [C_0]
  at::Tensor stem_ln_w, stem_ln_b; // stem.1.{weight,bias}    [C_0]
  std::vector<ConvNextStageWeights> stages;  // 4
};

// pixels [3, S, S] (normalised) -> last stage map [C_3, H_3, W_3]. `stage_outputs`, if given, receives every
// stage's output [C_s, H_s, W_s] (for tests and the trace).
at::Tensor convnext_forward(const ConvNextWeights& w, const SlowVisionConfig& cfg, const at::Tensor& pixels,
                            std::vector<at::Tensor>* stage_outputs = nullptr);

}  // namespace dpn

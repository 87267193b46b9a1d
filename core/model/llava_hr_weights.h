// Weights of LLaVA-HR's dual-path vision tower beyond the fast CLIP (which loads into LlavaWeights::vision): the slow
// ConvNeXt, the three MR-adapters and the final alignment, named after the keys under `model.vision_tower.`.
// Shapes: Dv fast (CLIP) width, Cs slow (last ConvNeXt stage) width.
#pragma once
#include <ATen/core/Tensor.h>

#include <vector>

#include "model/convnext.h"

namespace dpn {

struct HrAdapterWeights {                // align_stages_latent.{k}.  (S2FStitchAlignModuleV2)
  at::Tensor slow_conv_w, slow_conv_b;   // slow_conv.{weight,bias} [Cs, Cs, 1, 1], [Cs]
  at::Tensor slow_proj_w, slow_proj_b;   // slow_proj.{weight,bias} [Dv, Cs, 1, 1], [Dv]
  at::Tensor fast_conv_w, fast_conv_b;   // fast_conv.{weight,bias} [Dv, 1, 7, 7], [Dv] (depthwise, padding 3)
  at::Tensor fast_proj_w, fast_proj_b;   // fast_proj.{weight,bias} [Dv, Dv, 1, 1], [Dv]
  at::Tensor gate1_w, gate1_b;           // gate.0.{weight,bias}    [Dv/2, 2Dv], [Dv/2]
  at::Tensor gate2_w, gate2_b;           // gate.2.{weight,bias}    [1, Dv/2], [1]
};

struct HrAlignWeights {                  // align_stages.0.  (MultiPathAlignModule)
  at::Tensor fast_w, fast_b;             // fast_proj.{weight,bias} [Dv, Dv], [Dv]
  at::Tensor slow_w, slow_b;             // slow_proj.{weight,bias} [Dv, Cs], [Dv]
};

struct HrVisionWeights {
  ConvNextWeights slow;                   // slow_vision_tower.vision_tower.*
  std::vector<HrAdapterWeights> adapters; // 3, or none when the config says freeze_vision
  HrAlignWeights align;
};

}  // namespace dpn

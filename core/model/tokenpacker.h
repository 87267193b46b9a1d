// TokenPacker (Li et al., IJCV 2025; CircleRadon/TokenPacker builder.py): coarse-to-fine region-to-point injection.
// Point queries come from the single-level CLIP map downsampled by `scale`; each attends only to the multi-level
// keys/values of its own scale x scale region. G grid side, s scale, M = (G/s)^2 output tokens, E = Dv packer width.
#pragma once
#include <ATen/core/Tensor.h>

#include "model/config.h"
#include "model/weights.h"

namespace dpn {

// single [G*G, Dv] (select layer, no CLS), multi [G*G, Dv*levels] -> LLM tokens [M, D], row-major over (G/s, G/s).
at::Tensor tokenpacker_forward(const TokenPackerWeights& w, const LlavaConfig& cfg, const at::Tensor& single, const at::Tensor& multi);

}  // namespace dpn

// The CLIP ViT vision tower as LLaVA uses it: patch embedding, class token, positions, pre-LayerNorm, encoder
// layers up to the selected hidden state, class token dropped. Dv vision hidden, N patches, S image side.
#pragma once
#include <ATen/core/Tensor.h>

#include "model/config.h"
#include "model/weights.h"

namespace dpn {

// pixels [3, S, S] (normalised) -> features [N, Dv] (or [N+1, Dv] when the config keeps the class token).
at::Tensor clip_vision_forward(const ClipWeights& w, const LlavaConfig& cfg, const at::Tensor& pixels);

// mlp2x_gelu: [N, Dv] -> [N, D].
at::Tensor projector_forward(const ProjectorWeights& w, const at::Tensor& features);

}  // namespace dpn

// The CLIP ViT vision tower as LLaVA uses it: patch embedding, class token, positions, pre-LayerNorm, encoder
// layers up to the selected hidden state, class token dropped. Dv vision hidden, N patches, S image side.
#pragma once
#include <ATen/core/Tensor.h>

#include <vector>

#include "model/config.h"
#include "model/weights.h"

namespace dpn {

// pixels [3, S, S] (normalised) -> features [N, Dv] (or [N+1, Dv] when the config keeps the class token).
at::Tensor clip_vision_forward(const ClipWeights& w, const LlavaConfig& cfg, const at::Tensor& pixels);

// HF hidden_states[i] for each requested i (0: after pre_layrnorm, i: output of layer i), class token included:
// each [N+1, Dv]. Runs only the layers loaded in `w`.
std::vector<at::Tensor> clip_hidden_states(const ClipWeights& w, const LlavaConfig& cfg, const at::Tensor& pixels,
                                           const std::vector<int>& indices);

// mlp2x_gelu: [N, Dv] -> [N, D].
at::Tensor projector_forward(const ProjectorWeights& w, const at::Tensor& features);

}  // namespace dpn

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

// The feature layer (the last encoder layer that runs: the one LLaVA takes its features from) with what vision-side
// token methods read (VisionZip, methods/method.h): its output with the class token, its softmax probabilities and
// the mean over heads of its raw keys (k_proj with bias, before any scaling). T = 1 + N tokens, H heads, Dh head dim.
struct ClipFeatureLayer {
  at::Tensor hidden;     // [T, Dv] output of the layer, class token first
  at::Tensor probs;      // [H, T, T] float32 attention probabilities
  at::Tensor keys_mean;  // [T, Dh] float32 raw keys averaged over heads
};
ClipFeatureLayer clip_feature_layer(const ClipWeights& w, const LlavaConfig& cfg, const at::Tensor& pixels);

// mlp2x_gelu: [N, Dv] -> [N, D].
at::Tensor projector_forward(const ProjectorWeights& w, const at::Tensor& features);

}  // namespace dpn

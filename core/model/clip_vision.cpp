// CLIP ViT forward (HF CLIPVisionModel semantics, llava-detail.md §1.2) and LLaVA's mlp2x_gelu projector.
#include "model/clip_vision.h"

#include <ATen/ATen.h>

#include <cmath>

namespace dpn {

namespace {

at::Tensor activation(const at::Tensor& x, VisionAct act) {
  if (act == VisionAct::QuickGelu) return x * at::sigmoid(1.702 * x);
  return at::gelu(x);
}

// One pre-norm encoder layer over [T, Dv].
at::Tensor clip_layer(const ClipLayerWeights& w, const VisionConfig& cfg, const at::Tensor& x) {
  const int64_t T = x.size(0), H = cfg.heads, Dh = cfg.hidden / cfg.heads;
  at::Tensor h = at::layer_norm(x, {cfg.hidden}, w.ln1_w, w.ln1_b, cfg.ln_eps);
  at::Tensor q = at::linear(h, w.q_w, w.q_b).view({T, H, Dh}).transpose(0, 1);  // [H, T, Dh]
  at::Tensor k = at::linear(h, w.k_w, w.k_b).view({T, H, Dh}).transpose(0, 1);
  at::Tensor v = at::linear(h, w.v_w, w.v_b).view({T, H, Dh}).transpose(0, 1);
  at::Tensor scores = at::matmul(q, k.transpose(1, 2)) * (1.0 / std::sqrt(double(Dh)));  // [H, T, T], no mask
  at::Tensor probs = at::softmax(scores, -1, at::kFloat).to(x.scalar_type());
  at::Tensor ctx = at::matmul(probs, v).transpose(0, 1).reshape({T, cfg.hidden});
  at::Tensor out = x + at::linear(ctx, w.o_w, w.o_b);
  at::Tensor m = at::layer_norm(out, {cfg.hidden}, w.ln2_w, w.ln2_b, cfg.ln_eps);
  return out + at::linear(activation(at::linear(m, w.fc1_w, w.fc1_b), cfg.act), w.fc2_w, w.fc2_b);
}

}  // namespace

std::vector<at::Tensor> clip_hidden_states(const ClipWeights& w, const LlavaConfig& cfg, const at::Tensor& pixels,
                                           const std::vector<int>& indices) {
  const VisionConfig& v = cfg.vision;
  at::Tensor x = pixels.to(w.patch_w.scalar_type()).unsqueeze(0);
  at::Tensor patches = at::conv2d(x, w.patch_w, {}, v.patch_size).flatten(2).transpose(1, 2).squeeze(0);
  at::Tensor h = at::cat({w.class_embedding.unsqueeze(0), patches}, 0) + w.pos_embedding;
  std::vector<at::Tensor> states{at::layer_norm(h, {v.hidden}, w.pre_ln_w, w.pre_ln_b, v.ln_eps)};
  for (const auto& layer : w.layers) states.push_back(clip_layer(layer, v, states.back()));
  std::vector<at::Tensor> out;
  for (int i : indices) out.push_back(states.at(size_t(i)));
  return out;
}

at::Tensor clip_vision_forward(const ClipWeights& w, const LlavaConfig& cfg, const at::Tensor& pixels) {
  const VisionConfig& v = cfg.vision;
  at::Tensor x = pixels.to(w.patch_w.scalar_type()).unsqueeze(0);                            // [1, 3, S, S]
  at::Tensor patches = at::conv2d(x, w.patch_w, {}, v.patch_size);                            // [1, Dv, G, G]
  patches = patches.flatten(2).transpose(1, 2).squeeze(0);                                   // [N, Dv], row-major grid
  at::Tensor h = at::cat({w.class_embedding.unsqueeze(0), patches}, 0) + w.pos_embedding;    // [N+1, Dv]
  h = at::layer_norm(h, {v.hidden}, w.pre_ln_w, w.pre_ln_b, v.ln_eps);                      // hidden_states[0]
  for (const auto& layer : w.layers) h = clip_layer(layer, v, h);                           // up to the select layer
  return cfg.drop_cls ? h.narrow(0, 1, h.size(0) - 1) : h;
}

at::Tensor projector_forward(const ProjectorWeights& w, const at::Tensor& features) {
  at::Tensor x = features.to(w.w1.scalar_type());
  return at::linear(at::gelu(at::linear(x, w.w1, w.b1)), w.w2, w.b2);
}

}  // namespace dpn

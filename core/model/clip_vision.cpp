// CLIP ViT forward (HF CLIPVisionModel semantics, llava-detail.md §1.2) and LLaVA's mlp2x_gelu projector.
#include "model/clip_vision.h"

#include <ATen/ATen.h>

#include "model/cpu_math.h"

#include <cmath>

namespace dpn {

namespace {

at::Tensor activation(const at::Tensor& x, VisionAct act) {
  if (act == VisionAct::QuickGelu) return x * at::sigmoid(1.702 * x);
  return at::gelu(x);
}

// One pre-norm encoder layer over [T, Dv]; `capture` receives its attention probabilities and head-mean raw keys.
at::Tensor clip_layer(const ClipLayerWeights& w, const VisionConfig& cfg, const at::Tensor& x,
                      ClipFeatureLayer* capture = nullptr) {
  const int64_t T = x.size(0), H = cfg.heads, Dh = cfg.hidden / cfg.heads;
  at::Tensor h = layernorm(x, w.ln1_w, w.ln1_b, cfg.ln_eps);
  at::Tensor q = dense(h, w.q_w, w.q_b).view({T, H, Dh}).transpose(0, 1);  // [H, T, Dh]
  at::Tensor k = dense(h, w.k_w, w.k_b).view({T, H, Dh}).transpose(0, 1);
  at::Tensor v = dense(h, w.v_w, w.v_b).view({T, H, Dh}).transpose(0, 1);
  const bool f32 = f32_compute(x);  // bf16 on a CPU without bf16 matrix units: the products in fp32 (cpu_math.h)
  at::Tensor qc = f32 ? q.to(at::kFloat) : q, kc = f32 ? k.to(at::kFloat) : k, vc = f32 ? v.to(at::kFloat) : v;
  at::Tensor scores = at::matmul(qc, kc.transpose(1, 2)) * (1.0 / std::sqrt(double(Dh)));  // [H, T, T], no mask
  at::Tensor probs = at::softmax(scores, -1, at::kFloat).to(vc.scalar_type());
  if (capture) {
    capture->probs = probs.to(at::kFloat);
    capture->keys_mean = k.to(at::kFloat).mean(0);  // [T, Dh]
  }
  at::Tensor ctx = at::matmul(probs, vc).transpose(0, 1).reshape({T, cfg.hidden}).to(x.scalar_type());
  at::Tensor out = x + dense(ctx, w.o_w, w.o_b);
  at::Tensor m = layernorm(out, w.ln2_w, w.ln2_b, cfg.ln_eps);
  return out + dense(activation(dense(m, w.fc1_w, w.fc1_b), cfg.act), w.fc2_w, w.fc2_b);
}

// Patch embedding, class token, positions, pre_layrnorm: hidden_states[0], [N+1, Dv].
at::Tensor clip_embeddings(const ClipWeights& w, const VisionConfig& v, const at::Tensor& pixels) {
  at::Tensor x = pixels.to(w.patch_w.scalar_type()).unsqueeze(0);
  at::Tensor patches = at::conv2d(x, w.patch_w, {}, v.patch_size).flatten(2).transpose(1, 2).squeeze(0);
  at::Tensor h = at::cat({w.class_embedding.unsqueeze(0), patches}, 0) + w.pos_embedding;
  return layernorm(h, w.pre_ln_w, w.pre_ln_b, v.ln_eps);
}

}  // namespace

std::vector<at::Tensor> clip_hidden_states(const ClipWeights& w, const LlavaConfig& cfg, const at::Tensor& pixels,
                                           const std::vector<int>& indices) {
  std::vector<at::Tensor> states{clip_embeddings(w, cfg.vision, pixels)};
  for (const auto& layer : w.layers) states.push_back(clip_layer(layer, cfg.vision, states.back()));
  std::vector<at::Tensor> out;
  for (int i : indices) out.push_back(states.at(size_t(i)));
  return out;
}

ClipFeatureLayer clip_feature_layer(const ClipWeights& w, const LlavaConfig& cfg, const at::Tensor& pixels) {
  at::Tensor h = clip_embeddings(w, cfg.vision, pixels);
  ClipFeatureLayer f;
  for (size_t i = 0; i < w.layers.size(); ++i)
    h = clip_layer(w.layers[i], cfg.vision, h, i + 1 == w.layers.size() ? &f : nullptr);
  f.hidden = h;
  return f;
}

at::Tensor clip_vision_forward(const ClipWeights& w, const LlavaConfig& cfg, const at::Tensor& pixels) {
  const VisionConfig& v = cfg.vision;
  at::Tensor x = pixels.to(w.patch_w.scalar_type()).unsqueeze(0);                            // [1, 3, S, S]
  at::Tensor patches = at::conv2d(x, w.patch_w, {}, v.patch_size);                            // [1, Dv, G, G]
  patches = patches.flatten(2).transpose(1, 2).squeeze(0);                                   // [N, Dv], row-major grid
  at::Tensor h = at::cat({w.class_embedding.unsqueeze(0), patches}, 0) + w.pos_embedding;    // [N+1, Dv]
  h = layernorm(h, w.pre_ln_w, w.pre_ln_b, v.ln_eps);                      // hidden_states[0]
  for (const auto& layer : w.layers) h = clip_layer(layer, v, h);                           // up to the select layer
  return cfg.drop_cls ? h.narrow(0, 1, h.size(0) - 1) : h;
}

at::Tensor projector_forward(const ProjectorWeights& w, const at::Tensor& features) {
  at::Tensor x = features.to(w.w1.scalar_type());
  return dense(at::gelu(dense(x, w.w1, w.b1)), w.w2, w.b2);
}

}  // namespace dpn

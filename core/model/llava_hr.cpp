// LLaVA-HR's MultiPathCLIPVisionTower.forward (eval, fp32 interpolation as the reference), step by step.
#include "model/llava_hr.h"

#include <ATen/ATen.h>

#include <cmath>

#include "model/convnext.h"
#include "util/error.h"

namespace dpn {

namespace {

const char* kWhere = "LLaVA-HR vision tower";

int64_t square_side(int64_t n) {
  const int64_t s = int64_t(std::lround(std::sqrt(double(n))));
  if (s * s != n) throw Error(kWhere, std::to_string(n) + " tokens do not form a square grid");
  return s;
}

// The CLIP encoder layer of clip_vision.cpp (private there): pre-norm attention + MLP over [T, Dv], no mask.
at::Tensor clip_layer(const ClipLayerWeights& w, const VisionConfig& cfg, const at::Tensor& x) {
  const int64_t T = x.size(0), H = cfg.heads, Dh = cfg.hidden / cfg.heads;
  at::Tensor h = at::layer_norm(x, {cfg.hidden}, w.ln1_w, w.ln1_b, cfg.ln_eps);
  at::Tensor q = at::linear(h, w.q_w, w.q_b).view({T, H, Dh}).transpose(0, 1);  // [H, T, Dh]
  at::Tensor k = at::linear(h, w.k_w, w.k_b).view({T, H, Dh}).transpose(0, 1);
  at::Tensor v = at::linear(h, w.v_w, w.v_b).view({T, H, Dh}).transpose(0, 1);
  at::Tensor scores = at::matmul(q, k.transpose(1, 2)) * (1.0 / std::sqrt(double(Dh)));  // [H, T, T]
  at::Tensor probs = at::softmax(scores, -1, at::kFloat).to(x.scalar_type());
  at::Tensor ctx = at::matmul(probs, v).transpose(0, 1).reshape({T, cfg.hidden});
  at::Tensor out = x + at::linear(ctx, w.o_w, w.o_b);
  at::Tensor m = at::linear(at::layer_norm(out, {cfg.hidden}, w.ln2_w, w.ln2_b, cfg.ln_eps), w.fc1_w, w.fc1_b);
  m = cfg.act == VisionAct::QuickGelu ? m * at::sigmoid(1.702 * m) : at::gelu(m);
  return out + at::linear(m, w.fc2_w, w.fc2_b);
}

}  // namespace

at::Tensor resample_position_embedding(const at::Tensor& pos, int grid) {
  const int64_t D = pos.size(1), old = square_side(pos.size(0) - 1);
  at::Tensor map = pos.narrow(0, 1, old * old).to(at::kFloat).reshape({1, old, old, D}).permute({0, 3, 1, 2});
  map = at::_upsample_bicubic2d_aa(map, {grid, grid}, /*align_corners=*/false);  // [1, Dv, g, g]
  at::Tensor rows = map.permute({0, 2, 3, 1}).reshape({int64_t(grid) * grid, D}).to(pos.scalar_type());
  return at::cat({pos.narrow(0, 0, 1), rows}, 0);
}

at::Tensor align_to_grid(const at::Tensor& tokens, int64_t m) {
  const int64_t n = tokens.size(0), C = tokens.size(1);
  if (n % m != 0 && m % n != 0)
    throw Error(kWhere, "slow grid of " + std::to_string(n) + " tokens cannot be aligned to a fast grid of " +
                            std::to_string(m) + " (one count must divide the other)");
  if (n == m) return tokens;
  const int64_t s = square_side(n), d = square_side(m);
  at::Tensor map = tokens.t().reshape({1, C, s, s});
  if (n < m) map = at::upsample_bilinear2d(map.to(at::kFloat), {d, d}, /*align_corners=*/true).to(tokens.scalar_type());
  else map = at::avg_pool2d(map, {s / d, s / d}, {s / d, s / d});
  return map.reshape({C, -1}).t();
}

at::Tensor hr_adapter_forward(const HrAdapterWeights& w, const at::Tensor& fast, const at::Tensor& slow, double* gate_tanh) {
  const int64_t N = fast.size(0), D = fast.size(1), g = square_side(N);
  at::Tensor s = at::conv2d(slow.unsqueeze(0), w.slow_conv_w, w.slow_conv_b);                   // [1, Cs, h, w]
  s = at::conv2d(at::gelu(s), w.slow_proj_w, w.slow_proj_b);                                     // [1, Dv, h, w]
  s = align_to_grid(s.reshape({D, -1}).t(), N);                                                  // [N, Dv]
  at::Tensor f = fast.t().reshape({1, D, g, g});
  at::Tensor local = at::gelu(at::conv2d(f, w.fast_conv_w, w.fast_conv_b, 1, 3, 1, D));          // depthwise 7x7
  f = (f + at::conv2d(local, w.fast_proj_w, w.fast_proj_b)).reshape({D, N}).t();                 // [N, Dv]
  at::Tensor pooled = at::cat({f, s}, 1).mean(0);                                                // [2Dv]
  at::Tensor gate = at::linear(at::gelu(at::linear(pooled, w.gate1_w, w.gate1_b)), w.gate2_w, w.gate2_b).tanh();  // [1]
  if (gate_tanh) *gate_tanh = gate.item<double>();
  return f + s * gate;
}

at::Tensor hr_align_forward(const HrAlignWeights& w, const at::Tensor& fast, const at::Tensor& slow) {
  at::Tensor s = align_to_grid(slow.reshape({slow.size(0), -1}).t(), fast.size(0));  // [N, Cs]
  return at::linear(fast, w.fast_w, w.fast_b) + at::linear(s, w.slow_w, w.slow_b);
}

at::Tensor hr_vision_forward(const ClipWeights& fast, const HrVisionWeights& hr, const LlavaConfig& cfg,
                             const at::Tensor& pixels, HrVisionSteps* steps) {
  const VisionConfig& v = cfg.vision;
  const MultipathConfig& mp = cfg.multipath;
  const int64_t S = mp.input_size;
  if (pixels.dim() != 3 || pixels.size(0) != 3 || pixels.size(1) != S || pixels.size(2) != S)
    throw Error(kWhere, "expects pixels [3, " + std::to_string(S) + ", " + std::to_string(S) + "] (input_image_size), got " +
                            std::to_string(pixels.size(1)) + "x" + std::to_string(pixels.size(2)));
  const at::ScalarType dt = fast.patch_w.scalar_type();
  at::Tensor x = pixels.to(dt).unsqueeze(0);                                                    // [1, 3, S, S]

  // Fast branch input: bilinear (align corners, fp32) to F = max(int(S/32*P), CLIP size), patches, positions.
  const int64_t F = mp.fast_size(v);
  at::Tensor y = at::upsample_bilinear2d(x.to(at::kFloat), {F, F}, /*align_corners=*/true).to(dt);  // [1, 3, F, F]
  at::Tensor patches = at::conv2d(y, fast.patch_w, {}, v.patch_size).flatten(2).transpose(1, 2).squeeze(0);  // [N, Dv]
  const int64_t N = patches.size(0);
  at::Tensor pos = fast.pos_embedding;
  if (pos.size(0) != N + 1) pos = resample_position_embedding(pos, int(square_side(N)));        // [1+N, Dv]
  at::Tensor h = at::cat({fast.class_embedding.unsqueeze(0), patches}, 0) + pos;                // [1+N, Dv]
  h = at::layer_norm(h.narrow(0, 1, N), {v.hidden}, fast.pre_ln_w, fast.pre_ln_b, v.ln_eps);   // class token dropped
  if (steps) {
    steps->fast_pixels = y.squeeze(0);
    steps->pos_embed = pos;
    steps->fast_embed = h;
  }

  // Slow branch: all four ConvNeXt stages on the full-resolution image.
  at::Tensor slow = convnext_forward(hr.slow, mp.slow, pixels, steps ? &steps->slow_stages : nullptr);  // [Cs, h, w]

  // Fast branch: CLIP layers in quarters, an MR-adapter after each of the first three.
  const size_t quarter = fast.layers.size() / 4;
  for (size_t i = 0; i < fast.layers.size(); ++i) {
    h = clip_layer(fast.layers[i], v, h);
    if (steps) steps->fast_layers.push_back(h);
    const size_t done = i + 1;
    if (done % quarter == 0 && done / quarter <= 3 && !hr.adapters.empty()) {
      double gate = 0;  // read back only for `steps` (a device sync)
      h = hr_adapter_forward(hr.adapters[done / quarter - 1], h, slow, steps ? &gate : nullptr);
      if (steps) {
        steps->adapters.push_back(h);
        steps->gates.push_back(gate);
      }
    }
  }
  h = hr_align_forward(hr.align, h, slow);                                                       // [N, Dv]
  if (cfg.pooling.prepooling) {  // 2x2 average pooling before the projector (dpn-detail.md §1.1)
    const int64_t g = square_side(N);
    h = at::avg_pool2d(h.t().reshape({1, v.hidden, g, g}), {2, 2}, {2, 2}).reshape({v.hidden, -1}).t();
  }
  return h;
}

}  // namespace dpn

// TokenPacker forward (batch 1), following the official module's order of operations.
#include "model/tokenpacker.h"

#include <ATen/ATen.h>

#include <cmath>

namespace dpn {

at::Tensor tokenpacker_forward(const TokenPackerWeights& w, const LlavaConfig& cfg, const at::Tensor& single, const at::Tensor& multi) {
  const int64_t G = cfg.vision.grid(), s = cfg.tokenpacker.scale, g = G / s, E = cfg.mm_hidden, H = cfg.tokenpacker.heads, hd = E / H;
  const double eps = 1e-6;
  // Queries: bilinear (align_corners = false) resize of the G x G map to g x g, then q_proj and LayerNorm.
  at::Tensor map = single.transpose(0, 1).reshape({1, E, G, G});
  at::Tensor small = at::upsample_bilinear2d(map, {g, g}, /*align_corners=*/false).reshape({E, g * g}).transpose(0, 1);
  at::Tensor q = at::layer_norm(at::linear(small, w.q_proj), {E}, w.ln_q_w, w.ln_q_b, eps);  // [M, E]
  // Keys and values: MLP on the multi-level feature, then LayerNorm.                           [G*G, E]
  at::Tensor k = at::layer_norm(at::linear(at::gelu(at::linear(multi, w.k0_w, w.k0_b)), w.k2_w, w.k2_b), {E}, w.ln_k_w, w.ln_k_b, eps);
  at::Tensor v = at::layer_norm(at::linear(at::gelu(at::linear(multi, w.v0_w, w.v0_b)), w.v2_w, w.v2_b), {E}, w.ln_v_w, w.ln_v_b, eps);
  // Group keys/values by region: [G*G, E] -> (g, s, g, s, E) -> (g, g, s, s, E) -> [M, s*s, E], raster inside a region.
  auto regions = [&](const at::Tensor& t) { return t.reshape({g, s, g, s, E}).permute({0, 2, 1, 3, 4}).reshape({g * g, s * s, E}); };
  at::Tensor kr = regions(k), vr = regions(v);
  // Multi-head attention of each query over its region (nn.MultiheadAttention's in/out projections, no residual).
  at::Tensor qp = at::linear(q, w.in_proj_w.narrow(0, 0, E), w.in_proj_b.narrow(0, 0, E));          // [M, E]
  at::Tensor kp = at::linear(kr, w.in_proj_w.narrow(0, E, E), w.in_proj_b.narrow(0, E, E));         // [M, s*s, E]
  at::Tensor vp = at::linear(vr, w.in_proj_w.narrow(0, 2 * E, E), w.in_proj_b.narrow(0, 2 * E, E));
  const int64_t M = g * g, R = s * s;
  at::Tensor qh = qp.view({M, H, 1, hd}), kh = kp.view({M, R, H, hd}).transpose(1, 2), vh = vp.view({M, R, H, hd}).transpose(1, 2);
  at::Tensor probs = at::softmax(at::matmul(qh, kh.transpose(2, 3)) * (1.0 / std::sqrt(double(hd))), -1, at::kFloat).to(qh.scalar_type());
  at::Tensor ctx = at::matmul(probs, vh).reshape({M, E});                                              // [M, H, 1, hd] -> [M, E]
  at::Tensor packed = at::linear(ctx, w.out_w, w.out_b);
  return at::linear(at::gelu(at::linear(packed, w.mlp0_w, w.mlp0_b)), w.mlp2_w, w.mlp2_b);            // [M, D]
}

}  // namespace dpn

// LLaMA decoder layer math, matching HF transformers' LlamaDecoderLayer in eager mode.
#include "model/llama.h"

#include "methods/device_kernels.h"
#include "model/cpu_math.h"

#include <ATen/ATen.h>

#include <cmath>

namespace dpn {

int64_t LayerKv::bytes() const { return k.defined() ? 2 * len * k.size(0) * k.size(2) * k.element_size() : 0; }
int64_t LayerKv::capacity_bytes() const { return k.defined() ? 2 * k.numel() * k.element_size() : 0; }

int64_t KvCache::bytes() const {
  int64_t n = 0;
  for (const auto& l : layers) n += l.bytes();
  return n;
}
int64_t KvCache::capacity_bytes() const {
  int64_t n = 0;
  for (const auto& l : layers) n += l.capacity_bytes();
  return n;
}

at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& weight, double eps) {
  // HF: variance in fp32, normalise in fp32, cast back, then multiply by the weight.
  at::Tensor xf = x.to(at::kFloat);
  at::Tensor var = xf.pow(2).mean(-1, /*keepdim=*/true);
  at::Tensor y = (xf * at::rsqrt(var + eps)).to(x.scalar_type());
  return weight * y;
}

RopeTables rope_tables(const at::Tensor& positions, int64_t head_dim, double theta, at::ScalarType dtype) {
  auto f32 = at::TensorOptions().dtype(at::kFloat).device(positions.device());
  // inv_freq = 1 / theta^(2i/Dh), computed in fp32 as transformers does.
  at::Tensor exponents = at::arange(0, head_dim, 2, f32.dtype(at::kLong)).to(at::kFloat) / double(head_dim);
  at::Tensor inv_freq = 1.0 / at::pow(at::scalar_tensor(theta, f32), exponents);
  at::Tensor freqs = at::outer(positions.to(at::kFloat), inv_freq);  // [T, Dh/2]
  at::Tensor emb = at::cat({freqs, freqs}, -1);                       // [T, Dh]
  return {emb.cos().to(dtype), emb.sin().to(dtype)};
}

namespace {

at::Tensor rotate_half(const at::Tensor& x) {
  int64_t h = x.size(-1) / 2;
  return at::cat({-x.narrow(-1, h, h), x.narrow(-1, 0, h)}, -1);
}

// Appends k, v [Hkv, T, Dh] to the cache, growing its capacity when needed.
void append_kv(LayerKv& kv, const at::Tensor& k, const at::Tensor& v) {
  const int64_t T = k.size(1);
  if (!kv.k.defined() || kv.len + T > kv.k.size(1)) {
    int64_t cap = kv.len + T + (kv.k.defined() ? std::max<int64_t>(kv.reserve, 16) : kv.reserve);
    at::Tensor nk = at::empty({k.size(0), cap, k.size(2)}, k.options());
    at::Tensor nv = at::empty({v.size(0), cap, v.size(2)}, v.options());
    if (kv.len > 0) {
      nk.narrow(1, 0, kv.len).copy_(kv.k.narrow(1, 0, kv.len));
      nv.narrow(1, 0, kv.len).copy_(kv.v.narrow(1, 0, kv.len));
    }
    kv.k = nk;
    kv.v = nv;
  }
  kv.k.narrow(1, kv.len, T).copy_(k);
  kv.v.narrow(1, kv.len, T).copy_(v);
  kv.len += T;
}

}  // namespace

at::Tensor llama_layer(const LlamaLayerWeights& w, const TextConfig& cfg, const at::Tensor& x,
                       const at::Tensor& positions, LayerKv& kv, AttentionRequest* attn) {
  const int64_t T = x.size(0), H = cfg.heads, Hkv = cfg.kv_heads, G = H / Hkv, Dh = cfg.head_dim();
  const int64_t past = kv.len;

  // Attention block: x + o(attn(norm(x)))
  at::Tensor h = rms_norm(x, w.attn_norm, cfg.rms_eps);
  at::Tensor q = dense(h, w.q).view({T, H, Dh}).transpose(0, 1);    // [H, T, Dh]
  at::Tensor k = dense(h, w.k).view({T, Hkv, Dh}).transpose(0, 1);  // [Hkv, T, Dh]
  at::Tensor v = dense(h, w.v).view({T, Hkv, Dh}).transpose(0, 1);  // [Hkv, T, Dh]
  RopeTables rope = rope_tables(positions, Dh, cfg.rope_theta, x.scalar_type());
  q = q * rope.cos + rotate_half(q) * rope.sin;
  k = k * rope.cos + rotate_half(k) * rope.sin;
  append_kv(kv, k, v);
  const int64_t Tk = kv.len;
  at::Tensor keys = kv.k.narrow(1, 0, Tk);  // [Hkv, Tk, Dh]
  at::Tensor vals = kv.v.narrow(1, 0, Tk);
  if (f32_compute(x)) {  // bf16 on a CPU without bf16 matrix units: the attention products in fp32 (cpu_math.h)
    q = q.to(at::kFloat);
    keys = keys.to(at::kFloat);
    vals = vals.to(at::kFloat);
  }

  // GQA without copying the cache: group the G query heads that share a kv head.
  at::Tensor qg = q.reshape({Hkv, G * T, Dh});
  at::Tensor scores = at::matmul(qg, keys.transpose(1, 2)).view({Hkv, G, T, Tk}) * (1.0 / std::sqrt(double(Dh)));
  if (T > 1) {
    // Query i (absolute index past + i) sees keys 0..past+i.
    at::Tensor mask = at::ones({T, Tk}, x.options().dtype(at::kBool)).triu(past + 1);
    scores = scores.masked_fill(mask, -std::numeric_limits<float>::infinity());
  }
  at::Tensor probs = at::softmax(scores, -1, at::kFloat);  // [Hkv, G, T, Tk] fp32
  if (attn) {
    // Query row i sits at sequence index past + i (what causality is about; RoPE positions may have gaps).
    std::vector<int64_t> last{T - 1};
    if (!attn->query_rows.empty()) attn->received = attention_received(q, keys, probs, attn->query_rows, past);
    if (attn->last_row) attn->received_last = attention_received(q, keys, probs, last, past);
    if (attn->per_head && !attn->query_rows.empty())
      attn->rows_per_head = probs.reshape({H, T, Tk}).index_select(
          1, at::tensor(attn->query_rows, at::TensorOptions().dtype(at::kLong)).to(probs.device()));
  }
  at::Tensor ctx = at::matmul(probs.to(vals.scalar_type()).view({Hkv, G * T, Tk}), vals);  // [Hkv, G*T, Dh]
  ctx = ctx.view({H, T, Dh}).transpose(0, 1).reshape({T, H * Dh}).to(x.scalar_type());
  at::Tensor out = x + dense(ctx, w.o);

  // MLP block: out + down(silu(gate(norm(out))) * up(norm(out)))
  at::Tensor m = rms_norm(out, w.mlp_norm, cfg.rms_eps);
  at::Tensor act = at::silu(dense(m, w.gate)) * dense(m, w.up);
  return out + dense(act, w.down);
}

at::Tensor llama_attention_rows(const LlamaLayerWeights& w, const TextConfig& cfg, const at::Tensor& x,
                                const at::Tensor& positions, const std::vector<int64_t>& rows) {
  const int64_t T = x.size(0), R = int64_t(rows.size()), H = cfg.heads, Hkv = cfg.kv_heads, G = H / Hkv, Dh = cfg.head_dim();
  at::Tensor idx = at::tensor(rows, at::TensorOptions().dtype(at::kLong)).to(x.device());
  at::Tensor h = rms_norm(x, w.attn_norm, cfg.rms_eps);
  at::Tensor hq = h.index_select(0, idx);
  at::Tensor q = dense(hq, w.q).view({R, H, Dh}).transpose(0, 1);   // [H, R, Dh]
  at::Tensor k = dense(h, w.k).view({T, Hkv, Dh}).transpose(0, 1);  // [Hkv, T, Dh]
  RopeTables rq = rope_tables(positions.index_select(0, idx), Dh, cfg.rope_theta, x.scalar_type());
  RopeTables rk = rope_tables(positions, Dh, cfg.rope_theta, x.scalar_type());
  q = q * rq.cos + rotate_half(q) * rq.sin;
  k = k * rk.cos + rotate_half(k) * rk.sin;
  at::Tensor scores = at::matmul(q.reshape({Hkv, G * R, Dh}), k.transpose(1, 2)).view({H, R, T}) * (1.0 / std::sqrt(double(Dh)));
  at::Tensor mask = at::arange(T, idx.options()).unsqueeze(0) > idx.unsqueeze(1);  // [R, T]: keys after the row
  scores = scores.masked_fill(mask, -std::numeric_limits<float>::infinity());
  return at::softmax(scores, -1, at::kFloat);
}

at::Tensor llama_logits(const LlamaWeights& w, const TextConfig& cfg, const at::Tensor& x) {
  return dense(rms_norm(x, w.norm, cfg.rms_eps), w.lm_head).to(at::kFloat);
}

}  // namespace dpn

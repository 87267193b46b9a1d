// Batched autograd forwards of the tiny LLaVA used by `dpn train` (see train_model.h). The math mirrors the
// inference engine (core/model/*) so that a written checkpoint answers the same way through load_llava_model.
#include "train/train_model.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "util/error.h"

namespace dpn::train {

namespace {

std::string L(int i) { return std::to_string(i); }

struct Init {
  torch::Generator gen;
  explicit Init(uint64_t seed) : gen(at::detail::createCPUGenerator(seed)) {}
  at::Tensor normal(std::vector<int64_t> shape, double std) {
    return at::normal(0.0, std, shape, gen).set_requires_grad(true);
  }
  static at::Tensor zeros(std::vector<int64_t> shape) { return at::zeros(shape).set_requires_grad(true); }
  static at::Tensor ones(std::vector<int64_t> shape) { return at::ones(shape).set_requires_grad(true); }
};

at::Tensor get(const Params& p, const std::string& k) {
  auto it = p.find(k);
  if (it == p.end()) throw Error("train model", "missing parameter '" + k + "'");
  return it->second;
}

at::Tensor quick_gelu(const at::Tensor& x) { return x * at::sigmoid(1.702 * x); }

at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& w, double eps) {
  return w * (x * at::rsqrt(x.pow(2).mean(-1, true) + eps));
}

at::Tensor rotate_half(const at::Tensor& x) {
  int64_t h = x.size(-1) / 2;
  return at::cat({-x.narrow(-1, h, h), x.narrow(-1, 0, h)}, -1);
}

at::Tensor layer_norm(const Params& p, const std::string& k, const at::Tensor& x, double eps) {
  return at::layer_norm(x, {x.size(-1)}, get(p, k + ".weight"), get(p, k + ".bias"), eps);
}

at::Tensor linear(const Params& p, const std::string& k, const at::Tensor& x, bool bias = true) {
  return at::linear(x, get(p, k + ".weight"), bias ? get(p, k + ".bias") : at::Tensor());
}

}  // namespace

const std::vector<AuxHead>& aux_heads() {
  static const std::vector<AuxHead> h{{"color", 10}, {"kind", 4}, {"shape", 5}, {"digit", 11}, {"row", 0}, {"col", 0}};
  return h;
}

void init_vision(Params& p, const ModelDims& d, uint64_t seed) {
  Init in(seed);
  const int64_t Dv = d.v_hidden, Mv = d.v_inter, P = d.patch, N = int64_t(d.grid()) * d.grid();
  const std::string v = "vision_model.";
  p[v + "embeddings.class_embedding"] = in.normal({Dv}, 0.02);
  p[v + "embeddings.patch_embedding.weight"] = in.normal({Dv, 3, P, P}, 0.02);
  p[v + "embeddings.position_embedding.weight"] = in.normal({N + 1, Dv}, 0.02);
  p[v + "pre_layrnorm.weight"] = Init::ones({Dv});
  p[v + "pre_layrnorm.bias"] = Init::zeros({Dv});
  for (int i = 0; i < d.v_layers; ++i) {
    const std::string q = v + "encoder.layers." + L(i) + ".";
    for (const char* n : {"layer_norm1", "layer_norm2"}) {
      p[q + n + ".weight"] = Init::ones({Dv});
      p[q + n + ".bias"] = Init::zeros({Dv});
    }
    for (const char* n : {"q_proj", "k_proj", "v_proj", "out_proj"}) {
      p[q + "self_attn." + n + ".weight"] = in.normal({Dv, Dv}, 0.02);
      p[q + "self_attn." + n + ".bias"] = Init::zeros({Dv});
    }
    p[q + "mlp.fc1.weight"] = in.normal({Mv, Dv}, 0.02);
    p[q + "mlp.fc1.bias"] = Init::zeros({Mv});
    p[q + "mlp.fc2.weight"] = in.normal({Dv, Mv}, 0.02 / std::sqrt(2.0 * d.v_layers));
    p[q + "mlp.fc2.bias"] = Init::zeros({Dv});
  }
  p[v + "post_layernorm.weight"] = Init::ones({Dv});  // CLIP has it; LLaVA never uses it
  p[v + "post_layernorm.bias"] = Init::zeros({Dv});
  for (const auto& h : aux_heads()) {
    const int64_t c = h.classes > 0 ? h.classes : d.grid();
    p[std::string("aux.") + h.name + ".weight"] = in.normal({c, Dv}, 0.02);
    p[std::string("aux.") + h.name + ".bias"] = Init::zeros({c});
  }
}

void init_mlp_projector(Params& p, const ModelDims& d, uint64_t seed) {
  Init in(seed);
  p["model.mm_projector.0.weight"] = in.normal({d.hidden, d.v_hidden}, 0.02);
  p["model.mm_projector.0.bias"] = Init::zeros({d.hidden});
  p["model.mm_projector.2.weight"] = in.normal({d.hidden, d.hidden}, 0.02);
  p["model.mm_projector.2.bias"] = Init::zeros({d.hidden});
}

void init_tokenpacker(Params& p, const ModelDims& d, uint64_t seed) {
  Init in(seed);
  const int64_t Dv = d.v_hidden, D = d.hidden;
  const std::string m = "model.mm_projector.";
  p[m + "q_proj_1.weight"] = in.normal({Dv, Dv}, 0.02);
  for (const char* kv : {"k_proj_1", "v_proj_1"}) {
    p[m + kv + ".0.weight"] = in.normal({Dv, 4 * Dv}, 0.02);
    p[m + kv + ".0.bias"] = Init::zeros({Dv});
    p[m + kv + ".2.weight"] = in.normal({Dv, Dv}, 0.02);
    p[m + kv + ".2.bias"] = Init::zeros({Dv});
  }
  for (const char* ln : {"ln_q_1", "ln_k_1", "ln_v_1"}) {
    p[m + ln + ".weight"] = Init::ones({Dv});
    p[m + ln + ".bias"] = Init::zeros({Dv});
  }
  p[m + "clip_attn.in_proj_weight"] = in.normal({3 * Dv, Dv}, 0.02);
  p[m + "clip_attn.in_proj_bias"] = Init::zeros({3 * Dv});
  p[m + "clip_attn.out_proj.weight"] = in.normal({Dv, Dv}, 0.02);
  p[m + "clip_attn.out_proj.bias"] = Init::zeros({Dv});
  p[m + "mlp.0.weight"] = in.normal({D, Dv}, 0.02);
  p[m + "mlp.0.bias"] = Init::zeros({D});
  p[m + "mlp.2.weight"] = in.normal({D, D}, 0.02);
  p[m + "mlp.2.bias"] = Init::zeros({D});
}

void init_tokenpacker_as_avg_pool(Params& p, const ModelDims& d, uint64_t seed, const Params& base,
                                  double feature_mean, double feature_std) {
  init_tokenpacker(p, d, seed);
  const int64_t Dv = d.v_hidden, levels = 4;
  const std::string m = "model.mm_projector.";
  // gelu(a f + b) - b ~ a f while a f + b stays well above 0: ViT features here lie within about +-40.
  const double a = 0.05, b = 5.0;
  at::Tensor pass = at::zeros({Dv, levels * Dv});
  pass.narrow(1, (levels - 1) * Dv, Dv).copy_(at::eye(Dv) * a);  // the last level is the single-level feature map
  p[m + "v_proj_1.0.weight"] = pass;
  p[m + "v_proj_1.0.bias"] = at::full({Dv}, b);
  p[m + "v_proj_1.2.weight"] = at::eye(Dv);
  p[m + "v_proj_1.2.bias"] = at::full({Dv}, -b);
  p[m + "ln_v_1.weight"] = at::full({Dv}, feature_std);
  p[m + "ln_v_1.bias"] = at::full({Dv}, feature_mean);
  at::Tensor in = p[m + "clip_attn.in_proj_weight"].clone();
  in.narrow(0, 0, Dv).zero_();                    // queries 0: every region attends uniformly to its s x s keys
  in.narrow(0, 2 * Dv, Dv).copy_(at::eye(Dv));    // values passed through
  p[m + "clip_attn.in_proj_weight"] = in;
  p[m + "clip_attn.out_proj.weight"] = at::eye(Dv);
  for (const char* n : {"0", "2"}) {
    p[m + "mlp." + n + ".weight"] = base.at(m + n + ".weight").clone();
    p[m + "mlp." + n + ".bias"] = base.at(m + n + ".bias").clone();
  }
}

void init_llm(Params& p, const ModelDims& d, uint64_t seed) {
  if (d.vocab <= 0) throw Error("train model", "vocab size must be set before init_llm");
  Init in(seed);
  const int64_t D = d.hidden, M = d.inter, Dh = D / d.heads, Hkv = d.kv_heads;
  const double out_std = 0.02 / std::sqrt(2.0 * d.layers);
  p["model.embed_tokens.weight"] = in.normal({d.vocab, D}, 0.02);
  for (int i = 0; i < d.layers; ++i) {
    const std::string q = "model.layers." + L(i) + ".";
    p[q + "input_layernorm.weight"] = Init::ones({D});
    p[q + "post_attention_layernorm.weight"] = Init::ones({D});
    p[q + "self_attn.q_proj.weight"] = in.normal({D, D}, 0.02);
    p[q + "self_attn.k_proj.weight"] = in.normal({Hkv * Dh, D}, 0.02);
    p[q + "self_attn.v_proj.weight"] = in.normal({Hkv * Dh, D}, 0.02);
    p[q + "self_attn.o_proj.weight"] = in.normal({D, D}, out_std);
    p[q + "mlp.gate_proj.weight"] = in.normal({M, D}, 0.02);
    p[q + "mlp.up_proj.weight"] = in.normal({M, D}, 0.02);
    p[q + "mlp.down_proj.weight"] = in.normal({D, M}, out_std);
  }
  p["model.norm.weight"] = Init::ones({D});
  p["lm_head.weight"] = in.normal({d.vocab, D}, 0.02);
}

void init_routers(Params& p, const ModelDims& d, const DpnSpec& spec, uint64_t seed) {
  Init in(seed);
  const int64_t D = d.hidden;
  for (const auto& l : spec.layers) {
    const std::string q = "model.layers." + L(l.index) + ".pooling_router.";
    p[q + "mlp1.0.weight"] = Init::ones({D});
    p[q + "mlp1.0.bias"] = Init::zeros({D});
    // PyTorch's default Linear init (Kaiming-uniform a=sqrt(5)) = U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    const double b1 = 1.0 / std::sqrt(double(D)), b2 = 1.0 / std::sqrt(double(D / 4));
    p[q + "mlp1.1.weight"] = (at::rand({D / 4, D}, in.gen) * 2 - 1).mul_(b1).set_requires_grad(true);
    p[q + "predictor.weight"] = (at::rand({int64_t(l.experts.size()), D / 4}, in.gen) * 2 - 1).mul_(b2).set_requires_grad(true);
  }
}

std::vector<at::Tensor> vit_forward(const Params& p, const ModelDims& d, const at::Tensor& pixels) {
  const std::string v = "vision_model.";
  const int64_t B = pixels.size(0), Dv = d.v_hidden, H = d.v_heads, Dh = Dv / H;
  at::Tensor x = at::conv2d(pixels, get(p, v + "embeddings.patch_embedding.weight"), {}, d.patch);  // [B, Dv, G, G]
  x = x.flatten(2).transpose(1, 2);                                                               // [B, N, Dv]
  at::Tensor cls = get(p, v + "embeddings.class_embedding").view({1, 1, Dv}).expand({B, 1, Dv});
  x = at::cat({cls, x}, 1) + get(p, v + "embeddings.position_embedding.weight").unsqueeze(0);
  x = layer_norm(p, v + "pre_layrnorm", x, d.v_ln_eps);
  std::vector<at::Tensor> hs{x};
  const int64_t T = x.size(1);
  for (int i = 0; i < d.v_layers; ++i) {
    const std::string q = v + "encoder.layers." + L(i) + ".";
    at::Tensor h = layer_norm(p, q + "layer_norm1", x, d.v_ln_eps);
    auto heads = [&](const char* n) { return linear(p, q + "self_attn." + n, h).view({B, T, H, Dh}).transpose(1, 2); };
    at::Tensor qh = heads("q_proj"), kh = heads("k_proj"), vh = heads("v_proj");
    at::Tensor att = at::softmax(at::matmul(qh, kh.transpose(-1, -2)) * (1.0 / std::sqrt(double(Dh))), -1);
    at::Tensor ctx = at::matmul(att, vh).transpose(1, 2).reshape({B, T, Dv});
    x = x + linear(p, q + "self_attn.out_proj", ctx);
    at::Tensor m = layer_norm(p, q + "layer_norm2", x, d.v_ln_eps);
    x = x + linear(p, q + "mlp.fc2", quick_gelu(linear(p, q + "mlp.fc1", m)));
    hs.push_back(x);
  }
  return hs;
}

std::vector<at::Tensor> aux_logits(const Params& p, const at::Tensor& f) {
  std::vector<at::Tensor> out;
  for (const auto& h : aux_heads()) out.push_back(linear(p, std::string("aux.") + h.name, f));
  return out;
}

at::Tensor mlp_projector(const Params& p, const at::Tensor& f) {
  return linear(p, "model.mm_projector.2", at::gelu(linear(p, "model.mm_projector.0", f)));
}

at::Tensor tokenpacker_projector(const Params& p, const ModelDims& d, const at::Tensor& x, const at::Tensor& multi) {
  const std::string m = "model.mm_projector.";
  const int64_t B = x.size(0), G = d.grid(), s = kTokenPackerScale, g = G / s, Dv = d.v_hidden;
  const int64_t H = kTokenPackerHeads, Dh = Dv / H;
  // Point queries: the single-level map resized bilinearly (align_corners false) to g x g.
  at::Tensor q = x.transpose(1, 2).reshape({B, Dv, G, G});
  q = at::upsample_bilinear2d(q, {g, g}, false).flatten(2).transpose(1, 2);   // [B, g*g, Dv]
  q = layer_norm(p, m + "ln_q_1", at::linear(q, get(p, m + "q_proj_1.weight")), 1e-6);
  auto kv = [&](const char* n, const char* ln) {
    at::Tensor t = linear(p, m + n + ".2", at::gelu(linear(p, m + n + ".0", multi)));
    t = layer_norm(p, m + ln, t, 1e-6);                                        // [B, N, Dv]
    // Region grouping: each s x s region of the G x G grid becomes one attention "batch" element.
    return t.view({B, g, s, g, s, Dv}).permute({0, 1, 3, 2, 4, 5}).reshape({B * g * g, s * s, Dv});
  };
  at::Tensor k = kv("k_proj_1", "ln_k_1"), v = kv("v_proj_1", "ln_v_1");
  at::Tensor w = get(p, m + "clip_attn.in_proj_weight"), bias = get(p, m + "clip_attn.in_proj_bias");
  at::Tensor qq = at::linear(q.reshape({B * g * g, 1, Dv}), w.narrow(0, 0, Dv), bias.narrow(0, 0, Dv));
  at::Tensor kk = at::linear(k, w.narrow(0, Dv, Dv), bias.narrow(0, Dv, Dv));
  at::Tensor vv = at::linear(v, w.narrow(0, 2 * Dv, Dv), bias.narrow(0, 2 * Dv, Dv));
  auto split = [&](const at::Tensor& t) { return t.view({t.size(0), t.size(1), H, Dh}).transpose(1, 2); };
  at::Tensor att = at::softmax(at::matmul(split(qq), split(kk).transpose(-1, -2)) * (1.0 / std::sqrt(double(Dh))), -1);
  at::Tensor ctx = at::matmul(att, split(vv)).transpose(1, 2).reshape({B, g * g, Dv});
  ctx = linear(p, m + "clip_attn.out_proj", ctx);
  return linear(p, m + "mlp.2", at::gelu(linear(p, m + "mlp.0", ctx)));
}

at::Tensor visual_tokens(const Params& p, const ModelDims& d, const at::Tensor& pixels, bool tokenpacker) {
  at::Tensor feats, multi;
  {
    torch::NoGradGuard ng;
    auto hs = vit_forward(p, d, pixels);
    auto patch = [](const at::Tensor& h) { return h.narrow(1, 1, h.size(1) - 1); };
    feats = patch(hs.back());
    if (tokenpacker) {
      std::vector<at::Tensor> ml;
      for (int i = d.v_layers - 3; i <= d.v_layers; ++i) ml.push_back(patch(hs[size_t(i)]));
      multi = at::cat(ml, -1);
    }
  }
  return tokenpacker ? tokenpacker_projector(p, d, feats, multi) : mlp_projector(p, feats);
}

namespace {

// One DPE layer over the batch: route, pool and re-pack every sample, right-padded with zeros to the longest row
// (the batch narrows as its rows do: a lone sample then runs exactly the sequence the engine runs).
at::Tensor dpe_layer(const Params& p, const DpeLayer& layer, const DpnSpec& spec, at::Tensor x, SeqBatch& b,
                     RouteMode mode, std::vector<RouteRecord>& routes) {
  const int64_t B = x.size(0), Lmax = x.size(1), D = x.size(2);
  int max_area = 1;
  for (auto [kh, kw] : layer.experts) max_area = std::max(max_area, kh * kw);
  // Guard 1 (every sample needs max_stride tokens) is applied per sample, not to the batch as the reference does:
  // there, one sample pooled 4x4 at layer 0 (9 tokens left) switches the next DPE layer off for its whole batch, so
  // that layer's router is almost never trained, yet the engine (one sample at a time) routes with it.
  const std::string q = "model.layers." + L(layer.index) + ".pooling_router.";
  std::vector<at::Tensor> rows;
  at::Tensor new_targets = b.targets.clone();
  for (int64_t i = 0; i < B; ++i) {
    const int64_t n = b.vis_count[i], s = b.vis_start[i];
    if (n < spec.skip_below || n < max_area) {
      rows.push_back(x[i]);
      continue;
    }
    at::Tensor r = x[i][b.router_pos[i]];
    r = at::layer_norm(r, {D}, get(p, q + "mlp1.0.weight"), get(p, q + "mlp1.0.bias"), 1e-5);
    r = at::linear(at::gelu(at::linear(r, get(p, q + "mlp1.1.weight"))), get(p, q + "predictor.weight"));
    at::Tensor probs = at::softmax(r / spec.temperature, -1);
    int e = 0;
    bool unscaled = false;
    if (auto f = spec.forced.find(layer.index); f != spec.forced.end()) {
      e = f->second;
      unscaled = spec.forced_unscaled;
    } else if (mode == RouteMode::Argmax) {
      e = int(probs.argmax().item<int64_t>());
    } else {
      at::Tensor pd = probs.detach();
      if (spec.explore > 0) pd = (1 - spec.explore) * pd + spec.explore / double(pd.numel());
      int tries = 0;
      for (;; ++tries) {
        e = int(at::multinomial(pd, 1).item<int64_t>());
        auto [kh, kw] = layer.experts[e];
        if (n / (kh * kw) >= spec.min_tokens) break;
        if (tries >= spec.max_resample) {
          e = 0;
          break;
        }
      }
    }
    routes.push_back({layer.index, int(i), e, probs});
    auto [kh, kw] = layer.experts[e];
    const int gh = b.grid_h[i], gw = b.grid_w[i];
    at::Tensor vis = x[i].narrow(0, s, n).view({gh, gw, D}).permute({2, 0, 1}).unsqueeze(0);  // [1, D, gh, gw]
    if (kh * kw > 1) vis = at::max_pool2d(vis, {kh, kw}, {kh, kw});
    const int nh = int(vis.size(2)), nw = int(vis.size(3));
    vis = vis.squeeze(0).permute({1, 2, 0}).reshape({int64_t(nh) * nw, D});
    if (!unscaled) vis = vis * probs[e];
    const int64_t n2 = int64_t(nh) * nw, removed = n - n2, len = b.length[i];
    std::vector<at::Tensor> parts{x[i].narrow(0, 0, s), vis, x[i].narrow(0, s + n, len - s - n)};
    if (removed + (Lmax - len) > 0) parts.push_back(at::zeros({removed + (Lmax - len), D}, x.options()));
    rows.push_back(at::cat(parts, 0));
    // Targets after the span shift left by `removed`; the tail becomes ignored.
    at::Tensor t = b.targets[i];
    at::Tensor nt = at::full({Lmax}, -100, t.options());
    nt.narrow(0, 0, s).copy_(t.narrow(0, 0, s));
    nt.narrow(0, s + n2, len - s - n).copy_(t.narrow(0, s + n, len - s - n));
    new_targets[i].copy_(nt);
    b.vis_count[i] = n2;
    b.grid_h[i] = nh;
    b.grid_w[i] = nw;
    b.length[i] = len - removed;
    b.router_pos[i] -= removed;
  }
  const int64_t keep = *std::max_element(b.length.begin(), b.length.end());
  b.targets = new_targets.narrow(1, 0, keep);
  return at::stack(rows, 0).narrow(1, 0, keep);
}

}  // namespace

DecoderResult decoder_forward(const Params& p, const ModelDims& d, SeqBatch b, const DpnSpec* dpn, RouteMode mode) {
  at::Tensor x = b.embeds;
  const int64_t B = x.size(0), T0 = x.size(1), D = d.hidden, H = d.heads, Hkv = d.kv_heads, Dh = D / H;
  // Positions 0..L-1 for every row: after pooling real tokens are compacted left, so this is the dense re-indexing.
  at::Tensor pos = at::arange(T0, at::kFloat);
  at::Tensor inv = 1.0 / at::pow(at::scalar_tensor(d.rope_theta), at::arange(0, Dh, 2, at::kFloat) / double(Dh));
  at::Tensor freqs = at::outer(pos, inv);
  at::Tensor emb = at::cat({freqs, freqs}, -1);
  const at::Tensor cos0 = emb.cos(), sin0 = emb.sin();  // [T0, Dh]
  const at::Tensor mask0 = at::ones({T0, T0}, at::kBool).triu(1);
  DecoderResult out;
  for (int l = 0; l < d.layers; ++l) {
    const std::string q = "model.layers." + L(l) + ".";
    const int64_t T = x.size(1);  // T0, or less after a DPE layer
    const at::Tensor cos = cos0.narrow(0, 0, T), sin = sin0.narrow(0, 0, T), mask = mask0.narrow(0, 0, T).narrow(1, 0, T);
    at::Tensor h = rms_norm(x, get(p, q + "input_layernorm.weight"), d.rms_eps);
    at::Tensor qh = at::linear(h, get(p, q + "self_attn.q_proj.weight")).view({B, T, H, Dh}).transpose(1, 2);
    at::Tensor kh = at::linear(h, get(p, q + "self_attn.k_proj.weight")).view({B, T, Hkv, Dh}).transpose(1, 2);
    at::Tensor vh = at::linear(h, get(p, q + "self_attn.v_proj.weight")).view({B, T, Hkv, Dh}).transpose(1, 2);
    qh = qh * cos + rotate_half(qh) * sin;
    kh = kh * cos + rotate_half(kh) * sin;
    if (Hkv != H) {
      kh = kh.repeat_interleave(H / Hkv, 1);
      vh = vh.repeat_interleave(H / Hkv, 1);
    }
    at::Tensor sc = at::matmul(qh, kh.transpose(-1, -2)) * (1.0 / std::sqrt(double(Dh)));
    sc = sc.masked_fill(mask, -std::numeric_limits<float>::infinity());
    at::Tensor ctx = at::matmul(at::softmax(sc, -1), vh).transpose(1, 2).reshape({B, T, D});
    x = x + at::linear(ctx, get(p, q + "self_attn.o_proj.weight"));
    at::Tensor m = rms_norm(x, get(p, q + "post_attention_layernorm.weight"), d.rms_eps);
    at::Tensor act = at::silu(at::linear(m, get(p, q + "mlp.gate_proj.weight"))) * at::linear(m, get(p, q + "mlp.up_proj.weight"));
    x = x + at::linear(act, get(p, q + "mlp.down_proj.weight"));
    if (dpn)
      for (const auto& dl : dpn->layers)
        if (dl.index == l) x = dpe_layer(p, dl, *dpn, x, b, mode, out.routes);
  }
  at::Tensor sel = (b.targets >= 0).nonzero();  // [K, 2]
  at::Tensor rows = sel.select(1, 0), cols = sel.select(1, 1);
  at::Tensor hsel = x.index({rows, cols});
  out.logits = at::linear(rms_norm(hsel, get(p, "model.norm.weight"), d.rms_eps), get(p, "lm_head.weight"));
  out.target_ids = b.targets.index({rows, cols});
  out.loss = at::cross_entropy_loss(out.logits, out.target_ids);
  auto acc = rows.accessor<int64_t, 1>();
  for (int64_t k = 0; k < rows.size(0); ++k) out.target_sample.push_back(acc[k]);
  return out;
}

at::Tensor routing_loss(const std::vector<RouteRecord>& routes, double target) {
  std::map<int, std::vector<at::Tensor>> per_layer;
  for (const auto& r : routes) {
    int64_t e = r.probs.detach().argmax().item<int64_t>();
    per_layer[r.layer].push_back(r.probs[e] * double(e));
  }
  if (per_layer.empty()) return at::zeros({});
  at::Tensor total = at::zeros({});
  for (auto& [layer, terms] : per_layer) total = total + at::relu(target - at::stack(terms).mean());
  return total / double(per_layer.size());
}

at::Tensor per_sample_loss(const DecoderResult& r, int64_t batch) {
  at::Tensor ce = at::cross_entropy_loss(r.logits, r.target_ids, {}, at::Reduction::None);  // [K]
  at::Tensor who = at::tensor(r.target_sample, at::kLong);
  at::Tensor sum = at::zeros({batch}, ce.options()).index_add(0, who, ce);
  at::Tensor cnt = at::zeros({batch}, ce.options()).index_add(0, who, at::ones_like(ce));
  return sum / cnt.clamp_min(1.0);
}

at::Tensor routing_target_loss(const std::vector<RouteRecord>& routes, const RouteTargets& targets) {
  std::map<int, std::vector<at::Tensor>> per_layer;
  for (const auto& r : routes) {
    auto it = targets.find(r.layer);
    if (it == targets.end() || size_t(r.sample) >= it->second.size()) continue;
    const int t = it->second[size_t(r.sample)];
    if (t < 0) continue;
    per_layer[r.layer].push_back(-at::log(r.probs[t].clamp_min(1e-12)));
  }
  if (per_layer.empty()) return at::zeros({});
  at::Tensor total = at::zeros({});
  for (auto& [layer, terms] : per_layer) total = total + at::stack(terms).mean();
  return total / double(per_layer.size());
}

int64_t count_params(const Params& p, const std::string& prefix) {
  int64_t n = 0;
  for (const auto& [k, t] : p)
    if (k.rfind(prefix, 0) == 0) n += t.numel();
  return n;
}

}  // namespace dpn::train

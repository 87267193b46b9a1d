// Analytic FLOPs: the per-layer plan of a method (tokens per layer, cache lengths) and its exact count.
// Legend: n tokens in a layer, d hidden, d_kv = kv_heads*head_dim, m FFN width, h heads, V vocab.
#include "flops/flops.h"

#include <algorithm>
#include <cmath>

#include "model/config.h"
#include "util/error.h"

namespace dpn::flops {
namespace {

// Elementwise op counts per element (see flops.h); small next to the matmuls, listed so nothing is hidden.
constexpr double kRmsNormOps = 4;    // square, accumulate, scale by rsqrt, weight
constexpr double kLayerNormOps = 5;  // mean, subtract, variance, scale, affine
constexpr double kRopeOps = 3;       // x*cos + rotate(x)*sin
constexpr double kSoftmaxOps = 5;    // scale, max, exp, sum, divide
constexpr double kSwiGluOps = 5;     // silu (4) and the product with `up`
constexpr double kGeluOps = 8;       // exact erf GELU
constexpr double kQuickGeluOps = 4;  // x * sigmoid(1.702 x)
constexpr double kBilinearOps = 4;   // TokenPacker's query resize, per output element
// The router of the released DPN recipe chooses among three experts (1x1, 1x2, 2x2): the count for a preset.
constexpr int kRouterExperts = 3;
// The released TokenPacker checkpoints emit 144 tokens (scale 2) from 4 CLIP levels, with heads of width 128.
constexpr int kDefaultPackerTokens = 144;
constexpr int kPackerLevels = 4;
constexpr int kPackerHeadWidth = 128;

int isqrt(int64_t n) {
  int s = static_cast<int>(std::lround(std::sqrt(static_cast<double>(n))));
  return static_cast<int64_t>(s) * s == n ? s : 0;
}

const PoolStep* step_at(const MethodSpec& m, int layer) {
  for (const auto& st : m.steps)
    if (st.layer == layer) return &st;
  return nullptr;
}

// Visual tokens entering the LLM, their grid, and the projector that produced them.
struct VisualInput {
  int64_t tokens = 0;
  int grid_h = 0, grid_w = 0;
  ProjectorShape projector;
  int64_t projector_in = 0;  // tokens the projector reads
};

VisualInput visual_input(const ModelShape& shape, const MethodSpec& method, const FlopsOptions& opt,
                         const std::string& where) {
  VisualInput in;
  in.projector = shape.projector;
  const int patch_grid = shape.projector.grid;
  if (method.kind == MethodSpec::Kind::TokenPacker) {
    if (opt.image_tokens >= 0)
      throw Error(where, "--image-tokens does not combine with tokenpacker: give tokenpacker:tokens=N");
    int tokens = method.tokens;
    if (tokens == 0)
      tokens = shape.projector.kind == ProjectorShape::Kind::TokenPacker ? shape.image_tokens : kDefaultPackerTokens;
    const int side = isqrt(tokens);
    if (side == 0 || patch_grid % side != 0)
      throw Error(where, "tokenpacker tokens=" + std::to_string(tokens) + " do not tile the " +
                             std::to_string(patch_grid) + "x" + std::to_string(patch_grid) + " patch grid");
    if (in.projector.kind != ProjectorShape::Kind::TokenPacker) {  // the official packer on this tower
      in.projector.embed = shape.projector.in;
      in.projector.multi_level_in = kPackerLevels * shape.projector.in;
      in.projector.packer_heads = std::max(1, shape.projector.in / kPackerHeadWidth);
    }
    in.projector.kind = ProjectorShape::Kind::TokenPacker;
    in.projector.scale = patch_grid / side;
    in.tokens = tokens;
    in.grid_h = in.grid_w = side;
    in.projector_in = static_cast<int64_t>(patch_grid) * patch_grid;
    return in;
  }
  if (opt.image_tokens >= 0) {
    in.tokens = opt.image_tokens;
    in.grid_h = in.grid_w = isqrt(opt.image_tokens);
  } else {
    in.tokens = shape.image_tokens;
    in.grid_h = shape.grid_h;
    in.grid_w = shape.grid_w;
  }
  in.projector_in = in.projector.kind == ProjectorShape::Kind::TokenPacker
                        ? static_cast<int64_t>(patch_grid) * patch_grid
                        : in.tokens;
  return in;
}

}  // namespace

Plan build_plan(const ModelShape& shape, const MethodSpec& method, const FlopsOptions& opt) {
  const std::string where = "flops for '" + to_string(method) + "' on " + shape.name;
  validate_method_spec(method, shape.llm.layers);
  if (opt.text_tokens < 0) throw Error(where, "text tokens must be >= 0");
  if (opt.decode_tokens < 0) throw Error(where, "decode passes must be >= 0");
  const VisualInput in = visual_input(shape, method, opt, where);
  const bool pools = method.kind == MethodSpec::Kind::Dpn || method.kind == MethodSpec::Kind::Static;
  if (method.kind == MethodSpec::Kind::Dpn && method.steps.empty())
    throw Error(where, "dpn without a path: the FLOPs depend on the routers' choices; give the path they took, "
                       "e.g. dpn:path=7=2x2,15=1x2,23=2x2");
  if (pools && (in.grid_h == 0 || in.grid_w == 0))
    throw Error(where, std::to_string(in.tokens) + " image tokens are not a square grid; pooling needs one");

  Plan plan;
  plan.image_tokens = in.tokens;
  plan.text_tokens = opt.text_tokens;
  const bool pre = method.location == MethodSpec::Location::Pre;  // Default means the reference default: post
  int64_t visual = in.tokens;
  int gh = in.grid_h, gw = in.grid_w;
  const int64_t fastv_kept = fastv_kept_count(in.tokens, method.r);

  for (int l = 0; l < shape.llm.layers; ++l) {
    LayerPlan lp;
    lp.layer = l;
    const PoolStep* step = pools ? step_at(method, l) : nullptr;
    // DPN/static pooling of the visual grid with kernel = stride (floor mode), as dpn-detail.md §1.4/§1.7.
    auto pool = [&]() {
      if (visual < kDpnMinPoolTokens) return;
      if (gh / step->kh == 0 || gw / step->kw == 0)
        throw Error(where, "kernel " + std::to_string(step->kh) + "x" + std::to_string(step->kw) + " at layer " +
                               std::to_string(l) + " is larger than the " + std::to_string(gh) + "x" +
                               std::to_string(gw) + " grid");
      const bool router = method.kind == MethodSpec::Kind::Dpn;
      const auto known = shape.router_experts.find(l);
      lp.work.router_experts = !router ? 0 : known != shape.router_experts.end() ? known->second : kRouterExperts;
      lp.work.scaled = router;
      lp.work.pool_in = visual;
      gh /= step->kh;
      gw /= step->kw;
      visual = static_cast<int64_t>(gh) * gw;
      lp.work.pool_out = visual;
      lp.work.kernel_h = step->kh;
      lp.work.kernel_w = step->kw;
    };
    if (step && pre) pool();
    if (method.kind == MethodSpec::Kind::FastV && l == method.k) {
      visual = fastv_kept;
      gh = gw = 0;  // the kept tokens are scattered, not a grid
    }
    lp.tokens = opt.text_tokens + visual;
    if (method.kind == MethodSpec::Kind::FastV && l == method.k - 1) {
      lp.work.rank_rows = method.rank == MethodSpec::Rank::Last ? 1 : lp.tokens;
      lp.work.rank_keys = lp.tokens;
      lp.work.rank_visual = visual;
    }
    lp.visual = visual;
    lp.grid_h = gh;
    lp.grid_w = gw;
    lp.kv_len = lp.tokens;  // the layer caches what it computed; a post-pool shortens only later layers
    if (step && !pre) pool();
    plan.layers.push_back(lp);
  }
  plan.decode_passes = opt.decode_tokens;
  plan.projector_in = in.projector_in;
  return plan;
}

LayerFlops layer_prefill_flops(const LlmShape& llm, int64_t n, bool causal) {
  const double N = static_cast<double>(n), d = llm.hidden, dq = llm.q_width(), dkv = llm.kv_width(), m = llm.ffn,
               h = llm.heads;
  const double pairs = causal ? N * (N + 1) / 2 : N * N;  // query-key pairs per head
  LayerFlops f;
  f.qkvo = 2 * N * d * (dq + 2 * dkv + dq);
  f.attention = 2 * 2 * pairs * dq;  // (scores + weighted sum) x 2 flops x head_dim x heads
  f.mlp = 3 * 2 * N * d * m;
  f.norms = 2 * kRmsNormOps * N * d;
  f.rope = kRopeOps * N * (dq + dkv);
  f.softmax = kSoftmaxOps * h * pairs;
  f.activation = kSwiGluOps * N * m;
  f.residual = 2 * N * d;
  return f;
}

LayerFlops layer_decode_flops(const LlmShape& llm, int64_t cache_len) {
  const double keys = static_cast<double>(cache_len) + 1, d = llm.hidden, dq = llm.q_width(), dkv = llm.kv_width(),
               m = llm.ffn;
  LayerFlops f;
  f.qkvo = 2 * d * (dq + 2 * dkv + dq);
  f.attention = 2 * 2 * keys * dq;
  f.mlp = 3 * 2 * d * m;
  f.norms = 2 * kRmsNormOps * d;
  f.rope = kRopeOps * (dq + dkv);
  f.softmax = kSoftmaxOps * llm.heads * keys;
  f.activation = kSwiGluOps * m;
  f.residual = 2 * d;
  return f;
}

double lm_head_flops(const LlmShape& llm, int64_t logit_positions) {
  return 2.0 * static_cast<double>(logit_positions) * llm.hidden * llm.vocab;
}

double final_norm_flops(const LlmShape& llm, int64_t positions) {
  return kRmsNormOps * static_cast<double>(positions) * llm.hidden;
}

double router_flops(int hidden, int experts) {
  const double d = hidden, q = hidden / 4, e = experts;
  return kLayerNormOps * d + 2 * d * q + kGeluOps * q + 2 * q * e + kSoftmaxOps * e;
}

// timm ConvNeXt (conv_mlp = false) on an S x S image: stem 4x4/4 + LN, stages with LN + 2x2/2 downsample (1-3) and
// blocks dw7x7 -> LN -> Linear C->4C -> GELU -> Linear 4C->C -> layer scale -> residual.
double convnext_flops(const std::vector<int>& dims, const std::vector<int>& depths, int input, int channels) {
  double side = input / 4;  // integer division as the stride-4 conv floors
  double f = 2 * side * side * dims[0] * (channels * 16.0) + side * side * dims[0] + kLayerNormOps * side * side * dims[0];
  for (size_t s = 0; s < dims.size(); ++s) {
    const double C = dims[s];
    if (s > 0) {
      const double Cp = dims[s - 1];
      f += kLayerNormOps * side * side * Cp;
      side = std::floor(side / 2);
      f += 2 * side * side * C * Cp * 4 + side * side * C;
    }
    const double n = side * side;
    const double block = 2 * n * C * 49 + n * C + kLayerNormOps * n * C + 2 * n * C * 4 * C + n * 4 * C +
                         kGeluOps * n * 4 * C + 2 * n * 4 * C * C + n * C + 2 * n * C;  // ... + scale + residual
    f += depths[s] * block;
  }
  return f;
}

// LLaVA-HR dual path (llava-detail.md §7.1): bilinear resize to the fast size, the CLS-less fast CLIP over all its
// layers, the slow ConvNeXt, three MR-adapters on the fast grid, the final alignment. The position-embedding
// resample (input-independent, ~1e-4 of the total) is not counted.
double llava_hr_vision_flops(const VisionShape& v) {
  const double g = v.image / v.patch, N = g * g, dv = v.hidden, mv = v.ffn;
  double f = kBilinearOps * v.channels * double(v.image) * v.image;   // resize of the input for the fast branch
  f += 2 * N * (v.channels * v.patch * v.patch) * dv + N * dv + kLayerNormOps * N * dv;  // patches, positions, pre-LN
  double layer = 4 * (2 * N * dv * dv + N * dv) + 2 * 2 * N * N * dv + kSoftmaxOps * v.heads * N * N;
  layer += 2 * N * dv * mv + N * mv + 2 * N * mv * dv + N * dv + kQuickGeluOps * N * mv + 2 * kLayerNormOps * N * dv + 2 * N * dv;
  f += v.layers * layer;
  f += convnext_flops(v.slow_dims, v.slow_depths, v.hr_input, v.channels);
  double h = v.hr_input / 4;
  for (int s = 1; s < 4; ++s) h = std::floor(h / 2);
  const double M = h * h, cs = v.slow_dims.back();
  const double align = N == M ? 0 : kBilinearOps * N * dv;  // resize of the slow tokens to the fast grid
  double adapter = 2 * M * cs * cs + M * cs + kGeluOps * M * cs + 2 * M * cs * dv + M * dv + align;  // slow 1x1, GELU, 1x1
  adapter += 2 * N * dv * 49 + N * dv + kGeluOps * N * dv + 2 * N * dv * dv + N * dv + N * dv;        // fast dw7x7, GELU, 1x1, +
  adapter += 2 * N * dv + 2 * (2 * dv) * (dv / 2) + dv / 2 + kGeluOps * dv / 2 + 2 * (dv / 2) + 1 + 2 * N * dv;  // gate, mix
  if (v.hr_adapters) f += 3 * adapter;
  f += 2 * N * dv * dv + N * dv + 2 * N * cs * dv + N * dv + N * dv + (N == M ? 0 : kBilinearOps * N * cs);  // final align
  return f;
}

double vision_flops(const VisionShape& v) {
  if (v.kind == VisionShape::Kind::LlavaHr) return llava_hr_vision_flops(v);
  if (v.kind != VisionShape::Kind::Clip) return 0;
  const double grid = v.image / v.patch, P = grid * grid, t = v.tokens, dv = v.hidden, mv = v.ffn;
  // Patch embedding (a conv = matmul over unfolded patches, no bias), position add, pre_layrnorm.
  double f = 2 * P * (v.channels * v.patch * v.patch) * dv + t * dv + kLayerNormOps * t * dv;
  double layer = 0;
  layer += 4 * (2 * t * dv * dv + t * dv);            // q, k, v, out with biases
  layer += 2 * 2 * t * t * dv + kSoftmaxOps * v.heads * t * t;  // full attention, no mask
  layer += 2 * t * dv * mv + t * mv + 2 * t * mv * dv + t * dv;  // fc1, fc2 with biases
  layer += kQuickGeluOps * t * mv + 2 * kLayerNormOps * t * dv + 2 * t * dv;
  return f + v.layers * layer;
}

double projector_flops(const ProjectorShape& p, int64_t in_tokens) {
  const double n = static_cast<double>(in_tokens), H = p.hidden, O = p.out;
  if (p.kind == ProjectorShape::Kind::Mlp2x)
    return 2 * n * p.in * H + n * H + kGeluOps * n * H + 2 * n * H * O + n * O;
  // TokenPacker (baselines-detail.md §2.3): N fine tokens, M coarse queries, regions of s^2 keys each.
  const double N = static_cast<double>(p.grid) * p.grid, side = p.grid / p.scale, M = side * side;
  const double s2 = static_cast<double>(p.scale) * p.scale, E = p.embed, C = p.multi_level_in;
  double f = 0;
  // keys and values: Linear(C, E) -> GELU -> Linear(E, E) -> LayerNorm, each
  f += 2 * (2 * N * C * E + N * E + kGeluOps * N * E + 2 * N * E * E + N * E + kLayerNormOps * N * E);
  // queries: bilinear resize of the single-level map, bias-free Linear(in, E), LayerNorm
  f += kBilinearOps * M * p.in + 2 * M * p.in * E + kLayerNormOps * M * E;
  // multi-head attention: in-projections (q on M, k and v on N), s^2 keys per query, out-projection
  f += 2 * M * E * E + M * E + 2 * (2 * N * E * E + N * E);
  f += 2 * 2 * M * s2 * E + kSoftmaxOps * p.packer_heads * M * s2;
  f += 2 * M * E * E + M * E;
  // Linear(E, H) -> GELU -> Linear(H, O)
  f += 2 * M * E * H + M * H + kGeluOps * M * H + 2 * M * H * O + M * O;
  return f;
}

double fastv_layer_macs(double n, double d, double m) { return 4 * n * d * d + 2 * n * n * d + 2 * n * d * m; }

double fastv_paper_total(int T, int K, double n, double n_hat, double d, double m) {
  return K * fastv_layer_macs(n, d, m) + (T - K) * fastv_layer_macs(n_hat, d, m);
}

double fastv_paper_reduction(int T, int K, double n, double n_hat, double d, double m) {
  return 1 - fastv_paper_total(T, K, n, n_hat, d, m) / (T * fastv_layer_macs(n, d, m));
}

int64_t fastv_kept_count(int64_t n, double r) {
  // The official KV-cache variant truncates: int(n * (1 - r)). A tiny epsilon absorbs 0.7*... style rounding.
  return static_cast<int64_t>(std::floor(static_cast<double>(n) * (1.0 - r) + 1e-9));
}

FlopsReport count_flops(const ModelShape& shape, const Plan& plan, bool causal) {
  FlopsReport r;
  r.model = shape.name;
  r.plan = plan;
  const LlmShape& llm = shape.llm;
  const double d = llm.hidden;
  for (const auto& lp : plan.layers) {
    LayerFlops f = layer_prefill_flops(llm, lp.tokens, causal);
    const MethodWork& w = lp.work;
    if (w.router_experts > 0) f.router = router_flops(llm.hidden, w.router_experts);
    if (w.pool_in > 0) {
      if (w.kernel_h * w.kernel_w > 1) f.pooling += static_cast<double>(w.pool_in) * d;  // one op per input
      if (w.scaled) f.pooling += static_cast<double>(w.pool_out) * d;  // times the router probability
    }
    if (w.rank_rows > 0) {
      // The rows' attention again (scores over the keys and their softmax), then a sum over heads and rows of the
      // visual columns. FastV rank=last: one row; rank=mean: every row.
      const double rows = static_cast<double>(w.rank_rows), keys = static_cast<double>(w.rank_keys);
      f.ranking = 2 * rows * keys * llm.q_width() + kSoftmaxOps * llm.heads * rows * keys +
                  llm.heads * rows * static_cast<double>(w.rank_visual);
    }
    r.llm_prefill += f.total();
    r.fastv_convention += fastv_layer_macs(static_cast<double>(lp.tokens), d, llm.ffn);
    r.prefill.push_back(f);
  }
  // The final norm and the LM head run on the rows whose logits are computed (the last one for generation).
  r.lm_head = final_norm_flops(llm, plan.prefill_logit_rows) + lm_head_flops(llm, plan.prefill_logit_rows);

  // Decode pass t (0-based) feeds one token into every layer, whose cache then holds kv_len + t entries.
  auto decode_pass = [&](int64_t t, std::vector<LayerFlops>* per_layer) {
    double total = final_norm_flops(llm, 1) + lm_head_flops(llm, 1);
    for (const auto& lp : plan.layers) {
      const LayerFlops f = layer_decode_flops(llm, lp.kv_len + t);
      total += f.total();
      if (per_layer) per_layer->push_back(f);
    }
    return total;
  };
  r.llm_decode_per_token = decode_pass(0, &r.decode_first);
  r.decode_passes = plan.decode_passes;
  for (int64_t t = 0; t < plan.decode_passes; ++t) r.llm_decode_total += decode_pass(t, nullptr);

  r.vision = vision_flops(shape.vision);
  r.vision_counted = shape.vision.kind != VisionShape::Kind::NotCounted;
  r.vision_note = shape.vision.note;
  r.projector = projector_flops(shape.projector, plan.projector_in);
  return r;
}

FlopsReport count_flops(const ModelShape& shape, const MethodSpec& method, const FlopsOptions& opt) {
  ModelShape used = shape;  // with the projector the method runs (tokenpacker:tokens=N may change it)
  used.projector = visual_input(shape, method, opt, "flops for '" + to_string(method) + "' on " + shape.name).projector;
  FlopsReport r = count_flops(used, build_plan(shape, method, opt), opt.causal);
  r.method = to_string(method);
  return r;
}

Saving saving_vs(const FlopsReport& base, const FlopsReport& method) {
  auto frac = [](double b, double m) { return b > 0 ? 1 - m / b : 0.0; };
  Saving s;
  s.llm_prefill = frac(base.llm_prefill, method.llm_prefill);
  s.llm = frac(base.llm_total(), method.llm_total());
  s.whole = frac(base.whole_total(), method.whole_total());
  s.fastv_convention = frac(base.fastv_convention, method.fastv_convention);
  return s;
}

}  // namespace dpn::flops

// The strict weight loader: key tables per layout, shapes checked against the config, unknown keys reported.
#include "model/weights.h"

#include <ATen/ATen.h>

#include <set>
#include <tuple>

#include "io/tensor_set.h"
#include "util/error.h"

namespace dpn {

namespace {

at::ScalarType to_scalar(DType d, const std::string& where) {
  switch (d) {
    case DType::F32: return at::kFloat;
    case DType::F16: return at::kHalf;
    case DType::BF16: return at::kBFloat16;
    case DType::F64: return at::kDouble;
    default: throw Error(where, std::string("dtype ") + dtype_name(d) + " is not a floating-point weight type");
  }
}

// Binds checkpoint tensors to struct fields, remembering which keys were used.
class Binder {
 public:
  Binder(const TensorSet& set, at::ScalarType dtype, at::Device device, std::string source)
      : set_(set), dtype_(dtype), device_(device), source_(std::move(source)) {}

  at::Tensor get(const std::string& key, std::vector<int64_t> shape) {
    const RawTensor* t = set_.find(key);
    if (!t) throw Error(source_, "missing tensor '" + key + "' (expected shape " + shape_string(shape) + ")");
    used_.insert(key);
    if (t->shape != shape)
      throw Error(t->file, "tensor '" + key + "' has shape " + shape_string(t->shape) + " but the config implies " + shape_string(shape));
    at::ScalarType st = to_scalar(t->dtype, t->file + ": tensor '" + key + "'");
    auto opts = at::TensorOptions().dtype(st);
    at::Tensor view = at::from_blob(const_cast<std::byte*>(t->data), t->shape, opts);
    bool aligned = reinterpret_cast<uintptr_t>(t->data) % dtype_size(t->dtype) == 0;
    if (device_.is_cpu() && st == dtype_ && aligned) {  // zero-copy: the tensor lives in the mapped file
      bytes_in_place += int64_t(t->nbytes);
      return view;
    }
    bytes_copied += int64_t(t->numel()) * int64_t(at::elementSize(dtype_));
    return view.to(device_, dtype_, /*non_blocking=*/false, /*copy=*/true);
  }

  bool has(const std::string& key) const { return set_.contains(key); }
  void ignore(const std::string& key) { used_.insert(key); }

  // Reports tensors the model does not use, except those matched by `known_unused` prefixes/suffixes.
  void check_all_used(const std::vector<std::string>& known_unused_prefixes) const {
    std::vector<std::string> extra;
    for (const auto& name : set_.names()) {
      if (used_.count(name)) continue;
      bool known = false;
      for (const auto& p : known_unused_prefixes)
        if (name.rfind(p, 0) == 0 || (p.front() == '*' && name.size() >= p.size() - 1 && name.compare(name.size() - (p.size() - 1), p.size() - 1, p.substr(1)) == 0))
          known = true;
      if (!known) extra.push_back(name);
    }
    if (!extra.empty()) {
      std::string list;
      for (size_t i = 0; i < extra.size() && i < 8; ++i) list += "\n  " + extra[i];
      if (extra.size() > 8) list += "\n  ... (" + std::to_string(extra.size() - 8) + " more)";
      throw Error(source_, std::to_string(extra.size()) + " unexpected tensor(s) that this model does not use:" + list);
    }
  }

 public:
  int64_t bytes_in_place = 0, bytes_copied = 0;

 private:
  const TensorSet& set_;
  at::ScalarType dtype_;
  at::Device device_;
  std::string source_;
  std::set<std::string> used_;
};

std::string L(int i) { return std::to_string(i); }

ClipWeights load_clip(Binder& b, const std::string& p, const LlavaConfig& cfg) {
  const VisionConfig& v = cfg.vision;
  const int64_t Dv = v.hidden, Mv = v.intermediate, P = v.patch_size, C = v.channels;
  ClipWeights w;
  w.class_embedding = b.get(p + "embeddings.class_embedding", {Dv});
  w.patch_w = b.get(p + "embeddings.patch_embedding.weight", {Dv, C, P, P});
  w.pos_embedding = b.get(p + "embeddings.position_embedding.weight", {int64_t(v.patches()) + 1, Dv});
  w.pre_ln_w = b.get(p + "pre_layrnorm.weight", {Dv});
  w.pre_ln_b = b.get(p + "pre_layrnorm.bias", {Dv});
  const int run = cfg.vision_layers_to_run();
  for (int i = 0; i < v.layers; ++i) {
    const std::string q = p + "encoder.layers." + L(i) + ".";
    if (i >= run) {  // computed by Python but discarded (llava-detail.md §1.3): present, validated by name only
      for (const char* s : {"layer_norm1.weight", "layer_norm1.bias", "self_attn.q_proj.weight", "self_attn.q_proj.bias",
                            "self_attn.k_proj.weight", "self_attn.k_proj.bias", "self_attn.v_proj.weight",
                            "self_attn.v_proj.bias", "self_attn.out_proj.weight", "self_attn.out_proj.bias",
                            "layer_norm2.weight", "layer_norm2.bias", "mlp.fc1.weight", "mlp.fc1.bias", "mlp.fc2.weight",
                            "mlp.fc2.bias"}) {
        if (!b.has(q + s)) throw Error("vision tower", "missing tensor '" + q + s + "'");
        b.ignore(q + s);
      }
      continue;
    }
    ClipLayerWeights l;
    l.ln1_w = b.get(q + "layer_norm1.weight", {Dv});
    l.ln1_b = b.get(q + "layer_norm1.bias", {Dv});
    l.q_w = b.get(q + "self_attn.q_proj.weight", {Dv, Dv});
    l.q_b = b.get(q + "self_attn.q_proj.bias", {Dv});
    l.k_w = b.get(q + "self_attn.k_proj.weight", {Dv, Dv});
    l.k_b = b.get(q + "self_attn.k_proj.bias", {Dv});
    l.v_w = b.get(q + "self_attn.v_proj.weight", {Dv, Dv});
    l.v_b = b.get(q + "self_attn.v_proj.bias", {Dv});
    l.o_w = b.get(q + "self_attn.out_proj.weight", {Dv, Dv});
    l.o_b = b.get(q + "self_attn.out_proj.bias", {Dv});
    l.ln2_w = b.get(q + "layer_norm2.weight", {Dv});
    l.ln2_b = b.get(q + "layer_norm2.bias", {Dv});
    l.fc1_w = b.get(q + "mlp.fc1.weight", {Mv, Dv});
    l.fc1_b = b.get(q + "mlp.fc1.bias", {Mv});
    l.fc2_w = b.get(q + "mlp.fc2.weight", {Dv, Mv});
    l.fc2_b = b.get(q + "mlp.fc2.bias", {Dv});
    w.layers.push_back(l);
  }
  for (const char* s : {"post_layernorm.weight", "post_layernorm.bias", "embeddings.position_ids"})
    if (b.has(p + s)) b.ignore(p + s);
  return w;
}

LlamaWeights load_llama(Binder& b, const LlavaConfig& cfg) {
  const TextConfig& t = cfg.text;
  const std::string& p = cfg.names.llm;
  const int64_t D = t.hidden, M = t.intermediate, V = t.vocab, Dh = t.head_dim();
  LlamaWeights w;
  w.embed = b.get(p + "embed_tokens.weight", {V, D});
  w.norm = b.get(p + "norm.weight", {D});
  w.lm_head = cfg.names.lm_head.empty() ? w.embed : b.get(cfg.names.lm_head, {V, D});  // empty: tied
  for (int i = 0; i < t.layers; ++i) {
    const std::string q = p + "layers." + L(i) + ".";
    LlamaLayerWeights l;
    l.attn_norm = b.get(q + "input_layernorm.weight", {D});
    l.q = b.get(q + "self_attn.q_proj.weight", {t.heads * Dh, D});
    l.k = b.get(q + "self_attn.k_proj.weight", {t.kv_heads * Dh, D});
    l.v = b.get(q + "self_attn.v_proj.weight", {t.kv_heads * Dh, D});
    l.o = b.get(q + "self_attn.o_proj.weight", {D, t.heads * Dh});
    l.mlp_norm = b.get(q + "post_attention_layernorm.weight", {D});
    l.gate = b.get(q + "mlp.gate_proj.weight", {M, D});
    l.up = b.get(q + "mlp.up_proj.weight", {M, D});
    l.down = b.get(q + "mlp.down_proj.weight", {D, M});
    if (b.has(q + "self_attn.rotary_emb.inv_freq")) b.ignore(q + "self_attn.rotary_emb.inv_freq");
    w.layers.push_back(l);
  }
  // DPN routers and conv experts (dpn-detail.md §2.6), only on the configured DPE layers.
  for (const auto& pl : cfg.pooling.layers) {
    const std::string q = p + "layers." + L(pl.index) + ".";
    auto& l = w.layers[pl.index];
    const int64_t E = pl.experts.size();
    if (cfg.pooling.type != PoolingType::Adaptive) {
      // A static/random ablation of a trained checkpoint may still carry its routers: known, not used.
      for (const char* s : {"pooling_router.mlp1.0.weight", "pooling_router.mlp1.0.bias", "pooling_router.mlp1.1.weight",
                            "pooling_router.predictor.weight"})
        if (b.has(q + s)) b.ignore(q + s);
    } else {
      if (cfg.pooling.router_version == RouterVersion::V1) {
        l.router.ln_w = b.get(q + "pooling_router.mlp1.0.weight", {D});
        l.router.ln_b = b.get(q + "pooling_router.mlp1.0.bias", {D});
        l.router.fc1 = b.get(q + "pooling_router.mlp1.1.weight", {D / 4, D});
        l.router.predictor = b.get(q + "pooling_router.predictor.weight", {E, D / 4});
      } else {
        l.router.predictor = b.get(q + "pooling_router.predictor.weight", {E, D});
      }
    }
    if (cfg.pooling.function == PoolFunction::Conv)
      for (int64_t e = 0; e < E; ++e)
        l.conv_experts.push_back(b.get(q + "experts." + std::to_string(e) + ".weight",
                                       {D, 1, pl.experts[e].first, pl.experts[e].second}));
  }
  return w;
}

TokenPackerWeights load_tokenpacker(Binder& b, const LlavaConfig& cfg) {
  const std::string& p = cfg.names.projector;
  const int64_t E = cfg.mm_hidden, Dm = E * int64_t(cfg.tokenpacker.levels.size()), D = cfg.text.hidden;
  TokenPackerWeights w;
  w.q_proj = b.get(p + "q_proj_1.weight", {E, E});
  w.k0_w = b.get(p + "k_proj_1.0.weight", {E, Dm});
  w.k0_b = b.get(p + "k_proj_1.0.bias", {E});
  w.k2_w = b.get(p + "k_proj_1.2.weight", {E, E});
  w.k2_b = b.get(p + "k_proj_1.2.bias", {E});
  w.v0_w = b.get(p + "v_proj_1.0.weight", {E, Dm});
  w.v0_b = b.get(p + "v_proj_1.0.bias", {E});
  w.v2_w = b.get(p + "v_proj_1.2.weight", {E, E});
  w.v2_b = b.get(p + "v_proj_1.2.bias", {E});
  for (auto [name, wt, bs] : {std::tuple{"ln_q_1", &w.ln_q_w, &w.ln_q_b}, std::tuple{"ln_k_1", &w.ln_k_w, &w.ln_k_b},
                              std::tuple{"ln_v_1", &w.ln_v_w, &w.ln_v_b}}) {
    *wt = b.get(p + name + ".weight", {E});
    *bs = b.get(p + name + ".bias", {E});
  }
  w.in_proj_w = b.get(p + "clip_attn.in_proj_weight", {3 * E, E});
  w.in_proj_b = b.get(p + "clip_attn.in_proj_bias", {3 * E});
  w.out_w = b.get(p + "clip_attn.out_proj.weight", {E, E});
  w.out_b = b.get(p + "clip_attn.out_proj.bias", {E});
  w.mlp0_w = b.get(p + "mlp.0.weight", {D, E});
  w.mlp0_b = b.get(p + "mlp.0.bias", {D});
  w.mlp2_w = b.get(p + "mlp.2.weight", {D, D});
  w.mlp2_b = b.get(p + "mlp.2.bias", {D});
  return w;
}

ProjectorWeights load_projector(Binder& b, const LlavaConfig& cfg) {
  const int64_t D = cfg.text.hidden, Dv = cfg.mm_hidden;
  const std::string p1 = cfg.names.projector + cfg.names.projector1, p2 = cfg.names.projector + cfg.names.projector2;
  ProjectorWeights w;
  w.w1 = b.get(p1 + "weight", {D, Dv});
  w.w2 = b.get(p2 + "weight", {D, D});
  if (cfg.names.projector_bias) {  // multimodal_projector_bias = false: none
    w.b1 = b.get(p1 + "bias", {D});
    w.b2 = b.get(p2 + "bias", {D});
  }
  return w;
}

// LLaVA-HR's slow ConvNeXt (llava-detail.md §7.2); `p` ends in "slow_vision_tower.vision_tower.".
ConvNextWeights load_convnext(Binder& b, const std::string& p, const SlowVisionConfig& c) {
  ConvNextWeights w;
  const int64_t C0 = c.dims[0];
  w.stem_w = b.get(p + "stem.0.weight", {C0, 3, 4, 4});
  w.stem_b = b.get(p + "stem.0.bias", {C0});
  w.stem_ln_w = b.get(p + "stem.1.weight", {C0});
  w.stem_ln_b = b.get(p + "stem.1.bias", {C0});
  for (int s = 0; s < 4; ++s) {
    const std::string q = p + "stages." + L(s) + ".";
    const int64_t C = c.dims[s];
    ConvNextStageWeights st;
    if (s > 0) {  // stage 0 keeps the stem's resolution and width: no downsample
      const int64_t Cp = c.dims[s - 1];
      st.down_ln_w = b.get(q + "downsample.0.weight", {Cp});
      st.down_ln_b = b.get(q + "downsample.0.bias", {Cp});
      st.down_w = b.get(q + "downsample.1.weight", {C, Cp, 2, 2});
      st.down_b = b.get(q + "downsample.1.bias", {C});
    }
    for (int k = 0; k < c.depths[s]; ++k) {
      const std::string r = q + "blocks." + L(k) + ".";
      ConvNextBlockWeights bw;
      bw.dw_w = b.get(r + "conv_dw.weight", {C, 1, 7, 7});
      bw.dw_b = b.get(r + "conv_dw.bias", {C});
      bw.ln_w = b.get(r + "norm.weight", {C});
      bw.ln_b = b.get(r + "norm.bias", {C});
      bw.fc1_w = b.get(r + "mlp.fc1.weight", {4 * C, C});
      bw.fc1_b = b.get(r + "mlp.fc1.bias", {4 * C});
      bw.fc2_w = b.get(r + "mlp.fc2.weight", {C, 4 * C});
      bw.fc2_b = b.get(r + "mlp.fc2.bias", {C});
      if (b.has(r + "gamma") && !b.has(r + "weight"))
        throw Error("slow vision tower", "'" + r + "gamma' is timm's name; LLaVA-HR checkpoints say '" + r + "weight'");
      bw.scale = b.get(r + "weight", {C});
      st.blocks.push_back(bw);
    }
    w.stages.push_back(st);
  }
  return w;
}

// The MR-adapters and the final alignment of LLaVA-HR; `p` = "model.vision_tower.".
HrVisionWeights load_hr_tower(Binder& b, const std::string& p, const LlavaConfig& cfg) {
  HrVisionWeights w;
  const int64_t Dv = cfg.vision.hidden, Cs = cfg.multipath.slow.hidden();
  w.slow = load_convnext(b, p + "slow_vision_tower.vision_tower.", cfg.multipath.slow);
  for (int k = 0; cfg.multipath.adapters && k < 3; ++k) {
    const std::string q = p + "align_stages_latent." + L(k) + ".";
    HrAdapterWeights a;
    a.slow_conv_w = b.get(q + "slow_conv.weight", {Cs, Cs, 1, 1});
    a.slow_conv_b = b.get(q + "slow_conv.bias", {Cs});
    a.slow_proj_w = b.get(q + "slow_proj.weight", {Dv, Cs, 1, 1});
    a.slow_proj_b = b.get(q + "slow_proj.bias", {Dv});
    a.fast_conv_w = b.get(q + "fast_conv.weight", {Dv, 1, 7, 7});
    a.fast_conv_b = b.get(q + "fast_conv.bias", {Dv});
    a.fast_proj_w = b.get(q + "fast_proj.weight", {Dv, Dv, 1, 1});
    a.fast_proj_b = b.get(q + "fast_proj.bias", {Dv});
    a.gate1_w = b.get(q + "gate.0.weight", {Dv / 2, 2 * Dv});
    a.gate1_b = b.get(q + "gate.0.bias", {Dv / 2});
    a.gate2_w = b.get(q + "gate.2.weight", {1, Dv / 2});
    a.gate2_b = b.get(q + "gate.2.bias", {1});
    w.adapters.push_back(a);
  }
  const std::string q = p + "align_stages.0.";
  w.align.fast_w = b.get(q + "fast_proj.weight", {Dv, Dv});
  w.align.fast_b = b.get(q + "fast_proj.bias", {Dv});
  w.align.slow_w = b.get(q + "slow_proj.weight", {Dv, Cs});
  w.align.slow_b = b.get(q + "slow_proj.bias", {Dv});
  return w;
}

}  // namespace

LlavaWeights load_llava_weights(const LlavaConfig& cfg, at::ScalarType dtype, at::Device device) {
  const bool separate_tower = cfg.layout == Layout::Original && !cfg.multipath.enabled;
  if (separate_tower && cfg.vision_dir.empty()) throw Error(cfg.config_path, cfg.vision_missing);
  LlavaWeights w;
  TensorSet set = open_checkpoint_folder(cfg.model_dir);
  w.layout = cfg.layout;
  Binder b(set, dtype, device, cfg.model_dir);
  w.llm = load_llama(b, cfg);
  if (cfg.projector == ProjectorKind::TokenPacker) w.tokenpacker = load_tokenpacker(b, cfg);
  else w.projector = load_projector(b, cfg);
  std::vector<std::string> unused;
  if (cfg.names.lm_head.empty())  // tied: a stored copy of the head is not used (transformers ignores it too)
    for (const char* head : {"lm_head.weight", "language_model.lm_head.weight"}) unused.push_back(head);
  if (cfg.multipath.enabled) {  // LLaVA-HR: both towers and the adapters are in the checkpoint itself
    w.vision = load_clip(b, cfg.names.vision, cfg);
    w.hr = load_hr_tower(b, "model.vision_tower.", cfg);
    unused.insert(unused.end(), {"model.vision_tower.slow_vision_tower.vision_tower.head.",  // classifier, unused
                                 "model.vision_tower.slow_vision_tower.vision_tower.norm_pre."});
  } else if (separate_tower) {
    // LLaVA checkpoints sometimes carry a copy of the tower (LLaVA #672): validated, not used.
    unused.push_back("model.vision_tower.");
    TensorSet vset = open_checkpoint_folder(cfg.vision_dir);
    Binder vb(vset, dtype, device, cfg.vision_dir);
    w.vision = load_clip(vb, cfg.names.vision, cfg);
    vb.check_all_used({"text_model.", "visual_projection.", "text_projection.", "logit_scale"});
    w.bytes_in_place += vb.bytes_in_place;
    w.bytes_copied += vb.bytes_copied;
    w.keep_alive.push_back(std::make_shared<TensorSet>(std::move(vset)));
  } else {
    w.vision = load_clip(b, cfg.names.vision, cfg);
  }
  b.check_all_used(unused);
  w.bytes_in_place += b.bytes_in_place;
  w.bytes_copied += b.bytes_copied;
  w.keep_alive.push_back(std::make_shared<TensorSet>(std::move(set)));
  return w;
}

}  // namespace dpn

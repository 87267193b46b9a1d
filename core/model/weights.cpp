// The strict weight loader: key tables per layout, shapes checked against the config, unknown keys reported.
#include "model/weights.h"

#include <ATen/ATen.h>

#include <set>

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

LlamaWeights load_llama(Binder& b, const std::string& p, const std::string& head_key, const LlavaConfig& cfg) {
  const TextConfig& t = cfg.text;
  const int64_t D = t.hidden, M = t.intermediate, V = t.vocab, Dh = t.head_dim();
  LlamaWeights w;
  w.embed = b.get(p + "embed_tokens.weight", {V, D});
  w.norm = b.get(p + "norm.weight", {D});
  w.lm_head = b.get(head_key, {V, D});
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
    if (cfg.pooling.type == "adaptive") {
      if (cfg.pooling.router_version == "v1") {
        l.router.ln_w = b.get(q + "pooling_router.mlp1.0.weight", {D});
        l.router.ln_b = b.get(q + "pooling_router.mlp1.0.bias", {D});
        l.router.fc1 = b.get(q + "pooling_router.mlp1.1.weight", {D / 4, D});
        l.router.predictor = b.get(q + "pooling_router.predictor.weight", {E, D / 4});
      } else {
        l.router.predictor = b.get(q + "pooling_router.predictor.weight", {E, D});
      }
    }
    if (cfg.pooling.function == "conv")
      for (int64_t e = 0; e < E; ++e)
        l.conv_experts.push_back(b.get(q + "experts." + std::to_string(e) + ".weight",
                                       {D, 1, pl.experts[e].first, pl.experts[e].second}));
  }
  return w;
}

ProjectorWeights load_projector(Binder& b, const std::string& p1, const std::string& p2, const LlavaConfig& cfg) {
  const int64_t D = cfg.text.hidden, Dv = cfg.mm_hidden;
  ProjectorWeights w;
  w.w1 = b.get(p1 + "weight", {D, Dv});
  w.b1 = b.get(p1 + "bias", {D});
  w.w2 = b.get(p2 + "weight", {D, D});
  w.b2 = b.get(p2 + "bias", {D});
  return w;
}

}  // namespace

LlavaWeights load_llava_weights(LlavaConfig& cfg, at::ScalarType dtype, at::Device device) {
  LlavaWeights w;
  TensorSet set = open_checkpoint_folder(cfg.model_dir);
  if (cfg.layout != Layout::Original) {
    if (set.contains("model.language_model.embed_tokens.weight")) cfg.layout = Layout::HfNew;
    else if (set.contains("language_model.model.embed_tokens.weight")) cfg.layout = Layout::HfLegacy;
    else throw Error(cfg.model_dir, "llava-hf config, but neither 'language_model.model.embed_tokens.weight' nor "
                                    "'model.language_model.embed_tokens.weight' is in the weights");
  }
  w.layout = cfg.layout;
  Binder b(set, dtype, device, cfg.model_dir);
  switch (cfg.layout) {
    case Layout::Original: {
      w.llm = load_llama(b, "model.", "lm_head.weight", cfg);
      if (cfg.projector == "mlp2x_gelu") w.projector = load_projector(b, "model.mm_projector.0.", "model.mm_projector.2.", cfg);
      std::vector<std::string> unused;
      if (cfg.projector != "mlp2x_gelu") unused.push_back("model.mm_projector.");
      // LLaVA checkpoints sometimes carry a copy of the tower (LLaVA #672): validated, not used.
      unused.push_back("model.vision_tower.");
      b.check_all_used(unused);
      TensorSet vset = open_checkpoint_folder(cfg.vision_dir);
      Binder vb(vset, dtype, device, cfg.vision_dir);
      w.vision = load_clip(vb, "vision_model.", cfg);
      vb.check_all_used({"text_model.", "visual_projection.", "text_projection.", "logit_scale"});
      w.bytes_in_place += vb.bytes_in_place;
      w.bytes_copied += vb.bytes_copied;
      w.keep_alive.push_back(std::make_shared<TensorSet>(std::move(vset)));
      break;
    }
    case Layout::HfLegacy:
      w.llm = load_llama(b, "language_model.model.", "language_model.lm_head.weight", cfg);
      w.projector = load_projector(b, "multi_modal_projector.linear_1.", "multi_modal_projector.linear_2.", cfg);
      w.vision = load_clip(b, "vision_tower.vision_model.", cfg);
      b.check_all_used({});
      break;
    case Layout::HfNew:
      w.llm = load_llama(b, "model.language_model.", "lm_head.weight", cfg);
      w.projector = load_projector(b, "model.multi_modal_projector.linear_1.", "model.multi_modal_projector.linear_2.", cfg);
      w.vision = load_clip(b, "model.vision_tower.vision_model.", cfg);
      b.check_all_used({});
      break;
  }
  w.bytes_in_place += b.bytes_in_place;
  w.bytes_copied += b.bytes_copied;
  w.keep_alive.push_back(std::make_shared<TensorSet>(std::move(set)));
  return w;
}

}  // namespace dpn

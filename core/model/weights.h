// LLaVA weights as plain structs named after the checkpoint keys, filled by a strict loader that checks every
// name, shape and dtype and reports missing, mis-shaped and unexpected tensors by name.
// Shapes in symbols: D LLM hidden, M LLM FFN width, V vocab, Dh head dim, H heads, Hkv kv heads,
// Dv vision hidden, Mv vision FFN width, P patch size, G grid side, C channels.
#pragma once
#include <ATen/core/Tensor.h>

#include <memory>
#include <string>
#include <vector>

#include "model/config.h"
#include "model/llava_hr_weights.h"

namespace dpn {

struct ClipLayerWeights {           // vision_model.encoder.layers.{i}.
  at::Tensor ln1_w, ln1_b;          // layer_norm1.{weight,bias}            [Dv]
  at::Tensor q_w, q_b, k_w, k_b;    // self_attn.{q,k}_proj.{weight,bias}   [Dv, Dv], [Dv]
  at::Tensor v_w, v_b, o_w, o_b;    // self_attn.{v,out}_proj.{weight,bias} [Dv, Dv], [Dv]
  at::Tensor ln2_w, ln2_b;          // layer_norm2.{weight,bias}            [Dv]
  at::Tensor fc1_w, fc1_b;          // mlp.fc1.{weight,bias}                [Mv, Dv], [Mv]
  at::Tensor fc2_w, fc2_b;          // mlp.fc2.{weight,bias}                [Dv, Mv], [Dv]
};

struct ClipWeights {                // vision_model.
  at::Tensor class_embedding;       // embeddings.class_embedding           [Dv]
  at::Tensor patch_w;               // embeddings.patch_embedding.weight    [Dv, C, P, P] (no bias)
  at::Tensor pos_embedding;         // embeddings.position_embedding.weight [G*G+1, Dv]
  at::Tensor pre_ln_w, pre_ln_b;    // pre_layrnorm.{weight,bias}           [Dv]
  std::vector<ClipLayerWeights> layers;  // only the layers up to the selected hidden state
};

struct ProjectorWeights {           // model.mm_projector.{0,2} | multi_modal_projector.linear_{1,2}
  at::Tensor w1, b1;                // [D, Dv], [D] (no biases when multimodal_projector_bias is false)
  at::Tensor w2, b2;                // [D, D], [D]
};

struct TokenPackerWeights {        // model.mm_projector. (TokenPacker; E = packer width = Dv, Dm = Dv * levels)
  at::Tensor q_proj;                // q_proj_1.weight                      [E, Dv]
  at::Tensor k0_w, k0_b, k2_w, k2_b;// k_proj_1.{0,2}.{weight,bias}         [E, Dm], [E], [E, E], [E]
  at::Tensor v0_w, v0_b, v2_w, v2_b;// v_proj_1.{0,2}.{weight,bias}
  at::Tensor ln_q_w, ln_q_b, ln_k_w, ln_k_b, ln_v_w, ln_v_b;  // ln_{q,k,v}_1.{weight,bias} [E]
  at::Tensor in_proj_w, in_proj_b;  // clip_attn.in_proj_{weight,bias}      [3E, E], [3E]
  at::Tensor out_w, out_b;          // clip_attn.out_proj.{weight,bias}     [E, E], [E]
  at::Tensor mlp0_w, mlp0_b, mlp2_w, mlp2_b;  // mlp.{0,2}.{weight,bias}   [D, E], [D], [D, D], [D]
};

struct RouterWeights {              // model.layers.{i}.pooling_router.
  at::Tensor ln_w, ln_b;            // mlp1.0.{weight,bias} (v1)            [D]
  at::Tensor fc1;                   // mlp1.1.weight (v1)                   [D/4, D]
  at::Tensor predictor;             // predictor.weight                     [E, D/4] (v1) | [E, D] (v2)
};

struct LlamaLayerWeights {          // model.layers.{i}.
  at::Tensor attn_norm;             // input_layernorm.weight               [D]
  at::Tensor q, k, v, o;            // self_attn.{q,k,v,o}_proj.weight      [H*Dh, D], [Hkv*Dh, D] x2, [D, H*Dh]
  at::Tensor mlp_norm;              // post_attention_layernorm.weight      [D]
  at::Tensor gate, up, down;        // mlp.{gate,up,down}_proj.weight       [M, D], [M, D], [D, M]
  RouterWeights router;             // present only on DPE layers of adaptive DPN checkpoints
  std::vector<at::Tensor> conv_experts;  // experts.{j}.weight [D, 1, kh, kw] (pooling_function = conv)
};

struct LlamaWeights {
  at::Tensor embed;                 // model.embed_tokens.weight            [V, D]
  std::vector<LlamaLayerWeights> layers;
  at::Tensor norm;                  // model.norm.weight                    [D]
  at::Tensor lm_head;               // lm_head.weight                       [V, D] (embed when tied)
};

struct LlavaWeights {
  ClipWeights vision;
  ProjectorWeights projector;
  TokenPackerWeights tokenpacker;   // instead of `projector` for a TokenPacker checkpoint
  LlamaWeights llm;
  HrVisionWeights hr;               // LLaVA-HR only (cfg.multipath.enabled); `vision` then holds its fast CLIP
  std::vector<std::shared_ptr<const void>> keep_alive;  // the mapped checkpoint files
  Layout layout = Layout::Original;
  int64_t bytes_in_place = 0;  // used straight from the mapped files
  int64_t bytes_copied = 0;    // converted to the compute dtype (or moved to the device) at load
};

// Loads and validates every tensor. `dtype` is the compute dtype (at::kFloat or at::kBFloat16): tensors already in
// it are used in place from the mmap (no copy); others are converted once. Reads the tensors `cfg.names` points to.
LlavaWeights load_llava_weights(const LlavaConfig& cfg, at::ScalarType dtype, at::Device device = at::kCPU);

}  // namespace dpn

// The trainable tiny LLaVA: named parameters (the checkpoint's own key names) and batched, autograd-enabled
// forwards of the CLIP ViT, the mlp2x_gelu and TokenPacker projectors, and the LLaMA decoder with DPN's DPE layers
// (per-sample router, sampled expert, pooling, re-packed sequences). Shapes: B batch, L length, D LLM hidden,
// Dv vision hidden, N = G*G patches, E experts.
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace dpn::train {

// Named tensors; names are checkpoint keys ("model.layers.0.self_attn.q_proj.weight", "vision_model....",
// "aux.*" for the vision tower's dense training heads, never written into a model folder).
using Params = std::map<std::string, at::Tensor>;

struct ModelDims {
  int image_size = 96, patch = 8;
  int v_hidden = 64, v_layers = 4, v_heads = 4, v_inter = 256;
  int hidden = 128, layers = 4, heads = 4, kv_heads = 4, inter = 352, vocab = 0;
  int max_positions = 512;
  double rms_eps = 1e-5, rope_theta = 10000.0, v_ln_eps = 1e-5;
  int grid() const { return image_size / patch; }
};

// One DPE layer: the LLaMA layer index (pooling "post": its output is pooled) and its experts (kh, kw).
struct DpeLayer {
  int index = 0;
  std::vector<std::pair<int, int>> experts;
};

struct DpnSpec {
  std::vector<DpeLayer> layers;
  double temperature = 10.0;  // softmax(logits / 10), dpn-detail.md §1.5
  int skip_below = 16;        // a sample with fewer visual tokens is not pooled (§1.6 guard 2)
  int min_tokens = 18;        // training: resample while n / area < min_tokens (§1.6 guard 3), capped below
  int max_resample = 32;      // the reference loops forever; after this many draws the 1x1 expert is used
  std::map<int, int> forced;  // DPE layer -> expert index used whatever the mode (what-if paths, parity tests)
  double explore = 0;          // training draws: this share of the distribution spread uniformly (reference: 0)
  bool forced_unscaled = false;  // a forced expert's tokens are not scaled by its probability (the trainer's
                                 // per-expert loss probes compare the experts themselves, not the router's current p)
};

// Dense per-patch targets of the vision pre-training (PatchLabels plus the patch's row and column).
struct AuxHead {
  const char* name;
  int classes;
};
const std::vector<AuxHead>& aux_heads();

void init_vision(Params& p, const ModelDims& d, uint64_t seed);  // CLIP tower + aux heads
void init_mlp_projector(Params& p, const ModelDims& d, uint64_t seed);
void init_tokenpacker(Params& p, const ModelDims& d, uint64_t seed);
// TokenPacker that starts as 2x2 average pooling followed by a trained mlp2x projector (`base`, the demo-base
// projector's model.mm_projector.{0,2}): uniform region attention (zero query projection), a value path that passes
// the last ViT level through (the GELU kept in its linear range, the LayerNorm re-scaled by the features' mean
// per-token `feature_mean` and `feature_std`), identity attention output, and the base projector as `mlp`. The key
// path and q_proj_1 start random (seed) as in init_tokenpacker. See core/train/README.md ("TokenPacker").
void init_tokenpacker_as_avg_pool(Params& p, const ModelDims& d, uint64_t seed, const Params& base,
                                  double feature_mean, double feature_std);
void init_llm(Params& p, const ModelDims& d, uint64_t seed);
void init_routers(Params& p, const ModelDims& d, const DpnSpec& spec, uint64_t seed);

// pixels [B, 3, S, S] -> hidden_states[0..v_layers], each [B, N+1, Dv] (index 0 = embeddings after pre-LN).
std::vector<at::Tensor> vit_forward(const Params& p, const ModelDims& d, const at::Tensor& pixels);
// Patch features [B, N, Dv] -> per-head logits [B, N, classes].
std::vector<at::Tensor> aux_logits(const Params& p, const at::Tensor& patch_features);
// [B, N, Dv] -> [B, N, D]
at::Tensor mlp_projector(const Params& p, const at::Tensor& features);
// TokenPacker (scale 2, 8 heads, official CircleRadon/TokenPacker names under model.mm_projector.):
// features [B, N, Dv], multi-level [B, N, 4*Dv] -> [B, (G/2)^2, D].
constexpr int kTokenPackerScale = 2;
constexpr int kTokenPackerHeads = 8;
at::Tensor tokenpacker_projector(const Params& p, const ModelDims& d, const at::Tensor& features, const at::Tensor& multi);
// Vision tower (no gradient: it is frozen after pre-training) + projector: pixels [B, 3, S, S] -> visual tokens
// [B, N', D]. Features: the last layer's patches; TokenPacker's multi-level input: the last four layers' patches.
at::Tensor visual_tokens(const Params& p, const ModelDims& d, const at::Tensor& pixels, bool tokenpacker);

// A batch of right-padded sequences entering the decoder.
struct SeqBatch {
  at::Tensor embeds;   // [B, L, D]
  at::Tensor targets;  // [B, L] int64: the token that position t must predict, -100 where there is no loss
  std::vector<int64_t> vis_start, vis_count, length;
  std::vector<int> grid_h, grid_w;
  std::vector<int64_t> router_pos;  // the token the router reads (the last prompt token, use_special_token=false)
};

// One router decision.
struct RouteRecord {
  int layer = 0, sample = 0, chosen = 0;
  at::Tensor probs;  // [E], with gradient
};

struct DecoderResult {
  at::Tensor loss;                   // mean next-token cross-entropy over target positions
  at::Tensor logits;                 // [K, V] at the target positions (row-major over (b, t))
  at::Tensor target_ids;             // [K]
  std::vector<int64_t> target_sample;  // sample of each row
  std::vector<RouteRecord> routes;
};

enum class RouteMode { Sample, Argmax };

// Runs the decoder; with `dpn` non-null, DPE layers route, pool and re-pack each sample (dpn-detail.md §1.5-1.9).
DecoderResult decoder_forward(const Params& p, const ModelDims& d, SeqBatch batch, const DpnSpec* dpn, RouteMode mode);

// Routing loss "as intended" (dpn-detail.md §2.1): per DPE layer, hinge max(0, target - mean over its records of
// scale[argmax] * p[argmax]) with scale = expert position (0, 1, 2, ...), averaged over layers.
at::Tensor routing_loss(const std::vector<RouteRecord>& routes, double target = 1.5);

// Each sample's mean cross-entropy over its own target positions: [batch] (0 for a sample without targets).
at::Tensor per_sample_loss(const DecoderResult& r, int64_t batch);

// Router supervision with a target expert per (DPE layer, sample): per layer, the mean over its records of
// -log p[target], averaged over the layers that have records; a target of -1 (or none) skips the record.
using RouteTargets = std::map<int, std::vector<int>>;  // DPE layer index -> target expert per sample
at::Tensor routing_target_loss(const std::vector<RouteRecord>& routes, const RouteTargets& targets);

int64_t count_params(const Params& p, const std::string& prefix = "");

}  // namespace dpn::train

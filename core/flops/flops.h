// Analytic FLOPs of a LLaVA-style model under a token-compression method: per layer, per stage, prefill and decode.
//
// Conventions (the "exact" count; baselines-detail.md "FLOPs we report"):
//  * A matmul (M x K) . (K x N) costs 2.M.N.K FLOPs (one multiply + one add per MAC). Biases add M.N.
//  * Attention in prefill: scores Q.K^T and the weighted sum P.V, 2.n.n_k.head_dim each per head. By default the
//    FULL n x n square is counted, as dense/fused kernels compute it; `causal` counts only the n(n+1)/2 pairs
//    at or below the diagonal.
//  * Decode: each generated token runs every layer once and attends over that layer's OWN cache (which differs per
//    layer under DPN/FastV) plus itself.
//  * Elementwise terms are listed separately and are small: RMSNorm 4 ops/element, RoPE 3 ops/element of q and k,
//    softmax 5 ops/score (scale, max, exp, sum, divide), SwiGLU 5 ops/FFN element (silu 4 + product), residual
//    adds 1 op/element, LayerNorm 5 ops/element, GELU 8 ops/element, quick_gelu 4 ops/element.
//  * DPN router (v1): LayerNorm + Linear(d, d/4) + GELU + Linear(d/4, 3) + softmax on ONE vector per DPE layer.
//    Pooling: one op per input element of the pooled grid; DPN also multiplies the pooled tokens by the router
//    probability (one op per output element).
//  * LM head: prefill computes logits for the LAST position only (as generation does), and the final RMSNorm runs
//    on that row only (as the engine does; HF normalises every position, 4.n.d more). Each decode pass computes its
//    own logits. Decode passes: the first generated token comes from prefill; each later one is one pass that
//    feeds the previous token (stopping at EOS costs the pass that produced it; stopping at the token limit does
//    not feed the last token).
//  * The FastV paper's convention (fastv_convention) counts multiply-accumulates of attention projections,
//    attention and a 2-matrix FFN: 4nd^2 + 2n^2d + 2ndm per layer, with each layer's own n.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "flops/method_spec.h"
#include "flops/model_shape.h"
#include "flops/plan.h"

namespace dpn::flops {

struct FlopsOptions {
  int image_tokens = -1;   // visual tokens entering the LLM; -1 = the model's (or the tokenpacker method's)
  int text_tokens = 36;    // every non-image token of the prompt; 36 is the FastV paper's system length
  int decode_tokens = 0;   // decode forward passes to count (each feeds one generated token; see decode above)
  bool causal = false;     // count only the causal half of prefill attention
};

// The analytic plan of a method: what the decoder would do (FastV's survivors, DPN's path, the pooling guard), as the
// engine would record it. Throws dpn::Error when the method cannot apply (DPN without a path, a non-square grid, a
// layer beyond depth...).
Plan build_plan(const ModelShape& shape, const MethodSpec& method, const FlopsOptions& options);

struct LayerFlops {
  // matmuls
  double qkvo = 0;        // q, k, v, o projections (k and v are kv_heads*head_dim wide: GQA makes them cheaper)
  double attention = 0;   // scores + weighted sum
  double mlp = 0;         // gate, up, down
  // elementwise
  double norms = 0, rope = 0, softmax = 0, activation = 0, residual = 0;
  // method overhead
  double router = 0, pooling = 0, ranking = 0;

  double matmul() const { return qkvo + attention + mlp; }
  double elementwise() const { return norms + rope + softmax + activation + residual; }
  double method() const { return router + pooling + ranking; }
  double total() const { return matmul() + elementwise() + method(); }
};

// One decoder layer over n tokens in prefill, attention over the same n (full square or causal).
LayerFlops layer_prefill_flops(const LlmShape& llm, int64_t n, bool causal);
// One decoder layer for one new token attending over `cache_len` cached entries plus itself.
LayerFlops layer_decode_flops(const LlmShape& llm, int64_t cache_len);
// Final RMSNorm on `norm_positions` rows + lm_head on `logit_positions` rows.
double lm_head_flops(const LlmShape& llm, int64_t logit_positions);
double final_norm_flops(const LlmShape& llm, int64_t positions);
// The DPN router (v1) scoring `experts` pooling experts from one hidden state.
double router_flops(int hidden, int experts);
// The vision tower: the CLIP layers that run, or LLaVA-HR's whole dual path (0 for a tower of Kind::NotCounted).
double vision_flops(const VisionShape& vision);
// A timm ConvNeXt (LLaVA-HR's slow branch) on an input x input image, classifier head excluded.
double convnext_flops(const std::vector<int>& dims, const std::vector<int>& depths, int input, int channels = 3);
// The projector mapping `in_tokens` vision tokens (mlp2x) or the whole grid (tokenpacker).
double projector_flops(const ProjectorShape& projector, int64_t in_tokens);

// The FastV paper (arXiv 2403.06764, §4.2): MACs of one layer with n tokens, hidden d, FFN m.
double fastv_layer_macs(double n, double d, double m);
// Its total over T layers: K layers at n tokens, T-K at n_hat; and 1 - total / (T.f(n)).
double fastv_paper_total(int T, int K, double n, double n_hat, double d, double m);
double fastv_paper_reduction(int T, int K, double n, double n_hat, double d, double m);

struct FlopsReport {
  std::string model;
  std::string method;
  Plan plan;
  std::vector<LayerFlops> prefill;       // per decoder layer
  std::vector<LayerFlops> decode_first;  // per decoder layer, the first decode pass
  double vision = 0;
  bool vision_counted = true;
  std::string vision_note;
  double projector = 0;
  double llm_prefill = 0;           // decoder layers, method work included
  double lm_head = 0;               // prefill logits: final norm + LM head on the last position
  double llm_decode_per_token = 0;  // the first decode pass, its final norm and logits included
  double llm_decode_total = 0;      // all `decode_passes` passes
  int64_t decode_passes = 0;
  double fastv_convention = 0;      // MACs, sum over layers of 4nd^2 + 2n^2d + 2ndm
  double llm_total() const { return llm_prefill + lm_head + llm_decode_total; }
  double whole_total() const { return vision + projector + llm_total(); }
};

// The one count: FLOPs of what `plan` records (the engine's record of a run, or build_plan's prediction).
FlopsReport count_flops(const ModelShape& shape, const Plan& plan, bool causal = false);
// The analytic count of a method: count_flops(shape with the method's projector, build_plan(...)).
FlopsReport count_flops(const ModelShape& shape, const MethodSpec& method, const FlopsOptions& options);

// FastV keeps int(n * (1 - r)) of n image tokens (the official code truncates).
int64_t fastv_kept_count(int64_t n, double r);

// Fractions saved by `method` against `base` (1 - method/base) per stage.
struct Saving {
  double llm_prefill = 0;       // decoder layers, exact count
  double llm = 0;               // prefill + lm_head + decode
  double whole = 0;             // + vision + projector
  double fastv_convention = 0;  // the FastV paper's count
};
Saving saving_vs(const FlopsReport& base, const FlopsReport& method);

}  // namespace dpn::flops

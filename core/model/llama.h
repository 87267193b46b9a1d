// The LLaMA decoder: RMSNorm, rotary embeddings (rotate-half, rope_theta), MHA/GQA attention with a per-layer KV
// cache, SwiGLU MLP. One layer is one straight-line function; the layer loop lives in the engine so that token
// compression methods can act between layers.
// Shapes: T new tokens, Tk keys (cache + new), D hidden, H heads, Hkv kv heads, G = H / Hkv, Dh head dim, M FFN.
#pragma once
#include <ATen/core/Tensor.h>

#include <vector>

#include "model/config.h"
#include "model/weights.h"

namespace dpn {

// One layer's cache: keys/values of every token this layer has processed, in sequence order.
struct LayerKv {
  at::Tensor k, v;       // [Hkv, capacity, Dh]
  int64_t len = 0;       // tokens stored
  int64_t reserve = 0;   // extra capacity to allocate beyond the first call's T (decode steps)
  int64_t bytes() const; // bytes of the stored entries (k and v)
  int64_t capacity_bytes() const;
};

struct KvCache {
  std::vector<LayerKv> layers;
  int64_t bytes() const;
  int64_t capacity_bytes() const;
};

at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& weight, double eps);

// Rotary cos/sin tables for arbitrary positions ([T] int64) as HF computes them (fp32, then cast): [T, Dh] each.
struct RopeTables {
  at::Tensor cos, sin;
};
RopeTables rope_tables(const at::Tensor& positions, int64_t head_dim, double theta, at::ScalarType dtype);

// What a caller may ask of one layer's attention, besides its output: the attention each key receives.
struct AttentionRequest {
  std::vector<int64_t> query_rows;  // query indices (into this call's T tokens) to average over; empty: none
  at::Tensor received;              // out: [Tk] float32, mean over heads and query_rows
  bool last_row = false;            // also the last query's attention (the trace's heatmap)
  at::Tensor received_last;         // out: [Tk] float32, mean over heads
  bool per_head = false;            // also the query_rows' probabilities per head
  at::Tensor rows_per_head;         // out: [H, R, Tk] float32
};

// One decoder layer over T new tokens that follow this layer's cached tokens. x [T, D], positions [T].
at::Tensor llama_layer(const LlamaLayerWeights& w, const TextConfig& cfg, const at::Tensor& x,
                       const at::Tensor& positions, LayerKv& kv, AttentionRequest* attn = nullptr);

// The attention probabilities layer `w` would give the query `rows` of x over x itself (causal: row i sees 0..i),
// recomputed from its input norm, q/k projections and RoPE at `positions`, softmax in fp32: [H, R, T] float32.
// (PyramidDrop ranks the tokens entering a layer with that layer's attention before running it.)
at::Tensor llama_attention_rows(const LlamaLayerWeights& w, const TextConfig& cfg, const at::Tensor& x,
                                const at::Tensor& positions, const std::vector<int64_t>& rows);

// Final norm and LM head on the given rows: [T, D] -> [T, V] float32.
at::Tensor llama_logits(const LlamaWeights& w, const TextConfig& cfg, const at::Tensor& x);

}  // namespace dpn

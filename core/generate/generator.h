// Prefill through every decoder layer (with an optional compression method acting between layers), then
// token-by-token decoding against each layer's own KV cache.
#pragma once
#include <ATen/core/Tensor.h>

#include <functional>
#include <string>
#include <vector>

#include "generate/sampler.h"
#include "methods/method.h"
#include "model/llama.h"
#include "model/llava_model.h"

namespace dpn {

struct GenerateOptions {
  int max_new_tokens = 64;
  SamplerOptions sampler;
  bool stop_at_eos = true;
  bool all_logits = false;      // keep prefill logits of every position
  bool keep_hidden = false;     // keep each layer's prefill output
  bool trace_attention = false; // record the attention each visual token receives from the last token, per layer
  TokenMethod* method = nullptr;
  int64_t router_pos = -1;      // position of the <ROUTER> token in the prompt embeddings, or -1
  std::function<bool(int token)> on_token;  // return false to cancel
};

// What one layer saw in prefill and what the method did there: the same record for every method.
struct LayerSnapshot {
  int64_t seq_len = 0, visual = 0;
  int grid_h = 0, grid_w = 0;
  std::vector<TokenRegion> regions;  // base-grid cells of each visual token the layer processed
  std::vector<float> attention;      // trace_attention: from the last token to each visual token
  LayerAction action;                // the method's work and payload at this layer
  double ms = 0;
};

struct Generation {
  std::vector<int> tokens;                // generated ids, EOS excluded
  at::Tensor prefill_logits;              // [L', V] (all_logits) or [1, V]
  std::vector<at::Tensor> hidden;         // per layer: its output as the next layer receives it (keep_hidden)
  std::vector<LayerSnapshot> layers;      // per layer, what it processed in prefill
  KvCache cache;
  int64_t prefill_len = 0;                // sequence length entering the decoder
  int64_t final_len = 0;                  // sequence length leaving the last layer
  int64_t decode_passes = 0;              // decode forward passes run (each fed one generated token)
  int base_h = 0, base_w = 0;             // the base grid the regions refer to
  double prefill_ms = 0, decode_ms = 0;
  std::string stop_reason;
};

Generation generate(const LlavaModel& m, const EmbeddedPrompt& prompt, const GenerateOptions& o);

}  // namespace dpn

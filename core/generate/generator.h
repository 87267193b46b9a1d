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
  bool all_logits = false;   // keep prefill logits of every position
  bool keep_hidden = false;  // keep each layer's prefill output
  TokenMethod* method = nullptr;
  std::function<bool(int token)> on_token;  // return false to cancel
};

struct Generation {
  std::vector<int> tokens;                // generated ids, EOS excluded
  at::Tensor prefill_logits;              // [L', V] (all_logits) or [1, V]
  std::vector<at::Tensor> hidden;         // per layer [L_l, D] (keep_hidden)
  std::vector<int64_t> layer_tokens;      // sequence length each layer processed in prefill
  KvCache cache;
  int64_t prefill_len = 0;
  double prefill_ms = 0, decode_ms = 0;
  std::vector<double> layer_ms;           // prefill wall time per layer
  std::string stop_reason;
};

Generation generate(const LlavaModel& m, const EmbeddedPrompt& prompt, const GenerateOptions& o);

}  // namespace dpn

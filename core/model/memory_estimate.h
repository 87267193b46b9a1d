// What running a described model will take in memory, known before anything is loaded: weights, KV cache and the
// largest transient buffers of a prefill. Estimates (to refuse clearly what cannot fit), not accounting.
#pragma once
#include <cstdint>
#include <string>

#include "model/config.h"

namespace dpn {

struct MemoryEstimate {
  int64_t weights = 0;      // every tensor of the checkpoint in the compute dtype
  int64_t kv_cache = 0;     // keys and values of every layer for the requested tokens
  int64_t activations = 0;  // the largest prefill buffers: attention scores and probabilities, the FFN, the tower
  int64_t total() const { return weights + kv_cache + activations; }
};

// `tokens`: prompt (image included) plus the tokens to generate; `element_size`: bytes per value of the compute dtype.
MemoryEstimate estimate_memory(const LlavaConfig& config, int64_t tokens, int element_size);

// The machine's MemAvailable (/proc/meminfo), in bytes; 0 when it cannot be read.
int64_t available_memory();

// "1.50 GiB", "312 MiB": for messages.
std::string format_bytes(int64_t bytes);

}  // namespace dpn

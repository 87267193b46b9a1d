// Up-front memory estimate of a described model (see memory_estimate.h).
#include "model/memory_estimate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>

#include "util/error.h"

namespace dpn {

MemoryEstimate estimate_memory(const LlavaConfig& c, int64_t tokens, int element_size) {
  MemoryEstimate e;
  const TextConfig& t = c.text;
  const int64_t L = tokens, E = element_size;
  e.weights = c.weight_elements * E;
  e.kv_cache = int64_t(t.layers) * 2 * t.kv_heads * t.head_dim() * L * E;
  // Prefill of one layer: scores, mask and fp32 probabilities [H, L, L]; gate, up and their product [L, M].
  const int64_t attention = int64_t(t.heads) * L * L * (2 * E + 4), ffn = 3 * L * int64_t(t.intermediate) * E;
  // The vision tower: [heads, T, T] probabilities at its own sequence length.
  const int64_t side = c.multipath.enabled ? c.multipath.fast_grid(c.vision) : c.vision.grid(), T = side * side + 1;
  const int64_t vision = int64_t(c.vision.heads) * T * T * (2 * E + 4);
  e.activations = std::max(attention + ffn, vision) + 8 * L * int64_t(t.hidden) * E;
  return e;
}

int64_t available_memory() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  int64_t kib = 0;
  std::string unit;
  while (in >> key >> kib >> unit)
    if (key == "MemAvailable:") return kib * 1024;
  return 0;
}

std::string format_bytes(int64_t bytes) {
  char b[32];
  const double v = double(bytes);
  if (v >= 1024.0 * 1024 * 1024) std::snprintf(b, sizeof b, "%.2f GiB", v / (1024.0 * 1024 * 1024));
  else if (v >= 1024.0 * 1024) std::snprintf(b, sizeof b, "%.1f MiB", v / (1024.0 * 1024));
  else std::snprintf(b, sizeof b, "%.0f KiB", std::ceil(v / 1024.0));
  return b;
}

}  // namespace dpn

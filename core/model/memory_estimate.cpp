// Up-front memory estimate of a described model (see memory_estimate.h).
#include "model/memory_estimate.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
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

int64_t parse_byte_size(const std::string& text, const std::string& option) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  std::string unit = end ? std::string(end) : "";
  for (const char* tail : {"iB", "B"})
    if (unit.size() >= std::string(tail).size() && unit.compare(unit.size() - std::string(tail).size(), std::string::npos, tail) == 0) {
      unit.resize(unit.size() - std::string(tail).size());
      break;
    }
  double scale = 0;
  if (unit.empty()) scale = 1;
  else if (unit == "K" || unit == "k") scale = 1024.0;
  else if (unit == "M" || unit == "m") scale = 1024.0 * 1024;
  else if (unit == "G" || unit == "g") scale = 1024.0 * 1024 * 1024;
  else if (unit == "T" || unit == "t") scale = 1024.0 * 1024 * 1024 * 1024;
  const double bytes = v * scale;
  if (text.empty() || end == text.c_str() || scale == 0 || !std::isfinite(bytes) || bytes < 1 || bytes > 9e18)
    throw Error(option, "'" + text + "' is not a memory size (e.g. 24G, 512M, 1073741824)");
  return int64_t(bytes);
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

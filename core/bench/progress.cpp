// Rendering benchmark progress as one line for a terminal or a log.
#include "bench/progress.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace dpn::bench {

std::string format_eta(double seconds) {
  if (!(seconds >= 0) || !std::isfinite(seconds)) return "--:--";
  const long s = std::lround(seconds);
  char b[32];
  if (s >= 3600) std::snprintf(b, sizeof b, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  else std::snprintf(b, sizeof b, "%02ld:%02ld", s / 60, s % 60);
  return b;
}

std::string format_progress(const BenchProgress& p, int width) {
  const double frac = p.total > 0 ? static_cast<double>(p.done) / static_cast<double>(p.total) : 0.0;
  const int filled = std::max(0, std::min(width, static_cast<int>(std::floor(frac * width))));
  std::string bar = "[" + std::string(static_cast<size_t>(filled), '#') + std::string(static_cast<size_t>(width - filled), '.') + "]";
  char b[64];
  std::snprintf(b, sizeof b, "%.1f", p.rate);
  return bar + " " + std::to_string(p.done) + "/" + std::to_string(p.total) + " " + p.method + " " + b +
         " samples/s ETA " + format_eta(p.eta_s) + (p.failed ? ", " + std::to_string(p.failed) + " failed" : "");
}

}  // namespace dpn::bench

// Where a running benchmark is, and its one-line rendering: `[#####.....] 123/720 none 3.2 samples/s ETA 01:05`.
#pragma once
#include <cstdint>
#include <string>

namespace dpn::bench {

struct BenchProgress {
  int64_t done = 0;        // stored samples over all methods (earlier invocations included)
  int64_t total = 0;       // methods x selected samples
  int64_t computed = 0;    // answered by this invocation
  int64_t failed = 0;      // samples a method could not answer in this invocation (recorded with their reason)
  std::string method;      // method now running (canonical spec)
  std::string sample_id;   // the sample just stored ("" for the report before the first one)
  double rate = 0;         // samples/s answered by this invocation (0 until one is)
  double eta_s = -1;       // seconds left at that rate; < 0 unknown
  bool last_correct = false;
};

// "mm:ss", "h:mm:ss" from an hour on, "--:--" when unknown (< 0).
std::string format_eta(double seconds);

// The progress line (no newline): a bar of `width` cells, done/total, method, rate and ETA.
std::string format_progress(const BenchProgress& p, int width = 20);

}  // namespace dpn::bench

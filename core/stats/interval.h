// Estimates with 95% intervals as plain data: what `dpn bench`, `dpn runs` and the views print and draw.
#pragma once
#include <cstdint>
#include <string>

namespace dpn::stats {

// The two-sided 95% normal quantile, Phi^-1(0.975).
constexpr double kZ95 = 1.959963984540054;

struct Interval {
  double lo = 0, hi = 0;
};

// A mean of per-sample values (accuracy = mean of 0/1) with its 95% interval.
struct Estimate {
  int64_t n = 0;
  double value = 0;
  Interval ci95;       // [0, 1] when n = 0
  std::string method;  // "wilson" | "bootstrap" | "cluster-bootstrap" | "" (n = 0)
};

}  // namespace dpn::stats

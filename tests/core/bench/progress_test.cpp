// The progress line printed on stderr while a benchmark runs.
#include "bench/progress.h"

#include <gtest/gtest.h>

using dpn::bench::BenchProgress;
using dpn::bench::format_eta;
using dpn::bench::format_progress;

TEST(Progress, LineHasBarCountsMethodRateAndEta) {
  BenchProgress p;
  p.done = 123;
  p.total = 720;
  p.method = "none";
  p.rate = 3.21;
  p.eta_s = 65;
  EXPECT_EQ(format_progress(p, 10), "[#.........] 123/720 none 3.2 samples/s ETA 01:05");
  p.done = 720;
  p.eta_s = 0;
  EXPECT_EQ(format_progress(p, 10), "[##########] 720/720 none 3.2 samples/s ETA 00:00");
}

TEST(Progress, EtaFormats) {
  EXPECT_EQ(format_eta(-1), "--:--");
  EXPECT_EQ(format_eta(59.6), "01:00");
  EXPECT_EQ(format_eta(3599), "59:59");
  EXPECT_EQ(format_eta(3600 * 2 + 61), "2:01:01");
  EXPECT_EQ(format_eta(1.0 / 0.0), "--:--");
}

TEST(Progress, EmptyBenchmarkDoesNotDivideByZero) {
  BenchProgress p;
  p.method = "none";
  EXPECT_EQ(format_progress(p, 4), "[....] 0/0 none 0.0 samples/s ETA --:--");
}

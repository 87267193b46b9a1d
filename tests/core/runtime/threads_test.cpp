// Thread counts are bounded (issue 15: --threads 100000 and DPN_THREADS=99999999 hung at 6.5 GB).
#include "runtime/threads.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>

#include "util/error.h"

using namespace dpn;

namespace {

std::string error_of(int n) {
  try {
    configure_threads(n);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

// Sets DPN_THREADS for one scope.
struct EnvThreads {
  explicit EnvThreads(const char* v) { ::setenv("DPN_THREADS", v, 1); }
  ~EnvThreads() { ::unsetenv("DPN_THREADS"); }
};

}  // namespace

TEST(Threads, BoundIsFourPerCoreAndAtLeast64) {
  const int cores = int(::sysconf(_SC_NPROCESSORS_ONLN));
  EXPECT_EQ(max_threads(), std::max(64, 4 * cores));
}

TEST(Threads, TooManyOrNegativeIsAnErrorNamingTheOption) {
  EXPECT_NE(error_of(100000).find("--threads: 100000 threads is above the limit of " + std::to_string(max_threads())),
            std::string::npos) << error_of(100000);
  EXPECT_NE(error_of(-3).find("--threads: -3 is negative"), std::string::npos);
  EXPECT_EQ(configure_threads(max_threads()), max_threads());
  EXPECT_EQ(configure_threads(1), 1);
}

TEST(Threads, EnvironmentIsCheckedToo) {
  {
    EnvThreads env("99999999");
    EXPECT_NE(error_of(0).find("DPN_THREADS: 99999999 threads is above the limit"), std::string::npos) << error_of(0);
    EXPECT_EQ(configure_threads(2), 2) << "--threads wins over the environment";
  }
  {
    EnvThreads env("lots");
    EXPECT_NE(error_of(0).find("DPN_THREADS: 'lots' is not a whole number of threads"), std::string::npos);
  }
  {
    EnvThreads env("99999999999999999999");
    EXPECT_NE(error_of(0).find("is not a whole number"), std::string::npos) << error_of(0);
  }
  {
    EnvThreads env("3");
    EXPECT_EQ(configure_threads(0), 3);
  }
  EXPECT_EQ(configure_threads(0), int(::sysconf(_SC_NPROCESSORS_ONLN)));
}

// Thread-count setup for LibTorch (and the OpenMP BLAS under it), bounded.
#include "runtime/threads.h"

#include <ATen/Parallel.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <string>

#include "util/error.h"

namespace dpn {

namespace {

constexpr int kThreadsPerCore = 4;
constexpr int kMinThreadLimit = 64;

int online_cores() { return std::max(1, static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN))); }

void check_count(long n, const std::string& where, const std::string& shown) {
  if (n < 0) throw Error(where, shown + " is negative; give a thread count of at least 1 (0 means one per core)");
  if (n > max_threads())
    throw Error(where, shown + " threads is above the limit of " + std::to_string(max_threads()) + " (" +
                           std::to_string(kThreadsPerCore) + " per core, " + std::to_string(online_cores()) +
                           " cores online, at least " + std::to_string(kMinThreadLimit) + ")");
}

// $DPN_THREADS as a count; 0 when unset or empty.
int threads_from_environment() {
  const char* env = std::getenv("DPN_THREADS");
  if (!env || !*env) return 0;
  errno = 0;
  char* end = nullptr;
  const long n = std::strtol(env, &end, 10);
  if (end == env || *end != '\0' || errno == ERANGE)
    throw Error("DPN_THREADS", "'" + std::string(env).substr(0, 40) + "' is not a whole number of threads");
  check_count(n, "DPN_THREADS", std::to_string(n));
  return static_cast<int>(n);
}

}  // namespace

int max_threads() { return std::max(kMinThreadLimit, kThreadsPerCore * online_cores()); }

int configure_threads(int n) {
  check_count(n, "--threads", std::to_string(n));
  if (n == 0) n = threads_from_environment();
  if (n == 0) n = online_cores();
  at::set_num_threads(n);
  return n;
}

}  // namespace dpn

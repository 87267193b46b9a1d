// Thread-count setup for LibTorch (and the OpenMP BLAS under it).
#include "runtime/threads.h"

#include <ATen/Parallel.h>
#include <unistd.h>

#include <cstdlib>

namespace dpn {

int configure_threads(int n) {
  if (n <= 0) {
    if (const char* env = std::getenv("DPN_THREADS")) n = std::atoi(env);
  }
  if (n <= 0) n = static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN));
  if (n <= 0) n = 1;
  at::set_num_threads(n);
  return n;
}

}  // namespace dpn

// LibTorch's intra-op thread pool defaults to one thread on some machines; the engine sets it to the cores.
#pragma once

namespace dpn {

// Sets LibTorch's intra-op threads to `n`, or to the number of online cores when n <= 0. Returns the count set.
int configure_threads(int n = 0);

}  // namespace dpn

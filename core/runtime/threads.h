// LibTorch's intra-op thread pool defaults to one thread on some machines; the engine sets it to the cores.
#pragma once

namespace dpn {

// The most threads configure_threads accepts: 4 per online core, and never fewer than 64 (so a run can be
// reproduced with its thread count on a smaller machine). Each OpenMP thread costs a stack; 100000 of them
// exhausted memory before this bound.
int max_threads();

// Sets LibTorch's intra-op threads to `n`; n == 0: $DPN_THREADS when set, else the number of online cores. Returns
// the count set. Throws dpn::Error naming --threads (or DPN_THREADS) when the count is negative, not a whole
// number, or above max_threads().
int configure_threads(int n = 0);

}  // namespace dpn

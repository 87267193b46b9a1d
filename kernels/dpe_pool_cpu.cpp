// CPU driver of the DPE pooling kernel: walks blockIdx/threadIdx exactly like the CUDA launch and calls the
// same per-thread body (dpe_pool.cuh), so the device code's indexing and rounding are tested without a GPU.
#include <algorithm>
#include <string>

#include "dpe_pool.cuh"

namespace dpn::kernels {
namespace {

template <typename T>
void run_chunks(const DpePoolArgs& args, const T* in, T* out, int block_threads) {
  const int threads = block_threads > 0 ? block_threads : dpe_pool_block_threads(args.channels);
  for (int32_t first = 0; first < args.num_seqs; first += kDpePoolSeqsPerLaunch) {
    DpePoolLaunch launch{};
    launch.num_seqs = std::min(kDpePoolSeqsPerLaunch, args.num_seqs - first);
    launch.channels = args.channels;
    launch.op = args.op;
    int64_t grid_x = 0;
    for (int32_t i = 0; i < launch.num_seqs; ++i) {
      launch.seqs[i] = args.seqs[first + i];
      grid_x = std::max(grid_x, dpe_pool_output_tokens(launch.seqs[i]));
    }
    for (int seq = 0; seq < launch.num_seqs; ++seq) {          // blockIdx.y
      for (int64_t token = 0; token < grid_x; ++token) {       // blockIdx.x
        for (int thread = 0; thread < threads; ++thread) {     // threadIdx.x
          dpe_pool_thread<T>(launch, in, out, token, seq, thread, threads);
        }
      }
    }
  }
}

}  // namespace

std::string dpe_pool_cpu(const DpePoolArgs& args, const void* in, void* out, int block_threads) {
  if (std::string error = dpe_pool_check(args); !error.empty()) return error;
  switch (args.dtype) {
    case ElemType::f32:
      run_chunks(args, static_cast<const float*>(in), static_cast<float*>(out), block_threads);
      break;
    case ElemType::bf16:
      run_chunks(args, static_cast<const bf16*>(in), static_cast<bf16*>(out), block_threads);
      break;
    case ElemType::f16:
      run_chunks(args, static_cast<const fp16*>(in), static_cast<fp16*>(out), block_threads);
      break;
  }
  return "";
}

}  // namespace dpn::kernels

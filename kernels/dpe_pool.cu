// CUDA launch of the DPE pooling kernel: one block per (output token, sequence), threads over channels,
// calling the per-thread body in dpe_pool.cuh that the CPU driver also runs.
#include <cuda_runtime.h>

#include <algorithm>
#include <string>

#include "dpe_pool.cuh"

namespace dpn::kernels {
namespace {

template <typename T>
__global__ void dpe_pool_kernel(const DpePoolLaunch launch, const T* in, T* out) {
  dpe_pool_thread<T>(launch, in, out, blockIdx.x, blockIdx.y, threadIdx.x, blockDim.x);
}

template <typename T>
std::string launch_chunks(const DpePoolArgs& args, const T* in, T* out, cudaStream_t stream) {
  const int threads = dpe_pool_block_threads(args.channels);
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
    if (grid_x == 0) continue;
    if (grid_x > 0x7fffffffLL) return "dpe_pool: more than 2^31-1 output tokens in one sequence";
    const dim3 grid(static_cast<unsigned>(grid_x), static_cast<unsigned>(launch.num_seqs));
    dpe_pool_kernel<T><<<grid, threads, 0, stream>>>(launch, in, out);
    if (cudaError_t e = cudaGetLastError(); e != cudaSuccess) {
      return std::string("dpe_pool: kernel launch failed: ") + cudaGetErrorString(e);
    }
  }
  return "";
}

}  // namespace

std::string dpe_pool_cuda(const DpePoolArgs& args, const void* in, void* out, CUstream_st* stream) {
  if (std::string error = dpe_pool_check(args); !error.empty()) return error;
  switch (args.dtype) {
    case ElemType::f32:
      return launch_chunks(args, static_cast<const float*>(in), static_cast<float*>(out), stream);
    case ElemType::bf16:
      return launch_chunks(args, static_cast<const bf16*>(in), static_cast<bf16*>(out), stream);
    case ElemType::f16:
      return launch_chunks(args, static_cast<const fp16*>(in), static_cast<fp16*>(out), stream);
  }
  return "dpe_pool: unknown dtype";
}

}  // namespace dpn::kernels

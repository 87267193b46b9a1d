// CUDA launch of the attention-received kernel: one block per (query, head), the phases of
// attention_received.cuh separated by __syncthreads, atomicAdd into out[key].
#include <cuda_runtime.h>

#include <string>

#include "attention_received.cuh"

namespace dpn::kernels {
namespace {

struct AtomicAdd {
  __device__ void operator()(float* slot, float value) const { atomicAdd(slot, value); }
};

template <typename T>
__global__ void attention_received_kernel(const AttentionReceivedLaunch launch, const T* q, const T* k,
                                          float* out) {
  extern __shared__ float shared[];  // [Dh] query, [threads] max, [threads] sum
  const AttentionReceivedShared sh{shared, shared + launch.args.head_dim,
                                   shared + launch.args.head_dim + blockDim.x};
  const int32_t query = blockIdx.x;
  const int32_t head = blockIdx.y;
  const int thread = threadIdx.x;
  const int threads = blockDim.x;
  attention_received_load_query(launch, q, sh, query, head, thread, threads);
  __syncthreads();
  attention_received_partial_stats(launch, k, sh, query, head, thread, threads);
  __syncthreads();
  for (int stride = threads / 2; stride > 0; stride /= 2) {
    attention_received_reduce_step(sh, thread, stride);
    __syncthreads();
  }
  attention_received_accumulate(launch, k, sh, query, head, thread, threads, out, AtomicAdd{});
}

template <typename T>
std::string launch(const AttentionReceivedLaunch& l, const void* q, const void* k, float* out,
                   cudaStream_t stream) {
  const int threads = kAttentionReceivedThreads;
  const size_t shared_bytes = sizeof(float) * (static_cast<size_t>(l.args.head_dim) + 2 * threads);
  const dim3 grid(static_cast<unsigned>(l.args.queries), static_cast<unsigned>(l.args.q_heads));
  attention_received_kernel<T><<<grid, threads, shared_bytes, stream>>>(l, static_cast<const T*>(q),
                                                                        static_cast<const T*>(k), out);
  if (cudaError_t e = cudaGetLastError(); e != cudaSuccess) {
    return std::string("attention_received: kernel launch failed: ") + cudaGetErrorString(e);
  }
  return "";
}

}  // namespace

std::string attention_received_cuda(const AttentionReceivedArgs& args, const void* q, const void* k, float* out,
                                    CUstream_st* stream) {
  if (std::string error = attention_received_check(args, /*positions_on_host=*/false); !error.empty()) {
    return error;
  }
  if (args.q_heads > 65535) return "attention_received: q_heads must be <= 65535 (grid y)";
  if (args.keys > 0) {
    if (cudaError_t e = cudaMemsetAsync(out, 0, sizeof(float) * args.keys, stream); e != cudaSuccess) {
      return std::string("attention_received: zeroing out failed: ") + cudaGetErrorString(e);
    }
  }
  if (args.queries == 0 || args.keys == 0) return "";
  const AttentionReceivedLaunch l{args, attention_received_scale(args),
                                  1.0f / (static_cast<float>(args.q_heads) * static_cast<float>(args.queries))};
  switch (args.dtype) {
    case ElemType::f32: return launch<float>(l, q, k, out, stream);
    case ElemType::bf16: return launch<bf16>(l, q, k, out, stream);
    case ElemType::f16: return launch<fp16>(l, q, k, out, stream);
  }
  return "attention_received: unknown dtype";
}

}  // namespace dpn::kernels

// CPU driver of the attention-received kernel: runs the kernel's phases (attention_received.cuh) block by
// block, every thread of a phase before the next (= __syncthreads), with shared memory as plain vectors and a
// sequential, deterministic += in place of atomicAdd.
#include <algorithm>
#include <string>
#include <vector>

#include "attention_received.cuh"

namespace dpn::kernels {
namespace {

struct PlainAdd {
  void operator()(float* slot, float value) const { *slot += value; }
};

template <typename T>
void run_blocks(const AttentionReceivedLaunch& launch, const T* q, const T* k, float* out, int threads) {
  const AttentionReceivedArgs& a = launch.args;
  std::vector<float> query(a.head_dim), max(threads), sum(threads);
  const AttentionReceivedShared sh{query.data(), max.data(), sum.data()};
  for (int32_t head = 0; head < a.q_heads; ++head) {      // blockIdx.y
    for (int32_t i = 0; i < a.queries; ++i) {             // blockIdx.x
      for (int t = 0; t < threads; ++t) attention_received_load_query(launch, q, sh, i, head, t, threads);
      for (int t = 0; t < threads; ++t) attention_received_partial_stats(launch, k, sh, i, head, t, threads);
      for (int stride = threads / 2; stride > 0; stride /= 2) {
        for (int t = 0; t < threads; ++t) attention_received_reduce_step(sh, t, stride);
      }
      for (int t = 0; t < threads; ++t) {
        attention_received_accumulate(launch, k, sh, i, head, t, threads, out, PlainAdd{});
      }
    }
  }
}

}  // namespace

std::string attention_received_cpu(const AttentionReceivedArgs& args, const void* q, const void* k, float* out,
                                   int block_threads) {
  if (std::string error = attention_received_check(args, /*positions_on_host=*/true); !error.empty()) return error;
  const int threads = block_threads > 0 ? block_threads : kAttentionReceivedThreads;
  if ((threads & (threads - 1)) != 0) {
    return "attention_received: block_threads must be a power of two, got " + std::to_string(threads);
  }
  std::fill(out, out + args.keys, 0.0f);
  if (args.queries == 0) return "";
  const AttentionReceivedLaunch launch{args, attention_received_scale(args),
                                       1.0f / (static_cast<float>(args.q_heads) * static_cast<float>(args.queries))};
  switch (args.dtype) {
    case ElemType::f32:
      run_blocks(launch, static_cast<const float*>(q), static_cast<const float*>(k), out, threads);
      break;
    case ElemType::bf16:
      run_blocks(launch, static_cast<const bf16*>(q), static_cast<const bf16*>(k), out, threads);
      break;
    case ElemType::f16:
      run_blocks(launch, static_cast<const fp16*>(q), static_cast<const fp16*>(k), out, threads);
      break;
  }
  return "";
}

}  // namespace dpn::kernels

// Host API of the attention-received kernel: for one layer, the softmax attention each key position receives
// from a set of queries, averaged over heads and queries, computed from Q and K without an n x n matrix.
//
// Shapes (logical): Q [Hq, Nq, Dh], K [Hkv, Tk, Dh], out [Tk] (fp32). Memory: Dh contiguous, head and token
// strides in elements, so both [H, T, Dh] (head_stride = T*Dh, token_stride = Dh) and the projection's
// natural [T, H, Dh] (head_stride = Dh, token_stride = H*Dh) are accepted without a copy.
// GQA: query head h reads kv head h / (Hq / Hkv). Causal: the query at absolute position pos sees keys
// 0..pos. out[j] = (1 / (Hq * Nq)) * sum over heads h and queries i of softmax_j(scale * q_hi . k_hj).
// FastV's rank=last is Nq = 1 at pos = Tk - 1; rank=mean (and the token-map heatmap) is all queries.
#pragma once
#include <cmath>
#include <cstdint>
#include <string>

#include "elem_type.h"

struct CUstream_st;  // = cudaStream_t, declared here so that this header needs no CUDA headers

namespace dpn::kernels {

struct AttentionReceivedArgs {
  int32_t q_heads = 0;     // Hq
  int32_t kv_heads = 0;    // Hkv, divides Hq
  int32_t queries = 0;     // Nq
  int32_t keys = 0;        // Tk
  int32_t head_dim = 0;    // Dh
  int64_t q_head_stride = 0;
  int64_t q_token_stride = 0;
  int64_t k_head_stride = 0;
  int64_t k_token_stride = 0;
  // Absolute position of query i: query_positions[i] when not null (host memory for the CPU entry points,
  // device memory for CUDA), else first_query_position + i.
  const int32_t* query_positions = nullptr;
  int32_t first_query_position = 0;
  float softmax_scale = 0.0f;  // 0 means 1 / sqrt(Dh)
  ElemType dtype = ElemType::f32;
};

// Q and K in the contiguous [H, T, Dh] layout with the queries at positions first..first+Nq-1.
AttentionReceivedArgs attention_received_contiguous(int32_t q_heads, int32_t kv_heads, int32_t queries,
                                                    int32_t keys, int32_t head_dim, int32_t first_query_position,
                                                    ElemType dtype);

inline float attention_received_scale(const AttentionReceivedArgs& args) {
  return args.softmax_scale > 0.0f ? args.softmax_scale : 1.0f / std::sqrt(static_cast<float>(args.head_dim));
}

// "" when the arguments are consistent, otherwise a message naming the field. Positions given through a
// pointer are checked only when `positions_on_host` (0 <= pos < Tk).
std::string attention_received_check(const AttentionReceivedArgs& args, bool positions_on_host);

// CPU driver: the kernel's per-thread phases over the same blocks, with __syncthreads between phases
// emulated by running every thread of a phase before the next, and a deterministic sequential accumulation
// in place of atomicAdd. block_threads = 0 uses the CUDA block size; otherwise a power of two.
// `out` ([Tk] fp32) is overwritten.
std::string attention_received_cpu(const AttentionReceivedArgs& args, const void* q, const void* k, float* out,
                                   int block_threads = 0);

// Plain CPU reference: each (head, query) row materialised, softmax in double.
std::string attention_received_ref(const AttentionReceivedArgs& args, const void* q, const void* k, float* out);

#if defined(DPN_HAS_CUDA_KERNELS)
// CUDA: q, k, out (and query_positions when set) are device pointers; out is zeroed on `stream` first.
// Asynchronous; returns "" or an error message (argument check or launch error).
std::string attention_received_cuda(const AttentionReceivedArgs& args, const void* q, const void* k, float* out,
                                    CUstream_st* stream);
#endif

}  // namespace dpn::kernels

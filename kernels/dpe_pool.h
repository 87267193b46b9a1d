// Host API of the DPE pooling kernel: per-sequence parameters, output planning, and the CPU / CUDA entry points.
//
// Shapes (logical = memory order, row-major): a batch of sequences packed as rows of one [rows, C] buffer.
// Sequence s occupies input rows [in_offset, in_offset + T); its visual run is rows [start, start + H*W) of
// the sequence, viewed as (H, W, C). The output for s is written to rows [out_offset, out_offset + T'):
//   text before (start rows) | pooled (H/kh) x (W/kw) tokens, row-major | text after (T - start - H*W rows)
// with T' = T - H*W + (H/kh)*(W/kw). Pooling: kernel = stride = (kh, kw), no padding, floor mode.
// Every pooled value is multiplied by the sequence's router probability `scale` (also for a 1x1 kernel);
// text rows are copied unchanged.
//
// Rounding (bf16/fp16): pooled = round_T(max or fp32-sum / (kh*kw)); out = round_T(pooled * scale) — the
// same two roundings as torch's `avg_pool2d(x) * p` on a bf16/fp16 tensor with a float p.
#pragma once
#include <cstdint>
#include <string>

#include "elem_type.h"
#include "host_device.h"

struct CUstream_st;  // = cudaStream_t, declared here so that this header needs no CUDA headers

namespace dpn::kernels {

enum class PoolOp : int32_t { max = 0, avg = 1 };

struct DpePoolSeq {
  int64_t in_offset = 0;     // first input row of this sequence
  int64_t out_offset = 0;    // first output row (see dpe_pool_pack_outputs)
  int32_t tokens = 0;        // T, the sequence length before pooling
  int32_t visual_start = 0;  // index of the first visual token within the sequence
  int32_t grid_h = 0;        // H
  int32_t grid_w = 0;        // W
  int32_t kernel_h = 1;      // kh = stride along H
  int32_t kernel_w = 1;      // kw = stride along W
  float scale = 1.0f;        // router probability p of the chosen expert
};

struct DpePoolArgs {
  const DpePoolSeq* seqs = nullptr;  // host memory, num_seqs entries (also for the CUDA entry point)
  int32_t num_seqs = 0;
  int64_t channels = 0;  // C, the hidden size
  int64_t in_rows = 0;   // rows of the input buffer, for bounds checks
  int64_t out_rows = 0;  // rows of the output buffer, for bounds checks
  PoolOp op = PoolOp::max;
  ElemType dtype = ElemType::f32;
};

// Number of output tokens of one sequence: T - H*W + (H/kh)*(W/kw).
DPN_HD inline int64_t dpe_pool_output_tokens(const DpePoolSeq& s) {
  const int64_t pooled = static_cast<int64_t>(s.grid_h / s.kernel_h) * (s.grid_w / s.kernel_w);
  return s.tokens - static_cast<int64_t>(s.grid_h) * s.grid_w + pooled;
}

// Sets out_offset of every sequence so that the outputs are packed back to back; returns the total rows.
int64_t dpe_pool_pack_outputs(DpePoolSeq* seqs, int32_t num_seqs);

// "" when the arguments are consistent, otherwise a message naming the sequence and field.
std::string dpe_pool_check(const DpePoolArgs& args);

// CPU driver: runs the kernel's per-thread body over the same grid/block indices as the CUDA launch.
// block_threads = 0 uses the CUDA launch's block size. Returns "" or the dpe_pool_check message.
std::string dpe_pool_cpu(const DpePoolArgs& args, const void* in, void* out, int block_threads = 0);

// Plain CPU reference (loops over sequences, windows and channels). Returns "" or the check message.
std::string dpe_pool_ref(const DpePoolArgs& args, const void* in, void* out);

#if defined(DPN_HAS_CUDA_KERNELS)
// CUDA: `in` and `out` are device pointers, args.seqs is host memory (passed by value in launch parameters,
// in chunks of kDpePoolSeqsPerLaunch sequences). Asynchronous on `stream`; returns "" or an error message
// (argument check or launch error).
std::string dpe_pool_cuda(const DpePoolArgs& args, const void* in, void* out, CUstream_st* stream);
#endif

}  // namespace dpn::kernels

// Per-thread body of the DPE pooling kernel, shared by the CUDA launch (dpe_pool.cu) and the CPU driver.
//
// Launch geometry: block (x = output token of the sequence, y = sequence within the launch chunk), threads
// stride over channels. Blocks past a sequence's output length return at once.
#pragma once
#include <cstdint>

#include "dpe_pool.h"
#include "half_types.h"

namespace dpn::kernels {

// Sequences per launch: their parameters travel by value in the kernel's parameter space (< 4 KiB).
constexpr int32_t kDpePoolSeqsPerLaunch = 32;

struct DpePoolLaunch {
  DpePoolSeq seqs[kDpePoolSeqsPerLaunch];
  int32_t num_seqs;
  int64_t channels;
  PoolOp op;
};

// Threads per block: a multiple of the warp size covering C, at most 256.
DPN_HD inline int dpe_pool_block_threads(int64_t channels) {
  const int64_t rounded = (channels + 31) / 32 * 32;
  return static_cast<int>(rounded < 32 ? 32 : (rounded > 256 ? 256 : rounded));
}

template <typename T>
DPN_HD inline void dpe_pool_copy_row(const T* src, T* dst, int64_t channels, int thread, int threads) {
  for (int64_t c = thread; c < channels; c += threads) dst[c] = src[c];
}

// One thread's share of output token `token` of sequence `seq`: channels thread, thread + threads, ...
template <typename T>
DPN_HD inline void dpe_pool_thread(const DpePoolLaunch& launch, const T* in, T* out, int64_t token, int seq,
                                   int thread, int threads) {
  if (seq >= launch.num_seqs) return;
  const DpePoolSeq& s = launch.seqs[seq];
  if (token >= dpe_pool_output_tokens(s)) return;
  const int64_t channels = launch.channels;
  const int64_t visual = static_cast<int64_t>(s.grid_h) * s.grid_w;
  const int64_t pooled_w = s.grid_w / s.kernel_w;
  const int64_t pooled = static_cast<int64_t>(s.grid_h / s.kernel_h) * pooled_w;
  T* dst = out + (s.out_offset + token) * channels;

  if (token < s.visual_start) {  // text before the visual run
    dpe_pool_copy_row(in + (s.in_offset + token) * channels, dst, channels, thread, threads);
    return;
  }
  if (token >= s.visual_start + pooled) {  // text after: shifted left by visual - pooled rows
    dpe_pool_copy_row(in + (s.in_offset + token - pooled + visual) * channels, dst, channels, thread, threads);
    return;
  }
  const int64_t k = token - s.visual_start;
  const int64_t row = k / pooled_w;
  const int64_t col = k % pooled_w;
  // (H, W, C) view: grid cell (r, c) is input row in_offset + visual_start + r*W + c.
  const T* window = in + (s.in_offset + s.visual_start + row * s.kernel_h * s.grid_w + col * s.kernel_w) * channels;
  const bool average = launch.op == PoolOp::avg && s.kernel_h * s.kernel_w > 1;  // 1x1 pools nothing
  for (int64_t c = thread; c < channels; c += threads) {
    float acc = average ? 0.0f : to_float(window[c]);  // torch's avg_pool2d sums from +0
    for (int i = 0; i < s.kernel_h; ++i) {
      for (int j = 0; j < s.kernel_w; ++j) {
        const float v = to_float(window[(static_cast<int64_t>(i) * s.grid_w + j) * channels + c]);
        if (average) {
          acc += v;
        } else if (v > acc || v != v) {  // max; NaN propagates like torch's max_pool2d
          acc = v;
        }
      }
    }
    // torch divides the fp32 sum by the count (not multiplies by its inverse); the two differ in the last bit.
    const float value = average ? acc / static_cast<float>(s.kernel_h * s.kernel_w) : acc;
    dst[c] = from_float<T>(round_to<T>(value) * s.scale);
  }
}

}  // namespace dpn::kernels

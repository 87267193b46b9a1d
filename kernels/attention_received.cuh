// Per-thread phases of the attention-received kernel, shared by the CUDA launch (attention_received.cu)
// and the CPU driver (attention_received_cpu.cpp).
//
// Launch geometry: block (x = query i, y = query head h), threads stride over keys. Shared memory holds the
// query in fp32 (Dh floats) and one (max, sum) pair per thread. Phases, separated by __syncthreads:
//   1. load q_hi into shared memory;
//   2. each thread runs an online softmax (running max m, running sum l) over its keys;
//   3. tree reduction of the (m, l) pairs, log2(threads) steps, each followed by a barrier;
//   4. each thread recomputes its scores and adds exp(s - m) / l / (Hq * Nq) into out[j].
// Two passes over K replace the n x n matrix; the scores are recomputed with identical arithmetic.
#pragma once
#include <cmath>
#include <cstdint>

#include "attention_received.h"
#include "half_types.h"
#include "host_device.h"

namespace dpn::kernels {

constexpr int kAttentionReceivedThreads = 128;  // power of two: the reduction halves it

struct SoftmaxStats {
  float max;  // -inf when the thread saw no key
  float sum;  // sum of exp(score - max)
};

struct AttentionReceivedShared {
  float* query;  // [Dh]
  float* max;    // [threads]
  float* sum;    // [threads]
};

struct AttentionReceivedLaunch {
  AttentionReceivedArgs args;
  float scale;
  float weight;  // 1 / (Hq * Nq)
};

DPN_HD inline float negative_infinity() { return bits_to_float(0xff800000u); }

// Index of the last key query `query` may see, or -1 when it sees none.
DPN_HD inline int32_t attention_received_last_key(const AttentionReceivedArgs& a, int32_t query) {
  const int32_t pos = a.query_positions != nullptr ? a.query_positions[query] : a.first_query_position + query;
  if (pos < 0) return -1;
  return pos < a.keys ? pos : a.keys - 1;
}

template <typename T>
DPN_HD inline void attention_received_load_query(const AttentionReceivedLaunch& l, const T* q,
                                                 AttentionReceivedShared sh, int32_t query, int32_t head,
                                                 int thread, int threads) {
  const T* row = q + head * l.args.q_head_stride + query * l.args.q_token_stride;
  for (int32_t d = thread; d < l.args.head_dim; d += threads) sh.query[d] = to_float(row[d]);
}

template <typename T>
DPN_HD inline float attention_received_score(const AttentionReceivedLaunch& l, const T* k,
                                             const float* query, int32_t kv_head, int32_t key) {
  const T* row = k + kv_head * l.args.k_head_stride + key * l.args.k_token_stride;
  float dot = 0.0f;
  for (int32_t d = 0; d < l.args.head_dim; ++d) dot += query[d] * to_float(row[d]);
  return dot * l.scale;
}

DPN_HD inline SoftmaxStats softmax_stats_combine(SoftmaxStats a, SoftmaxStats b) {
  const float m = a.max > b.max ? a.max : b.max;
  if (m == negative_infinity()) return SoftmaxStats{m, 0.0f};
  return SoftmaxStats{m, a.sum * expf(a.max - m) + b.sum * expf(b.max - m)};
}

template <typename T>
DPN_HD inline void attention_received_partial_stats(const AttentionReceivedLaunch& l, const T* k,
                                                    AttentionReceivedShared sh, int32_t query, int32_t head,
                                                    int thread, int threads) {
  const int32_t kv_head = head / (l.args.q_heads / l.args.kv_heads);
  const int32_t last = attention_received_last_key(l.args, query);
  float m = negative_infinity();
  float s = 0.0f;
  for (int32_t j = thread; j <= last; j += threads) {
    const float score = attention_received_score(l, k, sh.query, kv_head, j);
    if (score > m) {
      s = s * expf(m - score) + 1.0f;
      m = score;
    } else {
      s += expf(score - m);
    }
  }
  sh.max[thread] = m;
  sh.sum[thread] = s;
}

// One step of the tree reduction: threads [0, stride) fold in the pair at thread + stride.
DPN_HD inline void attention_received_reduce_step(AttentionReceivedShared sh, int thread, int stride) {
  if (thread >= stride) return;
  const SoftmaxStats folded =
      softmax_stats_combine(SoftmaxStats{sh.max[thread], sh.sum[thread]},
                            SoftmaxStats{sh.max[thread + stride], sh.sum[thread + stride]});
  sh.max[thread] = folded.max;
  sh.sum[thread] = folded.sum;
}

// `add(float* slot, float value)` is atomicAdd on the device and a plain += in the CPU driver.
template <typename T, typename Add>
DPN_HD inline void attention_received_accumulate(const AttentionReceivedLaunch& l, const T* k,
                                                 AttentionReceivedShared sh, int32_t query, int32_t head,
                                                 int thread, int threads, float* out, Add add) {
  const int32_t kv_head = head / (l.args.q_heads / l.args.kv_heads);
  const int32_t last = attention_received_last_key(l.args, query);
  const float m = sh.max[0];
  const float scale = l.weight / sh.sum[0];
  for (int32_t j = thread; j <= last; j += threads) {
    const float score = attention_received_score(l, k, sh.query, kv_head, j);
    add(out + j, expf(score - m) * scale);
  }
}

}  // namespace dpn::kernels

// The decode GEMV: a dot product per output row, rows split over threads. The AVX2 bodies are compiled with a target
// attribute and chosen at run time, so the build needs no -march flag and runs on any x86-64 (and elsewhere).
#include "model/gemv.h"

#include "io/convert.h"  // bf16_to_f32, f32_to_bf16 (round to nearest even)

#include <ATen/Parallel.h>


#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define DPN_GEMV_AVX2 1
#endif

namespace dpn {

namespace {

inline float widen(float v) { return v; }
inline float widen(uint16_t v) { return bf16_to_f32(v); }

template <class W>
float dot_plain(const W* w, const float* x, int64_t k) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= k; i += 8)
    for (int j = 0; j < 8; ++j) acc[j] += widen(w[i + j]) * x[i + j];
  float s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
  for (; i < k; ++i) s += widen(w[i]) * x[i];
  return s;
}

#ifdef DPN_GEMV_AVX2
__attribute__((target("avx2,fma"))) float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}

__attribute__((target("avx2,fma"))) __m256 load8(const float* p) { return _mm256_loadu_ps(p); }

__attribute__((target("avx2,fma"))) __m256 load8(const uint16_t* p) {  // bf16 -> fp32: the high half of the bits
  __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
}

// Four independent 8-lane accumulators (hide the FMA latency), then the tail.
template <class W>
__attribute__((target("avx2,fma"))) float dot_avx2(const W* w, const float* x, int64_t k) {
  __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
  int64_t i = 0;
  for (; i + 32 <= k; i += 32) {
    a0 = _mm256_fmadd_ps(load8(w + i), _mm256_loadu_ps(x + i), a0);
    a1 = _mm256_fmadd_ps(load8(w + i + 8), _mm256_loadu_ps(x + i + 8), a1);
    a2 = _mm256_fmadd_ps(load8(w + i + 16), _mm256_loadu_ps(x + i + 16), a2);
    a3 = _mm256_fmadd_ps(load8(w + i + 24), _mm256_loadu_ps(x + i + 24), a3);
  }
  for (; i + 8 <= k; i += 8) a0 = _mm256_fmadd_ps(load8(w + i), _mm256_loadu_ps(x + i), a0);
  float s = hsum(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
  for (; i < k; ++i) s += widen(w[i]) * x[i];
  return s;
}

const bool kAvx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
const bool kAvx2 = false;
#endif

template <class W>
float dot(const W* w, const float* x, int64_t k) {
#ifdef DPN_GEMV_AVX2
  if (kAvx2) return dot_avx2(w, x, k);
#endif
  return dot_plain(w, x, k);
}

// Rows per task: enough bytes per chunk (~64 KiB of weights) that scheduling costs nothing.
int64_t grain(int64_t k, int64_t elem) { return std::max<int64_t>(1, (64 * 1024) / std::max<int64_t>(1, k * elem)); }

}  // namespace

void gemv_f32_rows(const float* w, int64_t ld, const float* x, const float* b, float* y, int64_t k, int64_t r0,
                   int64_t r1) {
  for (int64_t r = r0; r < r1; ++r) y[r] = dot(w + r * ld, x, k) + (b ? b[r] : 0.f);
}

void gemv_bf16_rows(const uint16_t* w, int64_t ld, const float* x, const uint16_t* b, uint16_t* y, int64_t k,
                    int64_t r0, int64_t r1) {
  for (int64_t r = r0; r < r1; ++r) y[r] = f32_to_bf16(dot(w + r * ld, x, k) + (b ? bf16_to_f32(b[r]) : 0.f));
}

void gemv_f32(const float* w, int64_t ld, const float* x, const float* b, float* y, int64_t n, int64_t k) {
  at::parallel_for(0, n, grain(k, 4), [&](int64_t r0, int64_t r1) { gemv_f32_rows(w, ld, x, b, y, k, r0, r1); });
}

void gemv_bf16(const uint16_t* w, int64_t ld, const float* x, const uint16_t* b, uint16_t* y, int64_t n, int64_t k) {
  at::parallel_for(0, n, grain(k, 2), [&](int64_t r0, int64_t r1) { gemv_bf16_rows(w, ld, x, b, y, k, r0, r1); });
}

}  // namespace dpn

// Matrix-vector product for decode on the CPU: y[n] = sum_k W[n, k] * x[k] (+ b[n]), W row-major [N, K], fp32 or
// bf16 weights, always accumulated in fp32 and rounded once (bf16: to nearest even). Rows are split over LibTorch's
// intra-op threads; each row is one streaming dot product (AVX2+FMA when the CPU has it), so the product runs at the
// memory bandwidth: it reads N*K weight elements once. Torch-free raw pointers; the caller (model/cpu_math) checks.
#pragma once
#include <cstdint>

namespace dpn {

// x [K] fp32. w [N, K] with row stride `ld` (elements), fp32 or bf16 bits (uint16). b [N] the weight's dtype or null.
// y [N]: fp32 output, or bf16 bits when `bf16`.
void gemv_f32(const float* w, int64_t ld, const float* x, const float* b, float* y, int64_t n, int64_t k);
void gemv_bf16(const uint16_t* w, int64_t ld, const float* x, const uint16_t* b, uint16_t* y, int64_t n, int64_t k);

// Row range [r0, r1) of the products above on the calling thread (the parallel drivers split rows over threads).
void gemv_f32_rows(const float* w, int64_t ld, const float* x, const float* b, float* y, int64_t k, int64_t r0, int64_t r1);
void gemv_bf16_rows(const uint16_t* w, int64_t ld, const float* x, const uint16_t* b, uint16_t* y, int64_t k,
                    int64_t r0, int64_t r1);

}  // namespace dpn

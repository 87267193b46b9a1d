// The forward passes' hot operations on the CPU, where LibTorch's own path is slow (issue 20):
//   dense       one row (decode): the multi-threaded GEMV of model/gemv at memory bandwidth; bf16 with several rows
//               (prefill, vision) on a CPU without native bf16 matrix units: the fp32 GEMM on upcast operands, the
//               result rounded once to bf16 (LibTorch 1.13's bf16 GEMM runs at ~1/30 of its fp32 rate on AVX2).
//   layernorm   bf16 input: statistics, normalisation and affine in fp32, rounded once (1.13's bf16 kernel is ~20x
//               slower than its fp32 one).
//   f32_compute whether a tensor's matmuls (attention) are better done in fp32 on upcast operands.
// Anything else (CUDA, fp16, autograd, strided weights) goes to the plain LibTorch call, which is also the reference
// the golden tests hold these to (tests/core/model/cpu_math_golden_test.cpp).
#pragma once
#include <ATen/core/Tensor.h>

namespace dpn {

// at::linear(x, w, b): x [..., K], w [N, K], b [N] or undefined -> [..., N] in x's dtype.
at::Tensor dense(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b = {});

// at::layer_norm over the last dimension (size w.numel()).
at::Tensor layernorm(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b, double eps);

// True for a CPU bf16 tensor when this CPU has no native bf16 dot products (AVX512-BF16/AMX): compute in fp32.
bool f32_compute(const at::Tensor& t);

}  // namespace dpn

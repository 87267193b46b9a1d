// The compression steps that kernels/ implements, dispatched by device: CUDA tensors go to the CUDA kernels (when
// the build has DPN_CUDA and a CUDA LibTorch), CPU tensors to LibTorch ops. The kernels' CPU drivers can be selected
// explicitly, which is how tests prove on the CPU that a kernel computes what the engine's torch path computes.
#pragma once
#include <ATen/core/Tensor.h>

#include <vector>

#include "model/config.h"

namespace dpn {

enum class KernelPath { Auto, Torch, KernelCpu };

// True when CUDA tensors are handled by kernels/ in this build.
bool cuda_kernels_available();

// x [L, D] with the visual run [start, start + h*w) viewed as (h, w, D): returns [L', D], the run replaced by its
// (h/kh) x (w/kw) max/avg pooling multiplied by `scale`. (conv experts always take the torch path.)
at::Tensor dpe_pool_sequence(const at::Tensor& x, int64_t start, int h, int w, int kh, int kw, PoolFunction function,
                             float scale, KernelPath path = KernelPath::Auto);

// Attention each key receives, averaged over heads and the given query rows: q [H, T, Dh] (after RoPE), keys
// [Hkv, Tk, Dh]; query row i is at sequence index past + i. `probs` ([Hkv, H/Hkv, T, Tk] fp32) is the layer's
// softmax when it was materialised (torch path), else undefined. Returns [Tk] float32.
at::Tensor attention_received(const at::Tensor& q, const at::Tensor& keys, const at::Tensor& probs,
                              const std::vector<int64_t>& rows, int64_t past, KernelPath path = KernelPath::Auto);

}  // namespace dpn

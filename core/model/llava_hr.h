// LLaVA-HR's dual-path vision tower (llava-detail.md §7.1): a fast CLIP ViT on a bilinear downsized copy of the
// high-resolution image, a slow ConvNeXt on the full image, three MR-adapters mixing slow into fast after each
// quarter of the CLIP layers, and a final alignment that adds projections of both. Shapes: S input side, F fast
// input side, g fast grid side, N = g*g tokens, Dv CLIP width, Cs slow width, h x w the slow map.
#pragma once
#include <ATen/core/Tensor.h>

#include <vector>

#include "model/config.h"
#include "model/llava_hr_weights.h"
#include "model/weights.h"

namespace dpn {

// What one tower forward computed on the way, for tests and the trace (filled only when asked for).
struct HrVisionSteps {
  at::Tensor fast_pixels;               // [3, F, F]   bilinear (align corners) resize of the input
  at::Tensor pos_embed;                 // [1+N, Dv]   position embeddings on the fast grid
  at::Tensor fast_embed;                // [N, Dv]     patches + positions, class token dropped, pre-LayerNorm
  std::vector<at::Tensor> slow_stages;  // [C_s, H_s, W_s] each ConvNeXt stage
  std::vector<at::Tensor> fast_layers;  // [N, Dv]     each CLIP layer's output (adapters applied in between)
  std::vector<at::Tensor> adapters;     // [N, Dv]     each MR-adapter's output
  std::vector<double> gates;            // tanh(gate) of each MR-adapter (one scalar per image)
};

// pixels [3, S, S] (normalised, S = cfg.multipath.input_size) -> visual tokens [N, Dv] (N/4 with prepooling).
at::Tensor hr_vision_forward(const ClipWeights& fast, const HrVisionWeights& hr, const LlavaConfig& cfg,
                             const at::Tensor& pixels, HrVisionSteps* steps = nullptr);

// [1+G*G, Dv] -> [1+g*g, Dv]: class position kept, the G x G grid resampled bicubic with antialias in fp32 (timm's
// resample_abs_pos_embed as LLaVA-HR calls it on every forward).
at::Tensor resample_position_embedding(const at::Tensor& pos, int grid);

// Slow tokens [n, C] on a sqrt(n) grid -> [m, C] on a sqrt(m) grid: bilinear (align corners, fp32) when n < m,
// average pooling with kernel = stride = ratio when n > m. n and m must divide one another.
at::Tensor align_to_grid(const at::Tensor& tokens, int64_t m);

// One MR-adapter: fast [N, Dv], slow [Cs, h, w] -> fast [N, Dv]. `gate_tanh` receives tanh(gate) if given.
at::Tensor hr_adapter_forward(const HrAdapterWeights& w, const at::Tensor& fast, const at::Tensor& slow,
                              double* gate_tanh = nullptr);

// The final alignment: fast [N, Dv], slow [Cs, h, w] -> Linear(fast) + Linear(slow aligned to the fast grid).
at::Tensor hr_align_forward(const HrAlignWeights& w, const at::Tensor& fast, const at::Tensor& slow);

}  // namespace dpn

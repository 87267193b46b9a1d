// The pooling experts of a DPE layer (dpn-detail.md §1.4, §1.7): the visual run viewed as a row-major (H, W, D) grid,
// pooled with kernel = stride, no padding, floor mode. N = H*W visual tokens, D hidden.
#pragma once
#include <ATen/core/Tensor.h>

#include "model/config.h"

namespace dpn {

// visual [H*W, D] -> [(H/kh)*(W/kw), D]. function: max, avg or conv (conv_weight [D, 1, kh, kw], depthwise, no bias).
at::Tensor pool_visual_grid(const at::Tensor& visual, int h, int w, int kh, int kw, PoolFunction function,
                            const at::Tensor& conv_weight = {});

}  // namespace dpn

// 2-D pooling of the visual-token grid inside the LLM.
#include "methods/dpe_pooling.h"

#include <ATen/ATen.h>

#include "util/error.h"

namespace dpn {

at::Tensor pool_visual_grid(const at::Tensor& visual, int h, int w, int kh, int kw, PoolFunction function,
                            const at::Tensor& conv_weight) {
  const int64_t D = visual.size(1);
  if (visual.size(0) != int64_t(h) * w)
    throw Error("pooling", std::to_string(visual.size(0)) + " visual tokens do not form the " + std::to_string(h) + "x" +
                               std::to_string(w) + " grid");
  if (h / kh == 0 || w / kw == 0)
    throw Error("pooling", "a " + std::to_string(kh) + "x" + std::to_string(kw) + " expert on a " + std::to_string(h) + "x" +
                               std::to_string(w) + " grid would leave no visual token");
  at::Tensor grid = visual.view({h, w, D}).permute({2, 0, 1}).unsqueeze(0);  // (1, D, H, W)
  at::Tensor out;
  switch (function) {
    case PoolFunction::Max: out = at::max_pool2d(grid, {kh, kw}, {kh, kw}); break;
    case PoolFunction::Avg: out = at::avg_pool2d(grid, {kh, kw}, {kh, kw}); break;
    case PoolFunction::Conv:
      out = at::conv2d(grid, conv_weight, at::Tensor(), at::IntArrayRef({kh, kw}), at::IntArrayRef({0, 0}), at::IntArrayRef({1, 1}), D);
      break;
  }
  return out.squeeze(0).flatten(1).transpose(0, 1).contiguous();  // (D, H', W') -> [H'*W', D] row-major
}

}  // namespace dpn

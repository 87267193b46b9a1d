// Splicing a new visual run into the prefill sequence, and the regions of merged tokens.
#include <ATen/ATen.h>

#include <algorithm>

#include "methods/method.h"

namespace dpn {

void SeqState::splice_visual(const at::Tensor& visual, const at::Tensor& visual_positions) {
  const int64_t L = x.size(0), n = visual.size(0), after = L - visual_start - visual_count;
  at::Tensor nx = at::cat({x.narrow(0, 0, visual_start), visual.to(x.scalar_type()),
                           x.narrow(0, visual_start + visual_count, after)}, 0);
  if (!visual_positions.defined()) {
    positions = at::arange(nx.size(0), positions.options());
  } else {
    positions = at::cat({positions.narrow(0, 0, visual_start), visual_positions.to(positions.device()),
                         positions.narrow(0, visual_start + visual_count, after)}, 0);
  }
  if (router_pos >= visual_start + visual_count) router_pos -= visual_count - n;
  x = nx;
  visual_count = n;
}

void SeqState::replace_visual(const at::Tensor& new_x, int64_t n) {
  if (router_pos >= visual_start + visual_count) router_pos -= visual_count - n;
  x = new_x;
  positions = at::arange(x.size(0), positions.options());
  visual_count = n;
}

TokenRegion SeqState::merge_regions(const std::vector<int64_t>& indices) const {
  TokenRegion u = regions.at(size_t(indices.at(0)));
  u.cells.clear();
  std::vector<int> cells;
  for (int64_t i : indices) {
    const TokenRegion& t = regions.at(size_t(i));
    u.r0 = std::min(u.r0, t.r0), u.c0 = std::min(u.c0, t.c0), u.r1 = std::max(u.r1, t.r1), u.c1 = std::max(u.c1, t.c1);
    if (!t.cells.empty()) {
      cells.insert(cells.end(), t.cells.begin(), t.cells.end());
    } else {
      for (int r = t.r0; r < t.r1; ++r)
        for (int c = t.c0; c < t.c1; ++c) cells.push_back(r * base_w + c);
    }
  }
  std::sort(cells.begin(), cells.end());
  cells.erase(std::unique(cells.begin(), cells.end()), cells.end());
  if (int64_t(cells.size()) != int64_t(u.r1 - u.r0) * (u.c1 - u.c0)) u.cells = std::move(cells);
  return u;
}

}  // namespace dpn

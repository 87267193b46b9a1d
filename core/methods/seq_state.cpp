// Splicing a new visual run into the prefill sequence.
#include <ATen/ATen.h>

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

}  // namespace dpn

// DPC-kNN clustering of tokens; see dpc_cluster.h. n tokens, C channels, k clusters.
#include "methods/dpc_cluster.h"

#include <ATen/ATen.h>

#include <cmath>

namespace dpn {

Clusters dpc_knn_cluster(const at::Tensor& x, int64_t k) {
  const int64_t n = x.size(0), C = x.size(1);
  at::Tensor xf = x.to(at::kFloat);
  // Pairwise distances from differences (not the matmul expansion), scaled.
  at::Tensor dist = at::cdist(xf.unsqueeze(0), xf.unsqueeze(0), 2.0, /*compute_mode=*/2).squeeze(0) / std::sqrt(double(C));
  at::Tensor nearest = std::get<0>(dist.topk(k, -1, /*largest=*/false));
  at::Tensor density = (-(nearest * nearest).mean(-1)).exp();                          // [n]
  at::Tensor denser = density.unsqueeze(0) > density.unsqueeze(1);                      // [i, j]: j denser than i
  at::Tensor maskf = denser.to(at::kFloat);
  at::Tensor dmax = dist.max();
  at::Tensor parent = std::get<0>((dist * maskf + dmax * (1 - maskf)).min(-1));       // [n]
  at::Tensor centres = std::get<1>((parent * density).topk(k));                         // [k], score order
  at::Tensor assign = dist.index_select(0, centres).argmin(0);                          // [n] nearest centre
  assign.index_put_({centres}, at::arange(k, assign.options()));
  at::Tensor counts = at::zeros({k, 1}, xf.options()).index_add_(0, assign, at::ones({n, 1}, xf.options())) + 1e-6;
  at::Tensor weight = 1.0 / counts.index_select(0, assign);                             // [n, 1]
  Clusters c;
  c.merged = at::zeros({k, C}, xf.options()).index_add_(0, assign, xf * weight).to(x.scalar_type());
  at::Tensor a = assign.cpu().contiguous();
  c.assignment.assign(a.data_ptr<int64_t>(), a.data_ptr<int64_t>() + n);
  at::Tensor sorted = std::get<0>(density.cpu().sort());
  c.min_density_gap = n > 1 ? (sorted.narrow(0, 1, n - 1) - sorted.narrow(0, 0, n - 1)).min().item<double>() : 1.0;
  return c;
}

}  // namespace dpn

// Density-peak clustering with k nearest neighbours (DPC-kNN) as SparseVLM recycles pruned tokens (its utils.py
// cluster_and_merge, batch 1): distances scaled by 1/sqrt(C); density exp(-mean of the squared distances to the k
// nearest, itself included); a token's parent distance is its distance to the nearest denser token (the largest
// distance for the densest); the k tokens with the largest parent distance x density are the centres (in that
// order); every token joins its nearest centre (a centre itself); each cluster becomes the mean of its tokens
// (divided by count + 1e-6, as the official weights do). Density ties are broken by index, not by random noise.
#pragma once
#include <ATen/core/Tensor.h>

#include <vector>

namespace dpn {

struct Clusters {
  at::Tensor merged;                // [k, C] cluster means, in centre order
  std::vector<int64_t> assignment;  // per input token, its cluster
  double min_density_gap = 0;       // smallest gap between two densities (ties below 1e-6 are where noise decides)
};

// x [n, C] -> k clusters (1 <= k <= n).
Clusters dpc_knn_cluster(const at::Tensor& x, int64_t k);

}  // namespace dpn

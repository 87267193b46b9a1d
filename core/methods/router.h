// The DPN router (dpn-detail.md §1.5): v1 LayerNorm -> Linear(D, D/4) -> GELU -> Linear(D/4, E); v2 Linear(D, E).
// Probabilities are softmax(logits / 10), computed in fp32.
#pragma once
#include <ATen/core/Tensor.h>

#include "model/weights.h"

namespace dpn {

constexpr double kRouterTemperature = 10.0;  // fixed in the reference code

// hidden [D] -> probabilities [E] (float32).
at::Tensor router_probs(const RouterWeights& w, RouterVersion version, const at::Tensor& hidden);

}  // namespace dpn

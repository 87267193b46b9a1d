// Router forward.
#include "methods/router.h"

#include <ATen/ATen.h>

namespace dpn {

at::Tensor router_probs(const RouterWeights& w, RouterVersion version, const at::Tensor& hidden) {
  at::Tensor logits;
  if (version == RouterVersion::V1) {
    at::Tensor x = at::layer_norm(hidden, {hidden.size(-1)}, w.ln_w, w.ln_b, 1e-5);
    logits = at::linear(at::gelu(at::linear(x, w.fc1)), w.predictor);
  } else {
    logits = at::linear(hidden, w.predictor);
  }
  return at::softmax(logits.to(at::kFloat) / kRouterTemperature, -1);
}

}  // namespace dpn

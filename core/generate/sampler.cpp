// Greedy and top-p sampling (HF semantics: keep the smallest set of tokens whose probability mass reaches top_p).
#include "generate/sampler.h"

#include <ATen/ATen.h>

namespace dpn {

int Sampler::next(const at::Tensor& logits) {
  if (o_.temperature <= 0.f) return int(logits.argmax().item<int64_t>());
  at::Tensor probs = at::softmax(logits.to(at::kDouble) / double(o_.temperature), -1);
  auto sorted = probs.sort(/*dim=*/-1, /*descending=*/true);
  at::Tensor p = std::get<0>(sorted).contiguous(), idx = std::get<1>(sorted).contiguous();
  const double* pp = p.data_ptr<double>();
  const int64_t* ii = idx.data_ptr<int64_t>();
  int64_t n = p.numel(), keep = 0;
  double mass = 0;
  while (keep < n && (keep == 0 || mass < o_.top_p)) mass += pp[keep++];
  double u = std::uniform_real_distribution<double>(0.0, mass)(rng_), acc = 0;
  for (int64_t i = 0; i < keep; ++i) {
    acc += pp[i];
    if (u < acc) return int(ii[i]);
  }
  return int(ii[keep - 1]);
}

}  // namespace dpn

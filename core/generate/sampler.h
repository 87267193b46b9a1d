// Next-token choice: greedy argmax, or temperature + nucleus (top-p) sampling with a seeded generator.
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <random>

namespace dpn {

struct SamplerOptions {
  float temperature = 0.f;  // <= 0: greedy
  float top_p = 1.f;
  uint64_t seed = 0;
};

class Sampler {
 public:
  explicit Sampler(SamplerOptions o) : o_(o), rng_(o.seed) {}
  // logits: [V] float32.
  int next(const at::Tensor& logits);

 private:
  SamplerOptions o_;
  std::mt19937_64 rng_;
};

}  // namespace dpn

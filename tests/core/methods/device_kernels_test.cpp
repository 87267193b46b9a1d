// The kernels/ the engine dispatches CUDA tensors to compute what its torch path computes: proven on the CPU by
// running the kernels' CPU drivers (the same per-thread bodies as the CUDA launch) against the torch ops.
#include "methods/device_kernels.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>

using namespace dpn;

namespace {

struct PoolCase {
  int h, w, kh, kw;
  PoolFunction fn;
};

}  // namespace

TEST(DeviceKernels, DpePoolMatchesTorchPath) {
  at::manual_seed(3);
  for (at::ScalarType dt : {at::kFloat, at::kBFloat16})  // LibTorch 1.13 has no CPU Half pooling; kernels/ tests fp16
    for (PoolCase c : {PoolCase{8, 8, 2, 2, PoolFunction::Max}, PoolCase{8, 8, 1, 2, PoolFunction::Avg}, PoolCase{24, 24, 2, 2, PoolFunction::Avg},
                       PoolCase{7, 7, 2, 2, PoolFunction::Max}, PoolCase{6, 6, 3, 3, PoolFunction::Avg}, PoolCase{4, 4, 1, 1, PoolFunction::Max}}) {
      const int64_t before = 5, after = 3, D = 32;
      at::Tensor x = at::randn({before + c.h * c.w + after, D}).to(dt);
      at::Tensor t = dpe_pool_sequence(x, before, c.h, c.w, c.kh, c.kw, c.fn, 0.37f, KernelPath::Torch);
      at::Tensor k = dpe_pool_sequence(x, before, c.h, c.w, c.kh, c.kw, c.fn, 0.37f, KernelPath::KernelCpu);
      ASSERT_EQ(t.sizes(), k.sizes());
      // fp32: the same arithmetic up to summation order; bf16/fp16: at most one unit in the last place.
      double tol = dt == at::kFloat ? 1e-6 : (dt == at::kBFloat16 ? 1.0 / 128 : 1.0 / 1024);
      double d = (t.to(at::kFloat) - k.to(at::kFloat)).abs().div(t.to(at::kFloat).abs().clamp_min(1.0)).max().item<double>();
      EXPECT_LE(d, tol) << c10::toString(dt) << " " << c.h << "x" << c.w << " " << c.kh << "x" << c.kw << " " << pool_function_name(c.fn);
      EXPECT_TRUE(at::equal(t.narrow(0, 0, before), k.narrow(0, 0, before))) << "text before is copied";
    }
}

TEST(DeviceKernels, AttentionReceivedMatchesTorchPath) {
  at::manual_seed(5);
  for (at::ScalarType dt : {at::kFloat, at::kBFloat16}) {
    const int64_t H = 4, Hkv = 2, G = H / Hkv, T = 20, past = 7, Tk = past + T, Dh = 16;
    at::Tensor q = at::randn({H, T, Dh}).to(dt), keys = at::randn({Hkv, Tk, Dh}).to(dt);
    // The layer's own softmax, as llama_layer materialises it: [Hkv, G, T, Tk], causal with `past` cached keys.
    at::Tensor scores = at::matmul(q.to(at::kFloat).reshape({Hkv, G * T, Dh}), keys.to(at::kFloat).transpose(1, 2)).view({Hkv, G, T, Tk}) / std::sqrt(double(Dh));
    scores = scores.masked_fill(at::ones({T, Tk}, at::kBool).triu(past + 1), -INFINITY);
    at::Tensor probs = at::softmax(scores, -1);
    for (std::vector<int64_t> rows : {std::vector<int64_t>{T - 1}, std::vector<int64_t>{0, 3, 11, 19}}) {
      at::Tensor t = attention_received(q, keys, probs, rows, past, KernelPath::Torch);
      at::Tensor k = attention_received(q, keys, at::Tensor(), rows, past, KernelPath::KernelCpu);
      EXPECT_NEAR(k.sum().item<double>(), 1.0, 1e-5) << "a mean of softmax rows sums to 1";
      EXPECT_LE((t - k).abs().max().item<double>(), 1e-5) << c10::toString(dt) << " rows " << rows.size();
      // Causality: the first row (sequence index past) must give nothing to keys after it.
      if (rows.size() == 4) EXPECT_GT(k[Tk - 1].item<float>(), 0.f);
    }
  }
}

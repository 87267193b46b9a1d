// Prefill throughput of LLaVA-7B-shaped decoder layers (d=4096, m=11008, 32 heads, 600 tokens, random weights,
// 2 layers), in fp32 and bf16, against a plain matrix multiply of the same size measured in the same run.
// Reported: achieved GFLOP/s (exact count: 2*M*N*K per matmul, attention QK^T and PV over the full square) and the
// ratio to the matmul rate. Not part of the test run: `build/tests/benchmarks/prefill_bench`.
#include <ATen/ATen.h>
#include <benchmark/benchmark.h>

#include "model/llama.h"
#include "runtime/threads.h"

namespace {

constexpr int64_t kD = 4096, kM = 11008, kHeads = 32, kTokens = 600, kLayers = 2;

dpn::TextConfig shape() {
  dpn::TextConfig c;
  c.hidden = kD;
  c.intermediate = kM;
  c.heads = c.kv_heads = kHeads;
  c.layers = kLayers;
  c.rms_eps = 1e-5;
  return c;
}

// FLOPs of one layer's prefill over n tokens (norms, RoPE and softmax are < 0.1% and left out).
double layer_flops(int64_t n) {
  double proj = 2.0 * n * kD * kD * 4;    // q, k, v, o
  double mlp = 2.0 * n * kD * kM * 3;     // gate, up, down
  double attn = 2.0 * n * n * kD * 2;     // QK^T and PV, full square as the dense kernels compute it
  return proj + mlp + attn;
}

std::vector<dpn::LlamaLayerWeights> random_layers(at::ScalarType dt) {
  std::vector<dpn::LlamaLayerWeights> ls(kLayers);
  auto r = [&](int64_t a, int64_t b) { return (at::randn({a, b}) * 0.02).to(dt); };
  for (auto& l : ls) {
    l.attn_norm = at::ones({kD}).to(dt);
    l.mlp_norm = at::ones({kD}).to(dt);
    l.q = r(kD, kD), l.k = r(kD, kD), l.v = r(kD, kD), l.o = r(kD, kD);
    l.gate = r(kM, kD), l.up = r(kM, kD), l.down = r(kD, kM);
  }
  return ls;
}

void BM_Prefill(benchmark::State& state, at::ScalarType dt) {
  dpn::configure_threads(0);
  at::manual_seed(0);
  auto layers = random_layers(dt);
  dpn::TextConfig cfg = shape();
  at::Tensor x = at::randn({kTokens, kD}).to(dt);
  at::Tensor pos = at::arange(kTokens, at::kLong);
  for (auto _ : state) {
    at::Tensor h = x;
    for (auto& l : layers) {
      dpn::LayerKv kv;
      h = dpn::llama_layer(l, cfg, h, pos, kv);
    }
    benchmark::DoNotOptimize(h.data_ptr());
  }
  double flops = layer_flops(kTokens) * kLayers;
  state.counters["GFLOP/s"] = benchmark::Counter(flops * state.iterations() / 1e9, benchmark::Counter::kIsRate);
}

// The same work as one plain GEMM: [600 x 4096] x [4096 x N] with N chosen so 2*M*N*K equals a layer's FLOPs.
void BM_Matmul(benchmark::State& state, at::ScalarType dt) {
  dpn::configure_threads(0);
  at::manual_seed(0);
  const int64_t n_cols = int64_t(layer_flops(kTokens) / (2.0 * kTokens * kD));
  at::Tensor a = at::randn({kTokens, kD}).to(dt);
  at::Tensor w = (at::randn({n_cols, kD}) * 0.02).to(dt);  // row-major weight, as at::linear uses it
  for (auto _ : state) {
    for (int i = 0; i < kLayers; ++i) benchmark::DoNotOptimize(at::linear(a, w).data_ptr());
  }
  double flops = 2.0 * kTokens * kD * n_cols * kLayers;
  state.counters["GFLOP/s"] = benchmark::Counter(flops * state.iterations() / 1e9, benchmark::Counter::kIsRate);
}

BENCHMARK_CAPTURE(BM_Matmul, f32, at::kFloat)->Unit(benchmark::kMillisecond)->MinTime(5)->UseRealTime();
BENCHMARK_CAPTURE(BM_Prefill, f32, at::kFloat)->Unit(benchmark::kMillisecond)->MinTime(5)->UseRealTime();
BENCHMARK_CAPTURE(BM_Matmul, bf16, at::kBFloat16)->Unit(benchmark::kMillisecond)->MinTime(5)->UseRealTime();
BENCHMARK_CAPTURE(BM_Prefill, bf16, at::kBFloat16)->Unit(benchmark::kMillisecond)->MinTime(5)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();

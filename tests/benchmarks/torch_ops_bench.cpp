// The LibTorch operations the engine's stages spend their time in, timed alone, to compare LibTorch builds (Debian's
// 1.13 with OpenBLAS against the PyPI wheel's) and our own kernels on one machine. Minimum of several runs after a
// warm-up; 2 threads unless DPN_THREADS says otherwise. Prints one line per operation. Not part of the test run.
// Shapes: the issue-20 model (CLIP-ViT-L/14-336 tower: 577 tokens, 16 heads, d 1024; LLaMA d 2048, m 5632, 8 layers,
// vocab 32000, 596-token prompt).
// Build against another LibTorch without CMake (what README's performance section did for the wheel):
//   g++ -O3 -std=c++17 tests/benchmarks/torch_ops_bench.cpp -I$T/include -I$T/include/torch/csrc/api/include \
//       -L$T/lib -Wl,-rpath,$T/lib -ltorch_cpu -lc10 -o torch_ops_bench      (T = site-packages/torch)
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

#if __has_include("model/cpu_math.h")  // built in the tree: also the engine's own kernels (model/cpu_math.h)
#include "model/cpu_math.h"
#define DPN_OPS_BENCH_OURS 1
#endif

namespace {

double best_ms(const std::function<void()>& f, int runs) {
  f();
  double best = 1e30;
  for (int i = 0; i < runs; ++i) {
    auto t = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count());
  }
  return best;
}

}  // namespace

int main() {
  const char* env = std::getenv("DPN_THREADS");
  at::set_num_threads(env ? std::atoi(env) : 2);
  at::manual_seed(0);
  std::printf("threads %d\n", at::get_num_threads());
  const int64_t D = 2048, M = 5632, V = 32000, L = 8, T = 596;
  for (auto dt : {at::kFloat, at::kBFloat16}) {
    const char* n = dt == at::kFloat ? "f32" : "bf16";
    // Decode: every weight of the decoder and the LM head times one token (GEMV), as llama_layer calls them.
    std::vector<at::Tensor> ws;
    for (int l = 0; l < L; ++l) {
      for (int i = 0; i < 4; ++i) ws.push_back((at::randn({D, D}) * 0.02).to(dt));
      ws.push_back((at::randn({M, D}) * 0.02).to(dt));
      ws.push_back((at::randn({M, D}) * 0.02).to(dt));
      ws.push_back((at::randn({D, M}) * 0.02).to(dt));
    }
    at::Tensor head = (at::randn({V, D}) * 0.02).to(dt);
    at::Tensor xd = at::randn({1, D}).to(dt), xm = at::randn({1, M}).to(dt);
    double bytes = double(head.numel()) * head.element_size();
    for (auto& w : ws) bytes += double(w.numel()) * w.element_size();
    double gemv = best_ms([&] {
      for (auto& w : ws) at::linear(w.size(1) == D ? xd : xm, w);
      at::linear(xd, head);
    }, 5);
    std::printf("%s decode GEMVs (8 layers + head, %.0f MB): %.1f ms = %.2f GB/s\n", n, bytes / 1e6, gemv,
                bytes / gemv / 1e6);
#ifdef DPN_OPS_BENCH_OURS
    double ours = best_ms([&] {
      for (auto& w : ws) dpn::dense(w.size(1) == D ? xd : xm, w);
      dpn::dense(xd, head);
    }, 5);
    std::printf("%s decode GEMVs, dpn::dense: %.1f ms = %.2f GB/s\n", n, ours, bytes / ours / 1e6);
#endif
    // Prefill: the largest product of a layer.
    at::Tensor a = at::randn({T, D}).to(dt), w = (at::randn({M, D}) * 0.02).to(dt);
    double gemm = best_ms([&] { at::linear(a, w); }, 3);
    std::printf("%s GEMM [%lld x %lld] x [%lld x %lld]: %.1f ms = %.1f GFLOP/s\n", n, (long long)T, (long long)D,
                (long long)D, (long long)M, gemm, 2.0 * T * D * M / gemm / 1e6);
    // Vision tower: softmax over the scores to fp32, layer norm.
    at::Tensor s = at::randn({16, 577, 577}).to(dt);
    double sm = best_ms([&] { at::softmax(s, -1, at::kFloat); }, 10);
    double sm2 = best_ms([&] { at::softmax(s, -1); }, 10);
    at::Tensor x = at::randn({577, 1024}).to(dt), g = at::ones({1024}).to(dt), b = at::zeros({1024}).to(dt);
    double ln = best_ms([&] { at::layer_norm(x, {1024}, g, b, 1e-5); }, 20);
#ifdef DPN_OPS_BENCH_OURS
    double gemm_ours = best_ms([&] { dpn::dense(a, w); }, 3);
    double ln_ours = best_ms([&] { dpn::layernorm(x, g, b, 1e-5); }, 20);
    std::printf("%s dpn::dense GEMM: %.1f ms = %.1f GFLOP/s; dpn::layernorm: %.3f ms\n", n, gemm_ours,
                2.0 * T * D * M / gemm_ours / 1e6, ln_ours);
#endif
    std::printf("%s softmax [16,577,577] -> f32: %.2f ms, same dtype: %.2f ms; layer_norm [577,1024]: %.3f ms\n", n, sm,
                sm2, ln);
    at::Tensor q = at::randn({16, 577, 64}).to(dt);
    double att = best_ms([&] {
      at::Tensor p = at::softmax(at::matmul(q, q.transpose(1, 2)) * 0.125, -1, at::kFloat).to(dt);
      at::matmul(p, q);
    }, 5);
    std::printf("%s CLIP attention (matmul, softmax f32, matmul) [16,577,64]: %.2f ms\n", n, att);
  }
  return 0;
}

// Prefill wall time of DPN (forced expert patterns) and FastV against `none` on LLaVA-7B-shaped decoder layers
// (d=4096, m=11008, 32 heads; 35 + 576 + 24 = 635 tokens; random weights), reporting the realized speedup, the
// exact-count FLOPs speedup (core/flops) and their ratio (target >= 0.9). A 4-layer decoder stands in for the 32-layer
// one with DPE layers after layers 0, 1 and 2 (the 7/15/23 segments of 8 layers shrunk to 1); FastV drops after
// layer 1. Run: build/tests/benchmarks/methods_bench [repetitions]
#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "flops/flops.h"
#include "generate/generator.h"
#include "methods/dpn_method.h"
#include "methods/fastv.h"
#include "runtime/threads.h"

using namespace dpn;

namespace {

constexpr int64_t kD = 4096, kM = 11008, kHeads = 32, kLayers = 4, kVocab = 1024;
constexpr int64_t kBefore = 35, kVisual = 576, kAfter = 24;

std::unique_ptr<LlavaModel> random_model() {
  auto m = std::make_unique<LlavaModel>();
  TextConfig& t = m->cfg.text;
  t.hidden = kD, t.intermediate = kM, t.heads = t.kv_heads = kHeads, t.layers = kLayers, t.vocab = kVocab, t.rms_eps = 1e-5;
  m->cfg.vision.image_size = 336, m->cfg.vision.patch_size = 14;
  m->dtype = at::kFloat;
  PoolingConfig& pc = m->cfg.pooling;
  pc.present = true, pc.type = PoolingType::Adaptive, pc.function = PoolFunction::Max, pc.location = PoolLocation::Post;
  pc.router_version = RouterVersion::V1;
  for (int l = 0; l < 3; ++l) pc.layers.push_back({l, {{1, 1}, {1, 2}, {2, 2}}});
  auto r = [](int64_t a, int64_t b) { return at::randn({a, b}) * 0.02; };
  LlamaWeights& w = m->weights.llm;
  w.embed = r(kVocab, kD), w.lm_head = r(kVocab, kD), w.norm = at::ones({kD});
  for (int l = 0; l < kLayers; ++l) {
    LlamaLayerWeights L;
    L.attn_norm = at::ones({kD}), L.mlp_norm = at::ones({kD});
    L.q = r(kD, kD), L.k = r(kD, kD), L.v = r(kD, kD), L.o = r(kD, kD);
    L.gate = r(kM, kD), L.up = r(kM, kD), L.down = r(kD, kM);
    if (l < 3) L.router = {at::ones({kD}), at::zeros({kD}), r(kD / 4, kD), r(3, kD / 4)};
    w.layers.push_back(L);
  }
  return m;
}

double median_ms(const std::function<void()>& f, int reps) {
  std::vector<double> t;
  for (int i = 0; i < reps; ++i) {
    auto a = std::chrono::steady_clock::now();
    f();
    t.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - a).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const int reps = argc > 1 ? std::atoi(argv[1]) : 3;
  const int threads = configure_threads(0);
  at::manual_seed(0);
  auto m = random_model();
  EmbeddedPrompt p;
  p.embeds = at::randn({kBefore + kVisual + kAfter, kD});
  p.visual_start = kBefore, p.visual_count = kVisual, p.grid_h = p.grid_w = 24;
  flops::LlmShape shape{kLayers, int(kD), int(kM), int(kHeads), int(kHeads), int(kVocab)};

  struct Case {
    std::string name;
    std::function<std::unique_ptr<TokenMethod>()> make;
  };
  auto dpn_path = [&](std::string path) {  // one letter per DPE layer: I = 1x1, H = 1x2, Q = 2x2
    return [&m, path] {
      DpnOptions o;
      o.layers = m->cfg.pooling.layers;
      for (int l = 0; l < 3; ++l) o.overrides[l] = path[l] == 'I' ? 0 : path[l] == 'H' ? 1 : 2;
      return std::unique_ptr<TokenMethod>(new DpnMethod(*m, o));
    };
  };
  auto fastv = [](double r) { return [r] { return std::unique_ptr<TokenMethod>(new FastVMethod({1, r, false})); }; };
  std::vector<Case> cases = {{"none", [] { return std::unique_ptr<TokenMethod>(); }},
                             {"dpn III", dpn_path("III")}, {"dpn HHH", dpn_path("HHH")}, {"dpn QIH", dpn_path("QIH")},
                             {"dpn IQI", dpn_path("IQI")}, {"dpn QQQ", dpn_path("QQQ")},
                             {"fastv k=1 r=0.5", fastv(0.5)}, {"fastv k=1 r=0.75", fastv(0.75)}};
  std::printf("threads %d, %d repetitions (median), %lld-layer 7B-shaped decoder, %lld prompt tokens\n\n", threads, reps,
              (long long)kLayers, (long long)p.embeds.size(0));
  std::printf("| method | prefill ms | tokens per layer | GFLOP | realized speedup | FLOPs speedup | ratio |\n|---|---|---|---|---|---|---|\n");
  auto run = [&](const Case& c) {
    auto method = c.make();
    GenerateOptions go;
    go.max_new_tokens = 1;
    go.method = method.get();
    go.router_pos = p.embeds.size(0) - 1;
    return generate(*m, p, go);
  };
  run(cases[0]);  // warm-up: first-touch page faults of the weights and the allocator's pools
  // Interleave the repetitions (case 1..n, case 1..n, ...) so that drifting machine load hits every case alike.
  std::vector<std::vector<double>> times(cases.size());
  std::vector<Generation> gens(cases.size());
  for (int rep = 0; rep < reps; ++rep)
    for (size_t i = 0; i < cases.size(); ++i) times[i].push_back(median_ms([&] { gens[i] = run(cases[i]); }, 1));
  double base_ms = 0, base_flops = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    const Generation& g = gens[i];
    std::sort(times[i].begin(), times[i].end());
    const double t = times[i][times[i].size() / 2];
    double f = 0;
    std::string lens;
    for (const auto& l : g.layers) {
      f += flops::layer_prefill_flops(shape, l.seq_len, false).total();
      lens += (lens.empty() ? "" : " ") + std::to_string(l.seq_len);
    }
    if (c.name == "none") base_ms = t, base_flops = f;
    double realized = base_ms / t, fsp = base_flops / f;
    std::printf("| %s | %.0f | %s | %.0f | %.2f | %.2f | %.2f |\n", c.name.c_str(), t, lens.c_str(), f / 1e9, realized, fsp, realized / fsp);
  }
  return 0;
}

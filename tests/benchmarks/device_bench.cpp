// CPU against CUDA in one run, through the public API (Model::ask, what `dpn ask` runs): the bundled demo-dpn and a
// LLaVA-7B-shaped random model (CLIP ViT-L/14-336 tower, LLaMA-7B decoder layers: d 4096, m 11008, 32 heads, vocab
// 32000; a few layers, the first a DPN DPE layer), f32 and bf16, methods none and dpn. Each case loads its model once,
// answers once untimed (CUDA context, allocator, kernels' first launch), then is timed; the table at the end gives
// per case the CPU and GPU milliseconds and their ratio. packaging/gpu-check.sh runs it; not part of the test run.
// Environment:
//   DPN_DEVICE_BENCH_DEVICES  devices to time (default "cpu,cuda"; gpu-check.sh --dry-run uses "cpu")
//   DPN_DEVICE_BENCH_SHAPE    7b (default) | tiny (the same code path at the demo's size, for the dry run)
//   DPN_DEVICE_BENCH_LAYERS   decoder layers of the shaped model (default 2)
//   DPN_DEVICE_BENCH_DIR      where the shaped model is written (reused when complete; default $TMPDIR)
//   DPN_DEVICE_BENCH_TOKENS   generated tokens per answer (default 16; EOS does not stop it)
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "dpn.h"
#include "train/checkpoint_io.h"
#include "train/train_model.h"
#include "util/error.h"

namespace fs = std::filesystem;

namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

// LLaVA-1.5-7B's shapes (CLIP ViT-L/14 at 336 px: 24x24 patches; LLaMA-7B), or the demo's for the dry run.
dpn::train::ModelDims shaped_dims(const std::string& shape, int layers) {
  dpn::train::ModelDims d;  // the demo's size
  if (shape == "7b") {
    d.image_size = 336, d.patch = 14;
    d.v_hidden = 1024, d.v_layers = 24, d.v_heads = 16, d.v_inter = 4096;
    d.hidden = 4096, d.heads = 32, d.kv_heads = 32, d.inter = 11008;
    d.max_positions = 4096;
  } else if (shape != "tiny") {
    throw dpn::Error("DPN_DEVICE_BENCH_SHAPE", "unknown shape '" + shape + "' (7b, tiny)");
  }
  d.layers = layers;
  d.vocab = 32000;
  return d;
}

// Writes (once) the random shaped model as the trainer writes the demo models; returns its folder.
std::string shaped_model() {
  const std::string shape = env_or("DPN_DEVICE_BENCH_SHAPE", "7b");
  const int layers = std::stoi(env_or("DPN_DEVICE_BENCH_LAYERS", "2"));
  const fs::path root = env_or("DPN_DEVICE_BENCH_DIR", fs::temp_directory_path().string());
  const std::string name = "llava-" + shape + "-shaped-l" + std::to_string(layers);
  const fs::path dir = root / name, clip = root / (name + "-clip"), done = dir / ".complete";
  if (fs::exists(done)) return dir.string();
  const dpn::train::ModelDims d = shaped_dims(shape, layers);
  dpn::train::DpnSpec dpn;
  dpn.layers.push_back({0, {{1, 1}, {2, 2}, {4, 4}}});  // post layer 0: layer 1 on sees the pooled grid
  std::fprintf(stderr, "device_bench: writing the %s-shaped random model (%d layers) to %s\n", shape.c_str(), layers,
               dir.c_str());
  dpn::train::Params p;
  dpn::train::init_vision(p, d, 1);
  dpn::train::init_mlp_projector(p, d, 2);
  dpn::train::init_llm(p, d, 3);
  dpn::train::init_routers(p, d, dpn, 4);
  dpn::train::write_clip_folder(clip.string(), p, d);
  dpn::train::LlavaFolderSpec spec;
  spec.vision_tower = clip.filename().string();
  spec.dpn = &dpn;
  spec.tokenizer_model = dpn::resolve_model_path("demo-dpn") + "/tokenizer.model";
  dpn::train::write_llava_folder(dir.string(), p, d, spec);
  std::ofstream(done) << shape << " " << layers << "\n";
  return dir.string();
}

struct Case {
  std::string model, label, dtype, method, device;
};

dpn::Model& loaded(const Case& c) {
  static std::map<std::string, std::unique_ptr<dpn::Model>> models;
  const std::string key = c.model + "|" + c.dtype + "|" + c.device;
  auto& m = models[key];
  if (!m) {
    dpn::ModelOptions mo;
    mo.path = c.model;
    mo.dtype = c.dtype;
    mo.device = c.device;
    m = dpn::Model::load(mo);
  }
  return *m;
}

void BM_Ask(benchmark::State& state, const Case& c) {
  dpn::AskOptions q;
  q.image_path = dpn::resources_dir() + "/samples/shapes.png";
  q.question = "What is the background color?";
  q.method = c.method;
  q.max_new_tokens = std::stoi(env_or("DPN_DEVICE_BENCH_TOKENS", "16"));
  q.stop_at_eos = false;
  q.trace = false;
  try {
    dpn::Model& m = loaded(c);
    m.ask(q);  // untimed: first use of the device
    double prefill = 0, decode = 0, vision = 0;
    for (auto _ : state) {
      const dpn::AskResult r = m.ask(q);
      prefill += r.timing.prefill_ms;
      decode += r.timing.decode_ms / std::max(1, r.timing.decode_steps);
      vision += r.timing.vision_ms + r.timing.projector_ms;
    }
    const double n = double(state.iterations());
    state.counters["prefill_ms"] = prefill / n;
    state.counters["decode_ms_per_token"] = decode / n;
    state.counters["vision_ms"] = vision / n;
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

// Console output as usual, then one table: per case the CPU and CUDA times of an answer and CPU / CUDA.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      if (r.run_type != Run::RT_Iteration) continue;
      const std::string name = r.benchmark_name();  // ask/<label>/<dtype>/<method>/<device>
      const size_t slash = name.rfind('/');
      Row& row = rows_[name.substr(0, slash)];
      const std::string device = name.substr(slash + 1);
      Cell& cell = device == "cuda" ? row.cuda : row.cpu;
      cell.ran = !r.error_occurred;
      cell.error = r.error_message;
      if (cell.ran) {
        cell.ms = r.GetAdjustedRealTime();
        auto get = [&](const char* k) { auto it = r.counters.find(k); return it == r.counters.end() ? 0.0 : double(it->second); };
        cell.prefill = get("prefill_ms");
        cell.decode = get("decode_ms_per_token");
      }
    }
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    std::printf("\n%-44s %10s %10s %8s   %s\n", "case (answer: vision + prefill + decode)", "CPU ms", "CUDA ms", "CPU/CUDA",
                "prefill ms, decode ms/token (CPU | CUDA)");
    for (const auto& [name, row] : rows_) {
      std::printf("%-44s %10s %10s %8s   %s | %s\n", name.c_str(), row.cpu.text().c_str(), row.cuda.text().c_str(),
                  row.cpu.ran && row.cuda.ran ? fmt(row.cpu.ms / row.cuda.ms, "%.1fx").c_str() : "-",
                  row.cpu.detail().c_str(), row.cuda.detail().c_str());
      for (const Cell* c : {&row.cpu, &row.cuda})
        if (!c->error.empty()) std::printf("  error: %s\n", c->error.c_str());
    }
  }

 private:
  static std::string fmt(double v, const char* f) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), f, v);
    return buf;
  }
  struct Cell {
    bool ran = false;
    double ms = 0, prefill = 0, decode = 0;
    std::string error;
    std::string text() const { return ran ? fmt(ms, "%.1f") : "-"; }
    std::string detail() const { return ran ? fmt(prefill, "%.1f") + ", " + fmt(decode, "%.2f") : "-"; }
  };
  struct Row {
    Cell cpu, cuda;
  };
  std::map<std::string, Row> rows_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  const std::vector<std::string> devices = split(env_or("DPN_DEVICE_BENCH_DEVICES", "cpu,cuda"));
  std::string shaped;
  try {
    shaped = shaped_model();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "device_bench: cannot write the shaped model: %s\n", e.what());
    return 1;
  }
  const std::string shaped_label = fs::path(shaped).filename().string();
  for (const auto& [model, label, iterations] :
       {std::tuple<std::string, std::string, int>{"demo-dpn", "demo-dpn", 10}, {shaped, shaped_label, 3}})
    for (const char* dtype : {"f32", "bf16"})
      for (const char* method : {"none", "dpn"})
        for (const std::string& device : devices) {
          const Case c{model, label, dtype, method, device};
          benchmark::RegisterBenchmark(("ask/" + label + "/" + dtype + "/" + method + "/" + device).c_str(), BM_Ask, c)
              ->Iterations(iterations)
              ->Unit(benchmark::kMillisecond)
              ->UseRealTime();
        }
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}

// How long Cancel takes to take effect, the GUI's "< 1 s" promise, measured rather than asserted in a test (a timed
// assertion fails whenever the machine is busy). Cancel is raised from another thread, as the window does, and the
// clock runs from raising it until the call returns:
//   - ask: a generation with no token limit, cancelled mid-answer (the engine stops at the next token);
//   - bench: run_benchmark over DPNBench with the GUI's 200 ms grace, cancelled after two stored samples.
// The model is tiny-random unless DPN_BENCH_MODEL names another folder.
// Not part of the test run: `build/tests/benchmarks/cancel_latency_bench`.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include "bench/runner.h"
#include "dpn.h"

namespace {

using Clock = std::chrono::steady_clock;

std::string model_path() { return std::getenv("DPN_BENCH_MODEL") ? std::getenv("DPN_BENCH_MODEL") : "tiny-random"; }
std::string dataset() { return std::string(DPN_SOURCE_RESOURCES) + "/../datasets/dpnbench/test"; }

// GUI's grace for a sample still generating when Cancel is pressed (views/benchmark_job.cpp).
constexpr int kGuiCancelGraceMs = 200;

void BM_AskCancel(benchmark::State& state) {
  dpn::ModelOptions mo;
  mo.path = model_path();
  const auto model = dpn::Model::load(mo);
  for (auto _ : state) {
    std::atomic<bool> cancel{false};
    std::atomic<int> tokens{0};
    dpn::AskOptions q;
    q.image_path = std::string(DPN_SOURCE_RESOURCES) + "/samples/shapes.png";
    q.question = "Describe the image.";
    q.max_new_tokens = 300;  // far more than it gets before the cancel; within the 512-token context (refused above)
    q.stop_at_eos = false;
    q.on_token = [&](const std::string&) { return ++tokens, !cancel.load(); };
    Clock::time_point raised;
    std::thread canceller([&] {
      while (tokens.load() < 3) std::this_thread::yield();  // mid-answer
      raised = Clock::now();
      cancel = true;
    });
    const dpn::AskResult r = model->ask(q);
    const auto returned = Clock::now();
    canceller.join();
    if (!r.cancelled) state.SkipWithError("the answer was not cancelled");
    state.SetIterationTime(std::chrono::duration<double>(returned - raised).count());
  }
}

void BM_BenchCancel(benchmark::State& state) {
  char tmpl[] = "/tmp/dpn_cancel_bench_XXXXXX";
  const std::string dir = ::mkdtemp(tmpl);
  int round = 0;
  for (auto _ : state) {
    dpn::bench::BenchSpec spec;
    spec.model = model_path();
    spec.dataset.path = dataset();
    spec.methods = {"none"};
    spec.subset.limit = 200;
    spec.max_new_tokens = 64;
    spec.cancel_grace_ms = kGuiCancelGraceMs;
    spec.db_path = dir + "/runs" + std::to_string(round++) + ".sqlite";
    std::atomic<bool> cancel{false}, raising{false};
    Clock::time_point raised;
    const auto s = dpn::bench::run_benchmark(
        spec,
        [&](const dpn::bench::BenchProgress& p) {
          if (p.computed >= 2 && !raising.exchange(true)) {
            // Raised from another thread, as the window's Cancel button is, while the next sample runs.
            std::thread([&] {
              std::this_thread::sleep_for(std::chrono::milliseconds(5));
              raised = Clock::now();
              cancel = true;
            }).detach();
          }
        },
        cancel);
    const auto returned = Clock::now();
    while (!cancel.load()) std::this_thread::yield();
    if (!s.cancelled) state.SkipWithError("the benchmark was not cancelled");
    state.SetIterationTime(std::chrono::duration<double>(returned - raised).count());
  }
  std::system(("rm -rf '" + dir + "'").c_str());
}

BENCHMARK(BM_AskCancel)->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(10);
BENCHMARK(BM_BenchCancel)->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(5);

}  // namespace

BENCHMARK_MAIN();

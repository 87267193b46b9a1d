// The run store's cost per benchmark sample against the inference it records, on the same machine in the same run:
// `dpn bench` answers a question (Model::ask), then scores it, counts its FLOPs and commits it with its layer
// traces (sample_cost + make_sample_result + add_sample_result, one transaction). Target: bookkeeping < 2% of
// inference. The model is tiny-random (the worst case: its inference takes milliseconds) unless
// DPN_BENCH_MODEL names another folder. Not part of the test run: `build/tests/benchmarks/store_overhead_bench`.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <unistd.h>

#include "bench/sample_record.h"
#include "dpn.h"
#include "eval/dataset.h"
#include "store/run_store.h"

namespace {

using Clock = std::chrono::steady_clock;

// Questions cycled through by the inference benchmark (DPNBench's first ones: every family is among them).
constexpr size_t kQuestions = 12;
// Tokens per answer, as `dpn bench` uses for short-answer sets.
constexpr int kMaxNewTokens = 16;

struct Fixture {
  std::unique_ptr<dpn::Model> model;
  std::vector<dpn::eval::EvalSample> samples;
  dpn::AskResult answer;  // one real answer, recorded again and again by the store benchmarks
  std::string dir;

  Fixture() {
    dpn::ModelOptions mo;
    mo.path = std::getenv("DPN_BENCH_MODEL") ? std::getenv("DPN_BENCH_MODEL") : "tiny-random";
    mo.threads = std::getenv("DPN_BENCH_THREADS") ? std::atoi(std::getenv("DPN_BENCH_THREADS")) : 0;
    model = dpn::Model::load(mo);
    const std::string ds = std::string(DPN_SOURCE_RESOURCES) + "/../datasets/dpnbench/test";
    dpn::eval::DatasetSpec spec{"dpnbench", ds + "/questions.jsonl", ds + "/images", ds + "/answers.jsonl", true};
    samples = dpn::eval::read_dataset(spec);
    samples.resize(kQuestions);
    answer = model->ask(question(0));
    char tmpl[] = "/tmp/dpn_store_bench_XXXXXX";
    dir = ::mkdtemp(tmpl);
  }
  ~Fixture() { std::system(("rm -rf '" + dir + "'").c_str()); }

  dpn::AskOptions question(size_t i) const {
    dpn::AskOptions q;
    q.image_path = samples[i % samples.size()].image;
    q.question = samples[i % samples.size()].question;
    q.max_new_tokens = kMaxNewTokens;
    return q;
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

dpn::store::RunSpec run_spec(const std::string& name) {
  dpn::store::RunSpec s;
  s.model_name = "bench-model";
  s.dataset_name = "dpnbench:test";
  s.dataset_kind = "dpnbench";
  s.method = "none";
  s.params_json = "{\"bench\":\"" + name + "\"}";
  s.dtype = "f32";
  s.device = "cpu";
  return s;
}

double g_ask_ms = 0, g_store_ms = 0, g_durable_ms = 0;

void BM_Ask(benchmark::State& state) {
  Fixture& f = fixture();
  size_t i = 0;
  double total = 0;
  for (auto _ : state) {
    const auto t = Clock::now();
    dpn::AskResult r = f.model->ask(f.question(i++));
    total += std::chrono::duration<double, std::milli>(Clock::now() - t).count();
    benchmark::DoNotOptimize(r.answer.data());
  }
  g_ask_ms = total / static_cast<double>(state.iterations());
}

// What the runner does after ask() returns, one new sample id per iteration.
void record(benchmark::State& state, bool durable, double& mean_ms) {
  Fixture& f = fixture();
  dpn::store::StoreOptions o;
  o.durable = durable;
  static int file = 0;
  dpn::store::RunStore db(f.dir + "/runs" + std::to_string(file++) + ".sqlite", o);
  const int64_t run = db.find_or_create_run(run_spec(durable ? "durable" : "normal"));
  dpn::eval::EvalSample s = f.samples[0];
  int64_t id = 0;
  double total = 0;
  for (auto _ : state) {
    const auto t = Clock::now();
    s.id = std::to_string(id++);
    const dpn::bench::SampleCost cost = dpn::bench::sample_cost(f.answer);
    db.add_sample_result(run, dpn::bench::make_sample_result("dpnbench", s, f.answer, cost, 1.0, 0));
    total += std::chrono::duration<double, std::milli>(Clock::now() - t).count();
  }
  mean_ms = total / static_cast<double>(state.iterations());
}

void BM_RecordSample(benchmark::State& state) { record(state, false, g_store_ms); }
void BM_RecordSampleDurable(benchmark::State& state) { record(state, true, g_durable_ms); }

BENCHMARK(BM_Ask)->Unit(benchmark::kMillisecond)->MinTime(3)->UseRealTime();
BENCHMARK(BM_RecordSample)->Unit(benchmark::kMillisecond)->MinTime(3)->UseRealTime();
BENCHMARK(BM_RecordSampleDurable)->Unit(benchmark::kMillisecond)->MinTime(3)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (g_ask_ms > 0 && g_store_ms > 0) {
    const auto info = fixture().model->info();
    std::printf("\nmodel %s (%lld parameters): inference %.2f ms/sample (%d new tokens at most)\n", info.path.c_str(),
                static_cast<long long>(info.parameters), g_ask_ms, kMaxNewTokens);
    std::printf("store overhead per sample (score + FLOPs + one transaction, synchronous=NORMAL): %.3f ms = %.3f%% of "
                "inference (target < 2%%)\n", g_store_ms, 100.0 * g_store_ms / g_ask_ms);
    if (g_durable_ms > 0)
      std::printf("  with `dpn bench --durable` (synchronous=FULL, one fsync per sample): %.3f ms = %.3f%%\n", g_durable_ms,
                  100.0 * g_durable_ms / g_ask_ms);
  }
  return 0;
}

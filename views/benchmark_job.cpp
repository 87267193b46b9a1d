// Adapts the Benchmark view's request to dpn::bench::run_benchmark and its progress back to plain structs.
#include "views/benchmark_job.h"

#include <filesystem>

#include "bench/runner.h"
#include "eval/subset.h"
#include "store/run_store.h"

namespace dpn::views {

namespace {
// A sample still generating this long after Cancel is dropped (it reruns on resume): the GUI promises < 1 s.
constexpr int kCancelGraceMs = 200;
}  // namespace

BenchmarkRequest default_benchmark_request() {
  BenchmarkRequest r;
  std::filesystem::path root = bundled_benchmark_dir();
  r.questions = (root / "questions.jsonl").string();
  r.images = (root / "images").string();
  r.annotations = (root / "answers.jsonl").string();
  r.methods = {"none"};
  r.db_path = store::default_db_path();
  return r;
}

BenchmarkRunner core_benchmark_runner() {
  return [](Engine&, const BenchmarkRequest& req, const std::function<void(const BenchmarkProgress&)>& progress,
            const std::atomic<bool>& cancel) {
    bench::BenchSpec spec;
    spec.model = req.model_path;
    spec.vision_tower = req.vision_tower;
    spec.dataset.kind = req.dataset_kind;
    // A dpnbench folder is named by its folder; other readers by their question file.
    spec.dataset.path = req.dataset_kind == "dpnbench"
                            ? std::filesystem::path(req.questions).parent_path().string() : req.questions;
    spec.dataset.images = req.dataset_kind == "dpnbench" ? "" : req.images;
    spec.dataset.annotations = req.dataset_kind == "dpnbench" ? "" : req.annotations;
    spec.methods = req.methods;
    spec.subset.limit = req.limit;
    spec.subset.family = req.family;
    if (req.seed) spec.subset.seed = req.seed;
    spec.db_path = req.db_path;
    spec.dtype = req.dtype.empty() ? "f32" : req.dtype;
    spec.device = req.device.empty() ? "cpu" : req.device;
    spec.max_new_tokens = req.max_new_tokens;
    spec.cancel_grace_ms = kCancelGraceMs;

    BenchmarkOutcome out;
    const bench::ResolvedDataset ds = bench::resolve_dataset(spec.dataset);
    for (const eval::EvalSample& s : eval::select_subset(eval::read_dataset(ds.spec), spec.subset))
      out.images[s.id] = s.image;
    const bench::BenchSummary summary = bench::run_benchmark(
        spec,
        [&](const bench::BenchProgress& p) {
          progress({p.done, p.total, p.eta_s, p.method, p.sample_id});
        },
        cancel);
    for (const bench::MethodSummary& m : summary.methods) out.run_ids.push_back(m.run_id);
    out.cancelled = summary.cancelled;
    return out;
  };
}

}  // namespace dpn::views

// Adapts the Benchmark view's request to dpn::bench::run_benchmark and its progress back to plain structs.
#include "views/benchmark_job.h"

#include <filesystem>

#include "bench/runner.h"
#include "store/run_store.h"

namespace dpn::views {

namespace {
// A sample still generating this long after Cancel is dropped (it reruns on resume): the GUI promises < 1 s.
constexpr int kCancelGraceMs = 200;
}  // namespace

BenchmarkRequest default_benchmark_request() {
  BenchmarkRequest r;
  std::filesystem::path root = std::filesystem::path(resources_dir()).parent_path() / "datasets/dpnbench/test";
  r.questions = (root / "questions.jsonl").string();
  r.images = (root / "images").string();
  r.annotations = (root / "answers.jsonl").string();
  r.methods = {"none"};
  r.db_path = store::default_db_path();
  return r;
}

BenchmarkOutcome run_benchmark_job(Model& model, const ModelOptions& loaded, const BenchmarkRequest& req,
                                   const std::function<void(const BenchmarkProgress&)>& progress,
                                   const std::atomic<bool>& cancel) {
  bench::BenchSpec spec;
  spec.model = loaded.path;
  spec.vision_tower = loaded.vision_tower;
  spec.dtype = loaded.dtype;
  spec.device = loaded.device;
  spec.threads = loaded.threads;
  spec.dataset.kind = req.dataset_kind;
  // A dpnbench folder is named by its folder; other readers by their question file.
  const bool folder = req.dataset_kind == "dpnbench";
  spec.dataset.path = folder ? std::filesystem::path(req.questions).parent_path().string() : req.questions;
  spec.dataset.images = folder ? "" : req.images;
  spec.dataset.annotations = folder ? "" : req.annotations;
  spec.methods = req.methods;
  spec.subset.limit = req.limit;
  spec.subset.family = req.family;
  if (req.seed) spec.subset.seed = req.seed;
  spec.db_path = req.db_path;
  spec.max_new_tokens = req.max_new_tokens;
  spec.cancel_grace_ms = kCancelGraceMs;
  BenchmarkOutcome out;
  out.request = req;
  out.summary = bench::run_benchmark(
      spec, model, [&](const bench::BenchProgress& p) { progress({p.done, p.total, p.eta_s, p.method, p.sample_id}); },
      cancel);
  // The runner reports methods in request order under their canonical spec; the view names them as they were typed.
  for (size_t i = 0; i < out.summary.methods.size() && i < req.methods.size(); ++i)
    out.summary.methods[i].method = req.methods[i];
  return out;
}

}  // namespace dpn::views

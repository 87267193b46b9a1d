// Runs engine calls on the worker thread; every exception becomes a failure signal, never a crash.
#include "views/inference_worker.h"

#include <QElapsedTimer>

#include "io/convert.h"

namespace dpn::views {

namespace {
constexpr const char* kNoModel = "no model is loaded (choose one in the Model tab)";
}

InferenceWorker::InferenceWorker(std::shared_ptr<CancelState> cancel) : cancel_(std::move(cancel)) {}

InferenceWorker::~InferenceWorker() = default;

void InferenceWorker::loadModel(const ModelOptions& options) {
  QElapsedTimer t;
  t.start();
  try {
    model_.reset();  // free the old weights before mapping the new ones
    model_ = Model::load(options);
    options_ = options;
    emit modelLoaded(model_->info(), double(t.nsecsElapsed()) / 1e6);
  } catch (const std::exception& e) {
    model_.reset();
    emit modelFailed(QString::fromStdString(e.what()));
  }
}

void InferenceWorker::convertCheckpoint(const QString& dir, const QString& out) {
  try {
    ConvertOptions o;
    o.model_dir = dir.toStdString();
    o.out_dir = out.toStdString();
    int last = -1;
    o.progress = [&](uint64_t done, uint64_t total) {
      const int permille = total ? int(1000.0 * double(done) / double(total)) : 0;
      if (permille != last) emit convertProgress(last = permille);  // at most 1001 events, however many tensors
    };
    convert_checkpoint(o);
    emit converted(out);
  } catch (const std::exception& e) {
    emit convertFailed(QString::fromStdString(e.what()));
  }
}

void InferenceWorker::ask(int request, int epoch, AskOptions options) {
  if (!model_) return emit askFailed(request, kNoModel);
  if (cancel_->epoch.load() != epoch) return emit askFailed(request, "cancelled");
  options.on_token = [this, request, epoch](const std::string& text) {
    emit partial(request, QString::fromStdString(text));
    return cancel_->epoch.load() == epoch;
  };
  try {
    emit answered(request, model_->ask(options));
  } catch (const std::exception& e) {
    emit askFailed(request, QString::fromStdString(e.what()));
  }
}

void InferenceWorker::runBenchmark(const BenchmarkRequest& request) {
  if (!model_) return emit benchmarkFailed(kNoModel);
  try {
    emit benchmarkFinished(run_benchmark_job(
        *model_, options_, request, [this](const BenchmarkProgress& p) { emit benchmarkProgress(p); },
        cancel_->benchmark));
  } catch (const std::exception& e) {
    emit benchmarkFailed(QString::fromStdString(e.what()));
  }
}

}  // namespace dpn::views

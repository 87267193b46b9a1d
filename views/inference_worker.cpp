// Runs engine calls on the worker thread; every exception becomes a failure signal, never a crash.
#include "views/inference_worker.h"

#include <QElapsedTimer>

namespace dpn::views {

void register_meta_types() {
  qRegisterMetaType<dpn::ModelOptions>();
  qRegisterMetaType<dpn::ModelInfo>();
  qRegisterMetaType<dpn::AskOptions>();
  qRegisterMetaType<dpn::AskResult>();
  qRegisterMetaType<dpn::views::BenchmarkRequest>();
  qRegisterMetaType<dpn::views::BenchmarkProgress>();
  qRegisterMetaType<dpn::views::BenchmarkOutcome>();
}

InferenceWorker::InferenceWorker(EngineFactory factory, BenchmarkRunner runner, std::shared_ptr<CancelState> cancel)
    : factory_(std::move(factory)), runner_(std::move(runner)), cancel_(std::move(cancel)) {}

InferenceWorker::~InferenceWorker() = default;

void InferenceWorker::loadModel(dpn::ModelOptions options) {
  QElapsedTimer t;
  t.start();
  try {
    engine_.reset();  // free the old weights before mapping the new ones
    engine_ = factory_(options);
    info_ = engine_->info();
    emit modelLoaded(info_, double(t.nsecsElapsed()) / 1e6);
  } catch (const std::exception& e) {
    engine_.reset();
    emit modelFailed(QString::fromStdString(e.what()));
  }
}

void InferenceWorker::ask(int request, int epoch, dpn::AskOptions options) {
  if (!engine_) {
    emit askFailed(request, "no model is loaded (choose one in the Model tab)");
    return;
  }
  if (cancel_->epoch.load() != epoch) {
    emit askFailed(request, "cancelled");
    return;
  }
  options.on_token = [this, request, epoch](const std::string& text) {
    emit partial(request, QString::fromStdString(text));
    return cancel_->epoch.load() == epoch;
  };
  try {
    AskResult r = engine_->ask(options);
    complete_trace(info_, r);
    emit answered(request, r);
  } catch (const std::exception& e) {
    emit askFailed(request, QString::fromStdString(e.what()));
  }
}

void InferenceWorker::runBenchmark(dpn::views::BenchmarkRequest request) {
  if (!engine_) {
    emit benchmarkFailed("no model is loaded (choose one in the Model tab)");
    return;
  }
  try {
    BenchmarkOutcome out = runner_(
        *engine_, request, [this](const BenchmarkProgress& p) { emit benchmarkProgress(p); }, cancel_->benchmark);
    emit benchmarkFinished(out);
  } catch (const std::exception& e) {
    emit benchmarkFailed(QString::fromStdString(e.what()));
  }
}

}  // namespace dpn::views

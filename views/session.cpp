// Queues work onto the worker thread and turns its replies into busy/idle state.
#include "views/session.h"

namespace dpn::views {

Session::Session(EngineFactory factory, BenchmarkRunner runner, QObject* parent) : QObject(parent) {
  register_meta_types();
  worker_ = new InferenceWorker(std::move(factory), std::move(runner), cancel_);
  worker_->moveToThread(&thread_);
  connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
  connect(worker_, &InferenceWorker::modelLoaded, this, [this](ModelInfo info, double ms) {
    has_model_ = true;
    info_ = info;
    end();
    emit modelLoaded(info, ms);
  });
  connect(worker_, &InferenceWorker::modelFailed, this, [this](QString m) {
    has_model_ = false;
    info_ = {};
    end();
    emit modelFailed(m);
  });
  connect(worker_, &InferenceWorker::partial, this, &Session::partial);
  connect(worker_, &InferenceWorker::answered, this, [this](int id, AskResult r) {
    end();
    emit answered(id, r);
  });
  connect(worker_, &InferenceWorker::askFailed, this, [this](int id, QString m) {
    end();
    emit askFailed(id, m);
  });
  connect(worker_, &InferenceWorker::benchmarkProgress, this, &Session::benchmarkProgress);
  connect(worker_, &InferenceWorker::benchmarkFinished, this, [this](BenchmarkOutcome o) {
    end();
    emit benchmarkFinished(o);
  });
  connect(worker_, &InferenceWorker::benchmarkFailed, this, [this](QString m) {
    end();
    emit benchmarkFailed(m);
  });
  thread_.setObjectName("dpn-inference");
  thread_.start();
}

Session::~Session() {
  cancel();
  thread_.quit();
  thread_.wait();
}

void Session::begin() {
  if (pending_++ == 0) emit busyChanged(true);
}

void Session::end() {
  if (pending_ > 0 && --pending_ == 0) emit busyChanged(false);
}

void Session::loadModel(const ModelOptions& options) {
  options_ = options;
  begin();
  QMetaObject::invokeMethod(worker_, "loadModel", Qt::QueuedConnection, Q_ARG(dpn::ModelOptions, options));
}

int Session::ask(const AskOptions& options) {
  const int id = next_request_++;
  begin();
  QMetaObject::invokeMethod(worker_, "ask", Qt::QueuedConnection, Q_ARG(int, id), Q_ARG(int, cancel_->epoch.load()),
                            Q_ARG(dpn::AskOptions, options));
  return id;
}

void Session::runBenchmark(const BenchmarkRequest& request) {
  cancel_->benchmark = false;
  begin();
  QMetaObject::invokeMethod(worker_, "runBenchmark", Qt::QueuedConnection,
                            Q_ARG(dpn::views::BenchmarkRequest, request));
}

void Session::cancel() {
  cancel_->epoch.fetch_add(1);
  cancel_->benchmark = true;
}

}  // namespace dpn::views

// Posts work to the inference worker's thread and turns its replies into busy/idle state.
#include "views/session.h"

namespace dpn::views {

Session::Session(QObject* parent) : QObject(parent) {
  register_meta_types();
  worker_ = std::make_unique<WorkerThread<InferenceWorker>>("dpn-inference", cancel_);
  const InferenceWorker* w = worker_->worker();
  connect(w, &InferenceWorker::modelLoaded, this, [this](ModelInfo info, double ms) {
    has_model_ = true;
    info_ = info;
    end();
    emit modelLoaded(info, ms);
  });
  connect(w, &InferenceWorker::modelFailed, this, [this](QString m) {
    has_model_ = false;
    info_ = {};
    end();
    emit modelFailed(m);
  });
  connect(w, &InferenceWorker::convertProgress, this, &Session::convertProgress);
  connect(w, &InferenceWorker::partial, this, &Session::partial);
  connect(w, &InferenceWorker::benchmarkProgress, this, &Session::benchmarkProgress);
  // Replies that end a request: one fewer pending, then passed on.
  relayEnd(&InferenceWorker::converted, &Session::converted);
  relayEnd(&InferenceWorker::convertFailed, &Session::convertFailed);
  relayEnd(&InferenceWorker::answered, &Session::answered);
  relayEnd(&InferenceWorker::askFailed, &Session::askFailed);
  relayEnd(&InferenceWorker::benchmarkFinished, &Session::benchmarkFinished);
  relayEnd(&InferenceWorker::benchmarkFailed, &Session::benchmarkFailed);
}

Session::~Session() {
  cancel();
  worker_.reset();  // waits for the call in progress, which the cancel cuts short
}

void Session::begin() {
  if (pending_++ == 0) emit busyChanged(true);
}

void Session::end() {
  if (pending_ > 0 && --pending_ == 0) emit busyChanged(false);
}

void Session::loadModel(const ModelOptions& options) {
  begin();
  worker_->post([options](InferenceWorker& w) { w.loadModel(options); });
}

void Session::convertCheckpoint(const QString& dir, const QString& out) {
  begin();
  worker_->post([dir, out](InferenceWorker& w) { w.convertCheckpoint(dir, out); });
}

int Session::ask(const AskOptions& options) {
  const int id = next_request_++;
  begin();
  worker_->post([id, epoch = cancel_->epoch.load(), options](InferenceWorker& w) { w.ask(id, epoch, options); });
  return id;
}

void Session::runBenchmark(const BenchmarkRequest& request) {
  cancel_->benchmark = false;
  begin();
  worker_->post([request](InferenceWorker& w) { w.runBenchmark(request); });
}

void Session::cancel() {
  cancel_->epoch.fetch_add(1);
  cancel_->benchmark = true;
}

}  // namespace dpn::views

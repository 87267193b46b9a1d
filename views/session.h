// The UI side of the inference worker: owns its thread, numbers requests, cancels, and knows whether work is
// pending. Views talk to the engine only through a Session; everything it emits arrives on the UI thread.
#pragma once
#include <QObject>
#include <memory>

#include "views/inference_worker.h"
#include "views/worker_thread.h"

namespace dpn::views {

class Session : public QObject {
  Q_OBJECT
 public:
  explicit Session(QObject* parent = nullptr);
  ~Session() override;

  void loadModel(const ModelOptions& options);
  void convertCheckpoint(const QString& dir, const QString& out);
  int ask(const AskOptions& options);  // returns the request id echoed by answered/askFailed/partial
  void runBenchmark(const BenchmarkRequest& request);
  // Cancels the running and all queued requests; takes effect at the next generated token or sample.
  void cancel();

  bool busy() const { return pending_ > 0; }
  bool hasModel() const { return has_model_; }
  const ModelInfo& info() const { return info_; }

 signals:
  void modelLoaded(dpn::ModelInfo info, double ms);
  void modelFailed(QString message);
  void convertProgress(int permille);
  void converted(QString out);
  void convertFailed(QString message);
  void partial(int request, QString text);
  void answered(int request, dpn::AskResult result);
  void askFailed(int request, QString message);
  void benchmarkProgress(dpn::views::BenchmarkProgress progress);
  void benchmarkFinished(dpn::views::BenchmarkOutcome outcome);
  void benchmarkFailed(QString message);
  void busyChanged(bool busy);

 private:
  void begin();
  void end();
  template <class... Args>
  void relayEnd(void (InferenceWorker::*reply)(Args...), void (Session::*signal)(Args...)) {
    connect(worker_->worker(), reply, this, [this, signal](Args... args) {
      end();
      emit(this->*signal)(args...);
    });
  }
  std::shared_ptr<CancelState> cancel_ = std::make_shared<CancelState>();
  std::unique_ptr<WorkerThread<InferenceWorker>> worker_;
  int next_request_ = 1;
  int pending_ = 0;
  bool has_model_ = false;
  ModelInfo info_;
};

}  // namespace dpn::views

// The UI side of the worker: owns the worker thread, numbers requests, cancels, and knows whether work is pending.
// Views talk to the engine only through a Session.
#pragma once
#include <QObject>
#include <QThread>
#include <memory>

#include "views/inference_worker.h"

namespace dpn::views {

class Session : public QObject {
  Q_OBJECT
 public:
  explicit Session(EngineFactory factory = model_engine_factory(),
                   BenchmarkRunner runner = core_benchmark_runner(), QObject* parent = nullptr);
  ~Session() override;

  void loadModel(const ModelOptions& options);
  int ask(const AskOptions& options);  // returns the request id echoed by answered/askFailed/partial
  void runBenchmark(const BenchmarkRequest& request);
  // Cancels the running and all queued requests; takes effect at the next generated token or sample.
  void cancel();

  bool busy() const { return pending_ > 0; }
  bool hasModel() const { return has_model_; }
  const ModelInfo& info() const { return info_; }
  const ModelOptions& modelOptions() const { return options_; }

 signals:
  void modelLoaded(dpn::ModelInfo info, double ms);
  void modelFailed(QString message);
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
  QThread thread_;
  InferenceWorker* worker_ = nullptr;
  std::shared_ptr<CancelState> cancel_ = std::make_shared<CancelState>();
  int next_request_ = 1;
  int pending_ = 0;
  bool has_model_ = false;
  ModelInfo info_;
  ModelOptions options_;
};

}  // namespace dpn::views

// The worker that owns the engine: lives on its own thread, loads one model at a time, answers questions and runs
// benchmarks, and reports back only through signals carrying plain structs. It never touches a widget.
#pragma once
#include <QObject>
#include <QString>
#include <atomic>
#include <memory>

#include "views/benchmark_job.h"
#include "views/engine.h"
#include "views/meta_types.h"

namespace dpn::views {

// Cancellation shared with the session: a request is cancelled once the epoch moves past the one it was sent with.
struct CancelState {
  std::atomic<int> epoch{0};
  std::atomic<bool> benchmark{false};
};

class InferenceWorker : public QObject {
  Q_OBJECT
 public:
  InferenceWorker(EngineFactory factory, BenchmarkRunner runner, std::shared_ptr<CancelState> cancel);
  ~InferenceWorker() override;

 public slots:
  void loadModel(dpn::ModelOptions options);
  void ask(int request, int epoch, dpn::AskOptions options);
  void runBenchmark(dpn::views::BenchmarkRequest request);

 signals:
  void modelLoaded(dpn::ModelInfo info, double ms);
  void modelFailed(QString message);
  void partial(int request, QString text);
  void answered(int request, dpn::AskResult result);
  void askFailed(int request, QString message);
  void benchmarkProgress(dpn::views::BenchmarkProgress progress);
  void benchmarkFinished(dpn::views::BenchmarkOutcome outcome);
  void benchmarkFailed(QString message);

 private:
  EngineFactory factory_;
  BenchmarkRunner runner_;
  std::shared_ptr<CancelState> cancel_;
  std::unique_ptr<Engine> engine_;
  ModelInfo info_;
};

}  // namespace dpn::views

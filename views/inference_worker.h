// The worker that owns the engine: lives on the session's worker thread (views/worker_thread.h), holds one loaded
// model at a time, converts checkpoints, answers questions and runs benchmarks with that model, and reports back
// only through signals carrying plain structs. It never touches a widget.
#pragma once
#include <QObject>
#include <QString>
#include <atomic>
#include <memory>

#include "views/benchmark_job.h"
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
  explicit InferenceWorker(std::shared_ptr<CancelState> cancel);
  ~InferenceWorker() override;

  void loadModel(const ModelOptions& options);
  // PyTorch *.bin folder -> safetensors in `out` (dpn convert); the model is not loaded.
  void convertCheckpoint(const QString& dir, const QString& out);
  void ask(int request, int epoch, AskOptions options);
  void runBenchmark(const BenchmarkRequest& request);

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

 private:
  std::shared_ptr<CancelState> cancel_;
  std::unique_ptr<Model> model_;
  ModelOptions options_;  // what model_ was loaded with
};

}  // namespace dpn::views

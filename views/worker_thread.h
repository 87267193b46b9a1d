// The one way DPN Studio runs work off the UI thread: a worker QObject living on its own QThread. post() queues a
// call of the worker on that thread (type-checked, no slot looked up by name); the worker answers only through typed
// signals carrying plain structs, which arrive on the UI thread as queued events, and never touches a widget.
#pragma once
#include <QObject>
#include <QThread>
#include <utility>

namespace dpn::views {

template <class Worker>
class WorkerThread {
 public:
  template <class... Args>
  explicit WorkerThread(const QString& name, Args&&... args) : worker_(new Worker(std::forward<Args>(args)...)) {
    worker_->moveToThread(&thread_);
    QObject::connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
    thread_.setObjectName(name);
    thread_.start();
  }
  // Waits for the call in progress (callers raise their cancel flags first); queued calls are dropped.
  ~WorkerThread() {
    thread_.quit();
    thread_.wait();
  }
  WorkerThread(const WorkerThread&) = delete;
  WorkerThread& operator=(const WorkerThread&) = delete;

  // For connecting to its signals only: its functions run through post().
  Worker* worker() const { return worker_; }

  // Runs fn(worker) on the worker thread after the calls posted before it.
  template <class Fn>
  void post(Fn fn) {
    QMetaObject::invokeMethod(worker_, [w = worker_, fn = std::move(fn)]() mutable { fn(*w); }, Qt::QueuedConnection);
  }

 private:
  QThread thread_;
  Worker* worker_;
};

}  // namespace dpn::views

// The run store's reader for the Runs view: lives on its own thread (views/worker_thread.h), holds the SQLite
// connection, and sends what it read back as plain structs. The UI thread never runs a query.
#pragma once
#include <QObject>
#include <QString>
#include <functional>
#include <memory>

#include "views/meta_types.h"

namespace dpn::views {

class RunStoreWorker : public QObject {
  Q_OBJECT
 public:
  RunStoreWorker();
  ~RunStoreWorker() override;

  // Opens `path` (created when `create`; else a missing file is an error) and lists its runs.
  void open(const QString& path, bool create);
  void list();
  void openRun(qint64 id);
  void diff(qint64 a, qint64 b);
  // Writes the run's CSV to `path` atomically; refuses the store's own files.
  void exportCsv(qint64 id, const QString& path);
  void remove(qint64 id);

 signals:
  void listed(QString path, std::vector<dpn::store::RunInfo> runs);  // after open, list and remove
  void runOpened(dpn::views::RunDetail detail);
  void diffed(dpn::store::RunDiff diff);
  void exported(qint64 id, QString path);
  void removed(qint64 id);
  void failed(QString message);

 private:
  void call(const std::function<void(store::RunStore&)>& fn);  // runs fn on the open store; errors -> failed()
  std::unique_ptr<store::RunStore> store_;
  QString path_;  // as given to open(): echoed by listed()
};

}  // namespace dpn::views

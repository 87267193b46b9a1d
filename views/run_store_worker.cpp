// Store queries on the store thread; every exception becomes failed(message).
#include "views/run_store_worker.h"

#include <QFileInfo>
#include <QSaveFile>

#include "util/error.h"

namespace dpn::views {

namespace {
// The database and its SQLite companions: an export must never overwrite them.
bool is_store_file(const QString& path, const std::string& db) {
  const QString target = QFileInfo(path).absoluteFilePath(), base = QFileInfo(QString::fromStdString(db)).absoluteFilePath();
  for (const QString& f : {base, base + "-wal", base + "-shm", base + "-journal"})
    if (target == f || (QFileInfo::exists(target) && QFileInfo(target).canonicalFilePath() == QFileInfo(f).canonicalFilePath()))
      return true;
  return false;
}
}  // namespace

RunStoreWorker::RunStoreWorker() = default;
RunStoreWorker::~RunStoreWorker() = default;

void RunStoreWorker::open(const QString& path, bool create) {
  try {
    store_.reset();
    path_ = path;
    store::StoreOptions o;
    o.create = create;
    store_ = std::make_unique<store::RunStore>(path.toStdString(), o);
    emit listed(path, store_->list_runs());
  } catch (const std::exception& e) {
    emit listed(path, {});
    emit failed(QString::fromStdString(e.what()));
  }
}

void RunStoreWorker::list() {
  call([this](store::RunStore& s) { emit listed(path_, s.list_runs()); });
}

void RunStoreWorker::openRun(qint64 id) {
  call([this, id](store::RunStore& s) { emit runOpened(RunDetail{s.run_summary(id), s.samples(id, false)}); });
}

void RunStoreWorker::diff(qint64 a, qint64 b) {
  call([this, a, b](store::RunStore& s) { emit diffed(s.diff_runs(a, b)); });
}

void RunStoreWorker::exportCsv(qint64 id, const QString& path) {
  call([this, id, path](store::RunStore& s) {
    if (is_store_file(path, s.path()))
      throw Error(path.toStdString(), "is the run store itself; choose another file for the CSV");
    const std::string csv = s.export_csv(id);
    QSaveFile f(path);  // written beside, renamed over the target when complete: a failure leaves nothing behind
    if (!f.open(QIODevice::WriteOnly) || f.write(csv.data(), qint64(csv.size())) != qint64(csv.size()) || !f.commit())
      throw Error(path.toStdString(), "cannot write (" + f.errorString().toStdString() + ")");
    emit exported(id, path);
  });
}

void RunStoreWorker::remove(qint64 id) {
  call([this, id](store::RunStore& s) {
    s.delete_run(id);
    emit removed(id);
    emit listed(path_, s.list_runs());
  });
}

void RunStoreWorker::call(const std::function<void(store::RunStore&)>& fn) {
  try {
    if (!store_) throw Error("run store", "no database is open");
    fn(*store_);
  } catch (const std::exception& e) {
    emit failed(QString::fromStdString(e.what()));
  }
}

}  // namespace dpn::views

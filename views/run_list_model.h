// The run store's runs as a table model (id, created, model, dataset, method, samples, score, status).
#pragma once
#include <QAbstractTableModel>
#include <vector>

#include "store/run_store.h"

namespace dpn::views {

class RunListModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { Id, Created, Model, Dataset, Method, Samples, Score, Status, ColumnCount };
  using QAbstractTableModel::QAbstractTableModel;

  void setRuns(std::vector<store::RunInfo> runs);
  const std::vector<store::RunInfo>& runs() const { return runs_; }
  int64_t runId(int row) const { return row >= 0 && row < int(runs_.size()) ? runs_[size_t(row)].id : 0; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  std::vector<store::RunInfo> runs_;
};

}  // namespace dpn::views

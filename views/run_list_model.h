// The run store's runs as a table model (id, created, model, dataset, method, samples, score, status).
#pragma once
#include "store/run_store.h"
#include "views/row_table_model.h"

namespace dpn::views {

class RunListModel : public RowTableModel<store::RunInfo> {
 public:
  enum Column { Id, Created, Model, Dataset, Method, Samples, Score, Status, ColumnCount };
  explicit RunListModel(QObject* parent = nullptr);
  int64_t runId(int row) const { return row >= 0 && row < rowCount() ? rows()[size_t(row)].id : 0; }
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
};

}  // namespace dpn::views

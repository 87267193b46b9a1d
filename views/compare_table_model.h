// The Compare view's table: one row per method run on the same image and question (answer, visual tokens in and at
// the last layer, LLM FLOPs, latency, status). Rows fill in as each method's answer arrives.
#pragma once
#include <QAbstractTableModel>
#include <vector>

#include "views/run_document.h"

namespace dpn::views {

struct CompareRow {
  RunDocument doc;
  bool pending = true;  // still queued or running
};

class CompareTableModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { Method, Answer, VisualIn, VisualLast, Flops, Latency, Status, ColumnCount };
  using QAbstractTableModel::QAbstractTableModel;

  void setRows(std::vector<CompareRow> rows);
  void setRow(int row, CompareRow value);  // one method finished (or failed)
  const std::vector<CompareRow>& rows() const { return rows_; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  std::vector<CompareRow> rows_;
};

}  // namespace dpn::views

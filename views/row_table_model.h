// What the views' tables share: a read-only table model over a vector of plain rows with fixed column names.
// Subclasses say how a row shows in each column (data()); sorting proxies use Qt::EditRole.
#pragma once
#include <QAbstractTableModel>
#include <QStringList>
#include <vector>

namespace dpn::views {

template <class Row>
class RowTableModel : public QAbstractTableModel {
 public:
  RowTableModel(QStringList columns, QObject* parent) : QAbstractTableModel(parent), columns_(std::move(columns)) {}

  void setRows(std::vector<Row> rows) {
    beginResetModel();
    rows_ = std::move(rows);
    endResetModel();
  }
  // Replaces one row in place (a run that finished): dataChanged for that row only.
  void setRow(int row, Row value) {
    if (row < 0 || row >= int(rows_.size())) return;
    rows_[size_t(row)] = std::move(value);
    emit dataChanged(index(row, 0), index(row, columnCount() - 1));
  }
  const std::vector<Row>& rows() const { return rows_; }

  int rowCount(const QModelIndex& parent = {}) const override { return parent.isValid() ? 0 : int(rows_.size()); }
  int columnCount(const QModelIndex& parent = {}) const override { return parent.isValid() ? 0 : int(columns_.size()); }
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= columns_.size())
      return QAbstractTableModel::headerData(section, orientation, role);
    return columns_[section];
  }

 protected:
  // The row under `index`, or null for an index outside the table.
  const Row* rowAt(const QModelIndex& index) const {
    if (!index.isValid() || index.row() >= int(rows_.size()) || index.column() >= int(columns_.size())) return nullptr;
    return &rows_[size_t(index.row())];
  }

 private:
  QStringList columns_;
  std::vector<Row> rows_;
};

}  // namespace dpn::views

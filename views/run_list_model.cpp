// Table model over store::RunInfo rows; sorting uses Qt::EditRole values (numbers stay numbers).
#include "views/run_list_model.h"

namespace dpn::views {

void RunListModel::setRuns(std::vector<store::RunInfo> runs) {
  beginResetModel();
  runs_ = std::move(runs);
  endResetModel();
}

int RunListModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(runs_.size()); }
int RunListModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant RunListModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= int(runs_.size()) || index.column() >= ColumnCount) return {};
  const store::RunInfo& r = runs_[size_t(index.row())];
  if (role == Qt::TextAlignmentRole)
    return index.column() == Id || index.column() == Samples || index.column() == Score
               ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter)) : QVariant();
  if (role != Qt::DisplayRole && role != Qt::EditRole && role != Qt::ToolTipRole) return {};
  switch (index.column()) {
    case Id: return role == Qt::DisplayRole ? QVariant(QString::number(r.id)) : QVariant(qlonglong(r.id));
    case Created: return QString::fromStdString(r.created_at);
    case Model: return QString::fromStdString(r.spec.model_name);
    case Dataset: return QString::fromStdString(r.spec.dataset_name);
    case Method: return QString::fromStdString(r.spec.method);
    case Samples: return role == Qt::DisplayRole ? QVariant(QString::number(r.n_samples)) : QVariant(qlonglong(r.n_samples));
    case Score:
      return role == Qt::DisplayRole ? QVariant(QString::number(r.mean_score * 100, 'f', 1) + " %") : QVariant(r.mean_score);
    case Status: return QString::fromStdString(r.status);
  }
  return {};
}

QVariant RunListModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return QAbstractTableModel::headerData(section, orientation, role);
  static const char* names[] = {"id", "created", "model", "dataset", "method", "samples", "score", "status"};
  return section >= 0 && section < ColumnCount ? QVariant(names[section]) : QVariant();
}

}  // namespace dpn::views

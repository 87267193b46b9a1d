// Table model over store::RunInfo rows; sorting uses Qt::EditRole values (numbers stay numbers).
#include "views/run_list_model.h"

namespace dpn::views {

RunListModel::RunListModel(QObject* parent)
    : RowTableModel({"id", "created", "model", "dataset", "method", "samples", "score", "status"}, parent) {}

QVariant RunListModel::data(const QModelIndex& index, int role) const {
  const store::RunInfo* r = rowAt(index);
  if (!r) return {};
  if (role == Qt::TextAlignmentRole)
    return index.column() == Id || index.column() == Samples || index.column() == Score
               ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter)) : QVariant();
  if (role != Qt::DisplayRole && role != Qt::EditRole && role != Qt::ToolTipRole) return {};
  switch (index.column()) {
    case Id: return role == Qt::DisplayRole ? QVariant(QString::number(r->id)) : QVariant(qlonglong(r->id));
    case Created: return QString::fromStdString(r->created_at);
    case Model: return QString::fromStdString(r->spec.model_name);
    case Dataset: return QString::fromStdString(r->spec.dataset_name);
    case Method: return QString::fromStdString(r->spec.method);
    case Samples: return role == Qt::DisplayRole ? QVariant(QString::number(r->n_samples)) : QVariant(qlonglong(r->n_samples));
    case Score:
      return role == Qt::DisplayRole ? QVariant(QString::number(r->mean_score * 100, 'f', 1) + " %") : QVariant(r->mean_score);
    case Status: return QString::fromStdString(r->status);
  }
  return {};
}

}  // namespace dpn::views

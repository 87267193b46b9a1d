// The Compare view's table: one row per method run on the same image and question (answer, visual tokens in and at
// the last layer, LLM FLOPs, latency, status). Rows fill in as each method's answer arrives.
#pragma once
#include "views/row_table_model.h"
#include "views/run_document.h"

namespace dpn::views {

struct CompareRow {
  RunDocument doc;
  bool pending = true;  // still queued or running
};

class CompareTableModel : public RowTableModel<CompareRow> {
 public:
  enum Column { Method, Answer, VisualIn, VisualLast, Flops, Latency, Status, ColumnCount };
  explicit CompareTableModel(QObject* parent = nullptr);
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
};

}  // namespace dpn::views

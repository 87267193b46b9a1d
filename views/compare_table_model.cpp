// Table model over the Compare view's runs; numbers sort as numbers (Qt::EditRole).
#include "views/compare_table_model.h"

#include <QBrush>
#include <QColor>

#include "views/figures/figure.h"
#include "views/figures/token_map_figure.h"

namespace dpn::views {

CompareTableModel::CompareTableModel(QObject* parent)
    : RowTableModel({"method", "answer", "visual in", "visual (last layer)", "LLM FLOPs", "latency (ms)", "status"},
                    parent) {}

QVariant CompareTableModel::data(const QModelIndex& index, int role) const {
  const CompareRow* found = rowAt(index);
  if (!found) return {};
  const CompareRow& row = *found;
  const RunDocument& d = row.doc;
  const AskResult& r = d.result;
  const bool ok = !row.pending && d.error.isEmpty();
  const int c = index.column();
  if (role == Qt::ForegroundRole && c == Status && !ok && !row.pending) return QBrush(QColor(176, 0, 32));
  if (role == Qt::TextAlignmentRole && c != Method && c != Answer && c != Status)
    return int(Qt::AlignRight | Qt::AlignVCenter);
  if (role != Qt::DisplayRole && role != Qt::EditRole && role != Qt::ToolTipRole) return {};
  if (c == Method) return d.method;
  if (c == Status) return row.pending ? QString("running\u2026") : ok ? QString("done") : d.error;
  if (!ok) return {};
  const bool display = role == Qt::DisplayRole;
  const Timing& t = r.timing;
  switch (c) {
    case Answer: return QString::fromStdString(r.answer);
    case VisualIn: return r.visual_tokens;
    case VisualLast:
      if (r.trace.layers.empty()) return {};
      return display ? QVariant(layer_caption(r.trace.layers.back())) : QVariant(r.trace.layers.back().visual);
    case Flops: {
      const double f = r.trace.llm_prefill_flops + r.trace.llm_decode_flops;
      return display ? QVariant(format_flops(f)) : QVariant(f);
    }
    case Latency: {
      const double ms = t.load_image_ms + t.preprocess_ms + t.vision_ms + t.projector_ms + t.prefill_ms + t.decode_ms;
      return display ? QVariant(QString::number(ms, 'f', 1)) : QVariant(ms);
    }
  }
  return {};
}

}  // namespace dpn::views

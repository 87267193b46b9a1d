// Table model over per-sample results; rows come from core's benchmark summary or the run store.
#include "views/sample_table_model.h"

#include <QBrush>
#include <QColor>
#include <algorithm>

namespace dpn::views {

namespace {
QString q(const std::string& s) { return QString::fromStdString(s); }

// Sample ids as people count them: numeric ids by value (2 before 10), others as text, numbers first.
bool id_less(const QString& a, const QString& b) {
  bool na = false, nb = false;
  const qlonglong x = a.toLongLong(&na), y = b.toLongLong(&nb);
  if (na && nb) return x < y;
  if (na != nb) return na;
  return a < b;
}
}  // namespace

std::vector<SampleTableRow> sample_rows(const bench::BenchSummary& summary) {
  std::vector<SampleTableRow> rows;
  for (const bench::MethodSummary& m : summary.methods) {
    const size_t first = rows.size();
    for (const bench::SampleRow& r : m.rows) {
      auto image = summary.images.find(r.id);
      rows.push_back({q(m.method), q(r.id), q(r.family), q(r.question), q(r.prediction), q(r.answer), r.score,
                      r.correct, image == summary.images.end() ? QString() : q(image->second), r.pooling});
    }
    std::stable_sort(rows.begin() + long(first), rows.end(),
                     [](const SampleTableRow& a, const SampleTableRow& b) { return id_less(a.sample, b.sample); });
  }
  return rows;
}

std::vector<SampleTableRow> sample_rows(const QString& method, const std::vector<store::SampleResult>& samples) {
  std::vector<SampleTableRow> rows;
  for (const store::SampleResult& r : samples)
    rows.push_back({method, q(r.sample_id), q(r.family), q(r.question), q(r.prediction), q(r.answer), r.score,
                    r.correct, QString()});
  return rows;
}

std::vector<SampleTableRow> filter_rows(const std::vector<SampleTableRow>& rows, const store::SampleFilter& filter) {
  std::vector<SampleTableRow> out;
  for (const SampleTableRow& r : rows)
    if (store::matches(r.correct, r.family.toStdString(), r.pooling, filter)) out.push_back(r);
  return out;
}

QString pooling_text(const SampleTableRow& row) {
  QStringList parts;
  for (const store::PooledDecision& d : row.pooling)
    parts << QString("L%1 %2x%3 (p %4)").arg(d.layer).arg(d.kh).arg(d.kw).arg(d.probability, 0, 'f', 2);
  return parts.join(", ");
}

SampleTableModel::SampleTableModel(QObject* parent)
    : RowTableModel({"method", "sample", "family", "question", "prediction", "answer", "score"}, parent) {}

QVariant SampleTableModel::data(const QModelIndex& index, int role) const {
  const SampleTableRow* row = rowAt(index);
  if (!row) return {};
  const SampleTableRow& r = *row;
  const int c = index.column();
  if (role == Qt::TextAlignmentRole) return c == Score ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter)) : QVariant();
  if (role == Qt::ForegroundRole && c == Score && !r.correct) return QBrush(QColor(176, 0, 32));
  if (role != Qt::DisplayRole && role != Qt::EditRole && role != Qt::ToolTipRole) return {};
  if (role == Qt::ToolTipRole && c == Prediction && !r.pooling.empty())
    return r.prediction + "\nDPN: " + pooling_text(r);
  switch (c) {
    case Method: return r.method;
    case Sample: {  // numeric ids sort as numbers
      bool numeric = false;
      const qlonglong n = r.sample.toLongLong(&numeric);
      return role == Qt::EditRole && numeric ? QVariant(n) : QVariant(r.sample);
    }
    case Family: return r.family;
    case Question: return role == Qt::DisplayRole ? r.question.simplified() : r.question;
    case Prediction: return r.prediction;
    case Answer: return r.answer;
    case Score: return role == Qt::DisplayRole ? QVariant(QString::number(r.score, 'f', 2)) : QVariant(r.score);
  }
  return {};
}

}  // namespace dpn::views

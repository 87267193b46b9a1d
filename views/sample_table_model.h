// Per-sample results as a table model: the Benchmark view's results (every method) and the Runs view's samples of
// one run. Sorting uses Qt::EditRole (the score stays a number); the full question is in the tooltip.
#pragma once
#include <QString>
#include <vector>

#include "bench/summary.h"
#include "views/row_table_model.h"

namespace dpn::views {

struct SampleTableRow {
  QString method, sample, family, question, prediction, answer;
  double score = 0;
  bool correct = false;
  QString image;  // the file Explore opens for this sample ("" when the dataset embeds it)
  std::vector<store::PooledDecision> pooling;  // DPN decisions with their kernels (benchmark rows only)
};

// The rows of every method in a benchmark summary, in method order then sample id.
std::vector<SampleTableRow> sample_rows(const bench::BenchSummary& summary);
// The rows of one stored run.
std::vector<SampleTableRow> sample_rows(const QString& method, const std::vector<store::SampleResult>& samples);
// The rows core's sample filter keeps (store/sample_filter.h: correctness, family, pooling beyond a kernel).
std::vector<SampleTableRow> filter_rows(const std::vector<SampleTableRow>& rows, const store::SampleFilter& filter);
// "L0 4x4 (p 0.97), L1 1x1 (p 0.91)": a row's decisions, for tooltips.
QString pooling_text(const SampleTableRow& row);

class SampleTableModel : public RowTableModel<SampleTableRow> {
 public:
  enum Column { Method, Sample, Family, Question, Prediction, Answer, Score, ColumnCount };
  explicit SampleTableModel(QObject* parent = nullptr);
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
};

}  // namespace dpn::views

// SampleTableModel over a benchmark summary (core's summarize_run) and over a stored run's samples:
// QAbstractItemModelTester checks the model contract; values, the image kept for Explore and numeric sorting are
// asserted.
#include <QAbstractItemModelTester>
#include <QSortFilterProxyModel>
#include <QtTest>

#include "views/sample_table_model.h"

using namespace dpn;
using views::SampleTableModel;

namespace {
store::SampleResult sample(const std::string& id, const std::string& family, double score) {
  store::SampleResult s;
  s.sample_id = id;
  s.family = family;
  s.question = "What colour is\nthe square?";
  s.answer = "red";
  s.prediction = score == 1 ? "red" : "blue";
  s.score = score;
  s.correct = score == 1;
  return s;
}
}  // namespace

class SampleTableModelTest : public QObject {
  Q_OBJECT
 private slots:
  void shows_every_method_of_a_summary_and_sorts_numbers_as_numbers() {
    bench::BenchSummary s;
    const std::map<std::string, std::string> categories = {{"7", "fine"}, {"10", "fine"}, {"9", "coarse"}};
    s.methods.push_back(bench::summarize_run("none", 1, {sample("10", "glyph", 1), sample("7", "bg", 0.3)},
                                             categories, nullptr));
    s.methods.push_back(bench::summarize_run("fastv:k=2,r=0.5,rank=last", 2, {sample("9", "bg", 0)}, categories,
                                             nullptr));
    s.images = {{"10", "/data/10.png"}, {"7", "/data/7.png"}, {"9", ""}};

    SampleTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRows(views::sample_rows(s));
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.columnCount(), int(SampleTableModel::ColumnCount));
    QCOMPARE(model.headerData(SampleTableModel::Prediction, Qt::Horizontal).toString(), QString("prediction"));
    // Method order, then sample ids as people count them (core's rows come as "10" < "7").
    QCOMPARE(model.index(0, SampleTableModel::Sample).data().toString(), QString("7"));
    QCOMPARE(model.index(1, SampleTableModel::Sample).data().toString(), QString("10"));
    QCOMPARE(model.index(2, SampleTableModel::Method).data().toString(), QString("fastv:k=2,r=0.5,rank=last"));
    QCOMPARE(model.rows()[1].image, QString("/data/10.png"));
    QCOMPARE(model.rows()[2].image, QString());  // embedded in the dataset: nothing for Explore to open
    // One line in the table, the full question in the tooltip.
    QCOMPARE(model.index(1, SampleTableModel::Question).data().toString(), QString("What colour is the square?"));
    QCOMPARE(model.index(1, SampleTableModel::Question).data(Qt::ToolTipRole).toString(),
             QString("What colour is\nthe square?"));
    QCOMPARE(model.index(0, SampleTableModel::Score).data().toString(), QString("0.30"));
    QVERIFY(model.index(0, SampleTableModel::Score).data(Qt::ForegroundRole).isValid());  // wrong: marked
    QVERIFY(!model.index(1, SampleTableModel::Score).data(Qt::ForegroundRole).isValid());

    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(Qt::EditRole);
    proxy.sort(SampleTableModel::Score, Qt::AscendingOrder);
    QCOMPARE(proxy.index(0, SampleTableModel::Score).data().toString(), QString("0.00"));
    QCOMPARE(proxy.index(1, SampleTableModel::Score).data().toString(), QString("0.30"));
    QCOMPARE(proxy.index(2, SampleTableModel::Score).data().toString(), QString("1.00"));
    proxy.sort(SampleTableModel::Sample, Qt::AscendingOrder);  // numeric ids as numbers
    QCOMPARE(proxy.index(0, SampleTableModel::Sample).data().toString(), QString("7"));
    QCOMPARE(proxy.index(1, SampleTableModel::Sample).data().toString(), QString("9"));
    QCOMPARE(proxy.index(2, SampleTableModel::Sample).data().toString(), QString("10"));
    model.setRows({});
    QCOMPARE(model.rowCount(), 0);
  }

  void shows_a_stored_run() {
    SampleTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRows(views::sample_rows("dpn", {sample("a", "bg", 1), sample("b", "glyph", 0)}));
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(1, SampleTableModel::Method).data().toString(), QString("dpn"));
    QCOMPARE(model.index(1, SampleTableModel::Family).data().toString(), QString("glyph"));
    QCOMPARE(model.index(1, SampleTableModel::Answer).data().toString(), QString("red"));
    QCOMPARE(model.index(1, SampleTableModel::Prediction).data().toString(), QString("blue"));
    QVERIFY(!model.index(5, 0).isValid());
  }

  void filters_wrong_answers_pooled_beyond_two_by_two() {
    // Two DPN samples whose traces show the 12x12 grid pooled 4x4 after layer 0, one right, one wrong; one wrong
    // sample pooled 2x2 only. The benchmark rows keep each decision's kernel (core's summary, from the traces).
    auto pooled = [](const std::string& id, double score, int k) {
      store::SampleResult s = sample(id, "glyph", score);
      const int g = 12 / k;
      s.layers = {{0, 144, 12, 12, 1, 1}, {1, g * g, g, g, 1, 1}};
      s.routers = {{0, k == 4 ? 2 : 1, "[0.02,0.08,0.9]", false}};
      return s;
    };
    bench::BenchSummary s;
    s.methods.push_back(bench::summarize_run("dpn", 1, {pooled("1", 1, 4), pooled("2", 0, 4), pooled("3", 0, 2)}, {},
                                             nullptr));
    const auto rows = views::sample_rows(s);
    store::SampleFilter f;
    f.correctness = store::SampleFilter::Correctness::wrong;
    QCOMPARE(views::filter_rows(rows, f).size(), size_t(2));
    store::parse_pooled_beyond("2x2", f);
    const auto hard = views::filter_rows(rows, f);
    QCOMPARE(hard.size(), size_t(1));
    QCOMPARE(hard[0].sample, QString("2"));
    QCOMPARE(views::pooling_text(hard[0]), QString("L0 4x4 (p 0.90)"));
    SampleTableModel model;
    model.setRows(hard);
    QVERIFY(model.index(0, SampleTableModel::Prediction).data(Qt::ToolTipRole).toString().contains("L0 4x4"));
  }
};

QTEST_MAIN(SampleTableModelTest)
#include "sample_table_model_test.moc"

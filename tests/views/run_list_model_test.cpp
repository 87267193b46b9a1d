// RunListModel over a real run store: QAbstractItemModelTester checks the model contract; the values and the
// numeric sort order are asserted.
#include <QAbstractItemModelTester>
#include <QSortFilterProxyModel>
#include <QTemporaryDir>
#include <QtTest>

#include "store/run_store.h"
#include "views/run_list_model.h"

using namespace dpn;

class RunListModelTest : public QObject {
  Q_OBJECT
 private slots:
  void lists_runs_with_scores_and_sorts_numerically() {
    QTemporaryDir dir;
    store::RunStore db(dir.filePath("runs.sqlite").toStdString());
    std::vector<int64_t> ids;
    // Scores 0.5, 1.0 and 0.0 across three methods; 9 samples in the second run so "9" < "10" would mis-sort.
    const std::vector<std::pair<std::string, std::vector<double>>> runs = {
        {"none", {1, 0}}, {"dpn", std::vector<double>(9, 1.0)}, {"fastv:k=2,r=0.5", std::vector<double>(10, 0.0)}};
    for (const auto& [method, scores] : runs) {
      store::RunSpec spec;
      spec.model_name = "tiny-random";
      spec.dataset_name = "dpnbench";
      spec.dataset_kind = "dpnbench";
      spec.method = method;
      spec.params_json = "{}";
      spec.dtype = "f32";
      spec.device = "cpu";
      const int64_t id = db.find_or_create_run(spec);
      ids.push_back(id);
      for (size_t i = 0; i < scores.size(); ++i) {
        store::SampleResult r;
        r.sample_id = std::to_string(i);
        r.prediction = "x";
        r.score = scores[i];
        r.correct = scores[i] == 1;
        db.add_sample_result(id, r);
      }
    }
    views::RunListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRows(db.list_runs());
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.columnCount(), int(views::RunListModel::ColumnCount));
    QCOMPARE(model.headerData(views::RunListModel::Method, Qt::Horizontal).toString(), QString("method"));
    int fastv_row = -1;
    for (int r = 0; r < 3; ++r)
      if (model.index(r, views::RunListModel::Method).data().toString() == "fastv:k=2,r=0.5") fastv_row = r;
    QVERIFY(fastv_row >= 0);
    QCOMPARE(model.index(fastv_row, views::RunListModel::Samples).data().toString(), QString("10"));
    QCOMPARE(model.index(fastv_row, views::RunListModel::Score).data().toString(), QString("0.0 %"));
    QCOMPARE(model.runId(fastv_row), ids[2]);
    QCOMPARE(model.runId(99), int64_t(0));

    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(Qt::EditRole);
    proxy.sort(views::RunListModel::Samples, Qt::AscendingOrder);
    QCOMPARE(proxy.index(0, views::RunListModel::Samples).data().toString(), QString("2"));
    QCOMPARE(proxy.index(1, views::RunListModel::Samples).data().toString(), QString("9"));
    QCOMPARE(proxy.index(2, views::RunListModel::Samples).data().toString(), QString("10"));
    proxy.setFilterKeyColumn(-1);
    proxy.setFilterFixedString("fastv");
    QCOMPARE(proxy.rowCount(), 1);

    model.setRows({});
    QCOMPARE(model.rowCount(), 0);
  }
};

QTEST_MAIN(RunListModelTest)
#include "run_list_model_test.moc"

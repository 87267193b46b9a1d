// CompareTableModel: rows fill in as each method answers (dataChanged on one row), failures show their message,
// numbers sort as numbers; QAbstractItemModelTester checks the model contract throughout.
#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QtTest>

#include "views/compare_table_model.h"

using namespace dpn;
using views::CompareRow;
using views::CompareTableModel;

namespace {
CompareRow answered(const QString& method, int visual_in, int visual_last, double flops, double prefill_ms) {
  CompareRow r;
  r.doc.method = method;
  r.pending = false;
  r.doc.result.answer = "red";
  r.doc.result.visual_tokens = visual_in;
  LayerTrace last;
  last.visual = visual_last;
  last.grid_h = last.grid_w = visual_last == 9 ? 3 : 0;
  r.doc.result.trace.layers = {LayerTrace{}, last};
  r.doc.result.trace.llm_prefill_flops = flops;
  r.doc.result.timing.prefill_ms = prefill_ms;
  r.doc.result.timing.vision_ms = 1;
  return r;
}
}  // namespace

class CompareTableModelTest : public QObject {
  Q_OBJECT
 private slots:
  void rows_fill_in_as_methods_answer() {
    CompareTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    std::vector<CompareRow> pending(3);
    pending[0].doc.method = "none", pending[1].doc.method = "static:1=2", pending[2].doc.method = "fastv:k=2,r=0.5";
    model.setRows(pending);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.index(1, CompareTableModel::Status).data().toString(), QString("running\u2026"));
    QVERIFY(!model.index(1, CompareTableModel::Answer).data().isValid());

    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setRow(1, answered("static:1=2", 36, 9, 2.5e9, 10));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed[0][0].toModelIndex().row(), 1);
    QCOMPARE(model.index(1, CompareTableModel::Answer).data().toString(), QString("red"));
    QCOMPARE(model.index(1, CompareTableModel::VisualIn).data().toInt(), 36);
    QCOMPARE(model.index(1, CompareTableModel::VisualLast).data().toString(), QString("9 (3x3)"));
    QCOMPARE(model.index(1, CompareTableModel::Flops).data().toString(), QString("2.5 G"));
    QCOMPARE(model.index(1, CompareTableModel::Latency).data().toString(), QString("11.0"));
    QCOMPARE(model.index(1, CompareTableModel::Status).data().toString(), QString("done"));

    model.setRow(0, answered("none", 36, 36, 1.2e10, 30));
    CompareRow failed = pending[2];
    failed.pending = false;
    failed.doc.error = "fastv: k must be below the layer count";
    model.setRow(2, failed);
    QCOMPARE(model.index(2, CompareTableModel::Status).data().toString(), failed.doc.error);
    QVERIFY(model.index(2, CompareTableModel::Status).data(Qt::ForegroundRole).isValid());
    QVERIFY(!model.index(2, CompareTableModel::Flops).data().isValid());

    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(Qt::EditRole);
    proxy.sort(CompareTableModel::Flops, Qt::DescendingOrder);  // 1.2e10 before 2.5e9 (not "2.5 G" > "12 G")
    QStringList order;
    for (int r = 0; r < proxy.rowCount(); ++r)
      if (proxy.index(r, CompareTableModel::Flops).data().isValid())
        order << proxy.index(r, CompareTableModel::Method).data().toString();
    QCOMPARE(order, QStringList({"none", "static:1=2"}));
    model.setRow(7, failed);  // out of range: ignored
    QCOMPARE(model.rowCount(), 3);
  }
};

QTEST_MAIN(CompareTableModelTest)
#include "compare_table_model_test.moc"

// dpn-studio's unattended screenshot mode (app/gui/main.cpp), run as a user runs it: the PNG has exactly the size
// asked for, a --db store is only read (the benchmark goes to a scratch store), a folder of PyTorch *.bin opens with
// no dialog waiting for a person, and errors are printed with a non-zero exit status and no PNG.
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "store/run_store.h"

using namespace dpn;

namespace {
constexpr int kTimeoutMs = 240000;  // a hang fails here instead of blocking the suite (the benchmark shot runs 36
                                    // answers: ~20 s of CPU, minutes on a loaded machine)

struct Outcome {
  int status = -1;
  QString err;
};

Outcome studio(const QStringList& args) {
  QProcess p;
  p.start(DPN_STUDIO, args);
  if (!p.waitForFinished(kTimeoutMs)) {
    p.kill();
    p.waitForFinished();
    return {-1, "timed out: " + args.join(' ')};
  }
  return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardError())};
}

QByteArray sha(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return {};
  return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}
}  // namespace

class StudioScreenshotTest : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;

 private slots:
  void the_png_has_exactly_the_requested_size() {
    const QString png = dir_.filePath("small.png");
    const Outcome o = studio({"--model", "tiny-random", "--size", "1000x650", "--screenshot", png});
    QVERIFY2(o.status == 0, qPrintable(o.err));
    QCOMPARE(QImage(png).size(), QSize(1000, 650));
  }

  void a_size_below_the_window_minimum_is_refused() {
    const QString png = dir_.filePath("tiny.png");
    const Outcome o = studio({"--model", "tiny-random", "--size", "300x200", "--screenshot", png});
    QCOMPARE(o.status, 2);
    QVERIFY2(o.err.contains("--size 300x200 is below the window's minimum size"), qPrintable(o.err));
    QVERIFY(!QFile::exists(png));
    QCOMPARE(studio({"--size", "wide", "--screenshot", png}).status, 2);
    QCOMPARE(studio({"--view", "nowhere", "--screenshot", png}).status, 2);
  }

  void the_benchmark_view_never_writes_into_the_db_it_is_given() {
    const QString db = dir_.filePath("mine.sqlite");
    {
      store::RunStore s(db.toStdString());
      store::RunSpec spec;
      spec.model_name = "someone-else";
      spec.dataset_name = spec.dataset_kind = "dpnbench";
      spec.method = "none";
      spec.params_json = "{}";
      spec.dtype = "f32";
      spec.device = "cpu";
      store::SampleResult r;
      r.sample_id = "1";
      s.add_sample_result(s.find_or_create_run(spec), r);
    }
    const QByteArray before = sha(db);
    const QString png = dir_.filePath("bench.png");
    const Outcome o = studio({"--model", "tiny-random", "--view", "benchmark", "--db", db, "--screenshot", png});
    QVERIFY2(o.status == 0, qPrintable(o.err));
    QVERIFY(!QImage(png).isNull());
    QCOMPARE(sha(db), before);
    store::RunStore s(db.toStdString());
    QCOMPARE(int(s.list_runs().size()), 1);  // the screenshot's benchmark runs went to a scratch store
  }

  void a_pytorch_bin_folder_opens_without_a_dialog() {
    // The golden tiny LLaVA saved as torch.save shards (tests/golden/make_bin_fixtures.py).
    const QString src = DPN_TEST_DATA "/bin/llava_orig_model", model = dir_.filePath("legacy");
    QVERIFY(QDir().mkpath(model));
    for (const QString& f : QDir(src).entryList(QDir::Files)) QVERIFY(QFile::copy(src + "/" + f, model + "/" + f));
    const QString png = dir_.filePath("bin.png");
    const Outcome o = studio({"--model", model, "--vision-tower", DPN_TEST_DATA "/golden/tiny-clip-golden",
                              "--screenshot", png});
    QVERIFY2(o.status == 0, qPrintable(o.err));
    QVERIFY(!QImage(png).isNull());
    QVERIFY(!QDir(model + "-safetensors").exists());  // opened as is: nothing written beside the user's folder
  }

  void errors_are_printed_with_a_failing_status_and_no_png() {
    const QString png = dir_.filePath("error.png");
    const Outcome bad_model = studio({"--model", dir_.filePath("no-such-model"), "--screenshot", png});
    QCOMPARE(bad_model.status, 1);
    QVERIFY2(bad_model.err.contains("could not load the model") && bad_model.err.contains("no-such-model"),
             qPrintable(bad_model.err));
    const Outcome bad_method = studio({"--model", "tiny-random", "--method", "fastv:k=99", "--screenshot", png});
    QCOMPARE(bad_method.status, 1);
    QVERIFY2(bad_method.err.contains("the default run failed"), qPrintable(bad_method.err));
    const Outcome missing_db =
        studio({"--model", "tiny-random", "--view", "runs", "--db", dir_.filePath("absent.sqlite"), "--screenshot", png});
    QCOMPARE(missing_db.status, 1);
    QVERIFY2(missing_db.err.contains("absent.sqlite"), qPrintable(missing_db.err));
    QVERIFY(!QFile::exists(dir_.filePath("absent.sqlite")));
    QVERIFY(!QFile::exists(png));
  }
};

QTEST_MAIN(StudioScreenshotTest)
#include "studio_screenshot_test.moc"

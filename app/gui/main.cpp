// dpn-studio: the Qt application's main. Parses the command line, opens the window, and for --screenshot renders
// the window to a PNG once the default run (and the chosen view's own work) has finished. Screenshot mode is
// unattended: no dialog waits for a person, the user's run store is never written, and any error is printed and
// ends the process with a non-zero status (1 error, 2 usage, 3 timeout).
#include <QApplication>
#include <QCommandLineParser>
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTimer>
#include <cstdio>
#include <unistd.h>

#include "views/benchmark_view.h"
#include "views/compare_table_model.h"
#include "views/compare_view.h"
#include "views/explore_view.h"
#include "views/main_window.h"
#include "views/run_list_model.h"
#include "views/runs_view.h"

namespace {

// Milliseconds since this process started (kernel start time, 10 ms resolution).
double ms_since_process_start() {
  QFile stat("/proc/self/stat"), up("/proc/uptime");
  if (!stat.open(QIODevice::ReadOnly) || !up.open(QIODevice::ReadOnly)) return -1;
  const QByteArray s = stat.readAll();
  const QList<QByteArray> f = s.mid(s.lastIndexOf(')') + 2).split(' ');  // fields from 3 on
  const double start_s = f.value(19).toDouble() / double(sysconf(_SC_CLK_TCK));  // field 22: starttime
  const double uptime_s = up.readAll().split(' ').value(0).toDouble();
  return (uptime_s - start_s) * 1000;
}

constexpr int kScreenshotTimeoutMs = 180000;  // give up (exit 3) if the default run never finishes
constexpr int kSettleMs = 400;                // lets the last repaint (and the profiler's GL frame) land before grab
const QStringList kViews = {"explore", "compare", "benchmark", "runs", "profiler", "model"};

int64_t newest_run(const dpn::views::MainWindow& window) {
  int64_t id = 0;
  for (const auto& r : window.runs()->model()->rows()) id = std::max(id, r.id);
  return id;
}

int usage_error(const QString& message) {
  std::fprintf(stderr, "dpn-studio: %s\n", qPrintable(message));
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setOrganizationName("dpn-studio");
  QApplication::setApplicationName("dpn-studio");
  QApplication::setApplicationVersion(DPN_VERSION);

  QCommandLineParser cli;
  cli.setApplicationDescription("DPN Studio: explore, compare and benchmark DPN-compressed LLaVA models.");
  cli.addHelpOption();
  cli.addVersionOption();
  QCommandLineOption screenshot("screenshot", "Render the window to FILE (PNG) after the default run completes.", "FILE");
  QCommandLineOption view("view", "View for --screenshot: " + kViews.join('|') + ".", "NAME", "explore");
  QCommandLineOption model("model", "Model to open (built-in name or checkpoint folder).", "MODEL");
  QCommandLineOption vision("vision-tower", "Original LLaVA layout: the CLIP folder.", "DIR");
  QCommandLineOption method("method", "Method of the default run (none, dpn, static:L=K, fastv:k=2,r=0.5, ...).", "METHOD");
  QCommandLineOption layer("layer", "Layer the Explore view shows after the default run (index).", "N");
  QCommandLineOption db("db", "Run store file (default: the remembered one or ~/.local/share/dpn-studio/runs.sqlite). "
                              "With --screenshot it is only read: the benchmark a screenshot runs goes to a scratch store.",
                        "FILE");
  QCommandLineOption probe("startup-probe", "Print the time from process start to an interactive window, then quit.");
  QCommandLineOption size("size", "Window size for --screenshot, WxH (the PNG has exactly this size).", "WxH", "1400x900");
  cli.addOptions({screenshot, view, model, vision, method, layer, db, probe, size});
  cli.process(app);

  const bool shooting = cli.isSet(screenshot);
  const QString view_name = cli.value(view);
  dpn::views::StudioOptions options;
  options.model = cli.value(model);
  options.vision_tower = cli.value(vision);
  options.method = cli.value(method);
  options.db_path = cli.value(db);
  QTemporaryDir scratch;  // screenshot mode's private run store
  QSize want;
  int layer_index = -1;
  if (shooting) {
    if (!kViews.contains(view_name))
      return usage_error(QString("unknown --view '%1' (%2)").arg(view_name, kViews.join(", ")));
    const QRegularExpressionMatch m = QRegularExpression("^(\\d{1,5})x(\\d{1,5})$").match(cli.value(size));
    want = m.hasMatch() ? QSize(m.captured(1).toInt(), m.captured(2).toInt()) : QSize();
    if (want.width() < 1 || want.height() < 1)
      return usage_error(QString("--size '%1': expected WxH in pixels, e.g. 1400x900").arg(cli.value(size)));
    if (cli.isSet(layer)) {
      bool ok = false;
      layer_index = cli.value(layer).toInt(&ok);
      if (!ok || layer_index < 0) return usage_error(QString("--layer '%1': expected a layer index >= 0").arg(cli.value(layer)));
    }
    if (!scratch.isValid()) return usage_error("cannot create a temporary folder for the screenshot's run store");
    options.bench_db_path = scratch.filePath("runs.sqlite");
    options.db_must_exist = !options.db_path.isEmpty();  // the user's store is shown, never created or written
    if (options.db_path.isEmpty()) options.db_path = options.bench_db_path;
    options.restore = false;
    options.auto_run = true;
    options.unattended = true;
  }

  dpn::views::MainWindow window(options);
  if (shooting) {
    window.resize(want);
    window.showView(view_name == "profiler" ? "explore" : view_name);
  }
  window.show();
  QTimer::singleShot(0, &app, [&] {
    const double ms = ms_since_process_start();
    if (cli.isSet(probe) || qEnvironmentVariableIsSet("DPN_STUDIO_TIMING"))
      std::fprintf(stderr, "dpn-studio: interactive %.0f ms after process start\n", ms);
    if (cli.isSet(probe)) app.quit();
  });
  if (!shooting) return app.exec();

  // Any error ends screenshot mode: printed, status 1, no PNG written.
  bool over = false;
  auto fail = [&](const QString& what, const QString& message) {
    if (over) return;
    over = true;
    std::fprintf(stderr, "dpn-studio: %s: %s\n", qPrintable(what), qPrintable(message));
    app.exit(1);
  };
  // The window cannot be smaller than its layout's minimum: say so rather than write a PNG of another size.
  auto size_ok = [&] {
    if (window.size() == want) return true;
    over = true;
    std::fprintf(stderr, "dpn-studio: --size %dx%d is below the window's minimum size %dx%d\n", want.width(),
                 want.height(), window.minimumSizeHint().width(), window.minimumSizeHint().height());
    app.exit(2);
    return false;
  };
  QTimer::singleShot(0, &app, [&] { size_ok(); });
  const QString file = cli.value(screenshot);
  auto shoot = [&] {
    if (over) return;
    if (view_name == "profiler") window.showView("profiler");
    QTimer::singleShot(kSettleMs, &app, [&] {
      if (over || !size_ok()) return;
      over = true;
      const bool ok = window.grab().save(file, "PNG");
      std::fprintf(stderr, "dpn-studio: %s %s\n", ok ? "wrote" : "could not write", qPrintable(file));
      app.exit(ok ? 0 : 1);
    });
  };
  QObject::connect(window.session(), &dpn::views::Session::modelFailed, &app,
                   [&](QString m) { fail("could not load the model", m); });
  QObject::connect(window.session(), &dpn::views::Session::convertFailed, &app,
                   [&](QString m) { fail("could not convert the checkpoint", m); });
  QObject::connect(window.explore(), &dpn::views::ExploreView::runFailed, &app,
                   [&](QString m) { fail("the default run failed", m); });
  QObject::connect(window.session(), &dpn::views::Session::benchmarkFailed, &app,
                   [&](QString m) { fail("the benchmark failed", m); });
  QObject::connect(window.runs(), &dpn::views::RunsView::failed, &app, [&](QString m) { fail("run store", m); });
  bool explored = false;
  QObject::connect(&window, &dpn::views::MainWindow::exploreFinished, &app, [&] {
    if (explored) return;
    explored = true;
    if (layer_index >= 0) window.explore()->setLayer(layer_index);
    if (view_name == "compare") {
      window.showView("compare");
      QObject::connect(window.compare(), &dpn::views::CompareView::finished, &app, [&] {
        for (const dpn::views::CompareRow& r : window.compare()->model()->rows())
          if (!r.doc.error.isEmpty()) return fail("compare " + r.doc.method, r.doc.error);
        shoot();
      });
      window.compare()->run();
    } else if (view_name == "runs" && options.db_must_exist) {  // the user's store: shown as it is
      QObject::connect(window.runs(), &dpn::views::RunsView::listed, &app, [&] {
        if (window.runs()->model()->rows().empty()) return shoot();
        QObject::connect(window.runs(), &dpn::views::RunsView::runOpened, &app, shoot);
        window.runs()->openRun(newest_run(window));
      });
      window.runs()->refresh();
    } else if (view_name == "benchmark" || view_name == "runs") {
      dpn::views::BenchmarkRequest r = window.benchmark()->request();
      r.limit = 12;
      window.benchmark()->setRequest(r);
      QObject::connect(window.benchmark(), &dpn::views::BenchmarkView::finished, &app, [&](bool cancelled) {
        if (cancelled) return fail("the benchmark", "stopped before the end");
        if (view_name == "benchmark") return shoot();
        QObject::connect(window.runs(), &dpn::views::RunsView::listed, &app, [&] {
          if (window.runs()->model()->rows().empty()) return fail("run store", "the benchmark stored no run");
          QObject::connect(window.runs(), &dpn::views::RunsView::runOpened, &app, shoot);
          window.runs()->openRun(newest_run(window));
        });
        window.runs()->refresh();
      });
      window.benchmark()->run();
    } else {
      shoot();
    }
  });
  QTimer::singleShot(kScreenshotTimeoutMs, &app, [&] {
    if (over) return;
    over = true;
    std::fprintf(stderr, "dpn-studio: the default run did not finish within %d s\n", kScreenshotTimeoutMs / 1000);
    app.exit(3);
  });
  return app.exec();
}

// dpn-studio: the Qt application's main. Parses the command line, opens the window, and for --screenshot renders
// the window to a PNG once the default run (and the chosen view's own work) has finished.
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QIcon>
#include <QTemporaryDir>
#include <QTimer>
#include <cstdio>
#include <unistd.h>

#include "views/benchmark_view.h"
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

}  // namespace

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setOrganizationName("dpn-studio");
  QApplication::setApplicationName("dpn-studio");
  QApplication::setApplicationVersion(DPN_VERSION);
  QGuiApplication::setDesktopFileName("org.dpnstudio.DpnStudio");  // the installed desktop entry and icon
  QApplication::setWindowIcon(QIcon::fromTheme("org.dpnstudio.DpnStudio"));

  QCommandLineParser cli;
  cli.setApplicationDescription("DPN Studio: explore, compare and benchmark DPN-compressed LLaVA models.");
  cli.addHelpOption();
  cli.addVersionOption();
  QCommandLineOption screenshot("screenshot", "Render the window to FILE (PNG) after the default run completes.", "FILE");
  QCommandLineOption view("view", "View for --screenshot: explore|compare|benchmark|runs|profiler|model.", "NAME", "explore");
  QCommandLineOption model("model", "Model to open (built-in name or checkpoint folder).", "MODEL");
  QCommandLineOption vision("vision-tower", "Original LLaVA layout: the CLIP folder.", "DIR");
  QCommandLineOption method("method", "Method of the default run (none, dpn, static:L=K, fastv:k=2,r=0.5, ...).", "METHOD");
  QCommandLineOption layer("layer", "Layer the Explore view shows after the default run (index).", "N");
  QCommandLineOption db("db", "Run store file (default: the remembered one or ~/.local/share/dpn-studio/runs.sqlite).", "FILE");
  QCommandLineOption probe("startup-probe", "Print the time from process start to an interactive window, then quit.");
  QCommandLineOption size("size", "Window size for --screenshot, WxH.", "WxH", "1400x900");
  cli.addOptions({screenshot, view, model, vision, method, layer, db, probe, size});
  cli.process(app);

  const bool shooting = cli.isSet(screenshot);
  const QString view_name = cli.value(view);
  QTemporaryDir scratch;  // a private run store for screenshots of the benchmark and runs views
  dpn::views::StudioOptions options;
  options.model = cli.value(model);
  options.vision_tower = cli.value(vision);
  options.method = cli.value(method);
  options.db_path = cli.value(db);
  options.restore = !shooting;
  options.auto_run = shooting;
  if (shooting && options.db_path.isEmpty() && (view_name == "benchmark" || view_name == "runs"))
    options.db_path = scratch.filePath("runs.sqlite");

  dpn::views::MainWindow window(options);
  if (shooting) {
    const QStringList wh = cli.value(size).split('x');
    window.resize(wh.value(0).toInt() > 0 ? wh.value(0).toInt() : 1400, wh.value(1).toInt() > 0 ? wh.value(1).toInt() : 900);
    if (!window.showView(view_name == "profiler" ? "explore" : view_name)) {
      std::fprintf(stderr, "dpn-studio: unknown --view '%s' (explore, compare, benchmark, runs, profiler, model)\n",
                   qPrintable(view_name));
      return 2;
    }
  }
  window.show();
  QTimer::singleShot(0, &app, [&] {
    const double ms = ms_since_process_start();
    if (cli.isSet(probe) || qEnvironmentVariableIsSet("DPN_STUDIO_TIMING"))
      std::fprintf(stderr, "dpn-studio: interactive %.0f ms after process start\n", ms);
    if (cli.isSet(probe)) app.quit();
  });
  if (!shooting) return app.exec();

  const QString file = cli.value(screenshot);
  bool shot = false;
  auto shoot = [&] {
    if (shot) return;
    shot = true;
    if (view_name == "profiler") window.showView("profiler");
    QTimer::singleShot(400, &app, [&] {
      const bool ok = window.grab().save(file, "PNG");
      std::fprintf(stderr, "dpn-studio: %s %s\n", ok ? "wrote" : "could not write", qPrintable(file));
      app.exit(ok ? 0 : 1);
    });
  };
  QObject::connect(window.session(), &dpn::views::Session::modelFailed, &app, [&](QString m) {
    std::fprintf(stderr, "dpn-studio: %s\n", qPrintable(m));
    shoot();  // the error is in the window: that is what the screenshot shows
  });
  bool explored = false;  // after the default run, failures belong to the view's own work (shown in its table)
  QObject::connect(window.session(), &dpn::views::Session::askFailed, &app, [&](int, QString m) {
    if (explored) return;
    std::fprintf(stderr, "dpn-studio: the run failed: %s\n", qPrintable(m));
    shoot();
  });
  QObject::connect(&window, &dpn::views::MainWindow::exploreFinished, &app, [&] {
    if (explored) return;
    explored = true;
    if (cli.isSet(layer)) window.explore()->setLayer(cli.value(layer).toInt());
    if (view_name == "compare") {
      window.showView("compare");
      QObject::connect(window.compare(), &dpn::views::CompareView::finished, &app, shoot);
      window.compare()->run();
    } else if (view_name == "benchmark" || view_name == "runs") {
      dpn::views::BenchmarkRequest r = window.benchmark()->request();
      r.limit = 12;
      window.benchmark()->setRequest(r);
      QObject::connect(window.benchmark(), &dpn::views::BenchmarkView::finished, &app, [&] {
        if (view_name == "runs") {
          window.runs()->refresh();
          auto runs = window.runs()->model()->runs();
          if (!runs.empty()) window.runs()->openRun(runs.front().id);
        }
        shoot();
      });
      window.benchmark()->run();
    } else {
      shoot();
    }
  });
  QTimer::singleShot(kScreenshotTimeoutMs, &app, [&] {
    std::fprintf(stderr, "dpn-studio: the default run did not finish within %d s\n", kScreenshotTimeoutMs / 1000);
    app.exit(3);
  });
  return app.exec();
}

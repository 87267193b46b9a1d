// libdpn_figures.so: the figure renderer `dpn figure` loads on demand, so that `dpn`'s other commands never load Qt.
// Painting needs a QGuiApplication but no display: the offscreen platform is forced (no X server, no Xvfb).
#include <QGuiApplication>
#include <exception>
#include <filesystem>
#include <string>
#include <unistd.h>
#include <memory>

#include "views/figure_render.h"

extern "C" __attribute__((visibility("default"))) int dpn_render_figures(const dpn::views::FigureRequest* request,
                                                                         dpn::views::FigureOutcome* outcome,
                                                                         std::string* error) {
  try {
    std::unique_ptr<QGuiApplication> app;
    if (!QCoreApplication::instance()) {
      qputenv("QT_QPA_PLATFORM", "offscreen");
      // Qt wants a runtime folder and warns when the session has none (a batch job, ssh): give it a private one,
      // as it would make itself, without the warning.
      if (qEnvironmentVariableIsEmpty("XDG_RUNTIME_DIR")) {
        const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("runtime-" + std::to_string(::getuid()));
        std::error_code ec;
        std::filesystem::create_directories(dir, ec);
        std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
        if (!ec) qputenv("XDG_RUNTIME_DIR", QByteArray::fromStdString(dir.string()));
      }
      static int argc = 1;
      static char name[] = "dpn";
      static char* argv[] = {name, nullptr};
      app = std::make_unique<QGuiApplication>(argc, argv);
    }
    *outcome = dpn::views::render_figures(*request);
    return 0;
  } catch (const std::exception& e) {
    *error = e.what();
    return 1;
  }
}

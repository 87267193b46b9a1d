// Finding and loading libdpn_figures.so: $DPN_FIGURES_MODULE, then beside the executable, the install tree and the
// build tree.
#include "figure_renderer.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "util/error.h"

namespace fs = std::filesystem;

namespace dpn::cli {

namespace {
constexpr const char* kModule = "libdpn_figures.so";

views::RenderFiguresFn load_renderer() {
  std::vector<fs::path> places;
  if (const char* env = std::getenv("DPN_FIGURES_MODULE")) places.emplace_back(env);
  const fs::path exe = fs::read_symlink("/proc/self/exe").parent_path();
#ifdef DPN_FIGURES_MODULE_FROM_BIN
  places.push_back(exe / DPN_FIGURES_MODULE_FROM_BIN / kModule);  // the install tree (lib/<multiarch>/dpn-studio)
#endif
  for (const char* rel : {".", "../lib/dpn-studio", "../lib"}) places.push_back(exe / rel / kModule);
#ifdef DPN_FIGURES_MODULE_PATH
  places.emplace_back(DPN_FIGURES_MODULE_PATH);
#endif
  std::string tried;
  for (const fs::path& p : places) {
    if (!fs::exists(p)) {
      tried += " " + p.string();
      continue;
    }
    void* handle = ::dlopen(p.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      tried += " " + p.string() + " (" + ::dlerror() + ")";
      continue;
    }
    if (void* f = ::dlsym(handle, views::kRenderFiguresSymbol)) return reinterpret_cast<views::RenderFiguresFn>(f);
    throw Error(p.string(), std::string("the figure renderer lacks ") + views::kRenderFiguresSymbol +
                                " (an old build? rebuild target dpn_figures_module)");
  }
  throw Error(kModule, "cannot load the figure renderer (this dpn may be built with -DDPN_BUILD_GUI=OFF); tried:" + tried);
}
}  // namespace

views::FigureOutcome render_figures(const views::FigureRequest& request) {
  static const views::RenderFiguresFn render = load_renderer();
  views::FigureOutcome outcome;
  std::string error;
  if (render(&request, &outcome, &error) != 0) throw Error("", error);
  return outcome;
}

}  // namespace dpn::cli

// One place that knows where libdpn_spm.so lives: $DPN_SPM_SHIM, beside the executable, the install and build trees.
#include "text/shim/spm_shim_loader.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "util/error.h"

namespace fs = std::filesystem;

// Set by core/CMakeLists.txt from the install layout: where the shim lies relative to the installed executables.
#ifndef DPN_SPM_SHIM_FROM_BIN
#define DPN_SPM_SHIM_FROM_BIN "../lib/dpn-studio/libdpn_spm.so"
#endif

namespace dpn {

namespace {

std::vector<fs::path> candidates() {
  std::vector<fs::path> c;
  if (const char* env = std::getenv("DPN_SPM_SHIM")) c.emplace_back(env);
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n > 0) {
    buf[n] = 0;
    const fs::path dir = fs::path(buf).parent_path();
    c.push_back(dir / "libdpn_spm.so");
    c.push_back(dir / DPN_SPM_SHIM_FROM_BIN);             // installed (<prefix>/bin -> <prefix>/lib/<multiarch>/dpn-studio)
    c.push_back(dir / "../lib/libdpn_spm.so");             // build tree: build/{app,tests}/ beside build/lib/
  }
#ifdef DPN_SPM_SHIM_PATH
  c.emplace_back(DPN_SPM_SHIM_PATH);
#endif
  return c;
}

}  // namespace

void* spm_shim_symbol(const char* name) {
  static void* handle = nullptr;
  static std::string tried;
  static std::once_flag once;
  std::call_once(once, [] {
    for (const auto& p : candidates()) {
      if (!fs::exists(p)) {
        tried += " " + p.string();
        continue;
      }
      handle = ::dlopen(p.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
      if (handle) return;
      tried += " " + p.string() + " (" + ::dlerror() + ")";
    }
  });
  if (!handle) throw Error("libdpn_spm.so", "cannot load the SentencePiece shim; tried:" + tried);
  void* f = ::dlsym(handle, name);
  if (!f) throw Error("libdpn_spm.so", std::string("the shim lacks ") + name + " (an old build? rebuild target dpn_spm)");
  return f;
}

}  // namespace dpn

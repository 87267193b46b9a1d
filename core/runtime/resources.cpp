// Built-in data lookup: the install prefix (relative to the executable), $DPN_MODELS, the user's folder, the source tree.
#include "runtime/resources.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>

namespace fs = std::filesystem;

// Set by core/CMakeLists.txt for this file only: the install layout relative to the installed executables, and the
// trees a build-tree binary may fall back to.
#ifndef DPN_INSTALL_DATA_FROM_BIN
#define DPN_INSTALL_DATA_FROM_BIN "../share/dpn-studio"
#endif

namespace dpn {

namespace {

// The running executable's path, or empty when /proc is not mounted.
fs::path executable() {
  char buf[4096];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return {};
  buf[n] = 0;
  return fs::path(buf);
}

// True when `exe` lies inside the build tree this file was compiled for (tests, build/app/dpn).
bool runs_from_build_tree([[maybe_unused]] const fs::path& exe) {
#ifdef DPN_BUILD_TREE
  const std::string tree = fs::weakly_canonical(DPN_BUILD_TREE).string() + "/";
  return exe.string().compare(0, tree.size(), tree) == 0;
#else
  return false;
#endif
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

}  // namespace

std::string resources_dir() {
  if (std::string r = env("DPN_RESOURCES"); !r.empty()) return r;
  const fs::path exe = executable();
  if (!exe.empty()) {
    const fs::path installed = exe.parent_path() / DPN_INSTALL_DATA_FROM_BIN;
    if (fs::is_directory(installed)) return fs::weakly_canonical(installed).string();
#ifdef DPN_SOURCE_RESOURCES
    if (runs_from_build_tree(exe)) return DPN_SOURCE_RESOURCES;
#endif
    return fs::weakly_canonical(installed).string();  // missing: errors then name where the data was expected
  }
#ifdef DPN_SOURCE_RESOURCES
  return DPN_SOURCE_RESOURCES;
#else
  return "resources";
#endif
}

std::string bundled_benchmark_dir() {
  fs::path root = resources_dir();
  if (!root.has_filename()) root = root.parent_path();  // "share/dpn-studio/" as given in $DPN_RESOURCES
  const fs::path installed = root / "datasets/dpnbench/test";
  if (fs::is_directory(installed)) return installed.string();
  return (root.parent_path() / "datasets/dpnbench/test").string();
}

std::vector<std::string> model_search_dirs() {
  std::vector<std::string> dirs;
  const std::string list = env("DPN_MODELS");
  for (size_t start = 0; start <= list.size();) {
    const size_t colon = std::min(list.find(':', start), list.size());
    if (colon > start) dirs.push_back(list.substr(start, colon - start));
    start = colon + 1;
  }
  if (std::string xdg = env("XDG_DATA_HOME"); !xdg.empty())
    dirs.push_back(xdg + "/dpn-studio/models");
  else if (std::string home = env("HOME"); !home.empty())
    dirs.push_back(home + "/.local/share/dpn-studio/models");
  dirs.push_back(resources_dir() + "/models");
  return dirs;
}

std::vector<std::string> builtin_model_names() {
  std::set<std::string> names;
  for (const std::string& dir : model_search_dirs()) {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
      if (it->is_directory(ec)) names.insert(it->path().filename().string());
  }
  return {names.begin(), names.end()};
}

std::string resolve_model_path(const std::string& name) {
  if (name.empty() || fs::exists(name) || name.find('/') != std::string::npos) return name;
  for (const std::string& dir : model_search_dirs()) {
    const fs::path candidate = fs::path(dir) / name;
    if (fs::is_directory(candidate)) return candidate.string();
  }
  return name;
}

}  // namespace dpn

// Scratch copies of the golden model folders that a test may break: the config edited, files replaced.
#pragma once
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "core/golden_fixture.h"
#include "core/scratch_dir.h"

namespace dpn::test {

// A copy of golden/<name> in a fresh scratch folder (llava_orig with its sibling tower tiny-clip-golden).
inline std::filesystem::path copy_model(const std::string& name) {
  namespace fs = std::filesystem;
  const fs::path dst = scratch_dir("model");
  const std::string leaf = fs::path(name).filename().string();
  fs::copy(golden_dir() + "/" + name, dst / leaf, fs::copy_options::recursive);
  if (name == "llava_orig") fs::copy(golden_dir() + "/tiny-clip-golden", dst / "tiny-clip-golden", fs::copy_options::recursive);
  if (name.rfind("methods/", 0) == 0)
    for (const char* tower : {"tiny-clip-golden", "tiny-clip-tp12"})
      fs::copy(golden_dir() + "/methods/" + tower, dst / tower, fs::copy_options::recursive);
  return dst / leaf;
}

// Rewrites <dir>/<file> (config.json by default) after `edit`.
inline void edit_config(const std::filesystem::path& dir, const std::function<void(nlohmann::json&)>& edit,
                        const std::string& file = "config.json") {
  nlohmann::json j = nlohmann::json::parse(std::ifstream(dir / file));
  edit(j);
  std::ofstream(dir / file) << j.dump(2);
}

}  // namespace dpn::test

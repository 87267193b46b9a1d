// Whether a path lies inside a folder, component by component (so "/m/model-x" is not inside "/m/model").
#pragma once
#include <filesystem>

namespace dpn {

// True when `path` is `dir` or below it. Compares the components as given: pass canonical (or weakly canonical)
// paths when symbolic links or ".." must count.
bool path_is_within(const std::filesystem::path& path, const std::filesystem::path& dir);

}  // namespace dpn

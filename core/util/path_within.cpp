// Component-wise containment test for paths.
#include "util/path_within.h"

#include <iterator>

namespace dpn {

bool path_is_within(const std::filesystem::path& path, const std::filesystem::path& dir) {
  auto p = path.begin();
  for (auto d = dir.begin(); d != dir.end(); ++d, ++p) {
    if (d->empty() && std::next(d) == dir.end()) return true;  // "dir/" ends in an empty component
    if (p == path.end() || *p != *d) return false;
  }
  return true;
}

}  // namespace dpn

// JSON error text without the input's bytes.
#include "util/json_error.h"

namespace dpn {

std::string json_error_summary(const std::exception& e) {
  std::string s = e.what();
  if (s.rfind("[json.exception.", 0) == 0) {  // "[json.exception.parse_error.101] " is for developers
    const size_t close = s.find("] ");
    if (close != std::string::npos) s.erase(0, close + 2);
  }
  const size_t quoted = s.find("; last read: ");
  if (quoted != std::string::npos) s.erase(quoted);
  return s;
}

}  // namespace dpn

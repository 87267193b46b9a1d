// Errors of the engine: one exception type that always says which file/field and what was expected.
#pragma once
#include <stdexcept>
#include <string>

namespace dpn {

class Error : public std::runtime_error {
 public:
  // `where` names the file (and key/field when known); `what` says the problem and, ideally, what to do.
  // Control bytes in `where` (a file name may hold a newline or an escape sequence) are shown as \xNN, so the message
  // stays one printable line; other bytes, UTF-8 included, are kept.
  Error(std::string where, const std::string& what)
      : Error(escape_controls(std::move(where)), what, 0) {}
  const std::string& where() const { return where_; }

 private:
  Error(std::string where, const std::string& what, int)
      : std::runtime_error(where.empty() ? what : where + ": " + what), where_(std::move(where)) {}
  static std::string escape_controls(std::string s) {
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned char c : s) {
      if (c >= 0x20 && c != 0x7f) {
        out += char(c);
      } else {
        out += "\\x";
        out += hex[c >> 4];
        out += hex[c & 15];
      }
    }
    return out;
  }
  std::string where_;
};

}  // namespace dpn

// Errors of the engine: one exception type that always says which file/field and what was expected.
#pragma once
#include <stdexcept>
#include <string>

namespace dpn {

class Error : public std::runtime_error {
 public:
  // `where` names the file (and key/field when known); `what` says the problem and, ideally, what to do.
  Error(std::string where, const std::string& what)
      : std::runtime_error(where.empty() ? what : where + ": " + what), where_(std::move(where)) {}
  const std::string& where() const { return where_; }

 private:
  std::string where_;
};

}  // namespace dpn

// nlohmann's parse errors quote the bytes where parsing stopped ("last read: 'root:x:0:0'"). For a file that may
// not be JSON at all (a shard or index naming /etc/passwd) that would echo foreign bytes into our messages; this
// keeps where and what went wrong, not the bytes.
#pragma once
#include <exception>
#include <string>

namespace dpn {

// "parse error at line 1, column 2: syntax error while parsing value - invalid literal", from any json::exception.
std::string json_error_summary(const std::exception& e);

}  // namespace dpn

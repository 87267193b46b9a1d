// Splitting and validating the `--methods` list of `dpn bench`.
#include "bench/method_list.h"

#include <algorithm>

#include "flops/method_spec.h"
#include "util/error.h"

namespace dpn::bench {
namespace {

// True when `item` begins a method: a method name followed by ':' or nothing.
bool starts_method(const std::string& item) {
  for (const std::string& n : flops::method_kind_names()) {
    if (item.compare(0, n.size(), n) == 0 && (item.size() == n.size() || item[n.size()] == ':')) return true;
  }
  return false;
}

}  // namespace

std::vector<std::string> parse_method_list(const std::string& text) {
  const std::string where = "--methods '" + text + "'";
  std::vector<std::string> items;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (item.empty()) throw Error(where, "empty method (two commas in a row, or a comma at an end)");
    // Parameters are KEY=VALUE, LAYER=KERNEL or a list's next number (pdrop:layers=8,16,24); a bare word is a
    // method (an unknown one is rejected by name).
    const bool number = item[0] >= '0' && item[0] <= '9';
    if (items.empty() || starts_method(item) || (item.find('=') == std::string::npos && !number)) items.push_back(item);
    else items.back() += "," + item;
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  std::vector<std::string> out;
  for (const auto& item : items) {
    const std::string canonical = flops::to_string(flops::parse_method_spec(item));
    if (std::find(out.begin(), out.end(), canonical) != out.end())
      throw Error(where, "method '" + item + "' is listed twice (as '" + canonical + "')");
    out.push_back(canonical);
  }
  return out;
}

}  // namespace dpn::bench

// Parsing JSON text that may be anything (a line of a user's file, a field of a database someone else wrote) without
// an exception escaping: nlohmann's parse(text, nullptr, false) still throws out_of_range.406 for a number beyond
// double (1E400), which ended `dpn bench` on a hostile question file (fuzz finding).
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace dpn {

// The parsed value, or a discarded value (is_discarded()) when `text` is not valid JSON for any reason.
template <typename Json = nlohmann::json>
Json parse_json_or_discarded(const std::string& text) {
  try {
    return Json::parse(text, nullptr, /*allow_exceptions=*/false);
  } catch (const nlohmann::json::exception&) {
    return Json(Json::value_t::discarded);
  }
}

}  // namespace dpn

// JSON form of an AskResult's trace (for `dpn ask --json` and exports). Plain data in, nlohmann::json out.
#pragma once
#include <nlohmann/json.hpp>

#include "dpn.h"

namespace dpn {

nlohmann::json trace_to_json(const RunTrace& trace);

// "7=2,15=0" -> {(7, 2), (15, 0)}; throws dpn::Error naming the bad part.
std::vector<std::pair<int, int>> parse_overrides(const std::string& text);

}  // namespace dpn

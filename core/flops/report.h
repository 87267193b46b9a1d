// Text and JSON renderings of a FLOPs report against the `none` baseline (for `dpn flops` and the app).
#pragma once
#include <string>

#include "flops/flops.h"

namespace dpn::flops {

// "8.12 T", "24.2 G", "1.05 M": three significant digits with an SI prefix (FLOPs or MACs).
std::string format_si(double value);

// A readable table: per stage, the method, `none` and the saving; both conventions; optionally every layer.
std::string report_text(const FlopsReport& none, const FlopsReport& method, bool per_layer);

// The same as one JSON object (numbers in FLOPs, fractions in [0, 1]), pretty-printed.
std::string report_json(const FlopsReport& none, const FlopsReport& method);

}  // namespace dpn::flops

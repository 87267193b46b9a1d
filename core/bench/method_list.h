// The `--methods` list of `dpn bench`: split at the commas that start a new method, each one parsed and validated
// before any work is done.
#pragma once
#include <string>
#include <vector>

namespace dpn::bench {

// "none,dpn,fastv:k=2,r=0.5,static:7=2,15=2" -> {"none", "dpn", "fastv:k=2,r=0.5", "static:7=2,15=2"}.
// A comma starts a new method only when the text after it begins with a method name (flops::method_kind_names())
// followed by ':' or the end, or is a word with no '=' (an unknown method, rejected by name); otherwise (KEY=VALUE,
// LAYER=KERNEL, a number continuing a list as in pdrop:layers=8,16,24) it continues the previous method's parameters.
// Every method is parsed with flops::parse_method_spec and returned in its canonical form (flops::to_string), so
// "fastv" and "fastv:k=2,r=0.5" are the same run. Throws dpn::Error naming the list on an empty list, an empty
// item, a bad method or a method given twice.
std::vector<std::string> parse_method_list(const std::string& text);

}  // namespace dpn::bench

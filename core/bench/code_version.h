// The code a benchmark ran with, recorded in its run: the release and the git commit of the build.
#pragma once
#include <string>

namespace dpn::bench {

// "0.1.0+g23e9a05128ac", with "-dirty" when the build had uncommitted changes, "+unknown" outside a git checkout.
std::string code_version();

}  // namespace dpn::bench

// The build's version and commit (the commit header is written at build time: packaging/cmake/DpnGitCommit.cmake).
#include "bench/code_version.h"

#include "dpn_git_commit.h"

namespace dpn::bench {

std::string code_version() {
  const std::string commit = DPN_GIT_COMMIT;
  return std::string(DPN_VERSION) + "+" + (commit == "unknown" ? commit : "g" + commit);
}

}  // namespace dpn::bench

// Runs the real `dpn` binary as a user would and captures what it prints.
#pragma once
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace dpn::test {

struct CliResult {
  int code;
  std::string out;  // stdout, and stderr unless left out
};

inline CliResult run_dpn(const std::string& args, bool with_stderr = true) {
  std::string cmd = std::string(DPN_BINARY_DIR) + "/app/dpn " + args + (with_stderr ? " 2>&1" : " 2>/dev/null");
  FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int status = ::pclose(p);
  return CliResult{WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

}  // namespace dpn::test

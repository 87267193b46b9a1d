// Runs the real `dpn` binary as a user does, for the CLI tests: its exit status, what it printed (stdout and stderr
// together) and its peak resident memory, measured by the kernel (wait4).
#pragma once
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

namespace dpn::test {

struct CliRun {
  int code = -1;           // exit status; -1 when killed by a signal
  std::string out;         // stdout and stderr
  long peak_rss_kb = 0;    // the process's maximum resident set size
};

// `env` entries are NAME=VALUE pairs added to this process's environment for the child.
inline CliRun run_dpn_argv(const std::vector<std::string>& args, const std::vector<std::pair<std::string, std::string>>& env = {}) {
  const std::string dpn = std::string(DPN_BINARY_DIR) + "/app/dpn";
  // argv and the environment are built before fork(): the child only dups, execs or exits.
  std::vector<std::string> vars;
  for (char** e = environ; *e; ++e) {
    const std::string var = *e;
    bool replaced = false;
    for (const auto& kv : env) replaced = replaced || var.rfind(kv.first + "=", 0) == 0;
    if (!replaced) vars.push_back(var);
  }
  for (const auto& [k, v] : env) vars.push_back(k + "=" + v);
  std::vector<char*> envp, argv{const_cast<char*>(dpn.c_str())};
  for (auto& v : vars) envp.push_back(v.data());
  envp.push_back(nullptr);
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  int fds[2];
  if (::pipe(fds) != 0) return {};
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], 1);
    ::dup2(fds[1], 2);
    ::close(fds[0]);
    ::close(fds[1]);
    ::execve(dpn.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  CliRun r;
  std::array<char, 4096> buf;
  ssize_t n;
  while ((n = ::read(fds[0], buf.data(), buf.size())) > 0) r.out.append(buf.data(), size_t(n));
  ::close(fds[0]);
  int status = 0;
  struct rusage ru {};
  ::wait4(pid, &status, 0, &ru);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.peak_rss_kb = ru.ru_maxrss;
  return r;
}

}  // namespace dpn::test

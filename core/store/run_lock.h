// One writer per run: a `dpn bench` claims the runs it writes, so a second process started on the same runs (the
// same command twice, a Slurm array with a duplicated index) stops at once with a plain message instead of writing
// alongside the first or marking its run failed.
//
// The claim is an fcntl write lock on one byte per run id of DB.runlock, next to the database: the kernel drops it
// when the process ends however it ends (kill -9 included), so a crashed run never stays claimed, and another
// process can ask who holds it (F_GETLK gives the pid). Within one process, claims are counted in a registry:
// fcntl locks are per process, and closing any descriptor of the file would drop them all.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace dpn::store {

class RunLock {
 public:
  // Claims every run of `runs` (id, label for messages), all or none. Throws dpn::Error naming the database:
  // "another process (pid N) is running this run (run R, LABEL); ..." or "this process is already running ...".
  RunLock(const std::string& db_path, const std::vector<std::pair<int64_t, std::string>>& runs);
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

  // The lock file of a database.
  static std::string lock_path(const std::string& db_path);

 private:
  std::string key_;
  std::vector<int64_t> runs_;
};

}  // namespace dpn::store

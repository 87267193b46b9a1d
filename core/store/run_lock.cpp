// Per-run write claims with fcntl byte-range locks on DB.runlock.
#include "store/run_lock.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <set>

#include "util/error.h"

namespace dpn::store {
namespace {

struct OpenLockFile {
  int fd = -1;
  std::set<int64_t> runs;  // claimed by this process
};

std::mutex g_mutex;
std::map<std::string, OpenLockFile> g_files;  // by canonical lock path

struct flock byte_of(int64_t run, short type) {
  struct flock fl {};
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = static_cast<off_t>(run);
  fl.l_len = 1;
  return fl;
}

std::string canonical(const std::string& path) {
  char buf[PATH_MAX];
  return ::realpath(path.c_str(), buf) ? std::string(buf) : path;
}

}  // namespace

std::string RunLock::lock_path(const std::string& db_path) { return db_path + ".runlock"; }

RunLock::RunLock(const std::string& db_path, const std::vector<std::pair<int64_t, std::string>>& runs)
    : key_(lock_path(canonical(db_path))) {
  std::lock_guard<std::mutex> guard(g_mutex);
  OpenLockFile& file = g_files[key_];
  if (file.fd < 0) {
    file.fd = ::open(key_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (file.fd < 0) {
      g_files.erase(key_);
      throw Error(key_, std::string("cannot open the run lock file: ") + std::strerror(errno) +
                            " (it sits next to the run database; check that the folder is writable)");
    }
  }
  auto release = [&] {
    for (int64_t r : runs_) {
      struct flock fl = byte_of(r, F_UNLCK);
      ::fcntl(file.fd, F_SETLK, &fl);
      file.runs.erase(r);
    }
    runs_.clear();
    if (file.runs.empty()) {
      ::close(file.fd);
      g_files.erase(key_);
    }
  };
  for (const auto& [run, label] : runs) {
    const std::string which = "(run " + std::to_string(run) + ", " + label + ")";
    if (file.runs.count(run)) {
      release();
      throw Error(db_path, "this process is already running this run " + which);
    }
    struct flock fl = byte_of(run, F_WRLCK);
    if (::fcntl(file.fd, F_SETLK, &fl) != 0) {
      const int err = errno;
      struct flock who = byte_of(run, F_WRLCK);
      const bool known = (err == EACCES || err == EAGAIN) && ::fcntl(file.fd, F_GETLK, &who) == 0 &&
                         who.l_type != F_UNLCK;
      release();
      if (known)
        throw Error(db_path, "another process (pid " + std::to_string(who.l_pid) + ") is running this run " + which +
                                 "; wait for it to finish (or stop it), then run the same command again to resume");
      throw Error(key_, std::string("cannot lock the run: ") + std::strerror(err));
    }
    file.runs.insert(run);
    runs_.push_back(run);
  }
  if (file.runs.empty()) {  // nothing to claim
    ::close(file.fd);
    g_files.erase(key_);
  }
}

RunLock::~RunLock() {
  std::lock_guard<std::mutex> guard(g_mutex);
  auto it = g_files.find(key_);
  if (it == g_files.end()) return;
  for (int64_t r : runs_) {
    struct flock fl = byte_of(r, F_UNLCK);
    ::fcntl(it->second.fd, F_SETLK, &fl);
    it->second.runs.erase(r);
  }
  if (it->second.runs.empty()) {
    ::close(it->second.fd);
    g_files.erase(it);
  }
}

}  // namespace dpn::store

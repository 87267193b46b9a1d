// Regular-file checks before open(): stat first (a FIFO's open() would block), then O_NONBLOCK and fstat.
#include "util/regular_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "util/error.h"

namespace dpn {

namespace {

// What a non-regular file is, in words.
const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

[[noreturn]] void refuse(const std::string& path, mode_t mode) {
  const std::string kind = kind_of(mode);
  throw Error(path, kind == "not a regular file" ? "is not a regular file" : "is " + kind + ", not a regular file");
}

struct stat stat_or_throw(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int e = errno;
    throw Error(path, e == ENOENT ? std::string("not found") : std::string("cannot open: ") + std::strerror(e));
  }
  return st;
}

}  // namespace

void require_regular_file(const std::string& path) {
  const struct stat st = stat_or_throw(path);
  if (!S_ISREG(st.st_mode)) refuse(path, st.st_mode);
}

void refuse_special_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) refuse(path, st.st_mode);
}

RegularFile::RegularFile(RegularFile&& other) noexcept : fd_(other.fd_), size_(other.size_), path_(std::move(other.path_)) {
  other.fd_ = -1;
}

RegularFile& RegularFile::operator=(RegularFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    size_ = other.size_;
    path_ = std::move(other.path_);
    other.fd_ = -1;
  }
  return *this;
}

RegularFile::~RegularFile() {
  if (fd_ >= 0) ::close(fd_);
}

RegularFile open_regular_file(const std::string& path) {
  require_regular_file(path);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) throw Error(path, std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    const int e = errno;
    const mode_t mode = st.st_mode;
    ::close(fd);
    if (mode == 0) throw Error(path, std::string("cannot stat: ") + std::strerror(e));
    refuse(path, mode);
  }
  // Regular files ignore O_NONBLOCK today; clear it anyway so reads keep their blocking meaning.
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  return RegularFile(fd, static_cast<uint64_t>(st.st_size), path);
}

std::string read_regular_file(const std::string& path, uint64_t max_bytes, const std::string& what) {
  const RegularFile f = open_regular_file(path);
  if (f.size() > max_bytes)
    throw Error(path, what + " is " + std::to_string(f.size()) + " bytes, above the limit of " + std::to_string(max_bytes) + " bytes");
  std::string out(static_cast<size_t>(f.size()), '\0');
  size_t done = 0;
  // Read to the end, not to the size at open: the file may have grown (or be a /proc file of size 0).
  while (true) {
    if (done == out.size()) {
      if (out.size() >= max_bytes + 1) break;
      out.resize(std::min<uint64_t>(std::max<uint64_t>(2 * out.size(), 4096), max_bytes + 1));
    }
    const ssize_t n = ::read(f.fd(), &out[done], out.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error(path, std::string("read failed: ") + std::strerror(errno));
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  if (done > max_bytes) throw Error(path, what + " grew above the limit of " + std::to_string(max_bytes) + " bytes while being read");
  out.resize(done);
  return out;
}

}  // namespace dpn

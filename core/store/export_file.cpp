// Safe export targets: refuse databases and special files, write through a temporary beside the target.
#include "store/export_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "util/error.h"

namespace dpn::store {
namespace {

bool same_file(const struct stat& a, const std::string& path) {
  struct stat b {};
  return ::stat(path.c_str(), &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

// The first bytes of a regular file (empty when it cannot be read).
std::string head_of(const std::string& path, size_t n) {
  std::string buf(n, '\0');
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return "";
  const ssize_t got = ::read(fd, buf.data(), n);
  ::close(fd);
  buf.resize(got > 0 ? static_cast<size_t>(got) : 0);
  return buf;
}

}  // namespace

void check_export_target(const std::string& out, const std::string& db_path) {
  if (out.empty()) throw Error("--out", "empty file name");
  struct stat st {};
  if (::stat(out.c_str(), &st) != 0) {
    if (errno == ENOENT) return;  // a new file
    throw Error(out, std::string("cannot check the export target: ") + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode))
    throw Error(out, "is not a regular file (a folder, FIFO, device or socket); give a file name for the export");
  for (const char* suffix : {"", "-wal", "-shm", "-journal"})
    if (same_file(st, db_path + suffix))
      throw Error(out, std::string("is the run database") + (*suffix ? std::string(" (its ") + suffix + " file)" : "") +
                           "; exporting onto it would destroy the runs. Choose another --out file");
  const std::string head = head_of(out, 16);
  if (head.size() == 16 && head.compare(0, 16, std::string("SQLite format 3\0", 16)) == 0)
    throw Error(out, "is an SQLite database; refusing to overwrite it with an export. Choose another --out file");
  if (head.size() >= 4) {
    const unsigned char* b = reinterpret_cast<const unsigned char*>(head.data());
    const unsigned magic = (unsigned(b[0]) << 24) | (unsigned(b[1]) << 16) | (unsigned(b[2]) << 8) | b[3];
    if (magic == 0x377f0682u || magic == 0x377f0683u)
      throw Error(out, "is an SQLite write-ahead log; refusing to overwrite it. Choose another --out file");
  }
}

void write_export(const std::string& out, const std::string& text) {
  const std::filesystem::path target(out);
  std::string tmpl = (target.parent_path().empty() ? std::filesystem::path(".") : target.parent_path()).string() +
                     "/." + target.filename().string() + ".XXXXXX";
  const int fd = ::mkstemp(tmpl.data());
  if (fd < 0) throw Error(out, std::string("cannot create a temporary file beside it: ") + std::strerror(errno));
  const std::string tmp = tmpl;
  auto fail = [&](const std::string& what) {
    const int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    throw Error(out, what + ": " + std::strerror(err) + " (nothing was written; check the folder and free space)");
  };
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot write the export");
    }
    done += static_cast<size_t>(n);
  }
  if (::fchmod(fd, 0644) != 0 || ::fsync(fd) != 0) fail("cannot write the export");
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw Error(out, std::string("cannot write the export: ") + std::strerror(err));
  }
  if (std::rename(tmp.c_str(), out.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw Error(out, std::string("cannot move the export into place: ") + std::strerror(err));
  }
}

}  // namespace dpn::store

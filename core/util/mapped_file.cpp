// mmap of a checkpoint file; pages are shared with the page cache, so a 14 GB bf16 model costs no copy.
#include "util/mapped_file.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstring>

#include "util/error.h"
#include "util/regular_file.h"

namespace dpn {

MappedFile::MappedFile(const std::string& path) : path_(path) {
  const RegularFile file = open_regular_file(path);  // a FIFO or a device is refused before open()
  size_ = file.size();
  if (size_ > 0) {
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_SHARED, file.fd(), 0);
    if (p == MAP_FAILED) throw Error(path, std::string("cannot mmap: ") + std::strerror(errno));
    data_ = static_cast<const std::byte*>(p);
  }
}

MappedFile::~MappedFile() {
  if (data_) ::munmap(const_cast<std::byte*>(data_), size_);
}

}  // namespace dpn

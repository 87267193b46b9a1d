// A read-only memory mapping of a whole file (RAII). Checkpoint tensors point into it without copies.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace dpn {

class MappedFile {
 public:
  // Throws dpn::Error naming the path if the file is missing, is not a regular file (a FIFO, a device, a folder:
  // refused before opening it) or cannot be mapped. A zero-size file maps to
  // size() == 0 and data() == nullptr.
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const std::byte* data() const { return data_; }
  uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  const std::byte* data_ = nullptr;
  uint64_t size_ = 0;
};

}  // namespace dpn

// Opening files for reading only when they are regular files. A FIFO blocks open() until some writer appears, a
// device can be endless and a folder is no data: every reader of the engine goes through here, so none of them
// hangs or reads without end on such a path.
#pragma once
#include <cstdint>
#include <string>

namespace dpn {

// Throws dpn::Error naming `path` when it does not exist or is not a regular file (symbolic links followed), saying
// what it is instead ("is a FIFO (named pipe), not a regular file"). Never opens the path, so it cannot block. For
// readers that hand the path to a library (SentencePiece, SQLite, std::ifstream): call it just before.
void require_regular_file(const std::string& path);

// The same check for readers that report a missing file themselves: throws only when `path` exists and is not a
// regular file.
void refuse_special_file(const std::string& path);

// A file descriptor open for reading, closed when this goes away.
class RegularFile {
 public:
  RegularFile(RegularFile&& other) noexcept;
  RegularFile& operator=(RegularFile&& other) noexcept;
  RegularFile(const RegularFile&) = delete;
  RegularFile& operator=(const RegularFile&) = delete;
  ~RegularFile();

  int fd() const { return fd_; }
  uint64_t size() const { return size_; }  // at open time
  const std::string& path() const { return path_; }

 private:
  friend RegularFile open_regular_file(const std::string& path);
  RegularFile(int fd, uint64_t size, std::string path) : fd_(fd), size_(size), path_(std::move(path)) {}
  int fd_ = -1;
  uint64_t size_ = 0;
  std::string path_;
};

// Opens `path` for reading after require_regular_file, without blocking even if the path was swapped for a FIFO in
// between (O_NONBLOCK, then fstat checks again what was opened). Throws dpn::Error naming the path.
RegularFile open_regular_file(const std::string& path);

// Reads a whole regular file. A file larger than `max_bytes` is refused before anything is read, with its size and
// the limit in the message (`what` names the kind of file there, e.g. "index").
std::string read_regular_file(const std::string& path, uint64_t max_bytes, const std::string& what = "file");

// The largest JSON side file (config.json, model.safetensors.index.json, tokenizer_config.json) read whole: the
// safetensors header limit (100 MB), far above any real one (a 70B model's index is about 100 KB).
constexpr uint64_t kMaxJsonFileBytes = 100'000'000;

}  // namespace dpn

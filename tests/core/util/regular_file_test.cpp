// Reading only regular files: a FIFO, a device or a folder is refused before open(), so nothing blocks (issue 15:
// a FIFO as a shard or config.json hung the CLI and the GUI in open()).
#include "util/regular_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>

#include "core/scratch_dir.h"
#include "util/error.h"
#include "util/mapped_file.h"

namespace fs = std::filesystem;
using namespace dpn;

namespace {

// The error `fn` throws, run on a thread; a call still blocked after 10 s is released by opening `fifo` for writing
// (which completes a blocked open() for reading) and reported as a failure.
std::string error_within_seconds(const std::function<void()>& fn, const fs::path& fifo = {}) {
  auto result = std::async(std::launch::async, [&] {
    try {
      fn();
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  });
  if (result.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    if (!fifo.empty()) {
      const int fd = ::open(fifo.c_str(), O_WRONLY);  // unblocks the reader
      if (fd >= 0) ::close(fd);
    }
    ADD_FAILURE() << "the call blocked";
  }
  return result.get();
}

}  // namespace

TEST(RegularFile, FifoIsRefusedWithoutBlocking) {
  const fs::path d = test::scratch_dir("rf");
  const fs::path fifo = d / "config.json";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  for (const auto& call : std::vector<std::function<void()>>{
           [&] { require_regular_file(fifo.string()); }, [&] { open_regular_file(fifo.string()); },
           [&] { read_regular_file(fifo.string(), 1000); }, [&] { MappedFile m(fifo.string()); }}) {
    const std::string e = error_within_seconds(call, fifo);
    EXPECT_NE(e.find(fifo.string() + ": is a FIFO (named pipe), not a regular file"), std::string::npos) << e;
  }
}

TEST(RegularFile, FolderDeviceAndMissingFileAreRefused) {
  const fs::path d = test::scratch_dir("rf");
  EXPECT_NE(error_within_seconds([&] { read_regular_file(d.string(), 1000); }).find("is a folder, not a regular file"), std::string::npos);
  EXPECT_NE(error_within_seconds([&] { read_regular_file("/dev/zero", 1000); }).find("/dev/zero: is a character device"), std::string::npos);
  EXPECT_NE(error_within_seconds([&] { MappedFile m("/dev/zero"); }).find("character device"), std::string::npos);
  EXPECT_EQ(error_within_seconds([&] { read_regular_file((d / "nope").string(), 1000); }), (d / "nope").string() + ": not found");
}

TEST(RegularFile, ReadsWholeFileAndFollowsSymlinks) {
  const fs::path d = test::scratch_dir("rf");
  std::ofstream(d / "a.txt") << "hello";
  fs::create_symlink(d / "a.txt", d / "link.txt");
  EXPECT_EQ(read_regular_file((d / "a.txt").string(), 5), "hello");
  EXPECT_EQ(read_regular_file((d / "link.txt").string(), 100), "hello");
  EXPECT_EQ(open_regular_file((d / "a.txt").string()).size(), 5u);
  std::ofstream(d / "empty.txt").close();
  EXPECT_EQ(read_regular_file((d / "empty.txt").string(), 0), "");
}

TEST(RegularFile, FileAboveTheLimitIsRefusedWithSizeAndLimit) {
  const fs::path d = test::scratch_dir("rf");
  std::ofstream(d / "big.json") << std::string(1000, 'x');
  const std::string e = error_within_seconds([&] { read_regular_file((d / "big.json").string(), 999, "config"); });
  EXPECT_NE(e.find("big.json: config is 1000 bytes, above the limit of 999 bytes"), std::string::npos) << e;
}

TEST(RegularFile, ProcFilesOfSizeZeroAreReadToTheEnd) {
  const std::string status = read_regular_file("/proc/self/status", 1'000'000);
  EXPECT_NE(status.find("Name:"), std::string::npos);
  EXPECT_THROW(read_regular_file("/proc/self/status", 10), Error) << "the limit holds past the size stat reports";
}

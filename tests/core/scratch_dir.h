// Scratch folders for tests: fresh, named after the tag, the process and the running test, and removed when the test
// process exits, also when a failed assertion ends the test early.
#pragma once
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <mutex>
#include <string>
#include <system_error>
#include <vector>

namespace dpn::test {

// The folders handed out by scratch_dir; its destructor (at process exit) removes them.
class ScratchRegistry {
 public:
  static ScratchRegistry& instance() {
    static ScratchRegistry r;
    return r;
  }
  void add(const std::filesystem::path& p) {
    std::lock_guard<std::mutex> lock(mutex_);
    paths_.push_back(p);
  }
  ~ScratchRegistry() {
    for (const auto& p : paths_) {
      std::error_code ec;
      std::filesystem::remove_all(p, ec);
    }
  }

 private:
  std::mutex mutex_;
  std::vector<std::filesystem::path> paths_;
};

// An empty folder TMPDIR/dpn_<tag>_<pid>_<test name>.
inline std::filesystem::path scratch_dir(const std::string& tag) {
  const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::filesystem::path d = std::filesystem::temp_directory_path() /
                                  ("dpn_" + tag + "_" + std::to_string(::getpid()) + (test ? "_" + std::string(test->name()) : ""));
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  ScratchRegistry::instance().add(d);
  return d;
}

}  // namespace dpn::test

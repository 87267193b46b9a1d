// Helpers shared by the benchmark-runner tests: a temporary folder and the bundled dataset/model paths.
#pragma once
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>
#include <string>

namespace dpn::bench::test {

// A fresh folder under $TMPDIR, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::getenv("TMPDIR") ? std::string(std::getenv("TMPDIR")) : "/tmp") + "/dpn_bench_XXXXXX";
    path_ = mkdtemp(tmpl.data()) ? tmpl : throw std::runtime_error("mkdtemp failed");
  }
  ~TempDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline const std::string kDpnBench = std::string(DPN_SOURCE_DIR) + "/datasets/dpnbench/test";
inline const std::string kTinyModel = std::string(DPN_SOURCE_DIR) + "/resources/models/tiny-random";

}  // namespace dpn::bench::test

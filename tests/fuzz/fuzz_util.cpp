// Scratch files and error checks for the fuzz harnesses.
#include "fuzz_util.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace dpn::fuzz {

namespace {

struct Scratch {
  std::string path;
  Scratch() {
    std::string pattern = (std::filesystem::temp_directory_path() / "dpn_fuzz_XXXXXX").string();
    if (!::mkdtemp(pattern.data())) std::abort();
    path = pattern;
  }
  ~Scratch() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

}  // namespace

const std::string& scratch() {
  static Scratch s;
  return s.path;
}

std::string write_file(const std::string& name, const uint8_t* data, size_t size) {
  const std::filesystem::path p = std::filesystem::path(scratch()) / name;
  std::filesystem::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  if (!out.flush()) std::abort();
  return p.string();
}

std::string write_file(const std::string& name, const std::string& text) {
  return write_file(name, reinterpret_cast<const uint8_t*>(text.data()), text.size());
}

void require(bool ok, const std::string& what) {
  if (ok) return;
  std::fprintf(stderr, "FUZZ FINDING: %s\n", what.c_str());
  std::abort();
}

void check_error(const Error& e, const std::string& must_name, bool lines) {
  const std::string m = e.what();
  require(m.find(must_name) != std::string::npos, "error does not name '" + must_name + "': " + m);
  for (unsigned char c : m)
    require((c >= 0x20 && c != 0x7f) || (lines && c == '\n'), "error has a control byte (not one printable line): " + m);
}

uint64_t touch(const RawTensor& t) {
  uint64_t sum = 0;
  for (uint64_t i = 0; i < t.nbytes; ++i) sum += static_cast<uint8_t>(t.data[i]);
  return sum;
}

}  // namespace dpn::fuzz

// app/ and views/ include only the public headers of core/ (core/public_headers.txt), and those are torch-free
// through everything they include: the API the app uses is small and stated, the rest of core/ may change.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

const fs::path kRoot = DPN_SOURCE_DIR;

std::set<std::string> public_headers() {
  std::ifstream in(kRoot / "core/public_headers.txt");
  std::set<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line.substr(0, line.find('#')));
    std::string path;
    if (words >> path) out.insert(path);
  }
  return out;
}

struct Include {
  int line;
  std::string path;
  bool quoted;
};

std::vector<Include> includes_of(std::istream& in) {
  static const std::regex re(R"(^\s*#\s*include\s*([<"])([^>"]+)[>"])");
  std::vector<Include> out;
  std::string line;
  std::smatch m;
  for (int n = 1; std::getline(in, line); ++n)
    if (std::regex_search(line, m, re)) out.push_back({n, m[2].str(), m[1].str() == "\""});
  return out;
}

std::vector<Include> includes_of(const fs::path& file) {
  std::ifstream in(file);
  return includes_of(in);
}

bool is_torch(const std::string& path) {
  for (const char* p : {"torch/", "ATen/", "c10/", "caffe2/"})
    if (path.rfind(p, 0) == 0) return true;
  return false;
}

// "X included from app/cli/cmd_ask.cpp:8" for every include of an internal core header in the files under `dir`.
std::vector<std::string> internal_includes(const fs::path& dir, const std::set<std::string>& allowed) {
  std::vector<std::string> bad;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    const std::string ext = e.path().extension().string();
    if (!e.is_regular_file() || (ext != ".h" && ext != ".cpp")) continue;
    for (const Include& i : includes_of(e.path())) {
      const bool internal = i.quoted && fs::is_regular_file(kRoot / "core" / i.path) && !allowed.count(i.path);
      if (internal || is_torch(i.path))
        bad.push_back(i.path + " included from " + fs::relative(e.path(), kRoot).string() + ":" + std::to_string(i.line));
    }
  }
  return bad;
}

}  // namespace

TEST(PublicHeaders, AppAndViewsIncludeOnlyPublicCoreHeaders) {
  const std::set<std::string> allowed = public_headers();
  ASSERT_GE(allowed.size(), 5u);
  for (const char* dir : {"app", "views"}) {
    const std::vector<std::string> bad = internal_includes(kRoot / dir, allowed);
    EXPECT_TRUE(bad.empty()) << dir << "/ includes internal core headers (add a public one to core/public_headers.txt "
                             << "only if it is API):\n  " << testing::PrintToString(bad);
  }
}

TEST(PublicHeaders, PublicHeadersAreTorchFreeThroughWhatTheyInclude) {
  std::vector<std::string> todo;
  for (const std::string& h : public_headers()) {
    EXPECT_TRUE(fs::is_regular_file(kRoot / "core" / h)) << "core/public_headers.txt names a missing " << h;
    todo.push_back(h);
  }
  std::set<std::string> seen(todo.begin(), todo.end());
  while (!todo.empty()) {
    const std::string h = todo.back();
    todo.pop_back();
    for (const Include& i : includes_of(kRoot / "core" / h)) {
      EXPECT_FALSE(is_torch(i.path)) << "core/" << h << ":" << i.line << " includes " << i.path;
      if (i.quoted && fs::is_regular_file(kRoot / "core" / i.path) && seen.insert(i.path).second) todo.push_back(i.path);
    }
  }
  EXPECT_GT(seen.size(), public_headers().size());  // the walk followed includes
}

TEST(PublicHeaders, TheScannerSeesWhatItChecks) {
  std::istringstream src("#include <ATen/ATen.h>\n  #  include \"model/llava_model.h\" // x\n#include \"dpn.h\"\nint x;\n");
  const std::vector<Include> inc = includes_of(src);
  ASSERT_EQ(inc.size(), 3u);
  EXPECT_TRUE(is_torch(inc[0].path));
  EXPECT_EQ(inc[1].path, "model/llava_model.h");
  EXPECT_EQ(inc[1].line, 2);
  EXPECT_TRUE(inc[2].quoted);
  EXPECT_TRUE(fs::is_regular_file(kRoot / "core" / inc[1].path));  // an internal header is recognised as core's
  EXPECT_FALSE(public_headers().count(inc[1].path));
}

// Built-in model names and bundled data: the search order ($DPN_MODELS, the user's folder, the bundled models), and
// the source tree as the bundled data of a binary run from its build tree. The installed layout (share/dpn-studio
// beside bin/) is checked on a real installation by packaging/package-test.sh.
#include "runtime/resources.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "core/scratch_dir.h"

using namespace dpn;
namespace fs = std::filesystem;

namespace {

// Sets environment variables for one test and restores them after it.
class Env {
 public:
  void set(const std::string& name, const std::optional<std::string>& value) {
    if (!saved_.count(name)) {
      const char* old = std::getenv(name.c_str());
      saved_[name] = old ? std::optional<std::string>(old) : std::nullopt;
    }
    if (value) setenv(name.c_str(), value->c_str(), 1);
    else unsetenv(name.c_str());
  }
  ~Env() {
    for (const auto& [name, value] : saved_) {
      if (value) setenv(name.c_str(), value->c_str(), 1);
      else unsetenv(name.c_str());
    }
  }

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

fs::path model_folder(const fs::path& dir, const std::string& name) {
  fs::create_directories(dir / name);
  return dir / name;
}

}  // namespace

TEST(Resources, BuildTreeBinaryUsesTheSourceTree) {
  Env env;
  env.set("DPN_RESOURCES", std::nullopt);
  EXPECT_EQ(fs::weakly_canonical(resources_dir()), fs::weakly_canonical(fs::path(DPN_SOURCE_DIR) / "resources"));
  EXPECT_EQ(fs::weakly_canonical(bundled_benchmark_dir()),
            fs::weakly_canonical(fs::path(DPN_SOURCE_DIR) / "datasets/dpnbench/test"));
  EXPECT_TRUE(fs::is_regular_file(fs::path(bundled_benchmark_dir()) / "questions.jsonl"));
}

TEST(Resources, SearchOrderIsDpnModelsThenUserThenBundled) {
  const fs::path root = test::scratch_dir("resources");
  const fs::path first = root / "first", second = root / "second", user = root / "xdg/dpn-studio/models",
                 bundled = root / "bundled/models";
  Env env;
  env.set("DPN_MODELS", first.string() + "::" + second.string());  // an empty entry is skipped
  env.set("XDG_DATA_HOME", (root / "xdg").string());
  env.set("DPN_RESOURCES", (root / "bundled").string());
  EXPECT_EQ(model_search_dirs(), (std::vector<std::string>{first.string(), second.string(), user.string(), bundled.string()}));

  model_folder(bundled, "m");
  EXPECT_EQ(resolve_model_path("m"), (bundled / "m").string());
  model_folder(user, "m");
  EXPECT_EQ(resolve_model_path("m"), (user / "m").string());
  model_folder(second, "m");
  EXPECT_EQ(resolve_model_path("m"), (second / "m").string());
  model_folder(first, "m");
  EXPECT_EQ(resolve_model_path("m"), (first / "m").string());

  model_folder(bundled, "only-bundled");
  model_folder(user, "only-user");
  EXPECT_EQ(builtin_model_names(), (std::vector<std::string>{"m", "only-bundled", "only-user"}));
}

TEST(Resources, UserFolderDefaultsToHomeLocalShare) {
  const fs::path home = test::scratch_dir("resources_home");
  Env env;
  env.set("DPN_MODELS", std::nullopt);
  env.set("XDG_DATA_HOME", std::nullopt);
  env.set("HOME", home.string());
  const fs::path user = home / ".local/share/dpn-studio/models";
  ASSERT_FALSE(model_search_dirs().empty());
  EXPECT_EQ(model_search_dirs().front(), user.string());
  model_folder(user, "mine");
  EXPECT_EQ(resolve_model_path("mine"), (user / "mine").string());
}

TEST(Resources, PathsAndUnknownNamesAreReturnedAsGiven) {
  const fs::path root = test::scratch_dir("resources_paths");
  Env env;
  env.set("DPN_MODELS", (root / "models").string());
  model_folder(root / "models", "demo");
  // A path (with a '/') is never looked up, even when a built-in of its last component exists.
  EXPECT_EQ(resolve_model_path("some/where/demo"), "some/where/demo");
  EXPECT_EQ(resolve_model_path("no-such-model"), "no-such-model");
  EXPECT_EQ(resolve_model_path(""), "");
  // An existing path wins over a built-in of the same name.
  const fs::path cwd = fs::current_path();
  fs::current_path(root);
  model_folder(root, "demo-local");
  model_folder(root / "models", "demo-local");
  EXPECT_EQ(resolve_model_path("demo-local"), "demo-local");
  fs::current_path(cwd);
}

TEST(Resources, BundledBenchmarkInsideOrBesideTheResources) {
  const fs::path root = test::scratch_dir("resources_bench");
  Env env;
  // Installed: share/dpn-studio/datasets/dpnbench/test.
  fs::create_directories(root / "share/dpn-studio/datasets/dpnbench/test");
  env.set("DPN_RESOURCES", (root / "share/dpn-studio").string());
  EXPECT_EQ(bundled_benchmark_dir(), (root / "share/dpn-studio/datasets/dpnbench/test").string());
  // Source tree: resources/ and datasets/ side by side.
  fs::create_directories(root / "src/resources");
  env.set("DPN_RESOURCES", (root / "src/resources").string());
  EXPECT_EQ(bundled_benchmark_dir(), (root / "src/datasets/dpnbench/test").string());
}

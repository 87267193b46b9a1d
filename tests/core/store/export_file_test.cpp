// Export targets (issue 15): the run database, any SQLite file and non-regular files are refused before anything is
// written; a failed write leaves neither the target changed nor a temporary behind.
#include "store/export_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/scratch_dir.h"
#include "store/run_store.h"
#include "util/error.h"

namespace fs = std::filesystem;
using namespace dpn::store;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

size_t entries(const fs::path& dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

}  // namespace

TEST(ExportFile, RefusesTheDatabaseSqliteFilesAndSpecialFiles) {
  const fs::path dir = dpn::test::scratch_dir("export_file");
  const std::string db = (dir / "runs.sqlite").string();
  { RunStore store(db); }
  const std::string before = slurp(db);
  auto refused = [&](const std::string& out, const std::string& words) {
    try {
      check_export_target(out, db);
      ADD_FAILURE() << out << " was accepted";
    } catch (const dpn::Error& e) {
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(out), std::string::npos) << e.what();
    }
  };
  refused(db, "is the run database");
  fs::create_symlink(db, dir / "link.csv");
  refused((dir / "link.csv").string(), "is the run database");
  { RunStore other((dir / "other.db").string()); }
  refused((dir / "other.db").string(), "SQLite database");
  refused(dir.string(), "not a regular file");
  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0644), 0);
  refused((dir / "fifo").string(), "not a regular file");
  EXPECT_EQ(slurp(db), before);

  check_export_target((dir / "new.csv").string(), db);  // a new file and an old export are fine
  write_export((dir / "old.csv").string(), "a,b\n");
  check_export_target((dir / "old.csv").string(), db);
}

TEST(ExportFile, WritesThroughATemporaryAndLeavesNothingOnFailure) {
  const fs::path dir = dpn::test::scratch_dir("export_file");
  const fs::path out = dir / "runs.csv";
  write_export(out.string(), "x\n1\n");
  EXPECT_EQ(slurp(out), "x\n1\n");
  EXPECT_EQ(entries(dir), 1u);
  // The target cannot be replaced (a folder in its place): the write fails, the temporary goes.
  const fs::path blocked = dir / "blocked";
  fs::create_directories(blocked / "inside");
  EXPECT_THROW(write_export(blocked.string(), "y\n"), dpn::Error);
  EXPECT_EQ(entries(dir), 2u) << "a temporary was left behind";
  // A folder that does not exist: nothing is created.
  EXPECT_THROW(write_export((dir / "missing" / "a.csv").string(), "z\n"), dpn::Error);
  EXPECT_FALSE(fs::exists(dir / "missing"));
}

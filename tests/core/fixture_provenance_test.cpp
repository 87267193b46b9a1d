// Every committed fixture folder under tests/data/golden and tests/data/bin is covered by a PROVENANCE.json
// (tests/golden/provenance.py) whose sha256 of the generator scripts matches the scripts as they are now: a generator
// edited without regenerating its fixtures fails here.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

namespace fs = std::filesystem;

namespace {

const fs::path kRoot = DPN_SOURCE_DIR;

std::string sha256_of(const fs::path& file) {
  const std::string cmd = "sha256sum '" + file.string() + "'";
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
  char buf[65] = {0};
  if (!p || std::fread(buf, 1, 64, p.get()) != 64) return "";
  return buf;
}

}  // namespace

TEST(FixtureProvenance, Sha256OfAKnownFile) {
  const fs::path f = fs::temp_directory_path() / ("dpn_sha256_" + std::to_string(::getpid()));
  std::ofstream(f) << "abc";
  EXPECT_EQ(sha256_of(f), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  fs::remove(f);
}

TEST(FixtureProvenance, EveryFixtureFolderRecordsTheScriptsThatMadeIt) {
  for (const char* set : {"tests/data/golden", "tests/data/bin"}) {
    const fs::path dir = kRoot / set;
    std::set<std::string> covered;
    if (fs::exists(dir / "PROVENANCE.json")) {
      const nlohmann::json rec = nlohmann::json::parse(std::ifstream(dir / "PROVENANCE.json"));
      for (const auto& o : rec.at("outputs")) covered.insert(o.get<std::string>());
    }
    for (const auto& e : fs::directory_iterator(dir)) {
      if (!e.is_directory()) continue;
      const std::string name = e.path().filename().string();
      EXPECT_TRUE(covered.count(name) || fs::exists(e.path() / "PROVENANCE.json"))
          << set << "/" << name << " is not covered by a PROVENANCE.json (tests/golden/provenance.py)";
    }
  }
}

TEST(FixtureProvenance, GeneratorsAreUnchangedSinceTheirFixturesWereMade) {
  int records = 0, scripts = 0;
  for (const char* set : {"tests/data/golden", "tests/data/bin"})
    for (const auto& e : fs::recursive_directory_iterator(kRoot / set)) {
      if (e.path().filename() != "PROVENANCE.json") continue;
      ++records;
      const nlohmann::json rec = nlohmann::json::parse(std::ifstream(e.path()));
      const std::string where = fs::relative(e.path(), kRoot).string();
      ASSERT_TRUE(rec.contains("sha256") && rec["sha256"].is_object() && !rec["sha256"].empty()) << where;
      EXPECT_TRUE(rec["sha256"].contains(rec.at("generator").get<std::string>())) << where;
      for (const auto& [script, sha] : rec["sha256"].items()) {
        ++scripts;
        EXPECT_EQ(sha256_of(kRoot / script), sha.get<std::string>())
            << script << " changed since it wrote the fixtures recorded in " << where
            << ": regenerate them (python3 tests/golden/provenance.py " << fs::path(script).filename().string()
            << ") and commit both";
      }
    }
  EXPECT_GE(records, 5);  // golden, methods, hr, hf5, bin
  EXPECT_GE(scripts, records);
}

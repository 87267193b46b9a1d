// Hostile input through the real `dpn` binary (issue 15): each case ends within seconds with one line naming the
// file or option and the problem, exit status 1 (2 for usage), a bounded peak resident size, and nothing of the
// user's deleted. Peak sizes before the fixes: 4.9 GB (40000x1 PNG), 5.4 GB (1-bit 30000x30000 PNG).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "app/cli_run.h"
#include "core/image/png_header.h"
#include "core/scratch_dir.h"

namespace fs = std::filesystem;
using dpn::test::CliRun;
using dpn::test::run_dpn_argv;

namespace {

// LibTorch and the tiny model alone take ~0.3 GB; the unbounded cases took 3.4 to 6.5 GB.
constexpr long kPeakRssBoundKb = 1024 * 1024;

int lines(const std::string& s) { return int(std::count(s.begin(), s.end(), '\n')); }

CliRun ask(const std::string& image, std::vector<std::string> extra = {}, const std::vector<std::pair<std::string, std::string>>& env = {}) {
  std::vector<std::string> a = {"ask", "--model", "tiny-random", "--image", image, "--question", "hi", "--max-new-tokens", "2"};
  a.insert(a.end(), extra.begin(), extra.end());
  return run_dpn_argv(a, env);
}

void expect_one_line_error(const CliRun& r, int code, const std::string& text) {
  EXPECT_EQ(r.code, code) << r.out;
  EXPECT_EQ(lines(r.out), 1) << r.out;
  EXPECT_NE(r.out.find(text), std::string::npos) << r.out;
  EXPECT_LT(r.peak_rss_kb, kPeakRssBoundKb) << r.out;
}

const std::string kImage = std::string(DPN_SOURCE_DIR) + "/resources/samples/shapes.png";

}  // namespace

TEST(HostileInput, LongThinPngIsRefusedWithBoundedMemory) {
  const fs::path d = dpn::test::scratch_dir("hostile");
  ASSERT_TRUE(cv::imwrite((d / "wide.png").string(), cv::Mat(1, 40000, CV_8UC3, cv::Scalar(10, 20, 30))));
  const CliRun r = ask((d / "wide.png").string());
  expect_one_line_error(r, 1, (d / "wide.png").string() + ": image is 40000x1 pixels; padded to a square");
  std::printf("40000x1 PNG: peak RSS %ld MB\n", r.peak_rss_kb / 1024);
}

TEST(HostileInput, OneBitGiantPngIsRefusedWithBoundedMemory) {
  // As a 109 KB 1-bit 30000x30000 PNG: the header alone must be enough to refuse it, before any decoding.
  const fs::path d = dpn::test::scratch_dir("hostile");
  std::ofstream(d / "bomb.png", std::ios::binary) << dpn::test::png_declaring(30000, 30000);
  const CliRun r = ask((d / "bomb.png").string());
  expect_one_line_error(r, 1, "bomb.png: image is 30000x30000 pixels (900000000), above the limit of 178956970 pixels");
  std::printf("30000x30000 PNG: peak RSS %ld MB\n", r.peak_rss_kb / 1024);
}

TEST(HostileInput, FifoImageIsRefusedNotWaitedOn) {
  const fs::path d = dpn::test::scratch_dir("hostile");
  ASSERT_EQ(::mkfifo((d / "pipe.png").c_str(), 0600), 0);
  expect_one_line_error(ask((d / "pipe.png").string()), 1, "pipe.png: is a FIFO (named pipe), not a regular file");
}

TEST(HostileInput, ThreadCountsAreBounded) {
  expect_one_line_error(ask(kImage, {"--threads", "100000"}), 1, "--threads: 100000 threads is above the limit of");
  expect_one_line_error(ask(kImage, {}, {{"DPN_THREADS", "99999999"}}), 1, "DPN_THREADS: 99999999 threads is above the limit of");
  expect_one_line_error(ask(kImage, {"--threads", "99999999999"}), 2, "--threads 99999999999 is out of range");
}

TEST(HostileInput, NonFiniteNumbersAreUsageErrors) {
  expect_one_line_error(ask(kImage, {"--temperature", "nan"}), 2, "--temperature expects a finite number, got 'nan'");
  expect_one_line_error(ask(kImage, {"--top-p", "inf"}), 2, "--top-p expects a finite number, got 'inf'");
}

TEST(HostileInput, NumberListsAreCheckedLikeNumbers) {
  // Before: std::stod on each item, so "0.02,abc" ended in a bare "stod" from std::invalid_argument.
  const fs::path d = dpn::test::scratch_dir("hostile-lists");
  expect_one_line_error(run_dpn_argv({"train", "--out", d.string(), "--stage", "route", "--route-tolerance", "0.02,abc"}), 2,
                        "--route-tolerance expects a number, got 'abc'");
  expect_one_line_error(run_dpn_argv({"train", "--out", d.string(), "--stage", "route", "--family-weights", "1,,1,1,1,1"}), 2,
                        "--family-weights expects a number, got ''");
  expect_one_line_error(run_dpn_argv({"train", "--out", d.string(), "--stage", "route", "--route-tolerance", "0.02,nan"}), 2,
                        "--route-tolerance expects a finite number, got 'nan'");
  EXPECT_TRUE(fs::is_empty(d)) << "a refused command wrote into --out";
}

TEST(HostileInput, IndexNamingAFileOutsideTheModelIsRefusedWithoutEchoingIt) {
  const fs::path d = dpn::test::scratch_dir("hostile");
  fs::copy(std::string(DPN_TEST_DATA) + "/golden/llava_hf", d / "m");
  std::ofstream(d / "secret.txt") << "root:x:0:0:root:/root:/bin/bash\n";
  nlohmann::json index = nlohmann::json::parse(std::ifstream(d / "m" / "model.safetensors.index.json"));
  index["weight_map"].begin().value() = "../secret.txt";
  std::ofstream(d / "m" / "model.safetensors.index.json", std::ios::trunc) << index.dump();
  const CliRun r = ask(kImage, {"--model", (d / "m").string()});
  expect_one_line_error(r, 1, "model.safetensors.index.json: names shard '../secret.txt', which leaves the model folder");
  EXPECT_EQ(r.out.find("root:x"), std::string::npos) << r.out;
}

TEST(HostileInput, ConvertNeverDeletesTheSourceOrAnUnrelatedPartialFolder) {
  const fs::path d = dpn::test::scratch_dir("hostile");
  const std::string bin = std::string(DPN_TEST_DATA) + "/bin/llava_hf";
  fs::copy(bin, d / "x.partial");
  CliRun r = run_dpn_argv({"convert", "--model", (d / "x.partial").string(), "--out", (d / "x").string()});
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(fs::exists(d / "x.partial" / "pytorch_model.bin")) << "the source was deleted";
  EXPECT_TRUE(fs::exists(d / "x" / "model.safetensors"));
  fs::create_directories(d / "r.partial");
  std::ofstream(d / "r.partial" / "keep.txt") << "mine";
  r = run_dpn_argv({"convert", "--model", bin, "--out", (d / "r").string()});
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(fs::exists(d / "r.partial" / "keep.txt")) << "an unrelated folder was deleted";
  r = run_dpn_argv({"convert", "--model", (d / "x.partial").string(), "--out", (d / "x.partial" / "inner").string()});
  expect_one_line_error(r, 1, "is inside the source folder");
}

// A FIFO among a model's JSON side files would block open() (config.json, tokenizer_config.json) or the run database.
TEST(HostileInput, FifoModelSideFilesAreRefusedNotWaitedOn) {
  for (const std::string name : {"config.json", "tokenizer_config.json"}) {
    const fs::path d = dpn::test::scratch_dir("hostile");
    fs::copy(std::string(DPN_TEST_DATA) + "/golden/llava_hf", d / "m");
    fs::remove(d / "m" / name);
    ASSERT_EQ(::mkfifo((d / "m" / name).c_str(), 0600), 0);
    expect_one_line_error(ask(kImage, {"--model", (d / "m").string()}), 1, name + ": is a FIFO (named pipe), not a regular file");
  }
}

TEST(HostileInput, FifoRunDatabaseIsRefusedNotWaitedOn) {
  const fs::path d = dpn::test::scratch_dir("hostile");
  ASSERT_EQ(::mkfifo((d / "runs.sqlite").c_str(), 0600), 0);
  const CliRun r = run_dpn_argv({"runs", "list", "--db", (d / "runs.sqlite").string()});
  expect_one_line_error(r, 1, "runs.sqlite: is a FIFO (named pipe), not a regular file");
}

// The original layout names its CLIP tower by a hub id; when no folder matches, one line says where it looked.
TEST(HostileInput, MissingVisionTowerIsOneLine) {
  const fs::path d = dpn::test::scratch_dir("hostile");
  fs::copy(std::string(DPN_TEST_DATA) + "/golden/llava_orig", d / "m");  // without its sibling tiny-clip-golden
  expect_one_line_error(ask(kImage, {"--model", (d / "m").string()}), 1,
                        "mm_vision_tower 'openai/tiny-clip-golden' not found (looked in ");
}

// A memory budget the model cannot fit is refused before loading, by every command that loads a model.
TEST(HostileInput, MemoryBudgetIsCheckedBeforeLoading) {
  expect_one_line_error(ask(kImage, {"--max-memory", "1MB"}), 1, "--max-memory: ");
  const fs::path d = dpn::test::scratch_dir("hostile");
  const CliRun r = run_dpn_argv({"bench", "--model", "tiny-random", "--dataset", std::string(DPN_SOURCE_DIR) + "/datasets/dpnbench/test",
                                 "--limit", "1", "--max-memory", "1MB", "--db", (d / "runs.sqlite").string()});
  expect_one_line_error(r, 1, "--max-memory: ");
  EXPECT_NE(r.out.find("but --max-memory allows 977 KiB"), std::string::npos) << r.out;  // 1 MB = 10^6 bytes
  expect_one_line_error(run_dpn_argv({"bench", "--model", "tiny-random", "--dataset", "x", "--max-memory", "lots"}), 2, "--max-memory");
}

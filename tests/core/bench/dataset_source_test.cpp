// Resolving --dataset: a DPNBench folder by itself; other readers need their files named.
#include "bench/dataset_source.h"

#include <gtest/gtest.h>

#include <fstream>

#include "bench_test_util.h"
#include "util/error.h"

using namespace dpn::bench;

TEST(DatasetSource, DpnBenchFolder) {
  const ResolvedDataset d = resolve_dataset({test::kDpnBench + "/", "", "", "", ""});
  EXPECT_EQ(d.spec.kind, "dpnbench");
  EXPECT_EQ(d.name, "dpnbench:test");
  EXPECT_EQ(d.spec.questions, test::kDpnBench + "/questions.jsonl");
  EXPECT_EQ(d.spec.annotations, test::kDpnBench + "/answers.jsonl");
  EXPECT_EQ(d.spec.images, test::kDpnBench + "/images");
  EXPECT_EQ(resolve_dataset({test::kDpnBench, "dpnbench", "", "", "mine"}).name, "mine");
}

TEST(DatasetSource, ErrorsNameWhatIsMissing) {
  test::TempDir dir;
  std::ofstream(dir.file("questions.jsonl")) << "";
  try {
    resolve_dataset({dir.path(), "", "", "", ""});
    FAIL() << "a folder without answers.jsonl was accepted";
  } catch (const dpn::Error& e) {
    EXPECT_NE(std::string(e.what()).find(dir.file("answers.jsonl")), std::string::npos) << e.what();
  }
  try {
    resolve_dataset({dir.path(), "pope", "", "", ""});
    FAIL() << "a folder was accepted as a POPE question file";
  } catch (const dpn::Error& e) {
    EXPECT_NE(std::string(e.what()).find("is a folder"), std::string::npos) << e.what();
  }
  try {
    resolve_dataset({test::kDpnBench, "coco", "", "", ""});
    FAIL() << "an unknown kind was accepted";
  } catch (const dpn::Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown dataset kind 'coco'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(resolve_dataset({dir.file("nope"), "", "", "", ""}), dpn::Error);
}

TEST(DatasetSource, OtherKindsTakeTheQuestionFile) {
  test::TempDir dir;
  std::ofstream(dir.file("llava_pope_test.jsonl")) << "";
  const ResolvedDataset d = resolve_dataset({dir.file("llava_pope_test.jsonl"), "pope", "/coco/val2014", "/pope", ""});
  EXPECT_EQ(d.name, "pope:llava_pope_test");
  EXPECT_EQ(d.spec.questions, dir.file("llava_pope_test.jsonl"));
  EXPECT_EQ(d.spec.images, "/coco/val2014");
  EXPECT_EQ(d.spec.annotations, "/pope");
}

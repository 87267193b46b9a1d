// Tests of the DPNBench export: byte-determinism, LLaVA eval layout, the reader's errors, and the committed subset
// (datasets/dpnbench/test) being exactly what the generator produces today.
#include "datasets/llava_eval_export.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <sstream>

#include "util/error.h"

namespace fs = std::filesystem;
using namespace dpn::datasets;

namespace {

const fs::path kCommitted = fs::path(DPN_SOURCE_DIR) / "datasets" / "dpnbench" / "test";

fs::path temp_dir() {
  fs::path d = fs::temp_directory_path() / ("dpn_ds_" + std::to_string(::getpid()) + "_" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::remove_all(d);
  return d;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write(const fs::path& p, const std::string& text) {
  std::ofstream o(p, std::ios::binary);
  o << text;
}

// Relative path -> bytes of every file under root.
std::map<std::string, std::string> tree(const fs::path& root) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file()) out[fs::relative(e.path(), root).string()] = slurp(e.path());
  return out;
}

std::string load_error(const fs::path& dir) {
  try {
    load_llava_eval(dir.string());
  } catch (const dpn::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(LlavaEvalExport, SameArgumentsGiveIdenticalBytesDifferentSeedDiffers) {
  const fs::path a = temp_dir() / "a", b = temp_dir() / "b", c = temp_dir() / "c";
  export_llava_eval(a.string(), GeneratorConfig{}, 77, 12, 4);
  export_llava_eval(b.string(), GeneratorConfig{}, 77, 12, 4);
  export_llava_eval(c.string(), GeneratorConfig{}, 78, 12, 4);
  const auto ta = tree(a), tb = tree(b), tc = tree(c);
  EXPECT_EQ(ta.size(), 12u + 3u);
  EXPECT_TRUE(ta == tb);
  for (const char* f : {"images/000000.png", "questions.jsonl", "answers.jsonl"}) EXPECT_NE(ta.at(f), tc.at(f)) << f;
  fs::remove_all(temp_dir());
}

TEST(LlavaEvalExport, WritesLlavaLayout) {
  const fs::path d = temp_dir();
  const ExportSummary sum = export_llava_eval(d.string(), GeneratorConfig{}, 3, 4, 6);
  EXPECT_EQ(sum.images, 4);
  EXPECT_EQ(sum.questions, 24);
  for (const auto& [family, n] : sum.per_family) EXPECT_EQ(n, 4) << family;

  std::ifstream q(d / "questions.jsonl");
  std::string line;
  ASSERT_TRUE(std::getline(q, line));
  const auto j = nlohmann::ordered_json::parse(line);
  std::vector<std::string> keys;
  for (const auto& kv : j.items()) keys.push_back(kv.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"question_id", "image", "text", "category", "family"}));
  EXPECT_EQ(j["image"], "000000.png");
  EXPECT_EQ(j["family"], "background_color");
  EXPECT_EQ(j["category"], "coarse");
  const std::string text = j["text"];
  EXPECT_EQ(text.substr(text.find('\n')), "\nAnswer the question using a single word or phrase.");

  const cv::Mat img = cv::imread((d / "images" / "000003.png").string(), cv::IMREAD_UNCHANGED);
  EXPECT_EQ(img.cols, 96);
  EXPECT_EQ(img.channels(), 3);

  const auto m = nlohmann::json::parse(slurp(d / "manifest.json"));
  EXPECT_EQ(m["generator_version"], kGeneratorVersion);
  EXPECT_EQ(m["seed"], 3);
  EXPECT_EQ(m["families"]["glyph"]["questions"], 4);
  EXPECT_EQ(m["families"]["glyph"]["category"], "fine");

  const auto items = load_llava_eval(d.string());
  ASSERT_EQ(items.size(), 24u);
  EXPECT_EQ(items[5].family, "position");
  const std::string shown = describe_eval(items, 1);
  EXPECT_NE(shown.find("position (fine): 4 questions"), std::string::npos) << shown;
  EXPECT_EQ(shown.find("Answer the question"), std::string::npos) << "suffix should be dropped";
  fs::remove_all(d);
}

TEST(LlavaEvalExport, RefusesNonEmptyFolderAndBadCounts) {
  const fs::path d = temp_dir();
  fs::create_directories(d);
  write(d / "keep.txt", "x");
  EXPECT_THROW(export_llava_eval(d.string(), GeneratorConfig{}, 1, 1, 1), dpn::Error);
  EXPECT_EQ(slurp(d / "keep.txt"), "x");
  EXPECT_THROW(export_llava_eval((d / "n").string(), GeneratorConfig{}, 1, 0, 1), dpn::Error);
  EXPECT_THROW(export_llava_eval((d / "k").string(), GeneratorConfig{}, 1, 1, 0), dpn::Error);
  fs::remove_all(d);
}

TEST(LlavaEvalExport, ReaderErrorsNameFileAndField) {
  const fs::path d = temp_dir();
  fs::create_directories(d);
  EXPECT_NE(load_error(d).find("questions.jsonl"), std::string::npos);
  write(d / "questions.jsonl", "{\"question_id\": 0, \"image\": \"a.png\", \"text\": \"q\", \"category\": \"fine\", "
                               "\"family\": \"glyph\"}\n{\"question_id\": 1}\n");
  write(d / "answers.jsonl", "{\"question_id\": 0, \"answer\": \"3\"}\n{\"question_id\": 1, \"answer\": \"4\"}\n");
  std::string e = load_error(d);
  EXPECT_NE(e.find("questions.jsonl (row 2)"), std::string::npos) << e;
  EXPECT_NE(e.find("'image'"), std::string::npos) << e;
  write(d / "answers.jsonl", "{\"question_id\": 0, \"answer\": 3}\n");
  e = load_error(d);
  EXPECT_NE(e.find("'answer' has the wrong type"), std::string::npos) << e;
  write(d / "answers.jsonl", "not json\n");
  e = load_error(d);
  EXPECT_NE(e.find("answers.jsonl:1"), std::string::npos) << e;
  write(d / "questions.jsonl", "{\"question_id\": 0, \"image\": \"a.png\", \"text\": \"q\", \"category\": \"fine\", "
                               "\"family\": \"glyph\"}\n");
  write(d / "answers.jsonl", "{\"question_id\": 9, \"answer\": \"3\"}\n");
  e = load_error(d);
  EXPECT_NE(e.find("has no line in"), std::string::npos) << e;
  fs::remove_all(d);
}

TEST(CommittedSubset, IsBalancedLargeEnoughAndClosedVocabulary) {
  const auto items = load_llava_eval(kCommitted.string());
  std::map<std::string, int> per_family;
  std::set<std::string> images;
  const auto& vocab = answer_vocabulary();
  for (const auto& it : items) {
    ++per_family[it.family];
    images.insert(it.image);
    EXPECT_NE(std::find(vocab.begin(), vocab.end(), it.answer), vocab.end()) << it.question_id << ": " << it.answer;
    EXPECT_EQ(it.category, family_is_coarse(family_from_name(it.family)) ? "coarse" : "fine");
    EXPECT_TRUE(fs::exists(kCommitted / "images" / it.image)) << it.image;
  }
  EXPECT_GE(items.size(), 600u);
  EXPECT_GE(images.size(), 200u);
  ASSERT_EQ(per_family.size(), static_cast<size_t>(kFamilies));
  for (const auto& [family, n] : per_family) EXPECT_EQ(n, static_cast<int>(items.size()) / kFamilies) << family;
  const auto m = nlohmann::json::parse(slurp(kCommitted / "manifest.json"));
  EXPECT_LT(m["seed"].get<uint64_t>(), kFirstTrainSeed);
}

TEST(CommittedSubset, EqualsWhatTheGeneratorProducesNow) {
  const auto m = nlohmann::json::parse(slurp(kCommitted / "manifest.json"));
  ASSERT_EQ(m["generator_version"], kGeneratorVersion) << "regenerate datasets/dpnbench/test (see datasets/README.md)";
  GeneratorConfig cfg;
  cfg.image_size = m["config"]["image_size"];
  cfg.patch_size = m["config"]["patch_size"];
  cfg.block_patches = m["config"]["block_patches"];
  cfg.min_big = m["config"]["min_big"];
  cfg.max_big = m["config"]["max_big"];
  cfg.min_small = m["config"]["min_small"];
  cfg.max_small = m["config"]["max_small"];
  const fs::path d = temp_dir();
  export_llava_eval(d.string(), cfg, m["seed"], m["images"], m["questions_per_image"], m["first_index"]);
  const auto fresh = tree(d), committed = tree(kCommitted);
  std::vector<std::string> committed_names, fresh_names;
  for (const auto& kv : committed)
    if (kv.first != "README.md") committed_names.push_back(kv.first);
  for (const auto& kv : fresh) fresh_names.push_back(kv.first);
  ASSERT_EQ(committed_names, fresh_names);
  int differing = 0;
  for (const auto& [name, bytes] : fresh) {
    if (committed.at(name) == bytes) continue;
    if (++differing > 5) continue;
    std::string hint;
    if (name.rfind("images/", 0) == 0) {
      const cv::Mat a = cv::imread((d / name).string()), b = cv::imread((kCommitted / name).string());
      const bool same = a.size() == b.size() && cv::norm(a, b, cv::NORM_INF) == 0;
      hint = same ? " (pixels identical: the PNG encoder changed, not the generator)" : " (pixels differ)";
    }
    ADD_FAILURE() << name << " differs from a fresh export" << hint
                  << "; if the change is intended, bump kGeneratorVersion and regenerate (datasets/README.md)";
  }
  EXPECT_EQ(differing, 0);
  fs::remove_all(d);
}

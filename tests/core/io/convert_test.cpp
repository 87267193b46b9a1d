// Tests of `dpn convert`'s core: .bin folders -> safetensors that open_checkpoint_folder reads back unchanged,
// dtype conversion bit-exact against torch's .to(), sharding with an index, copied side files, and refusals.
#include "io/convert.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "io/safetensors.h"
#include "io/tensor_set.h"
#include "util/error.h"
#include "core/scratch_dir.h"

namespace fs = std::filesystem;
using namespace dpn;

namespace {

const std::string kBin = std::string(DPN_TEST_DATA) + "/bin/";

fs::path temp_dir() { return dpn::test::scratch_dir("cv"); }

void expect_equal_to_golden(const TensorSet& got, const std::string& name) {
  SafetensorsFile want(kBin + "expected/" + name + ".safetensors");
  EXPECT_EQ(got.size(), want.tensors().size()) << name;
  for (const RawTensor& w : want.tensors()) {
    const RawTensor* g = got.find(w.name);
    ASSERT_NE(g, nullptr) << name << ": missing " << w.name;
    EXPECT_EQ(std::string(dtype_name(g->dtype)), dtype_name(w.dtype)) << w.name;
    EXPECT_EQ(g->shape, w.shape) << w.name;
    ASSERT_EQ(g->nbytes, w.nbytes) << w.name;
    EXPECT_EQ(std::memcmp(g->data, w.data, w.nbytes), 0) << name << ": values of " << w.name << " differ";
  }
}

std::string error_of(const ConvertOptions& o) {
  try {
    convert_checkpoint(o);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Convert, OriginalLlavaRoundTripKeepsEveryTensorAndSideFile) {
  const fs::path out = temp_dir() / "out";
  ConvertOptions o;
  o.model_dir = kBin + "llava_original";
  o.out_dir = out.string();
  uint64_t last_done = 0, last_total = 1;
  o.progress = [&](uint64_t done, uint64_t total) {
    EXPECT_GE(done, last_done);
    last_done = done;
    last_total = total;
  };
  ConvertResult r = convert_checkpoint(o);
  EXPECT_EQ(last_done, last_total);
  EXPECT_EQ(r.shards, (std::vector<std::string>{"model.safetensors"}));
  EXPECT_EQ(r.copied, (std::vector<std::string>{"config.json", "generation_config.json", "special_tokens_map.json",
                                                "tokenizer.model", "tokenizer_config.json"}));
  EXPECT_FALSE(fs::exists(out / "pytorch_model.bin.index.json"));
  EXPECT_FALSE(fs::exists(out.string() + ".partial"));
  expect_equal_to_golden(open_checkpoint_folder(out.string()), "llava_original");
  std::ifstream a(kBin + "llava_original/tokenizer.model", std::ios::binary), b(out / "tokenizer.model", std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(a), {}), std::string(std::istreambuf_iterator<char>(b), {}));
}

TEST(Convert, ShardsWithIndexWhenOverMaxShardSize) {
  const fs::path out = temp_dir() / "out";
  ConvertOptions o;
  o.model_dir = kBin + "llava_original";
  o.out_dir = out.string();
  o.max_shard_bytes = 1000;  // the fixture holds ~4.9 KB of f16 tensors
  ConvertResult r = convert_checkpoint(o);
  ASSERT_GT(r.shards.size(), 3u);
  EXPECT_EQ(r.shards[0], "model-00001-of-" + std::string(5 - std::to_string(r.shards.size()).size(), '0') +
                             std::to_string(r.shards.size()) + ".safetensors");
  std::ifstream in(out / "model.safetensors.index.json");
  const auto index = nlohmann::json::parse(in);
  EXPECT_EQ(index["metadata"]["total_size"].get<uint64_t>(), r.bytes);
  EXPECT_EQ(index["weight_map"].size(), r.tensors);
  for (const auto& shard : r.shards) EXPECT_LE(fs::file_size(out / shard), 1000u + 4096u) << shard;
  expect_equal_to_golden(open_checkpoint_folder(out.string()), "llava_original");
}

TEST(Convert, HfAndTokenPackerAndStateDictRoundTrip) {
  for (const char* name : {"llava_hf", "tokenpacker", "state_dict"}) {
    const fs::path out = temp_dir() / name;
    ConvertOptions o;
    o.model_dir = kBin + name;
    o.out_dir = out.string();
    convert_checkpoint(o);
    expect_equal_to_golden(open_checkpoint_folder(out.string()), name);
  }
}

TEST(Convert, DtypeConversionMatchesTorch) {
  for (const char* dt : {"f16", "bf16", "f32"}) {
    const fs::path out = temp_dir() / dt;
    ConvertOptions o;
    o.model_dir = kBin + "dtypes";
    o.out_dir = out.string();
    o.dtype = parse_convert_dtype(dt);
    convert_checkpoint(o);
    expect_equal_to_golden(open_checkpoint_folder(out.string()), std::string("dtypes_to_") + dt);
  }
}

TEST(Convert, DefaultOutDirIsASibling) {
  EXPECT_EQ(default_convert_out_dir("/m/llava-7b"), "/m/llava-7b-safetensors");
  EXPECT_EQ(default_convert_out_dir("/m/llava-7b/"), "/m/llava-7b-safetensors");
}

TEST(Convert, RefusesToWriteIntoTheSource) {
  const fs::path d = temp_dir();
  fs::copy(kBin + "llava_hf", d / "m");
  ConvertOptions o;
  o.model_dir = (d / "m").string();
  o.out_dir = (d / "m").string();
  EXPECT_NE(error_of(o).find("is the source folder"), std::string::npos);
  o.out_dir = (d / "m" / ".." / "m").string();
  EXPECT_NE(error_of(o).find("is the source folder"), std::string::npos);
  EXPECT_EQ(fs::file_size(d / "m" / "pytorch_model.bin"), fs::file_size(kBin + "llava_hf/pytorch_model.bin"));
}

TEST(Convert, RefusesNonEmptyOutputButAcceptsEmptyFolder) {
  const fs::path d = temp_dir();
  fs::create_directories(d / "full");
  std::ofstream(d / "full" / "keep.txt") << "mine";
  ConvertOptions o;
  o.model_dir = kBin + "llava_hf";
  o.out_dir = (d / "full").string();
  EXPECT_NE(error_of(o).find("already exists and is not empty"), std::string::npos);
  EXPECT_TRUE(fs::exists(d / "full" / "keep.txt"));
  fs::create_directories(d / "empty");
  o.out_dir = (d / "empty").string() + "/";
  EXPECT_EQ(error_of(o), "");
  EXPECT_TRUE(fs::exists(d / "empty" / "model.safetensors"));
}

TEST(Convert, UnreadableSourceLeavesNoOutput) {
  const fs::path d = temp_dir();
  for (const char* bad : {"legacy", "malicious"}) {
    ConvertOptions o;
    o.model_dir = kBin + bad;
    o.out_dir = (d / bad).string();
    EXPECT_NE(error_of(o), "") << bad;
    EXPECT_FALSE(fs::exists(d / bad)) << bad;
    EXPECT_FALSE(fs::exists((d / bad).string() + ".partial")) << bad;
  }
}

TEST(Convert, ParsesSizesAndDtypes) {
  EXPECT_EQ(parse_byte_size("2GB"), 2'000'000'000u);
  EXPECT_EQ(parse_byte_size("500MB"), 500'000'000u);
  EXPECT_EQ(parse_byte_size("1GiB"), 1073741824u);
  EXPECT_EQ(parse_byte_size("4096"), 4096u);
  EXPECT_THROW(parse_byte_size("2XB"), Error);
  EXPECT_THROW(parse_byte_size("0"), Error);
  EXPECT_THROW(parse_byte_size("big"), Error);
  EXPECT_EQ(parse_convert_dtype("bf16"), DType::BF16);
  EXPECT_THROW(parse_convert_dtype("int8"), Error);
}

TEST(Convert, HalfConversionsRoundTripEveryValue) {
  // f16 -> f32 is exact, so f32 -> f16 must give every finite f16 back, and likewise for bf16.
  for (uint32_t h = 0; h < 65536; ++h) {
    const uint16_t x = static_cast<uint16_t>(h);
    if ((x & 0x7c00) != 0x7c00 || (x & 0x3ff) == 0) EXPECT_EQ(f32_to_f16(f16_to_f32(x)), x) << std::hex << h;
    if ((x & 0x7f80) != 0x7f80 || (x & 0x7f) == 0) EXPECT_EQ(f32_to_bf16(bf16_to_f32(x)), x) << std::hex << h;
  }
  EXPECT_TRUE(std::isnan(f16_to_f32(f32_to_f16(std::nanf("")))));
  EXPECT_TRUE(std::isnan(bf16_to_f32(f32_to_bf16(std::nanf("")))));
  EXPECT_EQ(f32_to_f16(65520.f), 0x7c00) << "halfway above the largest f16 rounds to infinity";
  EXPECT_EQ(f32_to_f16(65519.f), 0x7bff);
  EXPECT_EQ(f32_to_f16(1.00048828125f), 0x3c00) << "a tie rounds to even";
  EXPECT_EQ(f32_to_f16(1.00146484375f), 0x3c02) << "a tie rounds to even";
}

TEST(Convert, SourceNamedLikeTheScratchFolderIsNeverDeleted) {
  // Issue 15: `--model X.partial --out X` removed the source as "a leftover of ours".
  const fs::path d = temp_dir();
  fs::copy(kBin + "llava_hf", d / "m.partial");
  ConvertOptions o;
  o.model_dir = (d / "m.partial").string();
  o.out_dir = (d / "m").string();
  EXPECT_EQ(error_of(o), "");
  EXPECT_EQ(fs::file_size(d / "m.partial" / "pytorch_model.bin"), fs::file_size(kBin + "llava_hf/pytorch_model.bin"));
  EXPECT_TRUE(fs::exists(d / "m" / "model.safetensors"));
}

TEST(Convert, UnrelatedPartialFolderIsLeftAlone) {
  // Issue 15: `--out R` silently deleted an unrelated folder R.partial; a failed conversion must not either.
  const fs::path d = temp_dir();
  fs::create_directories(d / "r.partial");
  std::ofstream(d / "r.partial" / "notes.txt") << "mine";
  ConvertOptions o;
  o.model_dir = kBin + "llava_hf";
  o.out_dir = (d / "r").string();
  EXPECT_EQ(error_of(o), "");
  EXPECT_TRUE(fs::exists(d / "r.partial" / "notes.txt"));
  o.model_dir = kBin + "malicious";  // a conversion that fails
  o.out_dir = (d / "r2").string();
  fs::create_directories(d / "r2.partial");
  std::ofstream(d / "r2.partial" / "notes.txt") << "mine";
  EXPECT_NE(error_of(o), "");
  EXPECT_TRUE(fs::exists(d / "r2.partial" / "notes.txt"));
  for (const auto& e : fs::directory_iterator(d))
    EXPECT_EQ(e.path().filename().string().find(".partial-"), std::string::npos) << "scratch folder left: " << e.path();
}

TEST(Convert, OutputInsideTheSourceOrASymlinkIsRefused) {
  const fs::path d = temp_dir();
  fs::copy(kBin + "llava_hf", d / "m");
  ConvertOptions o;
  o.model_dir = (d / "m").string();
  o.out_dir = (d / "m" / "converted").string();
  EXPECT_NE(error_of(o).find("is inside the source folder"), std::string::npos);
  EXPECT_FALSE(fs::exists(d / "m" / "converted"));
  fs::create_directory_symlink(d / "m", d / "alias");
  o.out_dir = (d / "alias").string();
  EXPECT_NE(error_of(o).find("is the source folder"), std::string::npos);
  fs::create_directories(d / "empty");
  fs::create_directory_symlink(d / "empty", d / "link");
  o.out_dir = (d / "link").string();
  EXPECT_NE(error_of(o).find("is a symbolic link"), std::string::npos);
  EXPECT_TRUE(fs::is_symlink(d / "link"));
  const std::vector<std::string> want{"config.json", "pytorch_model.bin"};
  std::vector<std::string> have;
  for (const auto& e : fs::directory_iterator(d / "m")) have.push_back(e.path().filename().string());
  std::sort(have.begin(), have.end());
  EXPECT_EQ(have, want) << "the source folder is unchanged";
}

TEST(Convert, AFileAtTheOutputIsNeverOverwritten) {
  const fs::path d = temp_dir();
  std::ofstream(d / "out") << "mine";
  ConvertOptions o;
  o.model_dir = kBin + "llava_hf";
  o.out_dir = (d / "out").string();
  EXPECT_NE(error_of(o).find("already exists and is not empty"), std::string::npos);
  std::ifstream in(d / "out");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "mine");
}

TEST(Convert, FifoInTheSourceIsSkippedNotOpened) {
  const fs::path d = temp_dir();
  fs::copy(kBin + "llava_hf", d / "m");
  ASSERT_EQ(::mkfifo((d / "m" / "notes.txt").c_str(), 0600), 0);
  ConvertOptions o;
  o.model_dir = (d / "m").string();
  o.out_dir = (d / "out").string();
  EXPECT_EQ(error_of(o), "");  // the side-file copy skips what is not a regular file
  EXPECT_FALSE(fs::exists(d / "out" / "notes.txt"));
}

// Tests of the safetensors reader: round trip, and every kind of malformed file is a clear error.
#include "io/safetensors.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "io/safetensors_writer.h"
#include "io/tensor_set.h"
#include "util/error.h"
#include "core/scratch_dir.h"

namespace fs = std::filesystem;
using namespace dpn;

namespace {

fs::path temp_dir() { return dpn::test::scratch_dir("st"); }

// Writes [u64 len][header][data] verbatim, for malformed files.
void write_raw(const fs::path& p, const std::string& header, const std::string& data, int64_t len_override = -1) {
  std::ofstream o(p, std::ios::binary);
  uint64_t n = len_override >= 0 ? static_cast<uint64_t>(len_override) : header.size();
  o.write(reinterpret_cast<const char*>(&n), 8);
  o << header << data;
}

std::string error_of(const fs::path& p) {
  try {
    SafetensorsFile f(p.string());
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Safetensors, RoundTripKeepsValuesAndMetadata) {
  fs::path d = temp_dir();
  std::vector<float> a = {1.f, 2.f, 3.f, 4.f, 5.f, 6.f};
  std::vector<uint16_t> b = {0x3f80, 0x4000};
  RawTensor ta{"a", DType::F32, {2, 3}, reinterpret_cast<const std::byte*>(a.data()), a.size() * 4, ""};
  RawTensor tb{"b", DType::BF16, {2}, reinterpret_cast<const std::byte*>(b.data()), b.size() * 2, ""};
  write_safetensors((d / "m.safetensors").string(), {tb, ta}, {{"format", "pt"}});
  SafetensorsFile f((d / "m.safetensors").string());
  ASSERT_EQ(f.tensors().size(), 2u);
  EXPECT_EQ(f.tensors()[0].name, "a");
  EXPECT_EQ(f.tensors()[0].shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(std::memcmp(f.tensors()[0].data, a.data(), 24), 0);
  EXPECT_EQ(f.tensors()[1].dtype, DType::BF16);
  EXPECT_EQ(f.metadata().at("format"), "pt");
  EXPECT_EQ(reinterpret_cast<uintptr_t>(f.tensors()[0].data) % 4, 0u) << "data must be aligned";
}

TEST(Safetensors, TruncatedFile) {
  fs::path d = temp_dir();
  std::ofstream(d / "t.safetensors", std::ios::binary) << "abc";
  EXPECT_NE(error_of(d / "t.safetensors").find("truncated"), std::string::npos);
}

TEST(Safetensors, HeaderLengthBeyondFile) {
  fs::path d = temp_dir();
  write_raw(d / "h.safetensors", "{}", "", 4096);
  EXPECT_NE(error_of(d / "h.safetensors").find("beyond the end of the file"), std::string::npos);
}

TEST(Safetensors, InvalidJson) {
  fs::path d = temp_dir();
  write_raw(d / "j.safetensors", "{\"a\": [", "");
  EXPECT_NE(error_of(d / "j.safetensors").find("JSON"), std::string::npos);
}

TEST(Safetensors, OverlappingOffsets) {
  fs::path d = temp_dir();
  write_raw(d / "o.safetensors",
            R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
            std::string(12, '\0'));
  std::string e = error_of(d / "o.safetensors");
  EXPECT_NE(e.find("overlaps"), std::string::npos) << e;
  EXPECT_NE(e.find("'b'"), std::string::npos) << e;
}

TEST(Safetensors, OutOfRangeOffsets) {
  fs::path d = temp_dir();
  write_raw(d / "r.safetensors", R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", std::string(8, '\0'));
  std::string e = error_of(d / "r.safetensors");
  EXPECT_NE(e.find("beyond the data buffer"), std::string::npos) << e;
}

TEST(Safetensors, HoleAndTrailingBytes) {
  fs::path d = temp_dir();
  write_raw(d / "x.safetensors", R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", std::string(8, '\0'));
  EXPECT_NE(error_of(d / "x.safetensors").find("hole"), std::string::npos);
  write_raw(d / "y.safetensors", R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", std::string(8, '\0'));
  EXPECT_NE(error_of(d / "y.safetensors").find("trailing"), std::string::npos);
}

TEST(Safetensors, UnknownDtype) {
  fs::path d = temp_dir();
  write_raw(d / "u.safetensors", R"({"a":{"dtype":"Q4_K","shape":[1],"data_offsets":[0,4]}})", std::string(4, '\0'));
  std::string e = error_of(d / "u.safetensors");
  EXPECT_NE(e.find("unknown or unsupported dtype 'Q4_K'"), std::string::npos) << e;
}

TEST(Safetensors, ShapeDisagreesWithByteCount) {
  fs::path d = temp_dir();
  write_raw(d / "s.safetensors", R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", std::string(8, '\0'));
  std::string e = error_of(d / "s.safetensors");
  EXPECT_NE(e.find("need 12 bytes"), std::string::npos) << e;
}

TEST(Safetensors, DuplicateKey) {
  fs::path d = temp_dir();
  write_raw(d / "d.safetensors",
            R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})",
            std::string(4, '\0'));
  EXPECT_NE(error_of(d / "d.safetensors").find("twice"), std::string::npos);
}

TEST(Safetensors, ZeroSizeAndScalarTensors) {
  fs::path d = temp_dir();
  write_raw(d / "z.safetensors",
            R"({"e":{"dtype":"F32","shape":[0,3],"data_offsets":[0,0]},"s":{"dtype":"F32","shape":[],"data_offsets":[0,4]}})",
            std::string(4, '\0'));
  SafetensorsFile f((d / "z.safetensors").string());
  EXPECT_EQ(f.tensors().size(), 2u);
}

TEST(Safetensors, FuzzedHeadersNeverCrash) {
  // Random byte flips in a valid file must give either a valid parse or a dpn::Error, never a crash.
  fs::path d = temp_dir();
  std::vector<float> a(16, 1.f);
  RawTensor ta{"layer.weight", DType::F32, {4, 4}, reinterpret_cast<const std::byte*>(a.data()), 64, ""};
  write_safetensors((d / "ok.safetensors").string(), {ta});
  std::ifstream in(d / "ok.safetensors", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  uint32_t seed = 12345;
  auto rnd = [&] { return seed = seed * 1664525u + 1013904223u; };
  int parsed = 0, refused = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string m = bytes;
    int flips = 1 + rnd() % 4;
    for (int k = 0; k < flips; ++k) m[rnd() % m.size()] = static_cast<char>(rnd() & 0xff);
    if (rnd() % 5 == 0) m.resize(rnd() % m.size());
    std::ofstream(d / "f.safetensors", std::ios::binary) << m;
    try {
      SafetensorsFile f((d / "f.safetensors").string());
      ++parsed;
    } catch (const Error& e) {
      ++refused;
      EXPECT_NE(std::string(e.what()).find("f.safetensors"), std::string::npos) << "errors name the file";
    }
  }
  // Both outcomes occur (flips inside tensor data leave a valid file), and nothing crashed on the way.
  EXPECT_GT(parsed, 0);
  EXPECT_GT(refused, 1000);
}

TEST(TensorSet, BrokenPickleFileIsNamedWithConversionAdvice) {
  // A folder with only a (truncated) pytorch_model.bin goes to the torch reader, whose error names the file.
  fs::path d = temp_dir();
  std::ofstream(d / "pytorch_model.bin") << "PK";
  try {
    open_checkpoint_folder(d.string());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("pytorch_model.bin"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("safetensors"), std::string::npos) << "advice on converting: " << e.what();
  }
}

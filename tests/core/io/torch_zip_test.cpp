// Tests of the ZIP/ZIP64 directory reader: torch.save archives, a forced-ZIP64 archive, and malformed archives.
#include "io/torch_zip.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "util/error.h"
#include "core/scratch_dir.h"

namespace fs = std::filesystem;
using namespace dpn;

namespace {

const std::string kBin = std::string(DPN_TEST_DATA) + "/bin/";

fs::path temp_dir() { return dpn::test::scratch_dir("zip"); }

void put16(std::string& s, uint16_t v) { s.append(reinterpret_cast<const char*>(&v), 2); }
void put32(std::string& s, uint32_t v) { s.append(reinterpret_cast<const char*>(&v), 4); }

// A one-entry ZIP with the given method; the payload is stored as-is whatever the method says.
std::string one_entry_zip(const std::string& name, const std::string& payload, uint16_t method) {
  std::string z;
  put32(z, 0x04034b50); put16(z, 20); put16(z, 0); put16(z, method); put16(z, 0); put16(z, 0); put32(z, 0);
  put32(z, payload.size()); put32(z, payload.size()); put16(z, name.size()); put16(z, 0);
  z += name + payload;
  const uint32_t cd = z.size();
  put32(z, 0x02014b50); put16(z, 20); put16(z, 20); put16(z, 0); put16(z, method); put16(z, 0); put16(z, 0);
  put32(z, 0); put32(z, payload.size()); put32(z, payload.size()); put16(z, name.size()); put16(z, 0); put16(z, 0);
  put16(z, 0); put16(z, 0); put32(z, 0); put32(z, 0);
  z += name;
  const uint32_t cd_size = z.size() - cd;
  put32(z, 0x06054b50); put16(z, 0); put16(z, 0); put16(z, 1); put16(z, 1); put32(z, cd_size); put32(z, cd); put16(z, 0);
  return z;
}

std::string error_of(const fs::path& p) {
  try {
    ZipArchive z(std::make_shared<MappedFile>(p.string()));
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(TorchZip, ReadsTorchSaveArchive) {
  ZipArchive z(std::make_shared<MappedFile>(kBin + "state_dict/pytorch_model.bin"));
  const ZipEntry* pkl = z.find("pytorch_model/data.pkl");
  ASSERT_NE(pkl, nullptr);
  EXPECT_GT(pkl->size, 100u);
  EXPECT_EQ(static_cast<uint8_t>(z.data(*pkl)[0]), 0x80) << "a pickle starts with PROTO";
  const ZipEntry* order = z.find("pytorch_model/byteorder");
  ASSERT_NE(order, nullptr);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(z.data(*order)), order->size), "little");
}

TEST(TorchZip, ReadsForcedZip64Archive) {
  ZipArchive z(std::make_shared<MappedFile>(kBin + "zip64/pytorch_model.bin"));
  ZipArchive ref(std::make_shared<MappedFile>(kBin + "state_dict/pytorch_model.bin"));
  ASSERT_EQ(z.entries().size(), ref.entries().size());
  for (const ZipEntry& e : ref.entries()) {
    const std::string renamed = "renamed_top/" + e.name.substr(e.name.find('/') + 1);
    const ZipEntry* got = z.find(renamed);
    ASSERT_NE(got, nullptr) << renamed;
    ASSERT_EQ(got->size, e.size) << renamed;
    EXPECT_EQ(std::memcmp(z.data(*got), ref.data(e), e.size), 0) << renamed;
    EXPECT_EQ(got->data_offset % 64, 0u) << "the fixture aligns data like torch does: " << renamed;
  }
}

TEST(TorchZip, StoredEntryFromHandWrittenArchive) {
  fs::path d = temp_dir();
  std::ofstream(d / "ok.zip", std::ios::binary) << one_entry_zip("a/data.pkl", "hello", 0);
  ZipArchive z(std::make_shared<MappedFile>((d / "ok.zip").string()));
  ASSERT_EQ(z.entries().size(), 1u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(z.data(z.entries()[0])), 5), "hello");
}

TEST(TorchZip, RefusesCompressedEntry) {
  fs::path d = temp_dir();
  std::ofstream(d / "c.zip", std::ios::binary) << one_entry_zip("a/data.pkl", "xxxx", 8);
  const std::string e = error_of(d / "c.zip");
  EXPECT_NE(e.find("'a/data.pkl'"), std::string::npos) << e;
  EXPECT_NE(e.find("compressed (method 8)"), std::string::npos) << e;
}

TEST(TorchZip, RefusesTruncatedAndForeignFiles) {
  fs::path d = temp_dir();
  std::string z = one_entry_zip("a/data.pkl", std::string(100, 'x'), 0);
  std::ofstream(d / "t.zip", std::ios::binary) << z.substr(0, z.size() - 10);
  EXPECT_NE(error_of(d / "t.zip").find("end-of-central-directory"), std::string::npos);
  std::ofstream(d / "s.zip", std::ios::binary) << "PK";
  EXPECT_NE(error_of(d / "s.zip").find("too short"), std::string::npos);
}

TEST(TorchZip, RefusesEntryDataBeyondFile) {
  fs::path d = temp_dir();
  std::string z = one_entry_zip("a/data.pkl", "abcd", 0);
  const uint32_t huge = 0x7fffffff;
  const size_t cd = z.find("PK\x01\x02");
  std::memcpy(&z[cd + 20], &huge, 4);  // compressed size
  std::memcpy(&z[cd + 24], &huge, 4);  // size
  std::ofstream(d / "b.zip", std::ios::binary) << z;
  const std::string e = error_of(d / "b.zip");
  EXPECT_NE(e.find("runs beyond the end of the file"), std::string::npos) << e;
}

// Shards named by an index resolve inside the model folder: no '..', no absolute path, no symbolic link out of it
// (a Hugging Face cache snapshot's links into its blobs/ are fine), and no error echoes a foreign file's bytes
// (issue 15: an index naming ../../../../etc/passwd opened it and printed its first 8 bytes as a number).
#include "io/tensor_set.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/scratch_dir.h"
#include "io/safetensors_writer.h"
#include "util/error.h"

namespace fs = std::filesystem;
using namespace dpn;

namespace {

// The bytes of a file outside the model folder that no error may show, and its first 8 bytes as a number.
const std::string kSecret = "root:x:0:0:root:/root:/bin/bash\n";
const std::string kSecretNumber = "3475222254926655346";  // "root:x:0" little-endian

struct Layout {
  fs::path root, model;
};

// root/secret.safetensors (text), root/model/{a,b}.safetensors (one tensor each) and an index written by `shards`.
Layout make_layout(const std::string& tag) {
  Layout l{test::scratch_dir(tag), {}};
  l.model = l.root / "model";
  fs::create_directories(l.model);
  std::ofstream(l.root / "secret.safetensors") << kSecret;
  const float v = 1.f;
  for (const char* n : {"a", "b"})
    write_safetensors((l.model / (std::string(n) + ".safetensors")).string(),
                      {RawTensor{std::string("w.") + n, DType::F32, {1}, reinterpret_cast<const std::byte*>(&v), 4, ""}});
  return l;
}

void write_index(const fs::path& model, const std::string& shard_of_b) {
  nlohmann::json j;
  j["weight_map"] = {{"w.a", "a.safetensors"}, {"w.b", shard_of_b}};
  std::ofstream(model / "model.safetensors.index.json") << j.dump();
}

std::string load_error(const fs::path& model) {
  try {
    open_checkpoint_folder(model.string());
  } catch (const Error& e) {
    return e.what();
  }
  return "(loaded)";
}

void expect_refused(const fs::path& model, const std::string& why) {
  const std::string e = load_error(model);
  EXPECT_NE(e.find("model.safetensors.index.json: names shard"), std::string::npos) << e;
  EXPECT_NE(e.find(why), std::string::npos) << e;
  EXPECT_EQ(e.find("root:x"), std::string::npos) << e;
  EXPECT_EQ(e.find(kSecretNumber), std::string::npos) << e;
}

}  // namespace

TEST(ShardPaths, IndexWithinTheFolderLoads) {
  const Layout l = make_layout("ts");
  write_index(l.model, "b.safetensors");
  const TensorSet set = open_checkpoint_folder(l.model.string());
  EXPECT_EQ(set.size(), 2u);
}

TEST(ShardPaths, DotDotIsRefused) {
  const Layout l = make_layout("ts");
  write_index(l.model, "../secret.safetensors");
  expect_refused(l.model, "leaves the model folder ('..')");
  write_index(l.model, "../../../../../../../../etc/passwd");
  expect_refused(l.model, "leaves the model folder");
}

TEST(ShardPaths, AbsolutePathIsRefused) {
  const Layout l = make_layout("ts");
  write_index(l.model, (l.root / "secret.safetensors").string());
  expect_refused(l.model, "is not a file name inside the model folder");
  write_index(l.model, "/etc/passwd");
  expect_refused(l.model, "is not a file name inside the model folder");
}

TEST(ShardPaths, SymlinkOutOfTheFolderIsRefused) {
  const Layout l = make_layout("ts");
  fs::create_symlink(l.root / "secret.safetensors", l.model / "c.safetensors");
  write_index(l.model, "c.safetensors");
  expect_refused(l.model, "symbolic link to a file outside the model folder");
  fs::create_directory_symlink(l.root, l.model / "up");  // a folder link: up/secret.safetensors
  write_index(l.model, "up/secret.safetensors");
  expect_refused(l.model, "outside the model folder");
}

TEST(ShardPaths, HuggingFaceCacheLinksIntoBlobsLoad) {
  // models--org--name/snapshots/<rev>/x -> ../../blobs/<hash>, as huggingface_hub stores every file.
  const Layout l = make_layout("ts");
  const fs::path repo = l.root / "models--org--tiny", snap = repo / "snapshots" / "0123abc";
  fs::create_directories(snap);
  fs::create_directories(repo / "blobs");
  for (const char* n : {"a", "b"}) {
    fs::rename(l.model / (std::string(n) + ".safetensors"), repo / "blobs" / (std::string("hash_") + n));
    fs::create_symlink(fs::path("../../blobs") / (std::string("hash_") + n), snap / (std::string(n) + ".safetensors"));
  }
  write_index(snap, "b.safetensors");
  EXPECT_EQ(open_checkpoint_folder(snap.string()).size(), 2u);
  // ... but a snapshot link elsewhere is still refused.
  fs::create_symlink(l.root / "secret.safetensors", snap / "c.safetensors");
  write_index(snap, "c.safetensors");
  expect_refused(snap, "outside the model folder");
}

TEST(ShardPaths, ForeignFileBytesAreNeverEchoed) {
  // A symlinked shard is refused; the same text file as a shard inside the folder is read, and its error says
  // it is no safetensors file without quoting it, not even as the header-length number.
  const Layout l = make_layout("ts");
  fs::copy_file(l.root / "secret.safetensors", l.model / "c.safetensors");
  write_index(l.model, "c.safetensors");
  const std::string e = load_error(l.model);
  EXPECT_NE(e.find("c.safetensors: is not a safetensors file"), std::string::npos) << e;
  EXPECT_EQ(e.find("root"), std::string::npos) << e;
  EXPECT_EQ(e.find(kSecretNumber), std::string::npos) << e;
}

TEST(ShardPaths, FifoShardIsRefusedBeforeOpening) {
  const Layout l = make_layout("ts");
  ASSERT_EQ(::mkfifo((l.model / "c.safetensors").c_str(), 0600), 0);
  write_index(l.model, "c.safetensors");
  const std::string e = load_error(l.model);  // would block in open() forever without the check
  EXPECT_NE(e.find("c.safetensors: is a FIFO (named pipe), not a regular file"), std::string::npos) << e;
}

TEST(ShardPaths, FifoIndexIsRefusedBeforeOpening) {
  const Layout l = make_layout("ts");
  ASSERT_EQ(::mkfifo((l.model / "model.safetensors.index.json").c_str(), 0600), 0);
  const std::string e = load_error(l.model);
  EXPECT_NE(e.find("model.safetensors.index.json: is a FIFO (named pipe), not a regular file"), std::string::npos) << e;
}

TEST(ShardPaths, NamesWithControlBytesAreEscaped) {
  const Layout l = make_layout("ts");
  write_index(l.model, "../\x1b[2Jx.safetensors");
  const std::string e = load_error(l.model);
  EXPECT_EQ(e.find('\x1b'), std::string::npos) << e;
  EXPECT_NE(e.find("\\x1b[2Jx"), std::string::npos) << e;
}

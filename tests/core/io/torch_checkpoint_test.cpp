// Tests of the torch.save reader against fixtures written by PyPI torch (tests/golden/make_bin_fixtures.py): every
// tensor must equal, bit for bit, the copy the safetensors package wrote next to it. Plus refusals and fuzzing.
#include "io/torch_checkpoint.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "io/safetensors.h"
#include "io/tensor_set.h"
#include "io/torch_zip.h"
#include "util/error.h"
#include "core/scratch_dir.h"

namespace fs = std::filesystem;
using namespace dpn;

namespace {

const std::string kBin = std::string(DPN_TEST_DATA) + "/bin/";

fs::path temp_dir() { return dpn::test::scratch_dir("tc"); }

// Compares every tensor of `got` with expected/<name>.safetensors: same names, dtypes, shapes and bytes.
void expect_equal_to_golden(const std::map<std::string, RawTensor>& got, const std::string& name) {
  SafetensorsFile want(kBin + "expected/" + name + ".safetensors");
  EXPECT_EQ(got.size(), want.tensors().size()) << name;
  for (const RawTensor& w : want.tensors()) {
    auto it = got.find(w.name);
    ASSERT_NE(it, got.end()) << name << ": missing " << w.name;
    const RawTensor& g = it->second;
    EXPECT_EQ(dtype_name(g.dtype), std::string(dtype_name(w.dtype))) << w.name;
    EXPECT_EQ(g.shape, w.shape) << w.name;
    ASSERT_EQ(g.nbytes, w.nbytes) << w.name;
    EXPECT_EQ(std::memcmp(g.data, w.data, w.nbytes), 0) << name << ": values of " << w.name << " differ";
  }
}

std::map<std::string, RawTensor> by_name(const std::vector<RawTensor>& v) {
  std::map<std::string, RawTensor> m;
  for (const auto& t : v) m[t.name] = t;
  return m;
}

std::string error_of(const std::string& path) {
  try {
    TorchCheckpoint c(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(TorchCheckpoint, StateDictWithViewsParameterAndAllDtypes) {
  TorchCheckpoint c(kBin + "state_dict/pytorch_model.bin");
  expect_equal_to_golden(by_name(c.tensors()), "state_dict");
  EXPECT_EQ(c.materialised(), (std::vector<std::string>{"transposed"}));
}

TEST(TorchCheckpoint, ContiguousViewsPointIntoTheMapping) {
  TorchCheckpoint c(kBin + "state_dict/pytorch_model.bin");
  auto m = by_name(c.tensors());
  // shared.a = storage[0:6], shared.b = storage[6:16], shared.c = storage[20:30], all f32: one storage, no copies.
  EXPECT_EQ(m["shared.b"].data - m["shared.a"].data, 6 * 4);
  EXPECT_EQ(m["shared.c"].data - m["shared.a"].data, 20 * 4);
  // The one non-contiguous view was copied, so it points at none of the mapped tensors.
  for (const auto& [name, t] : m)
    if (name != "transposed") EXPECT_NE(t.data, m["transposed"].data) << name;
}

TEST(TorchCheckpoint, ForcedZip64ArchiveWithOtherTopFolder) {
  TorchCheckpoint c(kBin + "zip64/pytorch_model.bin");
  expect_equal_to_golden(by_name(c.tensors()), "state_dict");
}

TEST(TorchCheckpoint, OriginalLlavaShardsThroughTheIndex) {
  TensorSet set = open_checkpoint_folder(kBin + "llava_original");
  expect_equal_to_golden(set.all(), "llava_original");
  EXPECT_NE(set.find("model.mm_projector.0.weight"), nullptr);
  EXPECT_EQ(set.find("model.layers.1.mlp.down_proj.weight")->file.find("pytorch_model-0000"),
            set.find("model.layers.1.mlp.down_proj.weight")->file.rfind('/') + 1);
}

TEST(TorchCheckpoint, HfLayoutSingleFile) {
  TensorSet set = open_checkpoint_folder(kBin + "llava_hf");
  expect_equal_to_golden(set.all(), "llava_hf");
  EXPECT_EQ(set.find("multi_modal_projector.linear_1.weight")->dtype, DType::BF16);
}

TEST(TorchCheckpoint, TokenPackerProjector) {
  TensorSet set = open_checkpoint_folder(kBin + "tokenpacker");
  expect_equal_to_golden(set.all(), "tokenpacker");
  for (const char* k : {"model.mm_projector.q_proj_1.weight", "model.mm_projector.k_proj_1.2.bias",
                        "model.mm_projector.clip_attn.in_proj_weight", "model.mm_projector.clip_attn.out_proj.weight",
                        "model.mm_projector.ln_v_1.weight", "model.mm_projector.mlp.2.weight"})
    EXPECT_NE(set.find(k), nullptr) << k;
}

TEST(TorchCheckpoint, LegacyFormatIsRefusedWithAdvice) {
  const std::string e = error_of(kBin + "legacy/pytorch_model.bin");
  EXPECT_NE(e.find("legacy (pre-1.6, non-zip) torch.save format"), std::string::npos) << e;
  EXPECT_NE(e.find("torch.save(torch.load("), std::string::npos) << e;
  EXPECT_NE(e.find("legacy/pytorch_model.bin"), std::string::npos) << e;
}

TEST(TorchCheckpoint, NonZipFileIsRefused) {
  fs::path d = temp_dir();
  std::ofstream(d / "x.bin") << "not a checkpoint at all";
  EXPECT_NE(error_of((d / "x.bin").string()).find("is not a torch.save checkpoint"), std::string::npos);
}

TEST(TorchCheckpoint, FolderErrorCarriesConversionAdvice) {
  fs::path d = temp_dir();
  fs::copy_file(kBin + "malicious/pytorch_model.bin", d / "pytorch_model.bin");
  try {
    open_checkpoint_folder(d.string());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'os.system'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("weights_only=True"), std::string::npos) << e.what();
  }
}

TEST(TorchCheckpoint, TrainingLeftoversAreNotLoaded) {
  fs::path d = temp_dir();
  fs::copy_file(kBin + "llava_hf/pytorch_model.bin", d / "pytorch_model.bin");
  fs::copy_file(kBin + "malicious/pytorch_model.bin", d / "training_args.bin");  // a pickle of a foreign class
  expect_equal_to_golden(open_checkpoint_folder(d.string()).all(), "llava_hf");
}

namespace {

// Applies `rounds` random mutations to `file` (byte flips, biased to the pickle and the ZIP directories, and
// truncations); each must load or throw dpn::Error. Loaded tensors are read in full so ASan sees any bad pointer.
void fuzz(const std::string& file, const std::string& pkl_name, int rounds, uint32_t seed, int* loaded, int* refused) {
  const fs::path d = temp_dir();
  std::ifstream in(file, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), {});
  ZipArchive zip(std::make_shared<MappedFile>(file));
  const ZipEntry& pkl = *zip.find(pkl_name);
  const size_t pkl_end = pkl.data_offset + pkl.size;
  const size_t dir_begin = bytes.find("PK\x01\x02");
  auto rnd = [&] { return seed = seed * 1664525u + 1013904223u; };
  for (int i = 0; i < rounds; ++i) {
    std::string m = bytes;
    const int flips = 1 + rnd() % 4;
    for (int k = 0; k < flips; ++k) {
      const uint32_t region = rnd() % 3;
      const size_t pos = region == 0 ? rnd() % pkl_end : region == 1 ? dir_begin + rnd() % (m.size() - dir_begin) : rnd() % m.size();
      m[pos] = static_cast<char>(rnd() & 0xff);
    }
    if (rnd() % 8 == 0) m.resize(rnd() % m.size());
    std::ofstream(d / "f.bin", std::ios::binary) << m;
    try {
      TorchCheckpoint c((d / "f.bin").string());
      uint64_t sum = 0;
      for (const RawTensor& t : c.tensors())
        for (uint64_t b = 0; b < t.nbytes; ++b) sum += static_cast<uint8_t>(t.data[b]);
      *loaded += sum != UINT64_MAX;
    } catch (const Error&) {
      ++*refused;
    }
  }
}

}  // namespace

TEST(TorchCheckpoint, FuzzedFilesNeverCrash) {
  int loaded = 0, refused = 0;
  fuzz(kBin + "state_dict/pytorch_model.bin", "pytorch_model/data.pkl", 2000, 4242, &loaded, &refused);
  EXPECT_EQ(loaded + refused, 2000);
  EXPECT_GT(refused, 500) << "mutations should mostly break the file";
  EXPECT_GT(loaded, 10) << "mutations of tensor bytes leave a loadable file";
  std::printf("fuzz torch.save file: %d loaded, %d refused with dpn::Error\n", loaded, refused);
  loaded = refused = 0;
  fuzz(kBin + "zip64/pytorch_model.bin", "renamed_top/data.pkl", 500, 99, &loaded, &refused);
  EXPECT_EQ(loaded + refused, 500);
  std::printf("fuzz ZIP64 file: %d loaded, %d refused with dpn::Error\n", loaded, refused);
}

TEST(TorchCheckpoint, ViewNamedByManyEntriesIsCopiedOnce) {
  // 100 entries name one transposed view of a 16 KB storage (issue 15: each entry got its own copy, so 16.8 MB of
  // file became 1.68 GB of memory). torch.arange values: element [r][c] of the transpose is c * 64 + r.
  TorchCheckpoint c(kBin + "views/repeated.bin");
  ASSERT_EQ(c.tensors().size(), 100u);
  EXPECT_EQ(c.materialised().size(), 100u);
  const RawTensor& first = c.tensors().front();
  EXPECT_EQ(first.shape, (std::vector<int64_t>{64, 64}));
  for (const RawTensor& t : c.tensors()) EXPECT_EQ(t.data, first.data) << t.name << " has a copy of its own";
  const float* v = reinterpret_cast<const float*>(first.data);
  for (int r = 0; r < 64; ++r)
    for (int col = 0; col < 64; ++col) ASSERT_EQ(v[r * 64 + col], float(col * 64 + r)) << r << "," << col;
}

TEST(TorchCheckpoint, CopiesBeyondTheStoragesHeldAreRefused) {
  // 100 distinct transposed slices of one 64 KB storage would copy 4 MB: more than the checkpoint holds.
  const std::string e = error_of(kBin + "views/distinct.bin");
  EXPECT_NE(e.find("views/distinct.bin: tensor 'slice."), std::string::npos) << e;
  EXPECT_NE(e.find("more than the 65536 bytes of storage it holds"), std::string::npos) << e;
  EXPECT_NE(e.find(".contiguous()"), std::string::npos) << e;
}

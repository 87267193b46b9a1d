// Tests of the restricted unpickler: state dicts parse, and anything outside the allow-list is refused by name.
#include "io/torch_pickle.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>

#include "io/torch_checkpoint.h"
#include "util/error.h"

namespace fs = std::filesystem;
using namespace dpn;

namespace {

const std::string kBin = std::string(DPN_TEST_DATA) + "/bin/";
const char* const kMarker = "/tmp/dpn_binreader_pickle_was_executed";  // as in make_bin_fixtures.py

std::string u32le(uint32_t v) { return std::string(reinterpret_cast<const char*>(&v), 4); }
std::string str(const std::string& s) { return "X" + u32le(s.size()) + s; }  // BINUNICODE

// {'w': _rebuild_tensor_v2(('storage', torch.HalfStorage, '0', 'cpu', 6), 2, (2, 2), (2, 1), False, OrderedDict())}
std::string state_dict_pickle(const std::string& storage_global = "torch\nHalfStorage\n") {
  return std::string("\x80\x02}q\x01(") + str("w") + "ctorch._utils\n_rebuild_tensor_v2\n((" + str("storage") + "c" +
         storage_global + str("0") + str("cpu") + "K\x06tQK\x02K\x02K\x02\x86K\x02K\x01\x86\x89" +
         "ccollections\nOrderedDict\n)RtRu.";
}

std::string error_of(const std::string& pkl) {
  try {
    read_state_dict_pickle(reinterpret_cast<const std::byte*>(pkl.data()), pkl.size(), "test.pkl");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(TorchPickle, ParsesHandWrittenStateDict) {
  const std::string pkl = state_dict_pickle();
  auto t = read_state_dict_pickle(reinterpret_cast<const std::byte*>(pkl.data()), pkl.size(), "test.pkl");
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].name, "w");
  EXPECT_EQ(t[0].dtype, DType::F16);
  EXPECT_EQ(t[0].storage_key, "0");
  EXPECT_EQ(t[0].storage_numel, 6u);
  EXPECT_EQ(t[0].offset, 2);
  EXPECT_EQ(t[0].shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(t[0].stride, (std::vector<int64_t>{2, 1}));
}

TEST(TorchPickle, RefusesForeignGlobalByName) {
  const std::string e = error_of("\x80\x02" "cos\nsystem\n" + str("touch /tmp/x") + "\x85R.");
  EXPECT_NE(e.find("refuses pickle global 'os.system'"), std::string::npos) << e;
  EXPECT_NE(e.find("at byte 2"), std::string::npos) << e;
}

TEST(TorchPickle, RefusesForeignStackGlobalByName) {
  const std::string e = error_of("\x80\x04" + str("builtins") + str("eval") + "\x93" + str("1") + "\x85R.");
  EXPECT_NE(e.find("'builtins.eval'"), std::string::npos) << e;
}

TEST(TorchPickle, RefusesStorageLoadFromBytes) {
  const std::string e = error_of("\x80\x02" "ctorch.storage\n_load_from_bytes\n.");
  EXPECT_NE(e.find("'torch.storage._load_from_bytes'"), std::string::npos) << e;
}

TEST(TorchPickle, UnknownOpcodeIsNamedWithOffset) {
  const std::string e = error_of("\x80\x02}(" + str("a") + "i__main__\nX\n.");
  EXPECT_NE(e.find("0x69 (INST)"), std::string::npos) << e;
  EXPECT_NE(e.find("at byte 10"), std::string::npos) << e;
}

TEST(TorchPickle, RefusesStructuralErrors) {
  EXPECT_NE(error_of("\x80\x02}").find("truncated"), std::string::npos);
  EXPECT_NE(error_of("\x80\x02K\x01.").find("holds a int, expected a state dict"), std::string::npos);
  EXPECT_NE(error_of("\x80\x02h\x05.").find("memo key 5 was never stored"), std::string::npos);
  EXPECT_NE(error_of("\x80\x02}" + str("a") + "K\x01s.").find("entry 'a' is a int, not a tensor"), std::string::npos);
  EXPECT_NE(error_of("\x80\x02R.").find("REDUCE on an empty stack"), std::string::npos);
  EXPECT_NE(error_of("\x80\x09}.").find("PROTO 9"), std::string::npos);
  // A storage global may appear in a persistent id but never be called.
  EXPECT_NE(error_of("\x80\x02" "ctorch\nFloatStorage\n)R.").find("cannot be called"), std::string::npos);
}

TEST(TorchPickle, PersistentIdMustNameAStorageType) {
  const std::string e = error_of(state_dict_pickle("collections\nOrderedDict\n"));
  EXPECT_NE(e.find("is not a storage type"), std::string::npos) << e;
}

TEST(TorchPickle, MaliciousCheckpointIsRefusedWithoutSideEffects) {
  fs::remove(kMarker);
  ASSERT_FALSE(fs::exists(kMarker));
  try {
    TorchCheckpoint c(kBin + "malicious/pytorch_model.bin");
    FAIL() << "a pickle calling os.system must be refused";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'os.system'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("malicious/pytorch_model.bin"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(kMarker)) << "the pickle's command ran";
}

TEST(TorchPickle, AllowListIsExactlyTheTensorRebuilders) {
  const auto& g = allowed_pickle_globals();
  EXPECT_EQ(g.size(), 13u);
  EXPECT_NE(std::find(g.begin(), g.end(), "torch._utils._rebuild_parameter"), g.end());
  EXPECT_EQ(std::find(g.begin(), g.end(), "torch.storage._load_from_bytes"), g.end());
}

TEST(TorchPickle, RandomOpcodeStreamsNeverCrash) {
  // Streams built from the opcodes the reader knows (plus random argument bytes) reach deep states, cycles
  // through the memo included: each must parse or throw dpn::Error.
  const std::string ops = "\x80\x95.(N\x88\x89KMJ\x8aGX\x8c\x8d)\x85\x86\x87t]lae}dsuqr\x94hj0c\x93QRb";
  uint32_t seed = 7;
  auto rnd = [&] { return seed = seed * 1664525u + 1013904223u; };
  int refused = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string p = "\x80\x02";
    const int n = 1 + rnd() % 60;
    for (int k = 0; k < n; ++k) {
      p += ops[rnd() % ops.size()];
      for (uint32_t a = rnd() % 3; a > 0; --a) p += static_cast<char>(rnd() % 4 == 0 ? rnd() & 0xff : rnd() % 3);
    }
    if (rnd() % 2) p += '.';
    refused += error_of(p).empty() ? 0 : 1;
  }
  EXPECT_GT(refused, 1900) << "random streams are almost never a state dict";
}

// libFuzzer target: model.safetensors.index.json of a folder that holds two valid shards, a sub-folder with a third,
// a link to a file outside and a link to the folder above. Whatever the index says, a load reads only files inside
// the folder, and no error shows the outside file's bytes.
#include <filesystem>

#include "fuzz_util.h"
#include "io/safetensors_writer.h"
#include "io/tensor_set.h"
#include "util/path_within.h"

namespace fs = std::filesystem;

namespace {

const std::string kSecret = "SECRET-do-not-echo-7f3a91";

std::string model_dir() { return dpn::fuzz::scratch() + "/m"; }

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  dpn::fuzz::write_file("secret.safetensors", kSecret);
  fs::create_directories(model_dir() + "/sub");
  const float v[2] = {1.f, 2.f};
  for (const char* name : {"a", "b", "sub/c"}) {
    const std::string tensor = std::string("w.") + fs::path(name).filename().string();
    dpn::write_safetensors(model_dir() + "/" + name + ".safetensors",
                           {dpn::RawTensor{tensor, dpn::DType::F32, {2}, reinterpret_cast<const std::byte*>(v), 8, ""}});
  }
  fs::create_symlink("../secret.safetensors", model_dir() + "/link.safetensors");
  fs::create_directory_symlink("..", model_dir() + "/up");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string index = dpn::fuzz::write_file("m/model.safetensors.index.json", data, size);
  try {
    const dpn::TensorSet set = dpn::open_checkpoint_folder(model_dir());
    const fs::path home = fs::canonical(model_dir());
    for (const auto& [name, t] : set.all())
      dpn::fuzz::require(dpn::path_is_within(fs::canonical(t.file), home), "read '" + t.file + "', outside the folder");
  } catch (const dpn::Error& e) {
    dpn::fuzz::check_error(e, model_dir());
    // The index may spell SECRET itself (the fuzzer learns it): only bytes of the planted file count.
    dpn::fuzz::require(std::string(reinterpret_cast<const char*>(data), size).find("SECRET") != std::string::npos ||
                           std::string(e.what()).find("SECRET") == std::string::npos, std::string("echoed: ") + e.what());
  }
  return 0;
}

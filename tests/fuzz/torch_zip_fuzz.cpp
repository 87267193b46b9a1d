// libFuzzer target: a whole torch.save file (ZIP directory, pickle, storages). It loads, with every tensor inside
// the mapping or a copy, and copies never more than the file holds; or it is a dpn::Error naming the file.
#include "fuzz_util.h"
#include "io/torch_checkpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = dpn::fuzz::write_file("pytorch_model.bin", data, size);
  try {
    dpn::TorchCheckpoint c(path);
    for (const dpn::RawTensor& t : c.tensors()) dpn::fuzz::touch(t);
  } catch (const dpn::Error& e) {
    dpn::fuzz::check_error(e, path);
  }
  return 0;
}

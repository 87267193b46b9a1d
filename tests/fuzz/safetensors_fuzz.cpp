// libFuzzer target: one safetensors file. It loads (and every tensor lies inside the file) or is a dpn::Error that
// names the file on one line.
#include "fuzz_util.h"
#include "io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = dpn::fuzz::write_file("model.safetensors", data, size);
  try {
    dpn::SafetensorsFile f(path);
    for (const dpn::RawTensor& t : f.tensors()) {
      dpn::fuzz::require(t.data >= f.mapping()->data() && t.data + t.nbytes <= f.mapping()->data() + f.mapping()->size(),
                         "tensor '" + t.name + "' points outside the file");
      dpn::fuzz::touch(t);
    }
  } catch (const dpn::Error& e) {
    dpn::fuzz::check_error(e, path);
  }
  return 0;
}

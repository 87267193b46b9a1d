// libFuzzer target: the restricted unpickler alone (a data.pkl without its ZIP around it, so mutations reach the
// opcodes). It returns tensor views or throws a dpn::Error naming the pickle; nothing is ever called.
#include "fuzz_util.h"
#include "io/torch_pickle.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const auto tensors = dpn::read_state_dict_pickle(reinterpret_cast<const std::byte*>(data), size, "archive/data.pkl");
    for (const auto& t : tensors) dpn::fuzz::require(t.shape.size() == t.stride.size(), "shape and stride differ in rank");
  } catch (const dpn::Error& e) {
    dpn::fuzz::check_error(e, "archive/data.pkl");
  }
  return 0;
}

// Restricted unpickler for the data.pkl of a torch.save state dict: it understands only the opcodes such a pickle
// uses and only the globals that rebuild tensors and OrderedDicts. Nothing is ever imported or called; any other
// global is refused with an error that names it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "io/raw_tensor.h"

namespace dpn {

// One entry of the state dict as the pickle describes it: a view (offset, shape, stride, in elements) into a
// storage that lives in the archive as `<prefix>/data/<storage_key>`.
struct PickledTensor {
  std::string name;
  DType dtype = DType::F32;
  std::string storage_key;
  uint64_t storage_numel = 0;  // elements the persistent id declares for the whole storage
  int64_t offset = 0;
  std::vector<int64_t> shape;
  std::vector<int64_t> stride;
};

// Parses a pickle whose result is a dict/OrderedDict of name -> tensor (nn.Parameter allowed). Tensors keep the
// dict's order. Throws dpn::Error naming `where`, the byte offset and the opcode or global at fault.
std::vector<PickledTensor> read_state_dict_pickle(const std::byte* data, uint64_t size, const std::string& where);

// The globals the reader accepts, as "module.name" (for error messages and tests).
const std::vector<std::string>& allowed_pickle_globals();

}  // namespace dpn

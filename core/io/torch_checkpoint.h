// Opens one torch.save file (the zip format of PyTorch >= 1.6) as RawTensors that point into its mapping: the
// ZIP directory gives where each storage lies, the restricted unpickler gives each tensor's view of a storage.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "io/raw_tensor.h"

namespace dpn {

class TorchCheckpoint {
 public:
  // Throws dpn::Error naming the file (and entry/tensor) for: the legacy non-zip format (with conversion advice),
  // a non-ZIP file, compressed entries, a pickle global other than the tensor/OrderedDict rebuilders, a missing
  // storage entry, or a view that reaches outside its storage.
  explicit TorchCheckpoint(const std::string& path);

  const std::string& path() const { return path_; }
  // Sorted by name. Contiguous views (any storage offset) point into the mapping without a copy; non-contiguous
  // views are copied into owned memory (their names are in materialised()), once per distinct view, and all copies
  // together never exceed the bytes of the storages the archive holds (else dpn::Error naming the tensor).
  const std::vector<RawTensor>& tensors() const { return tensors_; }
  const std::vector<std::string>& materialised() const { return materialised_; }
  // Keeps the mapping and the copies alive; hand it to TensorSet::add.
  std::shared_ptr<const void> owner() const { return owner_; }

 private:
  std::string path_;
  std::vector<RawTensor> tensors_;
  std::vector<std::string> materialised_;
  std::shared_ptr<const void> owner_;
};

// True when the bytes start like the legacy (non-zip) torch.save format: a pickled magic number 0x1950a86a20f9469cfc6c.
bool is_legacy_torch_save(const std::byte* data, uint64_t size);

}  // namespace dpn

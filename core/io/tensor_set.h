// All tensors of one checkpoint (one file or several shards), by name, with the mappings kept alive.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "io/raw_tensor.h"

namespace dpn {

class TensorSet {
 public:
  // Adds a tensor; `owner` keeps its memory alive. A name already present is an error naming both files.
  void add(RawTensor tensor, std::shared_ptr<const void> owner);
  const RawTensor* find(const std::string& name) const;
  bool contains(const std::string& name) const { return find(name) != nullptr; }
  size_t size() const { return tensors_.size(); }
  std::vector<std::string> names() const;
  const std::map<std::string, RawTensor>& all() const { return tensors_; }

 private:
  std::map<std::string, RawTensor> tensors_;
  std::vector<std::shared_ptr<const void>> owners_;
};

// Opens the weights of a checkpoint folder: `model.safetensors.index.json` with its shards, else every
// `*.safetensors` file in the folder; only when there is no safetensors file, torch.save pickles:
// `pytorch_model.bin.index.json` with its shards, else every *.bin/*.pt/*.pth except training leftovers
// (training_args.bin, optimizer*, scheduler*, rng_state*), read by the restricted reader (io/torch_checkpoint.h).
// Throws dpn::Error naming the folder/file when nothing loadable is found.
TensorSet open_checkpoint_folder(const std::string& dir);

// The path of a shard that `index` (a *.index.json in `dir`) names: a relative name without '..' that, with
// symbolic links followed, stays inside `dir` (or, for a Hugging Face cache snapshot, inside its repository's
// blobs/ folder). Throws dpn::Error naming the index and the shard otherwise, or when the shard is missing.
std::string resolve_shard_path(const std::string& dir, const std::string& shard, const std::string& index);

// Appends the tensors of one safetensors file to `set`.
void add_safetensors_file(TensorSet& set, const std::string& path);

// Appends the tensors of one torch.save (zip format) file to `set`; errors carry advice on converting.
void add_torch_file(TensorSet& set, const std::string& path);

}  // namespace dpn

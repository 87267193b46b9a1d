// Resolves a checkpoint folder into its weight files (single file or HF-style shards).
#include "io/tensor_set.h"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "io/safetensors.h"
#include "io/torch_checkpoint.h"
#include "util/error.h"
#include "util/json_error.h"
#include "util/path_within.h"
#include "util/printable.h"
#include "util/regular_file.h"

namespace fs = std::filesystem;

namespace dpn {

void TensorSet::add(RawTensor tensor, std::shared_ptr<const void> owner) {
  auto it = tensors_.find(tensor.name);
  if (it != tensors_.end())
    throw Error(tensor.file, "tensor '" + tensor.name + "' is also stored in " + it->second.file);
  std::string name = tensor.name;
  tensors_.emplace(std::move(name), std::move(tensor));
  owners_.push_back(std::move(owner));
}

const RawTensor* TensorSet::find(const std::string& name) const {
  auto it = tensors_.find(name);
  return it == tensors_.end() ? nullptr : &it->second;
}

std::vector<std::string> TensorSet::names() const {
  std::vector<std::string> out;
  out.reserve(tensors_.size());
  for (const auto& kv : tensors_) out.push_back(kv.first);
  return out;
}

void add_safetensors_file(TensorSet& set, const std::string& path) {
  SafetensorsFile file(path);
  auto owner = file.mapping();
  for (const RawTensor& t : file.tensors()) set.add(t, owner);
}

namespace {

// Training leftovers that are pickles but not weights; a folder's *.bin/*.pt/*.pth other than these are loaded.
bool is_training_leftover(const std::string& name) {
  return name == "training_args.bin" || name.rfind("optimizer", 0) == 0 || name.rfind("scheduler", 0) == 0 ||
         name.rfind("rng_state", 0) == 0;
}

// Reads a sharding index (§3.5): shard file -> the tensor names the index places there.
std::map<std::string, std::set<std::string>> read_weight_map(const fs::path& index) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_regular_file(index.string(), kMaxJsonFileBytes, "the index"));
  } catch (const nlohmann::json::exception& e) {
    throw Error(index.string(), "invalid JSON: " + json_error_summary(e));
  }
  if (!j.is_object() || !j.contains("weight_map") || !j["weight_map"].is_object())
    throw Error(index.string(), "missing object 'weight_map'");
  std::map<std::string, std::set<std::string>> expected;  // shard -> names the index puts there
  for (auto it = j["weight_map"].begin(); it != j["weight_map"].end(); ++it) {
    if (!it.value().is_string()) throw Error(index.string(), "weight_map." + printable(it.key()) + " must be a file name");
    expected[it.value().get<std::string>()].insert(it.key());
  }
  return expected;
}

}  // namespace

std::string resolve_shard_path(const std::string& dir, const std::string& shard, const std::string& index) {
  const std::string shown = "'" + printable(shard) + "'";
  const fs::path name(shard);
  if (shard.empty() || name.has_root_path())
    throw Error(index, "names shard " + shown + ", which is not a file name inside the model folder");
  for (const auto& part : name)
    if (part == "..") throw Error(index, "names shard " + shown + ", which leaves the model folder ('..')");
  const fs::path p = fs::path(dir) / name;
  std::error_code ec;
  if (!fs::exists(p, ec)) throw Error(index, "names shard " + shown + ", which is missing");
  // Symbolic links must not lead outside: the folder itself, or for a Hugging Face cache snapshot
  // (.../snapshots/<revision>/, every file a link to ../../blobs/<hash>) that repository's blobs/.
  std::error_code ec_home;
  const fs::path real = fs::canonical(p, ec), home = fs::canonical(dir, ec_home);
  if (ec || ec_home) throw Error(index, "names shard " + shown + ", which cannot be resolved: " + (ec ? ec : ec_home).message());
  const bool hf_blob = home.parent_path().filename() == "snapshots" &&
                       path_is_within(real, home.parent_path().parent_path() / "blobs");
  if (!path_is_within(real, home) && !hf_blob)
    throw Error(index, "names shard " + shown + ", which is a symbolic link to a file outside the model folder");
  return p.string();
}

namespace {

// Loads every shard an index names with `add_file` and checks each holds the tensors the index places there.
template <typename AddFile>
void add_indexed_shards(TensorSet& set, const std::string& dir, const fs::path& index, AddFile add_file) {
  for (const auto& [shard, names] : read_weight_map(index)) {
    const std::string p = resolve_shard_path(dir, shard, index.string());
    add_file(set, p);
    for (const auto& n : names) {
      const RawTensor* t = set.find(n);
      if (!t || t->file != p) throw Error(p, "does not contain tensor '" + printable(n) + "' that the index places there");
    }
  }
}

}  // namespace

TensorSet open_checkpoint_folder(const std::string& dir) {
  if (!fs::is_directory(dir)) throw Error(dir, "is not a folder (expected a checkpoint folder with config.json)");
  TensorSet set;
  const fs::path index = fs::path(dir) / "model.safetensors.index.json";
  if (fs::exists(index)) {
    add_indexed_shards(set, dir, index, add_safetensors_file);
    return set;
  }
  std::vector<fs::path> files, pickles;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    const std::string ext = e.path().extension().string();
    if (ext == ".safetensors") files.push_back(e.path());
    if ((ext == ".bin" || ext == ".pt" || ext == ".pth") && !is_training_leftover(e.path().filename().string()))
      pickles.push_back(e.path());
  }
  if (!files.empty()) {
    std::sort(files.begin(), files.end());
    for (const auto& f : files) add_safetensors_file(set, f.string());
    return set;
  }
  const fs::path bin_index = fs::path(dir) / "pytorch_model.bin.index.json";
  if (fs::exists(bin_index)) {
    add_indexed_shards(set, dir, bin_index, add_torch_file);
    return set;
  }
  if (pickles.empty()) throw Error(dir, "contains no *.safetensors weights (nor *.bin / *.pt torch.save weights)");
  std::sort(pickles.begin(), pickles.end());
  for (const auto& f : pickles) add_torch_file(set, f.string());
  return set;
}

void add_torch_file(TensorSet& set, const std::string& path) {
  std::unique_ptr<TorchCheckpoint> file;
  try {
    file = std::make_unique<TorchCheckpoint>(path);
  } catch (const Error& e) {
    // The reader's message names the file and the problem; add what the user can do about it.
    throw Error(e.where(), std::string(e.what()).substr(e.where().empty() ? 0 : e.where().size() + 2) +
                               ". If the file is a valid PyTorch checkpoint that this reader does not handle, convert it "
                               "to safetensors once in Python: `from safetensors.torch import save_file; import torch; "
                               "save_file(torch.load(F, map_location='cpu', weights_only=True), "
                               "F.replace('.bin', '.safetensors'))`");
  }
  for (const RawTensor& t : file->tensors()) set.add(t, file->owner());
}

}  // namespace dpn

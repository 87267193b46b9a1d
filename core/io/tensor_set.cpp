// Resolves a checkpoint folder into its weight files (single file or HF-style shards).
#include "io/tensor_set.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "io/safetensors.h"
#include "util/error.h"

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

[[noreturn]] void refuse_pickles(const std::string& dir) {
  throw Error(dir,
              "holds only PyTorch pickle weights (*.bin), which are not loaded because unpickling can run code. "
              "Convert them to safetensors once, e.g. in Python: "
              "`from safetensors.torch import save_file; import torch; "
              "save_file(torch.load(F, map_location='cpu', weights_only=True), F.replace('.bin', '.safetensors'))` "
              "for each shard");
}

}  // namespace

TensorSet open_checkpoint_folder(const std::string& dir) {
  if (!fs::is_directory(dir)) throw Error(dir, "is not a folder (expected a checkpoint folder with config.json)");
  TensorSet set;
  const fs::path index = fs::path(dir) / "model.safetensors.index.json";
  if (fs::exists(index)) {
    nlohmann::json j;
    try {
      std::ifstream in(index);
      j = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
      throw Error(index.string(), std::string("invalid JSON: ") + e.what());
    }
    if (!j.contains("weight_map") || !j["weight_map"].is_object())
      throw Error(index.string(), "missing object 'weight_map'");
    std::map<std::string, std::set<std::string>> expected;  // shard -> names the index puts there
    for (auto it = j["weight_map"].begin(); it != j["weight_map"].end(); ++it) {
      if (!it.value().is_string()) throw Error(index.string(), "weight_map." + it.key() + " must be a file name");
      expected[it.value().get<std::string>()].insert(it.key());
    }
    for (const auto& [shard, names] : expected) {
      const fs::path p = fs::path(dir) / shard;
      if (!fs::exists(p)) throw Error(index.string(), "names shard '" + shard + "', which is missing");
      SafetensorsFile file(p.string());
      auto owner = file.mapping();
      for (const RawTensor& t : file.tensors()) set.add(t, owner);
      for (const auto& n : names) {
        const RawTensor* t = set.find(n);
        if (!t || t->file != p.string()) throw Error(p.string(), "does not contain tensor '" + n + "' that the index places there");
      }
    }
    return set;
  }
  std::vector<fs::path> files;
  bool has_bin = false;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    if (e.path().extension() == ".safetensors") files.push_back(e.path());
    if (e.path().extension() == ".bin" || e.path().extension() == ".pt" || e.path().extension() == ".pth") has_bin = true;
  }
  if (files.empty()) {
    if (has_bin) refuse_pickles(dir);
    throw Error(dir, "contains no *.safetensors weights");
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) add_safetensors_file(set, f.string());
  return set;
}

}  // namespace dpn
